// Text files put into a message (app/text_attachment.h): what is taken, what is refused and why,
// and that the quoted file reads back, through the chat view's own parser of fences
// (MessageFormatter), as exactly the file's text.
#include <sys/stat.h>

#include <QFile>
#include <QGuiApplication>
#include <QLocale>
#include <QStringEncoder>
#include <QTemporaryDir>
#include <QTest>

#include "app/message_formatter.h"
#include "app/text_attachment.h"

namespace {

QString write(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes) {
  const QString path = dir.filePath(name);
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
    qFatal("cannot write %s", qPrintable(path));
  return path;
}

// The single code segment of a quoted file as the chat view reads it, and the name line before it.
struct ReadBack {
  QString name, language, code;
  int segments = 0;
};
ReadBack read_back(const QString& markdown) {
  MessageFormatter f;
  const QVariantList s = f.segments(markdown, true);
  ReadBack r;
  r.segments = int(s.size());
  for (const QVariant& v : s) {
    const QVariantMap m = v.toMap();
    if (m.value(QStringLiteral("kind")) == QLatin1String("code")) {
      r.language = m.value(QStringLiteral("language")).toString();
      r.code = m.value(QStringLiteral("code")).toString();
    } else {
      r.name = m.value(QStringLiteral("markdown")).toString();
    }
  }
  return r;
}

}  // namespace

class TextAttachmentTest : public QObject {
  Q_OBJECT

