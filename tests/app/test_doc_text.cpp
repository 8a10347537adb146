// The text of a document put into a message (app/doctext/: pdftext::extract, officetext::extract
// and the helper program falcon-doc-text that the app runs; app/attachment_reader.*: what the app
// makes of its answers). The PDFs are written here by Qt's own PDF writer (QPdfWriter, text drawn
// with QPainter) and read back by poppler, or come from tools/make_pdf_fixtures.sh (passwords:
// qpdf); the Word and OpenDocument files from tools/make_office_fixtures.py, whose XML says
// what their text is.
#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QPainter>
#include <QPdfWriter>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "app/attachment_reader.h"
#include "app/doctext/office_text.h"
#include "app/doctext/pdf_text.h"
#include "app/engine/install_paths.h"
#include "app/text_attachment.h"

namespace {

// A PDF of `pages`, each page's lines drawn one under the other.
QByteArray write_pdf(const QList<QStringList>& pages) {
  QByteArray bytes;
  {
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setResolution(72);
    writer.setPageSize(QPageSize(QPageSize::A4));
    QPainter p(&writer);
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPixelSize(12);
    p.setFont(font);
    for (qsizetype i = 0; i < pages.size(); ++i) {
      if (i > 0) writer.newPage();
      int y = 60;
      for (const QString& line : pages[i]) {
        p.drawText(60, y, line);
        y += 24;
      }
      if (pages[i].isEmpty()) p.drawRect(60, 60, 200, 100);  // something on the page, but no text
    }
  }
  return bytes;
}

// A document's text is quoted as prose ("text": the chat view wraps it).
const QString kDoc = QStringLiteral("text");

std::string str(const QByteArray& b) {
  return std::string(b.constData(), size_t(b.size()));
}

QString helper() {
  return QString::fromStdString(falcon::doc_text_helper_path().string());
}

QByteArray fixture(const char* name, const char* folder = "pdf") {
  QFile f(QStringLiteral(FALCON_FIXTURES_DIR "/") + QLatin1String(folder) + QLatin1Char('/') +
          QLatin1String(name));
  if (!f.open(QIODevice::ReadOnly)) qFatal("no fixture %s", name);
  return f.readAll();
}

}  // namespace

class DocTextTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

  QString put(const QString& name, const QByteArray& bytes) {
    const QString path = dir_.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) qFatal("write");
    return path;
  }

  // Runs the helper: its exit code, stdout and stderr.
  struct Run {
    int code = -1;
    QByteArray out, err;
  };
  static Run run(const QStringList& args) {
    QProcess p;
    p.start(helper(), args);
    if (!p.waitForFinished(30000)) return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, p.readAllStandardOutput(),
            p.readAllStandardError()};
  }

 private slots:
  void initTestCase() {
    if (!QFileInfo(helper()).isExecutable())
      QSKIP("this build has no falcon-doc-text (no libpoppler-cpp, libzip or expat)");
  }

  // Lines end in "\n", control characters go, spaces at a line's end go, at most one blank line
  // in a row; indentation and the spaces between words stay.
  void tidy_data() {
    QTest::addColumn<QString>("in");
    QTest::addColumn<QString>("out");
    QTest::newRow("line ends") << "a\r\nb\rc\nd"
                               << "a\nb\nc\nd";
    QTest::newRow("trailing spaces") << "a  \t\nb "
                                     << "a\nb";
    QTest::newRow("blank lines") << "a\n\n\n\n  \n\nb"
                                 << "a\n\nb";
    QTest::newRow("form feed") << "page one\fpage two\f"
                               << "page one\npage two";
    QTest::newRow("controls") << QStringLiteral(
                                     "a\x01\x7f"
                                     "b\x1b"
                                     "c")
                              << "abc";
    QTest::newRow("indent and gaps") << "  x  =  1\n    y"
                                     << "  x  =  1\n    y";
    QTest::newRow("leading blank lines") << "\n\n\nfirst"
                                         << "first";
    QTest::newRow("only space") << " \n\t\f\r\n"
                                << "";
    QTest::newRow("utf-8 kept") << QStringLiteral("Grüße · 東京 · مرحبا")
                                << QStringLiteral("Grüße · 東京 · مرحبا");
  }
  void tidy() {
    QFETCH(QString, in);
    QFETCH(QString, out);
    QCOMPARE(QString::fromStdString(pdftext::tidy(in.toStdString())), out);
  }

  // What Qt wrote, poppler reads: every page's lines, in order, a blank line between pages.
  void reads_the_text_qt_wrote() {
    const QList<QStringList> pages = {
        {QStringLiteral("Hello from page one."), QStringLiteral("Grüße aus Köln, 3 × 4 = 12.")},
        {QStringLiteral("Second page: the end.")}};
    const pdftext::Result r = pdftext::extract(str(write_pdf(pages)), 1 << 20);
    QCOMPARE(int(r.status), int(pdftext::Status::Ok));
    QCOMPARE(r.pages, 2);
    QCOMPARE(r.pages_read, 2);
    QCOMPARE(QString::fromStdString(r.text),
             QStringLiteral("Hello from page one.\nGrüße aus Köln, 3 × 4 = 12.\n\n"
                            "Second page: the end."));
  }

  void a_page_without_text_is_left_out_and_a_document_without_any_has_none() {
    const QList<QStringList> pages = {{}, {QStringLiteral("Only text here.")}, {}};
    const pdftext::Result r = pdftext::extract(str(write_pdf(pages)), 1 << 20);
    QCOMPARE(int(r.status), int(pdftext::Status::Ok));
    QCOMPARE(r.pages, 3);
    QCOMPARE(QString::fromStdString(r.text), QStringLiteral("Only text here."));
    const pdftext::Result none = pdftext::extract(str(write_pdf({{}, {}})), 1 << 20);
    QCOMPARE(int(none.status), int(pdftext::Status::NoText));
    QCOMPARE(none.pages, 2);
  }

  // The limit is on the text in the end; reading stops at the page that takes the text read past
  // four times the limit (a long book is not read to its end).
  void stops_at_the_limit() {
    QList<QStringList> pages;
    for (int i = 1; i <= 5; ++i) pages << QStringList{QStringLiteral("Page %1 holds this sentence.").arg(i)};
    const std::string pdf = str(write_pdf(pages));
    const pdftext::Result all = pdftext::extract(pdf, 1 << 20);
    QCOMPARE(int(all.status), int(pdftext::Status::Ok));
    QCOMPARE(all.pages_read, 5);
    const pdftext::Result exact = pdftext::extract(pdf, all.text.size());
    QCOMPARE(int(exact.status), int(pdftext::Status::Ok));
    QCOMPARE(exact.text, all.text);
    const pdftext::Result over = pdftext::extract(pdf, all.text.size() - 1);
    QCOMPARE(int(over.status), int(pdftext::Status::TooMuchText));
    QCOMPARE(over.pages_read, 5);
    const std::size_t page = std::string("Page 1 holds this sentence.").size();  // 27 bytes a page
    const pdftext::Result early = pdftext::extract(pdf, page / 2);  // past 4 x 13 bytes on page 2
    QCOMPARE(int(early.status), int(pdftext::Status::TooMuchText));
    QCOMPARE(early.pages_read, 2);
    QCOMPARE(early.pages, 5);
  }

  // Running headers and footers and page numbers go: the same line, a short one's digits aside,
  // first or last on at least half the pages (three or more). Lines that only look alike, or a
  // header on too few pages, stay.
  void the_lines_that_frame_the_pages_go() {
    QList<QStringList> pages;
    for (int i = 1; i <= 4; ++i)
      pages << QStringList{QStringLiteral("ACME Corporation, quarterly report to the shareholders, 2026"),
                           QStringLiteral("Body of page %1.").arg(i),
                           QStringLiteral("More of page %1.").arg(i), QStringLiteral("Page %1 of 4").arg(i)};
    const pdftext::Result r = pdftext::extract(str(write_pdf(pages)), 1 << 20);
    QCOMPARE(int(r.status), int(pdftext::Status::Ok));
    QCOMPARE(QString::fromStdString(r.text),
             QStringLiteral("Body of page 1.\nMore of page 1.\n\nBody of page 2.\nMore of page 2.\n\n"
                            "Body of page 3.\nMore of page 3.\n\nBody of page 4.\nMore of page 4."));
    // Two pages only: nothing can be told apart, all is kept.
    const pdftext::Result two = pdftext::extract(str(write_pdf(pages.mid(0, 2))), 1 << 20);
    QVERIFY(QString::fromStdString(two.text).startsWith(QStringLiteral("ACME Corporation")));
    // The function itself: a long header differing by a digit is not the same line; a footer on
    // two of five pages stays; a page of two lines keeps both.
    std::vector<std::string> texts = {
        "A long running header that changes its number 1 here\nx\nfoot 1",
        "A long running header that changes its number 2 here\ny\nfoot 2",
        "A long running header that changes its number 3 here\nz\nend",
        "first\nw\nother",
        "only\ntwo lines",
    };
    pdftext::drop_page_furniture(texts);
    QCOMPARE(texts[0], std::string("A long running header that changes its number 1 here\nx\nfoot 1"));
    QCOMPARE(texts[4], std::string("only\ntwo lines"));
    std::vector<std::string> numbered = {"a\nb\n1", "c\nd\n2", "e\nf\n3", "g\nh\niv"};
    pdftext::drop_page_furniture(numbered);
    QCOMPARE(numbered, (std::vector<std::string>{"a\nb", "c\nd", "e\nf", "g\nh\niv"}));
  }

  void passwords() {
    // Only an owner password (copying restricted): it opens without one, and the text is read.
    const pdftext::Result owner = pdftext::extract(str(fixture("owner-pw.pdf")), 1 << 20);
    QCOMPARE(int(owner.status), int(pdftext::Status::Ok));
    QCOMPARE(QString::fromStdString(owner.text), QStringLiteral("Sealed text for the tests."));
    const pdftext::Result user = pdftext::extract(str(fixture("user-pw.pdf")), 1 << 20);
    QCOMPARE(int(user.status), int(pdftext::Status::Locked));
    const pdftext::Result plain = pdftext::extract(str(fixture("plain.pdf")), 1 << 20);
    QCOMPARE(QString::fromStdString(plain.text), QStringLiteral("Sealed text for the tests."));
  }

  // Not a PDF, or cut short: never a crash; what poppler can still open of a cut file is read.
  void not_a_pdf_or_damaged() {
    QCOMPARE(int(pdftext::extract("", 100).status), int(pdftext::Status::NotPdf));
    QCOMPARE(int(pdftext::extract("hello, world\n", 100).status), int(pdftext::Status::NotPdf));
    QCOMPARE(int(pdftext::extract("%PDF-1.7\n%%EOF\n", 100).status), int(pdftext::Status::NotPdf));
    const std::string pdf = str(write_pdf({{QStringLiteral("Some text.")}}));
    for (std::size_t cut : {std::size_t(16), pdf.size() / 4, pdf.size() / 2, pdf.size() - 40}) {
      const pdftext::Result r = pdftext::extract(std::string_view(pdf).substr(0, cut), 1 << 20);
      QVERIFY(r.status != pdftext::Status::TooMuchText && r.status != pdftext::Status::Locked);
      if (r.status == pdftext::Status::Ok)
        QCOMPARE(QString::fromStdString(r.text), QStringLiteral("Some text."));
    }
  }

  // A Word document's and an OpenDocument text's body, as their XML (tools/make_office_fixtures.py)
  // has it: paragraphs one a line, tabs and breaks kept; deleted text, field codes, a text box's
  // copy for old readers and comments left out; any namespace prefix; notes after the body.
  void reads_word_and_opendocument_text_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("text");
    QTest::newRow("docx") << "text.docx"
                          << QStringLiteral(
                                 "Quarterly report\nSales rose 12%\tin Köln & Zürich.\nFirst line\n"
                                 "second line\nKept.\nA1 | B1\nIn a box.\n\nمرحبا بالعالم");
    QTest::newRow("prefix") << "prefix.docx"
                            << "Other prefix.\nSame text.";
    QTest::newRow("odt") << "text.odt"
                         << "Minutes\nPresent:   Ana\tBen\nand Chen.\nItem one\nItem two";
    // Tables: a row a line, cells apart by " | ", a cell's paragraphs and breaks by a space, a
    // table in a cell as the cell's text, an empty or covered (merged) cell as nothing between bars.
    QTest::newRow("docx table")
        << "tables.docx"
        << QStringLiteral("Before\nName | Qty | Note\nApples | 3 | Fresh from Köln\nPears | | x y\nAfter");
    QTest::newRow("odt table")
        << "tables.odt"
        << QStringLiteral(
               "Before\nName | Qty | Note\nApples | 3 | Fresh from Köln\nPears, merged | | x\n"
               "After");
    // Notes: the mark where it is, the text after the body (Word's from its notes parts, in the
    // order of the marks; a mark whose note is missing stays a mark).
    QTest::newRow("docx notes")
        << "notes.docx"
        << QStringLiteral(
               "Water boils at 100 °C[1] at sea level.\nSecond[i]\nThird[2], fourth[3]\n\n"
               "[1] At standard pressure.\n[i] An endnote.\n[2] Line one.\nLine two.");
    QTest::newRow("odt notes") << "notes.odt"
                               << QStringLiteral(
                                      "Water boils at 100 °C[1] at sea level.\nSecond[i]\n\n"
                                      "[1] At standard pressure.\n[i] Line one.\nLine two.");
  }
  void reads_word_and_opendocument_text() {
    QFETCH(QString, file);
    QFETCH(QString, text);
    const pdftext::Result r = officetext::extract(str(fixture(file.toUtf8().constData(), "office")), 1 << 20);
    QCOMPARE(int(r.status), int(pdftext::Status::Ok));
    QCOMPARE(QString::fromStdString(r.text), text);
    // At the limit exactly, and one byte under it.
    QCOMPARE(
        int(officetext::extract(str(fixture(file.toUtf8().constData(), "office")), r.text.size()).status),
        int(pdftext::Status::Ok));
    QCOMPARE(
        int(officetext::extract(str(fixture(file.toUtf8().constData(), "office")), r.text.size() - 1).status),
        int(pdftext::Status::TooMuchText));
  }

  void word_files_that_are_not_read() {
    QCOMPARE(int(officetext::extract(str(fixture("empty.docx", "office")), 1 << 20).status),
             int(pdftext::Status::NoText));
    // A DTD could declare entities (a billion laughs): refused.
    QCOMPARE(int(officetext::extract(str(fixture("doctype.docx", "office")), 1 << 20).status),
             int(pdftext::Status::NotPdf));
    QCOMPARE(int(officetext::extract(str(fixture("other.zip", "office")), 1 << 20).status),
             int(pdftext::Status::NotPdf));
    QCOMPARE(int(officetext::extract("PK\x03\x04 cut short", 1 << 20).status), int(pdftext::Status::NotPdf));
    const std::string docx = str(fixture("text.docx", "office"));
    for (std::size_t cut : {docx.size() / 4, docx.size() / 2, docx.size() - 10}) {
      const pdftext::Result r = officetext::extract(std::string_view(docx).substr(0, cut), 1 << 20);
      QVERIFY(r.status == pdftext::Status::NotPdf || r.status == pdftext::Status::Ok);
    }
    // A damaged entry (its compressed bytes changed: the CRC no longer matches) is no document.
    std::string bad = docx;
    const std::size_t at = bad.find("word/document.xml") + 17 + 10;
    bad[at] = static_cast<char>(bad[at] ^ 0x55);
    QCOMPARE(int(officetext::extract(bad, 1 << 20).status), int(pdftext::Status::NotPdf));
  }

  // The helper: its exit codes (falcon_doc_text.cpp), the text on stdout, "pages READ TOTAL" last
  // on stderr.
  void the_helper_program() {
    const QString two =
        put(QStringLiteral("two.pdf"), write_pdf({{QStringLiteral("One.")}, {QStringLiteral("Two.")}}));
    Run r = run({two});
    QCOMPARE(r.code, 0);
    QCOMPARE(QString::fromUtf8(r.out), QStringLiteral("One.\n\nTwo."));
    QVERIFY2(r.err.endsWith("pages 2 2\n"), r.err.constData());
    r = run({two, QStringLiteral("4")});  // "One." fits, "\n\nTwo." not
    QCOMPARE(r.code, 6);
    QCOMPARE(r.out, QByteArray());
    QVERIFY2(r.err.endsWith("pages 2 2\n"), r.err.constData());
    QCOMPARE(run({QStringLiteral(FALCON_FIXTURES_DIR "/pdf/user-pw.pdf")}).code, 4);
    QCOMPARE(run({put(QStringLiteral("scan.pdf"), write_pdf({{}}))}).code, 5);
    QCOMPARE(run({put(QStringLiteral("not.pdf"), "plain text")}).code, 3);
    QCOMPARE(run({dir_.filePath(QStringLiteral("missing.pdf"))}).code, 7);
    QCOMPARE(run({dir_.path()}).code, 7);  // a folder
    QCOMPARE(run({}).code, 2);
    QCOMPARE(run({two, QStringLiteral("12x")}).code, 2);
    QCOMPARE(run({two, QStringLiteral("1"), QStringLiteral("extra")}).code, 2);
  }

  // The reader in the app: the text under the PDF's name, as a text file's would be, in the
  // files' order; each answer of the helper as one line of the error.
  void the_app_reads_pdfs_through_the_helper() {
    AttachmentReader reader;
    QSignalSpy done(&reader, &AttachmentReader::finished);
    const QString txt = put(QStringLiteral("a.txt"), "alpha\n");
    const QString pdf = put(QStringLiteral("b.pdf"), write_pdf({{QStringLiteral("Bravo.")}}));
    const QString pdf_named_txt = put(QStringLiteral("c.txt"), write_pdf({{QStringLiteral("Charlie.")}}));
    reader.start({txt, pdf, pdf_named_txt});
    QVERIFY(reader.busy());
    QVERIFY(done.wait(30000));
    QCOMPARE(done.at(0).at(0).toString(),
             attachment::quote(QStringLiteral("a.txt"), QStringLiteral("alpha")) + QStringLiteral("\n\n") +
                 attachment::quote(QStringLiteral("b.pdf"), QStringLiteral("Bravo."), kDoc) +
                 QStringLiteral("\n\n") +
                 attachment::quote(QStringLiteral("c.txt"), QStringLiteral("Charlie."), kDoc));
    QCOMPARE(done.at(0).at(1).toString(), QString());
    QVERIFY(!reader.busy());

    done.clear();
    const QString locked = QStringLiteral(FALCON_FIXTURES_DIR "/pdf/user-pw.pdf");
    const QString scan = put(QStringLiteral("scan.pdf"), write_pdf({{}}));
    const QString broken = put(QStringLiteral("broken.pdf"), "%PDF-1.4\nnothing else");
    reader.start({locked, scan, broken, pdf});
    QVERIFY(done.wait(30000));
    QCOMPARE(done.at(0).at(0).toString(),
             attachment::quote(QStringLiteral("b.pdf"), QStringLiteral("Bravo."), kDoc));
    const QStringList errors = done.at(0).at(1).toString().split(QLatin1Char('\n'));
    QCOMPARE(errors.size(), 3);
    QVERIFY2(
        errors[0].contains(QLatin1String("user-pw.pdf")) && errors[0].contains(QLatin1String("password")),
        qPrintable(errors[0]));
    QVERIFY2(errors[1].contains(QLatin1String("scan.pdf")) && errors[1].contains(QLatin1String("no text")),
             qPrintable(errors[1]));
    QVERIFY2(errors[2].contains(QLatin1String("broken.pdf")) && errors[2].contains(QLatin1String("damaged")),
             qPrintable(errors[2]));
  }

  // Word and OpenDocument files through the app: by their bytes and name (a .docx that is a zip,
  // an old .doc or a .docx behind a password, which are OLE files), the helper reading the former.
  void the_app_reads_word_documents_through_the_helper() {
    AttachmentReader reader;
    QSignalSpy done(&reader, &AttachmentReader::finished);
    const QString docx = QStringLiteral(FALCON_FIXTURES_DIR "/office/prefix.docx");
    const QString odt = QStringLiteral(FALCON_FIXTURES_DIR "/office/text.odt");
    const QString old = put(QStringLiteral("old.doc"),
                            QByteArray("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + QByteArray(504, '\0'));
    const QString zip_named_docx = put(QStringLiteral("x.docx"), fixture("other.zip", "office"));
    QCOMPARE(int(AttachmentReader::kindOf(docx)), int(AttachmentReader::Kind::Office));
    // A PDF's header: at the start, or (a file named .pdf) within its first 1024 bytes; a text file
    // that quotes one further in is text.
    const QByteArray pdf = write_pdf({{QStringLiteral("P.")}});
    QCOMPARE(int(AttachmentReader::kindOf(put(QStringLiteral("a.bin"), pdf))),
             int(AttachmentReader::Kind::Pdf));
    QCOMPARE(int(AttachmentReader::kindOf(put(QStringLiteral("late.pdf"), "junk\n" + pdf))),
             int(AttachmentReader::Kind::Pdf));
    QCOMPARE(int(AttachmentReader::kindOf(put(QStringLiteral("notes.md"), "A PDF starts with %PDF-1.7.\n"))),
             int(AttachmentReader::Kind::Text));
    QCOMPARE(int(AttachmentReader::kindOf(old)), int(AttachmentReader::Kind::OldOffice));
    QCOMPARE(int(AttachmentReader::kindOf(QStringLiteral(FALCON_FIXTURES_DIR "/office/other.zip"))),
             int(AttachmentReader::Kind::Text));
    reader.start({docx, old, zip_named_docx, odt});
    QVERIFY(done.wait(30000));
    QCOMPARE(
        done.at(0).at(0).toString(),
        attachment::quote(QStringLiteral("prefix.docx"), QStringLiteral("Other prefix.\nSame text."), kDoc) +
            QStringLiteral("\n\n") +
            attachment::quote(QStringLiteral("text.odt"),
                              QStringLiteral("Minutes\nPresent:   Ana\tBen\nand Chen.\nItem one\nItem two"),
                              kDoc));
    const QStringList errors = done.at(0).at(1).toString().split(QLatin1Char('\n'));
    QCOMPARE(errors.size(), 2);
    QVERIFY2(errors[0].contains(QLatin1String("old.doc")) &&
                 errors[0].contains(QLatin1String("old Word document")),
             qPrintable(errors[0]));
    QVERIFY2(errors[1].contains(QLatin1String("x.docx")) &&
                 errors[1].contains(QLatin1String("Word or OpenDocument")),
             qPrintable(errors[1]));
  }

  // The limit is the message's, over all its files: a PDF whose text alone is over it, and one that
  // would take the message over it with the file before it, are refused by name.
  void the_message_limit_counts_a_pdf_by_its_text() {
    AttachmentReader reader;
    QSignalSpy done(&reader, &AttachmentReader::finished);
    const QString big = put(QStringLiteral("big.pdf"),
                            write_pdf({{QString(60, QLatin1Char('x'))}, {QString(60, QLatin1Char('y'))}}));
    const QString small = put(QStringLiteral("small.txt"), QByteArray(50, 'z'));
    reader.start({big}, 100);
    QVERIFY(done.wait(30000));
    QCOMPARE(done.at(0).at(0).toString(), QString());
    QVERIFY2(done.at(0).at(1).toString().contains(QLatin1String("big.pdf holds too much text")),
             qPrintable(done.at(0).at(1).toString()));
    done.clear();
    const QString one = put(QStringLiteral("one.pdf"), write_pdf({{QString(60, QLatin1Char('x'))}}));
    reader.start({small, one}, 100);
    QVERIFY(done.wait(30000));
    QCOMPARE(done.at(0).at(0).toString(),
             attachment::quote(QStringLiteral("small.txt"), QString(50, QLatin1Char('z'))));
    QVERIFY2(done.at(0).at(1).toString().contains(QLatin1String("one.pdf was not added")),
             qPrintable(done.at(0).at(1).toString()));
  }

  // A helper that hangs is killed after the timeout; one that is missing or crashes is named.
  void a_helper_that_hangs_crashes_or_is_missing() {
    AttachmentReader reader;
    QSignalSpy done(&reader, &AttachmentReader::finished);
    const QString pdf = put(QStringLiteral("d.pdf"), write_pdf({{QStringLiteral("Delta.")}}));
    const QString hang = put(QStringLiteral("hang.sh"), "#!/bin/sh\nexec sleep 30\n");
    const QString crash = put(QStringLiteral("crash.sh"), "#!/bin/sh\nkill -SEGV $$\n");
    QFile::setPermissions(hang, QFile::ReadOwner | QFile::ExeOwner);
    QFile::setPermissions(crash, QFile::ReadOwner | QFile::ExeOwner);

    reader.setHelper(hang);
    reader.setTimeoutMs(300);
    QElapsedTimer t;
    t.start();
    reader.start({pdf});
    QVERIFY(done.wait(10000));
    QVERIFY2(t.elapsed() < 5000, "killed at the timeout");
    QVERIFY2(done.at(0).at(1).toString().contains(QLatin1String("took longer")),
             qPrintable(done.at(0).at(1).toString()));

    done.clear();
    reader.setHelper(crash);
    reader.start({pdf});
    QVERIFY(done.wait(10000));
    QVERIFY2(done.at(0).at(1).toString().contains(QLatin1String("d.pdf could not be read")),
             qPrintable(done.at(0).at(1).toString()));

    done.clear();
    reader.setHelper(dir_.filePath(QStringLiteral("no-such-helper")));
    reader.start({pdf});
    QCOMPARE(done.count(), 1);  // nothing to wait for
    QVERIFY2(done.at(0).at(1).toString().contains(QLatin1String("cannot be read by this build")),
             qPrintable(done.at(0).at(1).toString()));

    // Cancelled while the helper hangs: no answer comes, and a new reading starts afresh.
    done.clear();
    reader.setHelper(hang);
    reader.setTimeoutMs(60000);
    reader.start({pdf});
    QVERIFY(reader.busy());
    QCOMPARE(reader.current(), QStringLiteral("d.pdf"));
    reader.cancel();
    QVERIFY(!reader.busy());
    QCOMPARE(reader.current(), QString());
    reader.setHelper(helper());
    reader.start({pdf});
    QVERIFY(done.wait(30000));
    QCOMPARE(done.count(), 1);
    QCOMPARE(done.at(0).at(0).toString(),
             attachment::quote(QStringLiteral("d.pdf"), QStringLiteral("Delta."), kDoc));
  }
};

QTEST_MAIN(DocTextTest)
#include "test_doc_text.moc"
