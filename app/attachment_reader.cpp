#include "app/attachment_reader.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QLocale>

#include "app/bidi.h"
#include "app/engine/install_paths.h"

AttachmentReader::AttachmentReader(QObject* parent)
    : QObject(parent), helper_(QString::fromStdString(falcon::doc_text_helper_path().string())) {
  timeout_.setSingleShot(true);
  timeout_.setInterval(60'000);
  connect(&timeout_, &QTimer::timeout, this, [this] {
    if (!process_) return;
    timed_out_ = true;
    process_->kill();  // finished() follows, as a crash
  });
}

AttachmentReader::~AttachmentReader() {
  cancel();
}

AttachmentReader::Kind AttachmentReader::kindOf(const QString& path) {
  QFile f(path);
  if (!QFileInfo(path).isFile() || !f.open(QIODevice::ReadOnly)) return Kind::Text;
  const QByteArray head = f.read(1024);
  const QString ext = QFileInfo(path).suffix().toLower();
  // A PDF starts with its header; readers also take one within the first 1024 bytes, which is
  // asked of a file named .pdf only (a text file about PDFs may quote a header).
  if (head.startsWith("%PDF-") || (ext == QLatin1String("pdf") && head.contains("%PDF-"))) return Kind::Pdf;
  const bool word =
      ext == QLatin1String("docx") || ext == QLatin1String("odt") || ext == QLatin1String("doc");
  if (word && head.startsWith("PK\x03\x04")) return Kind::Office;
  if (word && head.startsWith("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return Kind::OldOffice;
  return Kind::Text;
}

void AttachmentReader::start(const QStringList& paths, qint64 max_bytes) {
  cancel();
  queue_ = paths;
  max_bytes_ = max_bytes;
  collector_ = std::make_unique<attachment::Collector>(max_bytes);
  busy_ = true;
  next();
}

void AttachmentReader::cancel() {
  queue_.clear();
  collector_.reset();
  busy_ = false;
  timeout_.stop();
  if (process_) {
    QProcess* p = process_;
    process_ = nullptr;
    p->disconnect(this);
    p->kill();
    p->waitForFinished(1000);  // (a killed process ends at once; this only reaps it)
    delete p;
  }
  setCurrent({});
}

void AttachmentReader::next() {
  while (!queue_.isEmpty()) {
    const QString path = queue_.takeFirst();
    if (const Kind kind = kindOf(path); kind != Kind::Text) {
      readDocument(path, kind);
      return;  // on with the rest when the helper is done
    }
    collector_->add(path, attachment::read(path, max_bytes_));
  }
  const attachment::Result r = collector_->result();
  collector_.reset();
  busy_ = false;
  setCurrent({});
  emit finished(r.markdown, r.error);
}

void AttachmentReader::readDocument(const QString& path, Kind kind) {
  path_ = path;
  kind_ = kind;
  const QString name = bidi::isolated(QFileInfo(path).fileName());
  if (kind == Kind::OldOffice) {
    finishDocument({{},
                    QCoreApplication::translate(
                        "TextAttachment",
                        "%1 is an old Word document (.doc) or one protected by a password. Save it as .docx "
                        "without a password, or copy its text into the message.")
                        .arg(name)});
    return;
  }
  if (!QFileInfo(helper_).isExecutable()) {
    finishDocument({{},
                    QCoreApplication::translate(
                        "TextAttachment",
                        "%1 cannot be read by this build of Falcon Chat: its reader of PDFs and Word "
                        "documents (falcon-doc-text) is missing. Copy the text into the message instead.")
                        .arg(name)});
    return;
  }
  setCurrent(QFileInfo(path).fileName());
  timed_out_ = false;
  process_ = new QProcess(this);
  process_->setProgram(helper_);
  process_->setArguments({path, QString::number(max_bytes_)});
  connect(process_, &QProcess::finished, this, &AttachmentReader::helperDone);
  connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart) helperDone(-1, QProcess::CrashExit);
  });
  timeout_.start();
  process_->start();
}

void AttachmentReader::helperDone(int exit_code, QProcess::ExitStatus status) {
  timeout_.stop();
  QProcess* p = process_;
  if (!p) return;
  process_ = nullptr;
  p->disconnect(this);
  const QByteArray out = p->readAllStandardOutput();
  const QByteArray err = p->readAllStandardError();
  const QString error_string = p->errorString();
  p->deleteLater();

  const QFileInfo info(path_);
  const QString name = bidi::isolated(info.fileName());
  const QString stopped = QCoreApplication::translate(
      "TextAttachment", "the document reader stopped on it (the file may be damaged)");
  auto refuse = [&](const QString& why) { finishDocument({{}, why}); };
  if (status != QProcess::NormalExit) {
    const QString why =
        timed_out_ ? QCoreApplication::translate("TextAttachment", "reading it took longer than a minute")
        : exit_code == -1 ? error_string
                          : stopped;
    refuse(QCoreApplication::translate("TextAttachment", "%1 could not be read: %2.").arg(name, why));
    return;
  }
  const bool pdf = kind_ == Kind::Pdf;
  switch (exit_code) {
    case 0:
      finishDocument({attachment::quote(info.fileName(), QString::fromUtf8(out), QStringLiteral("text")),
                      {},
                      out.size()});
      return;
    case 3:
      refuse(pdf ? QCoreApplication::translate("TextAttachment",
                                               "%1 could not be read as a PDF: it is damaged, or not a PDF.")
                       .arg(name)
                 : QCoreApplication::translate("TextAttachment",
                                               "%1 could not be read as a Word or OpenDocument text: it is "
                                               "damaged, or another kind of file.")
                       .arg(name));
      return;
    case 4:
      refuse(QCoreApplication::translate("TextAttachment",
                                         "%1 is protected by a password. Open it in a PDF viewer and save a "
                                         "copy without one, or copy its text into the message.")
                 .arg(name));
      return;
    case 5:
      refuse(pdf ? QCoreApplication::translate("TextAttachment",
                                               "%1 holds no text, only pictures of pages (a scanned "
                                               "document?); the model reads text only.")
                       .arg(name)
                 : QCoreApplication::translate("TextAttachment", "%1 holds no text.").arg(name));
      return;
    case 6:
      refuse(QCoreApplication::translate("TextAttachment",
                                         "%1 holds too much text to add to a message (more than %2, already "
                                         "more than a model reads at once).")
                 .arg(name, QLocale().formattedDataSize(max_bytes_)));
      return;
    default: {
      // 7 (the file cannot be read) and anything else: the helper's own words, in English.
      QString detail = QString::fromUtf8(err).trimmed();
      const qsizetype pages = detail.lastIndexOf(QLatin1String("\npages "));
      if (pages >= 0) detail.truncate(pages);
      if (detail.startsWith(QLatin1String("pages "))) detail.clear();
      detail.remove(QLatin1String("falcon-doc-text: "));
      if (detail.isEmpty()) detail = stopped;
      refuse(QCoreApplication::translate("TextAttachment", "%1 could not be read: %2.")
                 .arg(name, detail.section(QLatin1Char('\n'), 0, 0)));
      return;
    }
  }
}

void AttachmentReader::finishDocument(const attachment::Result& r) {
  if (!collector_) return;
  collector_->add(path_, r);
  path_.clear();
  next();
}

void AttachmentReader::setCurrent(const QString& name) {
  if (current_ == name) return;
  current_ = name;
  emit currentChanged();
}