 private slots:
  void a_quoted_file_reads_back_as_its_text_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");  // the text as it reads back (line ends made "\n")
    QTest::addColumn<QString>("language");
    QTest::newRow("python") << "fib.py"
                            << "def f():\n    return 1\n"
                            << "def f():\n    return 1"
                            << "py";
    QTest::newRow("unknown extension") << "notes.txt"
                                       << "a\nb"
                                       << "a\nb"
                                       << "";
    QTest::newRow("no extension") << "Makefile"
                                  << "all:\n\tcc x.c\n"
                                  << "all:\n\tcc x.c"
                                  << "";
    // Markdown with its own fences: the outer fence is longer, so none of them ends the block.
    QTest::newRow("fences inside") << "README.md"
                                   << "# T\n\n```sh\nls\n```\n\n````\nx\n````\n"
                                   << "# T\n\n```sh\nls\n```\n\n````\nx\n````"
                                   << "md";
    QTest::newRow("windows line ends") << "a.c"
                                       << "int x;\r\nint y;\r\n"
                                       << "int x;\nint y;"
                                       << "c";
    QTest::newRow("old mac line ends") << "a.sql"
                                       << "select 1;\rselect 2;"
                                       << "select 1;\nselect 2;"
                                       << "sql";
    QTest::newRow("blank lines kept inside") << "a.yml"
                                             << "\n\nkey: 1\n\n\nother: 2\n\n\n"
                                             << "\n\nkey: 1\n\n\nother: 2"
                                             << "yml";
    QTest::newRow("tildes and indented fences") << "x.go"
                                                << "~~~\n   ```\n```go\n"
                                                << "~~~\n   ```\n```go"
                                                << "go";
    QTest::newRow("upper-case extension") << "MAIN.RS"
                                          << "fn main() {}"
                                          << "fn main() {}"
                                          << "rs";
  }
  void a_quoted_file_reads_back_as_its_text() {
    QFETCH(QString, name);
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QFETCH(QString, language);
    const QString md = attachment::quote(name, text);
    const ReadBack r = read_back(md);
    QCOMPARE(r.segments, 2);
    QCOMPARE(r.name, name);
    QCOMPARE(r.code, expected);
    QCOMPARE(r.language, language);
  }

  void a_name_stays_one_line() {
    const ReadBack r = read_back(attachment::quote(QStringLiteral("a\nb\tc.txt"), QStringLiteral("x")));
    QCOMPARE(r.segments, 2);
    QCOMPARE(r.name, QStringLiteral("a b c.txt"));
    QCOMPARE(r.code, QStringLiteral("x"));
  }

  void text_files_are_read_in_their_encoding() {
    QTemporaryDir dir;
    const QString text = QStringLiteral("Grüße, 世界 🙂\nzweite Zeile");
    const QByteArray utf8 = text.toUtf8();
    auto utf16 = [&](QStringConverter::Encoding e, const QByteArray& bom) {
      QStringEncoder enc(e, QStringConverter::Flag::Stateless);
      return bom + QByteArray(enc.encode(text));
    };
    const QList<std::pair<QString, QByteArray>> files = {
        {QStringLiteral("plain.txt"), utf8},
        {QStringLiteral("bom.txt"), QByteArray("\xEF\xBB\xBF") + utf8},
        {QStringLiteral("le.txt"), utf16(QStringConverter::Utf16LE, QByteArray("\xFF\xFE"))},
        {QStringLiteral("be.txt"), utf16(QStringConverter::Utf16BE, QByteArray("\xFE\xFF"))},
    };
    for (const auto& [name, bytes] : files) {
      const attachment::Result r = attachment::read(write(dir, name, bytes));
      QVERIFY2(r.error.isEmpty(), qPrintable(name + QLatin1String(": ") + r.error));
      const ReadBack back = read_back(r.markdown);
      QCOMPARE(back.name, name);
      QCOMPARE(back.code, text);  // no byte order mark left at the start
    }
  }

  void what_is_not_text_is_refused_by_name() {
    QTemporaryDir dir;
    QByteArray png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    QByteArray latin1("caf\xe9 cr\xe8me\n");
    QByteArray cut_utf8 = QStringLiteral("ab€").toUtf8();
    cut_utf8.chop(1);  // a character cut at the end
    QByteArray odd_utf16("\xFF\xFE\x61\x00\x62", 5);
    QByteArray utf16_nul("\xFF\xFE\x61\x00\x00\x00", 6);
    const QList<std::pair<QString, QByteArray>> files = {
        {QStringLiteral("photo.png"), png},       {QStringLiteral("latin1.txt"), latin1},
        {QStringLiteral("cut.txt"), cut_utf8},    {QStringLiteral("odd.txt"), odd_utf16},
        {QStringLiteral("nul16.txt"), utf16_nul},
    };
    for (const auto& [name, bytes] : files) {
      const attachment::Result r = attachment::read(write(dir, name, bytes));
      QVERIFY2(r.markdown.isEmpty(), qPrintable(name));
      QVERIFY2(r.error.contains(name) && r.error.contains(QLatin1String("not a text file")),
               qPrintable(r.error));
    }
    for (const QByteArray& blank : {QByteArray(), QByteArray(" \n\t\n"), QByteArray("\xEF\xBB\xBF")}) {
      const attachment::Result r = attachment::read(write(dir, QStringLiteral("blank.txt"), blank));
      QVERIFY(r.markdown.isEmpty());
      QVERIFY2(r.error.contains(QLatin1String("blank.txt is empty")), qPrintable(r.error));
    }
    const attachment::Result folder = attachment::read(dir.path());
    QVERIFY2(folder.markdown.isEmpty() && folder.error.contains(QLatin1String("is a folder")),
             qPrintable(folder.error));
    const attachment::Result gone = attachment::read(dir.filePath(QStringLiteral("gone.txt")));
    QVERIFY2(gone.markdown.isEmpty() && gone.error.contains(QLatin1String("gone.txt is not there")),
             qPrintable(gone.error));
    // A pipe is refused without reading it (a read would wait for a writer forever).
    const QString fifo = dir.filePath(QStringLiteral("pipe.txt"));
    QCOMPARE(mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    const attachment::Result pipe = attachment::read(fifo);
    QVERIFY2(pipe.markdown.isEmpty() && pipe.error.contains(QLatin1String("not a text file")),
             qPrintable(pipe.error));
  }

  // In a right-to-left interface (Arabic) the name stands in a directional isolate inside the
  // sentence, or "notes.txt" would be reordered by it; the quoted file keeps its name as it is.
  void a_name_keeps_its_direction_right_to_left() {
    QTemporaryDir dir;
    QGuiApplication::setLayoutDirection(Qt::RightToLeft);
    const attachment::Result gone = attachment::read(dir.filePath(QStringLiteral("notes.txt")));
    const attachment::Result ok = attachment::read(write(dir, QStringLiteral("a.txt"), "hello\n"));
    QGuiApplication::setLayoutDirection(Qt::LeftToRight);
    QVERIFY2(gone.error.startsWith(QStringLiteral("\u2068notes.txt\u2069 ")), qPrintable(gone.error));
    QVERIFY2(ok.markdown.startsWith(QStringLiteral("a.txt\n")), qPrintable(ok.markdown));
  }

  void a_file_over_the_limit_is_refused_with_both_sizes() {
    QTemporaryDir dir;
    const QString path = write(dir, QStringLiteral("big.log"), QByteArray(2048, 'x'));
    const attachment::Result over = attachment::read(path, 2047);
    QVERIFY(over.markdown.isEmpty());
    const QLocale locale;
    QVERIFY2(over.error.contains(QLatin1String("big.log is too large")) &&
                 over.error.contains(locale.formattedDataSize(2048)) &&
                 over.error.contains(locale.formattedDataSize(2047)),
             qPrintable(over.error));
    const attachment::Result at = attachment::read(path, 2048);  // exactly the limit: taken
    QVERIFY2(at.error.isEmpty(), qPrintable(at.error));
    QCOMPARE(read_back(at.markdown).code, QString(2048, QLatin1Char('x')));
  }

  // Several files for one message: in order, together within the limit; what would pass it is
  // named, and a smaller file after it is still taken.
  void files_together_stay_within_the_limit() {
    QTemporaryDir dir;
    const QString a = write(dir, QStringLiteral("a.txt"), QByteArray(100, 'a')),
                  b = write(dir, QStringLiteral("b.txt"), QByteArray(100, 'b')),
                  c = write(dir, QStringLiteral("c.txt"), QByteArray(100, 'c')),
                  d = write(dir, QStringLiteral("d.txt"), QByteArray(30, 'd')),
                  bin = write(dir, QStringLiteral("e.bin"), QByteArray("\0\1\2", 3));
    const attachment::Result r = attachment::read_files({a, bin, b, c, d}, 250);
    QCOMPARE(r.markdown, attachment::quote(QStringLiteral("a.txt"), QString(100, QLatin1Char('a'))) +
                             QStringLiteral("\n\n") +
                             attachment::quote(QStringLiteral("b.txt"), QString(100, QLatin1Char('b'))) +
                             QStringLiteral("\n\n") +
                             attachment::quote(QStringLiteral("d.txt"), QString(30, QLatin1Char('d'))));
    QCOMPARE(r.bytes, 230);
    const QStringList lines = r.error.split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].startsWith(QLatin1String("e.bin is not a text file")), qPrintable(lines[0]));
    QVERIFY2(lines[1].startsWith(QLatin1String("c.txt was not added")), qPrintable(lines[1]));
    const attachment::Result none = attachment::read_files({bin}, 250);
    QVERIFY(none.markdown.isEmpty());
    QCOMPARE(none.error.count(QLatin1Char('\n')), 0);
  }
};

QTEST_MAIN(TextAttachmentTest)
#include "test_text_attachment.moc"
