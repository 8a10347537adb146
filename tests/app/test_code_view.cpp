// CodeView (app/code_view.h): a code block written into a document as formats. Checked against
// two references: the highlighter's own pieces (every character of the code keeps its token
// kind), and Qt's reading of the highlighter's HTML in a <pre> (what the view showed before: the
// same text, colours and styles, line by line). Written in steps, as a streaming reply does, the
// document is the one written at once, and only the lines from the first that changed are
// written again.
#include <QSignalSpy>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextFragment>
#include <QtTest>

#include "app/code_highlighter.h"
#include "app/code_view.h"

namespace {

bool ends_line(QChar c) {
  return c == QLatin1Char('\n') || c.unicode() == 0x2029 || c.unicode() == 0xFDD0 || c.unicode() == 0xFDD1;
}

// Each block's text, and per character its colour, italic and bold.
struct Look {
  QStringList lines;
  QList<QList<QString>> styles;
  bool operator==(const Look&) const = default;
};

Look look(const QTextDocument& doc) {
  Look out;
  for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
    out.lines << b.text();
    QList<QString> per_char;
    for (auto it = b.begin(); !it.atEnd(); ++it) {
      const QTextCharFormat f = it.fragment().charFormat();
      const QString s = QStringLiteral("%1 %2 %3")
                            .arg(f.hasProperty(QTextFormat::ForegroundBrush) ? f.foreground().color().name()
                                                                             : QStringLiteral("-"))
                            .arg(f.fontItalic())
                            .arg(f.fontWeight() >= QFont::Bold);
      for (qsizetype k = 0; k < it.fragment().length(); ++k) per_char << s;
    }
    out.styles << per_char;
  }
  return out;
}

QTextDocument* written(const QString& code, const QString& language, bool dark) {
  auto* doc = new QTextDocument;
  CodeView::Shown shown;
  CodeView::write(doc, shown, CodeView::Content{code, language, dark});
  return doc;
}

const QString kPython = QStringLiteral(
    "import os\n\n@cache\ndef fib(n: int) -> int:\n    \"\"\"Doc\n    string.\"\"\"\n"
    "    # a comment <b>not bold</b>\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
    "\tx = 'it''s' + 0x1F + 3.5e-2\nprint(f\"{fib(10)}\")");
const QString kCpp = QStringLiteral(
    "#include <vector>\n/* a block\n   comment */\nint main() {\n  std::vector<int> v{1, 2};\n"
    "  return v.size() > 1 ? 0 : 1;  // done\n}");
const QString kMarkdown = QStringLiteral("# Title\n\nSome *text* and `code`.\n\n## More\n- item");

}  // namespace

class TestCodeView : public QObject {
  Q_OBJECT

 private slots:
  // The lines are the code's (no '\r', a line end where a document ends a paragraph), and every
  // character keeps the token kind the highlighter gave it.
  void lines_keep_the_code_and_its_kinds() {
    const QList<std::pair<QString, QString>> cases = {
        {kPython, QStringLiteral("python")},
        {kCpp, QStringLiteral("cpp")},
        {kMarkdown, QStringLiteral("md")},
        {QStringLiteral("a = 1\r\nb = \"x\r\ny\"\r\n"), QStringLiteral("py")},
        {QStringLiteral("x\u2029y\uFDD0z\uFDD1w\rv\u2028u"), QStringLiteral("c")},
        {QStringLiteral("no language\n"), QString()},
        {QString(), QStringLiteral("py")},
    };
    for (const auto& [code, language] : cases) {
      QList<int> kinds;  // per character of the code
      for (const codehl::Piece& p : codehl::pieces(code, language))
        for (qsizetype k = 0; k < p.length; ++k) kinds << p.kind;
      QCOMPARE(kinds.size(), code.size());
      QStringList want_lines{QString()};
      QList<int> want_kinds;
      for (qsizetype i = 0; i < code.size(); ++i) {
        if (code[i] == QLatin1Char('\r')) continue;
        if (ends_line(code[i])) {
          want_lines << QString();
          continue;
        }
        want_lines.back() += code[i];
        want_kinds << kinds[i];
      }
      const QList<CodeView::Line> lines = CodeView::lines(code, language);
      QStringList got_lines;
      QList<int> got_kinds;
      for (const CodeView::Line& line : lines) {
        got_lines << line.text;
        qsizetype length = 0;
        for (const codehl::Piece& run : line.runs) {
          QVERIFY(run.length > 0);
          length += run.length;
          for (qsizetype k = 0; k < run.length; ++k) got_kinds << run.kind;
        }
        QCOMPARE(length, line.text.size());
      }
      QCOMPARE(got_lines, want_lines);
      QCOMPARE(got_kinds, want_kinds);
    }
  }

