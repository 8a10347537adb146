// ProseStyle (app/prose_style.h): the Markdown tables of a reply, as Qt's own Markdown reader
// builds them, get one collapsed grid and padded cells; what Qt read (the cells' text, the
// columns' alignment, the bold header) stays; a document without tables is left alone, and a
// second pass changes nothing.
#include <QAbstractTextDocumentLayout>
#include <QFontInfo>
#include <QSignalSpy>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFrame>
#include <QTextList>
#include <QTextTable>
#include <QtTest>

#include "app/prose_style.h"

namespace {

QList<QTextTable*> tablesOf(QTextFrame* frame) {
  QList<QTextTable*> out;
  for (QTextFrame* child : frame->childFrames()) {
    if (auto* t = qobject_cast<QTextTable*>(child)) out.append(t);
    out += tablesOf(child);
  }
  return out;
}

const ProseStyle::Style kStyle{QColor(0x12, 0x34, 0x56), 7, {}, QColor(), QColor()};

// A pass that changes nothing: the document reads the same and tells its views of no change (its
// contentsChange, from which a TextEdit lays text out again). (The argument-less contentsChanged
// comes at the end of every edit block, an empty one too: ProseStyle's passes are one block.)
struct Untouched {
  explicit Untouched(QTextDocument* d) : doc(d), html(d->toHtml()), spy(d, &QTextDocument::contentsChange) {}
  bool holds() const { return spy.count() == 0 && doc->toHtml() == html; }
  QTextDocument* doc;
  QString html;
  QSignalSpy spy;
};

}  // namespace

class TestProseStyle : public QObject {
  Q_OBJECT

 private slots:
  void styles_what_qt_reads() {
    QTextDocument doc;
    doc.setMarkdown(
        QStringLiteral("Compare:\n\n| model | size |\n|:---|---:|\n| falcon-7b | 7 B |\n"
                       "| falcon-40b | 40 B |\n\nAfter.\n"));
    const QList<QTextTable*> before = tablesOf(doc.rootFrame());
    QCOMPARE(before.size(), 1);
    QTextTable* t = before.front();
    // What Qt does on its own, which is what this fixes: spaced double lines, no padding.
    QVERIFY(t->format().cellPadding() < 1 || t->format().cellSpacing() > 0 || !t->format().borderCollapse());
    const Qt::Alignment right = t->cellAt(1, 1).firstCursorPosition().blockFormat().alignment();
    const QString text = doc.toPlainText();

    QCOMPARE(ProseStyle::style(&doc, kStyle), 1);
    const QTextTableFormat f = t->format();
    QVERIFY(f.borderCollapse());
    QCOMPARE(f.cellSpacing(), 0.0);
    QCOMPARE(f.cellPadding(), 7.0);
    QCOMPARE(f.border(), 1.0);
    QCOMPARE(f.borderBrush().color(), kStyle.border);
    QCOMPARE(f.borderStyle(), QTextFrameFormat::BorderStyle_Solid);
    QCOMPARE(t->rows(), 3);
    QCOMPARE(t->columns(), 2);
    QCOMPARE(t->cellAt(1, 1).firstCursorPosition().blockFormat().alignment(), right);
    QVERIFY(right & Qt::AlignRight);
    QCOMPARE(doc.toPlainText(), text);
  }

  void a_second_pass_changes_nothing() {
    QTextDocument doc;
    doc.setMarkdown(QStringLiteral("| a | b |\n|---|---|\n| 1 | 2 |\n"));
    QCOMPARE(ProseStyle::style(&doc, kStyle), 1);
    const Untouched changed(&doc);
    QCOMPARE(ProseStyle::style(&doc, kStyle), 1);
    QVERIFY(changed.holds());
  }

