// ProseTables (app/prose_tables.h): the Markdown tables of a reply, as Qt's own Markdown reader
// builds them, get one collapsed grid and padded cells; what Qt read (the cells' text, the
// columns' alignment, the bold header) stays; a document without tables is left alone, and a
// second pass changes nothing.
#include <QSignalSpy>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFrame>
#include <QTextTable>
#include <QtTest>

#include "app/prose_tables.h"

namespace {

QList<QTextTable*> tablesOf(QTextFrame* frame) {
  QList<QTextTable*> out;
  for (QTextFrame* child : frame->childFrames()) {
    if (auto* t = qobject_cast<QTextTable*>(child)) out.append(t);
    out += tablesOf(child);
  }
  return out;
}

const ProseTables::Style kStyle{QColor(0x12, 0x34, 0x56), 7};

}  // namespace

class TestProseTables : public QObject {
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

    QCOMPARE(ProseTables::style(&doc, kStyle), 1);
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
    QCOMPARE(ProseTables::style(&doc, kStyle), 1);
    QSignalSpy changed(&doc, &QTextDocument::contentsChanged);
    QCOMPARE(ProseTables::style(&doc, kStyle), 1);
    QCOMPARE(changed.count(), 0);
  }

  void every_table_and_none() {
    QTextDocument doc;
    doc.setMarkdown(QStringLiteral("| a |\n|---|\n| 1 |\n\ntext\n\n| b | c |\n|---|---|\n| 2 | 3 |\n"));
    QCOMPARE(ProseTables::style(&doc, kStyle), 2);
    for (QTextTable* t : tablesOf(doc.rootFrame())) QCOMPARE(t->format().cellPadding(), 7.0);

    QTextDocument plain;
    plain.setMarkdown(QStringLiteral("No table | here, only a pipe.\n\n- a list\n"));
    QSignalSpy changed(&plain, &QTextDocument::contentsChanged);
    QCOMPARE(ProseTables::style(&plain, kStyle), 0);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(ProseTables::style(nullptr, kStyle), 0);
  }

  // Attached to a document, as the chat view does: styled when attached, again each time the
  // text is set anew (a streaming reply), and when the style changes (the theme).
  void follows_the_document() {
    QTextDocument doc;
    ProseTables styler;
    QSignalSpy counted(&styler, &ProseTables::tablesChanged);
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
};

QTEST_MAIN(TestProseTables)
#include "test_prose_tables.moc"