  // What the view showed before, Qt's reading of the highlighted HTML in a <pre>: the same
  // lines, and each character in the same colour and style; lines that do not wrap, the room
  // above the first line and below the last.
  void looks_as_the_html_did() {
    for (const auto& [code, language] :
         {std::pair{kPython, QStringLiteral("py")}, std::pair{kCpp, QStringLiteral("c++")},
          std::pair{kMarkdown, QStringLiteral("markdown")},
          std::pair{QStringLiteral("one line"), QString()}}) {
      for (const bool dark : {false, true}) {
        QTextDocument html;
        html.setHtml(QStringLiteral("<pre>") + codehl::highlight(code, language, dark) +
                     QStringLiteral("</pre>"));
        std::unique_ptr<QTextDocument> doc(written(code, language, dark));
        QCOMPARE(look(*doc), look(html));
        QCOMPARE(doc->toPlainText(), code);
        for (QTextBlock b = doc->begin(); b.isValid(); b = b.next()) {
          QVERIFY(b.blockFormat().nonBreakableLines());
          QCOMPARE(b.blockFormat().topMargin(), b == doc->begin() ? 12.0 : 0.0);
          QCOMPARE(b.blockFormat().bottomMargin(), b == doc->lastBlock() ? 12.0 : 0.0);
        }
      }
    }
    // Markup in the code is text.
    std::unique_ptr<QTextDocument> doc(
        written(QStringLiteral("<img src=x> <b>b</b>"), QStringLiteral("html"), false));
    QCOMPARE(doc->toPlainText(), QStringLiteral("<img src=x> <b>b</b>"));
  }

  // Streamed in pieces (a reply writing its code block): after each piece the document is the
  // one written at once, and the write starts at the first line that differs (or the line before
  // it, whose bottom margin changes when it stops being the last), which for a growing block is
  // the last line or two.
  void streaming_writes_only_the_lines_that_change() {
    const QString code = kPython + QStringLiteral("\n") + kCpp;
    for (const QString& language : {QStringLiteral("python"), QStringLiteral("c")}) {
      QTextDocument doc;
      doc.setTextWidth(500);  // laid out, as a shown view's
      CodeView::Shown shown;
      QSignalSpy changes(&doc, &QTextDocument::contentsChange);
      QList<CodeView::Line> before;
      for (qsizetype n = 0; n < code.size() + 3; n += 3) {  // the last piece: the whole code
        const QString part = code.first(std::min(n, code.size()));
        const QList<CodeView::Line> now = CodeView::lines(part, language);
        qsizetype first = 0;
        while (first < std::min(before.size(), now.size()) && before[first] == now[first]) ++first;
        const int block_before = first > 0 ? doc.findBlockByNumber(int(first) - 1).position() : 0;
        changes.clear();
        const int from = CodeView::write(&doc, shown, CodeView::Content{part, language, false});
        QVERIFY2(from == first || from == first - 1, qPrintable(part));
        std::unique_ptr<QTextDocument> fresh(written(part, language, false));
        QCOMPARE(doc.toHtml(), fresh->toHtml());
        for (const QList<QVariant>& change : changes) QVERIFY(change.at(0).toInt() >= block_before);
        before = now;
      }
      QVERIFY(!doc.isUndoAvailable());
      // The same code again writes nothing.
      changes.clear();
      QCOMPARE(CodeView::write(&doc, shown, CodeView::Content{code, language, false}), int(before.size()));
      QCOMPARE(changes.count(), 0);
      // Another theme writes every line; a shorter code takes the rest away.
      QCOMPARE(CodeView::write(&doc, shown, CodeView::Content{code, language, true}), 0);
      QCOMPARE(doc.toHtml(), std::unique_ptr<QTextDocument>(written(code, language, true))->toHtml());
      CodeView::write(&doc, shown, CodeView::Content{kCpp.first(20), language, true});
      QCOMPARE(doc.toHtml(),
               std::unique_ptr<QTextDocument>(written(kCpp.first(20), language, true))->toHtml());
    }
  }

  // A document that does not hold what was written (its view cleared it) is written whole.
  void a_changed_document_is_written_whole() {
    QTextDocument doc;
    CodeView::Shown shown;
    CodeView::write(&doc, shown, CodeView::Content{kCpp, QStringLiteral("c"), false});
    doc.setPlainText(QStringLiteral("something else"));
    QCOMPARE(CodeView::write(&doc, shown, CodeView::Content{kCpp, QStringLiteral("c"), false}), 0);
    QCOMPARE(doc.toHtml(),
             std::unique_ptr<QTextDocument>(written(kCpp, QStringLiteral("c"), false))->toHtml());
  }
};

QTEST_MAIN(TestCodeView)
#include "test_code_view.moc"