  void every_table_and_none() {
    QTextDocument doc;
    doc.setMarkdown(QStringLiteral("| a |\n|---|\n| 1 |\n\ntext\n\n| b | c |\n|---|---|\n| 2 | 3 |\n"));
    QCOMPARE(ProseStyle::style(&doc, kStyle), 2);
    for (QTextTable* t : tablesOf(doc.rootFrame())) QCOMPARE(t->format().cellPadding(), 7.0);

    QTextDocument plain;
    plain.setMarkdown(QStringLiteral("No table | here, only a pipe.\n\n- a list\n"));
    const Untouched changed(&plain);
    QCOMPARE(ProseStyle::style(&plain, kStyle), 0);
    QVERIFY(changed.holds());
    QCOMPARE(ProseStyle::style(nullptr, kStyle), 0);
  }

  // Qt 6.4 reads a table right after a block quote or an indented code block with its first
  // header cell in that block's margins and not bold; styled, the header reads as the same table
  // does on its own (Qt's reading of it, the reference here): each cell's margins and the
  // weight of each piece of its text, a code span's included.
  void a_header_after_a_quote_is_a_header() {
    const QString table = QStringLiteral("| model `cfg` | size |\n|:---|---:|\n| falcon-7b | 7 B |\n");
    QTextDocument alone;
    alone.setMarkdown(table);
    const auto header = [](QTextDocument& doc) {
      QStringList out;
      QTextTable* t = tablesOf(doc.rootFrame()).value(0);
      if (!t) return out;
      for (int row = 0; row < 2; ++row) {
        for (int column = 0; column < t->columns(); ++column) {
          const QTextTableCell c = t->cellAt(row, column);
          const QTextBlock b = c.firstCursorPosition().block();
          const bool one = b.position() + b.length() - 1 == c.lastPosition();  // one paragraph
          QString cell = QStringLiteral("%1 %2/%3:")
                             .arg(one)
                             .arg(b.blockFormat().topMargin())
                             .arg(b.blockFormat().bottomMargin());
          for (auto it = b.begin(); !it.atEnd(); ++it)
            cell += QStringLiteral(" %1=%2%3")
                        .arg(it.fragment().text())
                        .arg(it.fragment().charFormat().fontWeight())
                        .arg(it.fragment().charFormat().fontFixedPitch() ? QStringLiteral("m") : QString());
          out << cell;
        }
      }
      return out;
    };
    const QStringList want = header(alone);
    QCOMPARE(want.front(), QStringLiteral("1 0/0: model =700 cfg=400m"));
    for (const QString& before : {QStringLiteral("> A quote.\n\n"), QStringLiteral("    code\n\n"),
                                  QStringLiteral("Text.\n\n> q\n\n")}) {
      QTextDocument doc;
      doc.setMarkdown(before + table);
      QCOMPARE(ProseStyle::style(&doc, kStyle), 1);
      QCOMPARE(header(doc), want);
      const Untouched changed(&doc);
      ProseStyle::style(&doc, kStyle);
      QVERIFY(changed.holds());
    }
    // A table that Qt reads right is left as it is.
    ProseStyle::style(&alone, kStyle);
    QCOMPARE(header(alone), want);
  }

  // Ordered lists numbered from where the Markdown says (Qt 6.4 starts every list at 1): the
  // items out of Qt's list (whose marker would say 1), the numbers as text hanging where it was.
  void an_ordered_list_starts_where_it_says() {
    QTextDocument doc;
    doc.setMarkdown(QStringLiteral("2. Configure **it**:\n3. Run it.\n"));
    QCOMPARE(doc.begin().textList()->format().style(), QTextListFormat::ListDecimal);
    const int indent = doc.begin().textList()->format().indent();
    QCOMPARE(ProseStyle::style(&doc, {kStyle.border, 7, {2}, QColor(), QColor()}), 0);
    const QTextBlock first = doc.begin(), second = first.next();
    QVERIFY(!first.textList() && !second.textList());  // no marker drawn
    QCOMPARE(first.text(), QStringLiteral("2. Configure it:"));
    QCOMPARE(second.text(), QStringLiteral("3. Run it."));
    QCOMPARE(first.blockFormat().indent(), indent);  // where the list had it
    QVERIFY(first.blockFormat().textIndent() < -5);  // the number hangs
    const Untouched changed(&doc);
    ProseStyle::style(&doc, {kStyle.border, 7, {2}, QColor(), QColor()});
    QVERIFY(changed.holds());  // done once
  }

