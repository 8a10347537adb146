#pragma once
// The files put into one message, read one after the other: text files at once (text_attachment.h),
// PDFs by the helper program falcon-pdf-text (app/pdf/), in a process of its own, so that a
// damaged or hostile PDF can cost only that process, and a long one never holds up the window.
// The text of a PDF goes into the message as a text file's would, under the PDF's name.
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>
#include <memory>

#include "app/text_attachment.h"

class AttachmentReader : public QObject {
  Q_OBJECT
 public:
  explicit AttachmentReader(QObject* parent = nullptr);
  ~AttachmentReader() override;

  // Reads `paths` for one message; a reading still under way is cancelled first. finished()
  // comes once all are read (before start() returns when none is a PDF).
  void start(const QStringList& paths, qint64 max_bytes = attachment::kMaxBytes);
  // Stops reading: the PDF's process is killed, and finished() does not come.
  void cancel();
  bool busy() const { return busy_; }
  // The name of the PDF being read, "" when none.
  QString current() const { return current_; }

  // Whether the file is a PDF: "%PDF-" in its first 1024 bytes, where readers look for it.
  static bool isPdf(const QString& path);
  // The helper (default: falcon::pdf_text_helper_path()) and how long it may take (default 60 s).
  void setHelper(const QString& program) { helper_ = program; }
  void setTimeoutMs(int ms) { timeout_.setInterval(ms); }

 signals:
  // The quoted files (markdown, possibly empty) and why the others were not added, one a line.
  void finished(const QString& markdown, const QString& errors);
  void currentChanged();

 private:
  void next();
  void readPdf(const QString& path);
  void pdfDone(int exit_code, QProcess::ExitStatus status);
  void finishPdf(const attachment::Result& r);
  void setCurrent(const QString& name);

  QString helper_;
  QStringList queue_;
  QString path_;  // the PDF being read
  std::unique_ptr<attachment::Collector> collector_;
  qint64 max_bytes_ = attachment::kMaxBytes;
  QProcess* process_ = nullptr;
  QTimer timeout_;
  bool busy_ = false;
  bool timed_out_ = false;
  QString current_;
};
