#include "app/attachment_reader.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QLocale>

#include "app/bidi.h"
#include "app/engine/install_paths.h"

AttachmentReader::AttachmentReader(QObject* parent)
    : QObject(parent), helper_(QString::fromStdString(falcon::pdf_text_helper_path().string())) {
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

bool AttachmentReader::isPdf(const QString& path) {
  QFile f(path);
  if (!QFileInfo(path).isFile() || !f.open(QIODevice::ReadOnly)) return false;
  return f.read(1024).contains("%PDF-");
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
    if (isPdf(path)) {
      readPdf(path);
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

void AttachmentReader::readPdf(const QString& path) {
  path_ = path;
  const QString name = bidi::isolated(QFileInfo(path).fileName());
  if (!QFileInfo(helper_).isExecutable()) {
    finishPdf({{},
               QCoreApplication::translate(
                   "TextAttachment",
                   "%1 is a PDF, and this build of Falcon Chat cannot read PDFs: its PDF reader "
                   "(falcon-pdf-text, built with libpoppler-cpp) is missing. Copy the text into the "
                   "message instead.")
                   .arg(name)});
    return;
  }
  setCurrent(QFileInfo(path).fileName());
  timed_out_ = false;
  process_ = new QProcess(this);
  process_->setProgram(helper_);
  process_->setArguments({path, QString::number(max_bytes_)});
  connect(process_, &QProcess::finished, this, &AttachmentReader::pdfDone);
  connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart) pdfDone(-1, QProcess::CrashExit);
  });
  timeout_.start();
  process_->start();
}

void AttachmentReader::pdfDone(int exit_code, QProcess::ExitStatus status) {
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
  const QLocale locale;
  if (status != QProcess::NormalExit) {
    const QString why =
        timed_out_ ? QCoreApplication::translate("TextAttachment", "reading it took longer than a minute")
        : exit_code == -1 ? error_string
                          : QCoreApplication::translate(
                                "TextAttachment", "the PDF reader stopped on it (the file may be damaged)");
    finishPdf(
        {{}, QCoreApplication::translate("TextAttachment", "%1 could not be read: %2.").arg(name, why)});
    return;
  }
  switch (exit_code) {
    case 0: {
      const QString text = QString::fromUtf8(out);
      finishPdf({attachment::quote(info.fileName(), text), {}, out.size()});
      return;
    }
    case 3:
      finishPdf({{},
                 QCoreApplication::translate("TextAttachment",
                                             "%1 could not be read as a PDF: it is damaged, or not a PDF.")
                     .arg(name)});
      return;
    case 4:
      finishPdf({{},
                 QCoreApplication::translate(
                     "TextAttachment",
                     "%1 is protected by a password. Open it in a PDF viewer and save a copy without "
                     "one, or copy its text into the message.")
                     .arg(name)});
      return;
    case 5:
      finishPdf({{},
                 QCoreApplication::translate(
                     "TextAttachment",
                     "%1 holds no text, only pictures of pages (a scanned document?); the model reads "
                     "text only.")
                     .arg(name)});
      return;
    case 6:
      finishPdf({{},
                 QCoreApplication::translate(
                     "TextAttachment",
                     "%1 holds too much text to add to a message (more than %2, already more than a "
                     "model reads at once).")
                     .arg(name, locale.formattedDataSize(max_bytes_))});
      return;
    default: {
      // 7 (the file cannot be read) and anything else: the helper's own words, in English.
      QString detail = QString::fromUtf8(err).trimmed();
      const qsizetype pages = detail.lastIndexOf(QLatin1String("\npages "));
      if (pages >= 0) detail.truncate(pages);
      if (detail.startsWith(QLatin1String("pages "))) detail.clear();
      detail.remove(QLatin1String("falcon-pdf-text: "));
      if (detail.isEmpty())
        detail = QCoreApplication::translate("TextAttachment",
                                             "the PDF reader stopped on it (the file may be damaged)");
      finishPdf({{},
                 QCoreApplication::translate("TextAttachment", "%1 could not be read: %2.")
                     .arg(name, detail.section(QLatin1Char('\n'), 0, 0))});
      return;
    }
  }
}

void AttachmentReader::finishPdf(const attachment::Result& r) {
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
