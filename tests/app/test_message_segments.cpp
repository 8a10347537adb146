// MessageSegments (app/message_segments.h): a message's segments as a model that updates only what
// changed, checked against MessageFormatter::segments of the same text (the reference) at every
// step of a reply streamed in pieces, and by the rows the model announced: a streaming reply
// changes its last segment in place and adds rows at the end, and leaves the others untouched.
#include <QSignalSpy>
#include <QtTest>

#include "app/message_formatter.h"
#include "app/message_segments.h"

namespace {

QVariantList rows(const MessageSegments& m) {
  QVariantList out;
  for (int i = 0; i < m.rowCount(); ++i) out << m.data(m.index(i), MessageSegments::SegmentRole);
  return out;
}

const QString kReply = QStringLiteral(
    "Intro with **bold** and $x^2$.\n\n```python\ndef f(x):\n    return x < 2\n```\n\n"
    "1. Step one\n2. Step two\n\n```sh\nls -l\n```\n\n3. After the code\n\n| a | b |\n|---|---|\n| 1 | 2 "
    "|\n");

}  // namespace

class TestMessageSegments : public QObject {
  Q_OBJECT

 private slots:
  // Streamed a few characters at a time: after each piece the rows are the formatter's segments
  // of the text so far, and only rows at or after the first one that differs were touched.
  void streaming_changes_only_the_end() {
    MessageSegments m;
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
    QVariantList before;
    int total_changed = 0;
    for (qsizetype n = 1; n <= kReply.size(); n += 3) {
      const QString text = kReply.first(std::min(n, kReply.size()));
      changed.clear();
      inserted.clear();
      removed.clear();
      m.setText(text);
      const QVariantList now = rows(m);
      QCOMPARE(now, MessageFormatter().segments(text));
      // The first row that differs from before: nothing before it was announced.
      qsizetype first_diff = 0;
      while (first_diff < std::min(before.size(), now.size()) && before[first_diff] == now[first_diff])
        ++first_diff;
      for (const QList<QVariant>& args : changed) {
        const QModelIndex from = args[0].value<QModelIndex>();
        QVERIFY2(from.row() >= first_diff, qPrintable(text));
        QVERIFY(before[from.row()] != now[from.row()]);
      }
      QCOMPARE(changed.size() + inserted.size() + removed.size() > 0, before != now);
      total_changed += static_cast<int>(changed.size());
      before = now;
    }
    // Far fewer row updates than pieces x rows (re-creating every segment each time).
    QVERIFY2(total_changed <= static_cast<int>(kReply.size() / 3 + 2),
             qPrintable(QString::number(total_changed)));
    QCOMPARE(m.rowCount(), static_cast<int>(before.size()));
  }

  // A plain (user's) message changes kinds; a shorter text removes rows at the end.
  void plain_and_shorter_text() {
    MessageSegments m;
    m.setText(kReply);
    QCOMPARE(rows(m), MessageFormatter().segments(kReply));
    m.setPlain(true);
    QCOMPARE(rows(m), MessageFormatter().segments(kReply, true));
    QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
    m.setText(QStringLiteral("only this"));
    QCOMPARE(rows(m), MessageFormatter().segments(QStringLiteral("only this"), true));
    QCOMPARE(m.rowCount(), 1);
    QCOMPARE(removed.size(), 1);
    m.setText(QString());
    QCOMPARE(m.rowCount(), 0);
  }

  // As QML sets it up: nothing is segmented until all the properties are in.
  void segmented_once_complete() {
    MessageSegments m;
    m.classBegin();
    m.setText(kReply);
    m.setPlain(true);
    QCOMPARE(m.rowCount(), 0);
    m.componentComplete();
    QCOMPARE(rows(m), MessageFormatter().segments(kReply, true));
  }
};

QTEST_MAIN(TestMessageSegments)
#include "test_message_segments.moc"