  void only_the_lists_that_need_it() {
    QTextDocument doc;
    doc.setMarkdown(QStringLiteral("- a bullet\n\ntext\n\n1. one\n\nmore\n\n5) five\n6) six\n"));
    ProseStyle::style(&doc, {kStyle.border, 7, {1, 5}, QColor(), QColor()});
    QStringList texts;
    QList<QTextList*> lists;
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
      texts << b.text();
      if (b.textList() && !lists.contains(b.textList())) lists.append(b.textList());
    }
    QCOMPARE(texts, QStringList({"a bullet", "text", "one", "more", "5) five", "6) six"}));
    QCOMPARE(lists.size(), 2);
    QCOMPARE(lists[0]->format().style(), QTextListFormat::ListDisc);     // bullets: not counted
    QCOMPARE(lists[1]->format().style(), QTextListFormat::ListDecimal);  // starts at 1: Qt's own
  }

  // The starts change after the document was numbered (the text and the starts are two bindings,
  // set in either order): numbered again.
  void new_starts_renumber() {
    QTextDocument doc;
    doc.setMarkdown(QStringLiteral("4. four\n5. five\n\ntext\n\n8. eight\n"));
    ProseStyle styler;
    styler.setListStarts({4, 8});
    styler.attach(&doc);
    QTRY_COMPARE(doc.begin().text(), QStringLiteral("4. four"));
    QCOMPARE(doc.lastBlock().text(), QStringLiteral("8. eight"));
    styler.setListStarts({2, 8});
    QTRY_COMPARE(doc.begin().text(), QStringLiteral("2. four"));
    QCOMPARE(doc.begin().next().text(), QStringLiteral("3. five"));
    QCOMPARE(doc.lastBlock().text(), QStringLiteral("8. eight"));
    styler.setListStarts({});
    QTRY_COMPARE(doc.begin().text(), QStringLiteral("1. four"));
    doc.setMarkdown(QStringLiteral("6. six\n"));          // new text: Qt's list again, numbered anew
    QCOMPARE(doc.begin().text(), QStringLiteral("six"));  // not in the middle of the import
    QVERIFY(doc.begin().textList());
    QTest::qWait(20);
    QCOMPARE(doc.begin().text(), QStringLiteral("six"));  // the starts say 1: Qt's own marker
    styler.setListStarts({7});
    QTRY_COMPARE(doc.begin().text(), QStringLiteral("7. six"));
    // A new text read while the starts say otherwise: the lists are numbered after Qt's import,
    // not in it (numbered from its contentsChanged, an emptied list crashed the importer).
    doc.setMarkdown(QStringLiteral("7. a\n8. b\n\n- c\n  1. d\n"));
    QTRY_COMPARE(doc.begin().text(), QStringLiteral("7. a"));
    QCOMPARE(doc.begin().next().text(), QStringLiteral("8. b"));
  }

  // A block quote's text in the quote colour (Qt only indents it); the rest as it was.
  void quotes_take_their_colour() {
    QTextDocument doc;
    doc.setMarkdown(QStringLiteral("2. Done.\n\n> A quote with **bold** text.\n\nAfter.\n"));
    const QColor grey(0x66, 0x66, 0x66);
    ProseStyle::style(&doc, {kStyle.border, 7, {}, grey, QColor()});
    int quoted = 0;
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
      const bool quote = b.blockFormat().intProperty(QTextFormat::BlockQuoteLevel) > 0;
      quoted += quote;
      for (auto it = b.begin(); !it.atEnd(); ++it) {
        const QTextCharFormat f = it.fragment().charFormat();
        QCOMPARE(f.foreground().color() == grey, quote);
        if (quote && it.fragment().text() == QStringLiteral("bold"))
          QCOMPARE(f.fontWeight(), int(QFont::Bold));
      }
    }
    QCOMPARE(quoted, 1);
    const Untouched changed(&doc);
    ProseStyle::style(&doc, {kStyle.border, 7, {}, grey, QColor()});
    QVERIFY(changed.holds());
  }

  // Links in the theme's link colour and underlined (Qt reads them pure blue, not underlined),
  // in a quote too; the text around them as it was; one pass is enough. Without a link colour,
  // as Qt read them.
  void links_take_the_link_colour() {
    const QString md = QStringLiteral(
        "See [the docs](https://e.com/d) and https://e.com/raw.\n\n"
        "> Quoted [link](https://e.com/q) here.\n");
    const QColor link(0x8a, 0xb4, 0xf8), grey(0x66, 0x66, 0x66);
    ProseStyle::Style style{kStyle.border, 7, {}, grey, QColor(), link};
    QTextDocument doc;
    doc.setMarkdown(md);
    ProseStyle::style(&doc, style);
    QStringList anchors;
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
      const bool quote = b.blockFormat().intProperty(QTextFormat::BlockQuoteLevel) > 0;
      for (auto it = b.begin(); !it.atEnd(); ++it) {
        const QTextCharFormat f = it.fragment().charFormat();
        if (f.isAnchor()) {
          anchors << it.fragment().text();
          QCOMPARE(f.foreground().color(), link);
          QVERIFY(f.fontUnderline());
        } else {
          QCOMPARE(f.foreground().color() == grey, quote);
          QVERIFY(!f.fontUnderline());
        }
      }
    }
    QCOMPARE(anchors, (QStringList{QStringLiteral("the docs"), QStringLiteral("https://e.com/raw"),
                                   QStringLiteral("link")}));
    const Untouched changed(&doc);
    ProseStyle::style(&doc, style);
    QVERIFY(changed.holds());

    QTextDocument plain;
    plain.setMarkdown(md);
    QTextDocument as_read;
    as_read.setMarkdown(md);
    style.link = QColor();
    style.quote = QColor();
    ProseStyle::style(&plain, style);
    QCOMPARE(plain.toHtml(), as_read.toHtml());
  }

  // Code spans on the code background, the words around them not; one pass is enough.
  void code_spans_sit_on_the_code_background() {
    QTextDocument doc;
    doc.setMarkdown(QStringLiteral("See `config.json` and `a` b.\n\n> a `quoted` span\n"));
    const QColor bg(0xee, 0xee, 0xf0), grey(0x66, 0x66, 0x66);
    ProseStyle::style(&doc, {kStyle.border, 7, {}, grey, bg});
    QStringList on;
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next())
      for (auto it = b.begin(); !it.atEnd(); ++it) {
        const QTextCharFormat f = it.fragment().charFormat();
        QCOMPARE(f.background().color() == bg, f.fontFixedPitch());
        if (f.fontFixedPitch()) on << it.fragment().text();
      }
    QCOMPARE(on, QStringList({"config.json", "a", "quoted"}));
    const Untouched changed(&doc);
    ProseStyle::style(&doc, {kStyle.border, 7, {}, grey, bg});
    QVERIFY(changed.holds());
  }

  // Headings a step above the text (Qt's h1 is more than twice its size), with room above; the
  // text as it was; one pass is enough.
  void headings_sized_from_the_text() {
    QTextDocument doc;
    QFont font = doc.defaultFont();
    font.setPixelSize(14);
    doc.setDefaultFont(font);
    doc.setMarkdown(QStringLiteral("# Title *here*\n\nText.\n\n### Small\n\nMore.\n"));
    ProseStyle::style(&doc, kStyle);
    QMap<QString, int> px;
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next())
      for (auto it = b.begin(); !it.atEnd(); ++it)
        px[it.fragment().text()] = QFontInfo(it.fragment().charFormat().font().resolve(font)).pixelSize();
    QCOMPARE(px.value(QStringLiteral("Title ")), 20);  // 14 x 1.45
    QCOMPARE(px.value(QStringLiteral("here")), 20);    // italic kept its size too
    QCOMPARE(px.value(QStringLiteral("Small")), 16);   // 14 x 1.15
    QCOMPARE(px.value(QStringLiteral("Text.")), 14);
    QVERIFY(doc.begin().charFormat().fontWeight() >= QFont::Normal);
    const QTextBlock small = doc.findBlock(doc.toPlainText().indexOf(QStringLiteral("Small")));
    QVERIFY(small.blockFormat().topMargin() >= 8);
    const Untouched changed(&doc);
    ProseStyle::style(&doc, kStyle);
    QVERIFY(changed.holds());
  }

  // Paragraphs apart (Qt gives them no margin: two paragraphs read as one text), a list apart
  // from what follows it, but not its items from each other, not a table's cells, not the end.
  void paragraphs_apart() {
    QTextDocument doc;
    QFont font = doc.defaultFont();
    font.setPixelSize(14);
    doc.setDefaultFont(font);
    doc.setMarkdown(QStringLiteral(
        "First.\n\nSecond.\n\n- one\n- two\n  - two.a\n\nAfter.\n\n| x |\n|---|\n| 1 |\n\nLast.\n"));
    auto below = [&doc](const char* text) {
      return doc.findBlock(doc.toPlainText().indexOf(QString::fromUtf8(text))).blockFormat().bottomMargin();
    };
    QCOMPARE(below("First."), 0.0);  // what Qt does, which this fixes
    ProseStyle::style(&doc, kStyle);
    QCOMPARE(below("First."), 7.0);  // half the text's height
    QCOMPARE(below("Second."), 7.0);
    QCOMPARE(below("one"), 0.0);
    QCOMPARE(below("two\n"), 0.0);
    QCOMPARE(below("two.a"), 7.0);  // the list's end
    QCOMPARE(below("After."), 7.0);
    QCOMPARE(below("1"), 0.0);  // a cell
    QCOMPARE(below("Last."), 0.0);
    const Untouched changed(&doc);
    ProseStyle::style(&doc, kStyle);
    QVERIFY(changed.holds());
  }

  // Attached to a document, as the chat view does: styled when attached, again each time the
  // text is set anew (a streaming reply), and when the style changes (the theme).
  void follows_the_document() {
    QTextDocument doc;
    ProseStyle styler;
    QSignalSpy counted(&styler, &ProseStyle::tablesChanged);
    styler.setBorder(kStyle.border);
    styler.setPadding(5);
    styler.attach(&doc);
    QCOMPARE(styler.tables(), 0);
    doc.setMarkdown(QStringLiteral("| a | b |\n"));  // streaming: no delimiter row yet, no table
    QCOMPARE(styler.tables(), 0);
    doc.setMarkdown(QStringLiteral("| a | b |\n|---|---|\n| 1 |"));
    QCOMPARE(styler.tables(), 1);
    QCOMPARE(tablesOf(doc.rootFrame()).front()->format().cellPadding(), 5.0);
    QCOMPARE(counted.count(), 1);
    styler.setPadding(9);
    QCOMPARE(tablesOf(doc.rootFrame()).front()->format().cellPadding(), 9.0);
    styler.setPadding(-1);  // refused
    QCOMPARE(styler.padding(), 9.0);
    styler.attach(nullptr);
    doc.setMarkdown(QStringLiteral("| a |\n|---|\n\n| b |\n|---|\n"));
    QCOMPARE(styler.tables(), 1);  // no longer attached: not counted again
  }

  // load(): the Markdown read and styled in one go gives the document that Qt's reader and then
  // the passes give (also into a document that held another text, as a streaming reply's), and
  // its views hear of the new text in one change (two with a table: the passes need the table's
  // frame, which the document builds at the edit's end), with no undo steps left behind.
  void load_reads_and_styles_in_one_change() {
    ProseStyle::Style style = kStyle;
    style.list_starts = {3};
    style.quote = QColor(0x55, 0x66, 0x77);
    style.code = QColor(0xee, 0xee, 0xee);
    const QStringList texts = {
        QStringLiteral("# Title\n\nA paragraph with `code` and **bold**.\n\n3. third\n4. fourth\n\n"
                       "> a quote\n\n- item\n\n  more of it\n- item two\n"),
        QStringLiteral("Sizes:\n\n| model | size |\n|:---|---:|\n| falcon-7b | 7 B |\n\nAfter the table.\n"),
        QStringLiteral("- a list\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n\nText.\n"),
        QString(),
    };
    for (const QString& text : texts) {
      QTextDocument reference;
      reference.setMarkdown(text);
      const int reference_tables = ProseStyle::style(&reference, style);

      QTextDocument doc;
      doc.setTextWidth(400);  // laid out, as a shown TextEdit's
      doc.setMarkdown(QStringLiteral("An earlier text:\n\n| x |\n|---|\n| y |\n\n1. one\n"));
      QVERIFY(doc.documentLayout()->documentSize().height() > 0);
      QSignalSpy changes(&doc, &QTextDocument::contentsChange);
      QCOMPARE(ProseStyle::load(&doc, text, style), reference_tables);
      QCOMPARE(doc.toHtml(), reference.toHtml());
      QCOMPARE(tablesOf(doc.rootFrame()).size(), reference_tables);
      // (setMarkdown's clear() tells of the emptied document at once, in the edit too: a layout
      // of nothing.) The text comes in one change, which the view lays out.
      int adding = 0;
      for (const QList<QVariant>& change : changes) adding += change.at(2).toInt() > 0;
      QCOMPARE(adding, reference_tables > 0 ? 2 : 1);
      QVERIFY(!doc.isUndoAvailable());
      QVERIFY(doc.isUndoRedoEnabled());  // as it was
    }
    QCOMPARE(ProseStyle::load(nullptr, QStringLiteral("x"), style), 0);
  }

  // Through `markdown`, as the chat view gives it: nothing is read before apply() (the view is
  // complete then), everything set after it is read and styled at once, and a new document gets
  // the text at the next apply().
  void reads_its_markdown_once_applied() {
    QTextDocument doc;
    ProseStyle styler;
    styler.setPadding(5);
    styler.attach(&doc);
    QSignalSpy counted(&styler, &ProseStyle::tablesChanged);
    const QString table = QStringLiteral("| a | b |\n|---|---|\n| 1 | 2 |\n");
    styler.setMarkdown(table);
    QCOMPARE(styler.markdown(), table);
    QVERIFY(doc.isEmpty());
    styler.apply();
    QCOMPARE(styler.tables(), 1);
    QCOMPARE(counted.count(), 1);
    QCOMPARE(tablesOf(doc.rootFrame()).front()->format().cellPadding(), 5.0);
    styler.setMarkdown(QStringLiteral("Now **no** table."));
    QCOMPARE(doc.toPlainText(), QStringLiteral("Now no table."));
    QCOMPARE(styler.tables(), 0);
    styler.setMarkdown(table + QStringLiteral("\n") + table);
    QCOMPARE(styler.tables(), 2);

    QTextDocument other;
    styler.attach(&other);
    styler.apply();
    QCOMPARE(tablesOf(other.rootFrame()).size(), 2);
    QCOMPARE(other.toHtml(), doc.toHtml());
  }
};

QTEST_MAIN(TestProseStyle)
#include "test_prose_style.moc"
