#pragma once
// The files put into one message, read one after the other: text files at once (text_attachment.h),
// documents (a PDF, a Word document .docx, an OpenDocument text .odt) by the helper program
// falcon-doc-text (app/doctext/), in a process of its own, so that a damaged or hostile file can
// cost only that process, and a long one never holds up the window. A document's text goes into
// the message as a text file's would, under the document's name.
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
  // comes once all are read (before start() returns when none is a document).
  void start(const QStringList& paths, qint64 max_bytes = attachment::kMaxBytes);
  // Stops reading: the helper's process is killed, and finished() does not come.
  void cancel();
  bool busy() const { return busy_; }
  // The name of the document being read, "" when none.
  QString current() const { return current_; }

  enum class Kind {
    Text,       // anything else: read as a text file (which refuses what is not text)
    Pdf,        // starts with "%PDF-" (a file named .pdf: has it in its first 1024 bytes)
    Office,     // a zip archive named .docx or .odt
    OldOffice,  // an OLE compound file named .doc/.docx: an old Word file, or a password's
  };
  static Kind kindOf(const QString& path);
  // The helper (default: falcon::doc_text_helper_path()) and how long it may take (default 60 s).
  void setHelper(const QString& program) { helper_ = program; }
  void setTimeoutMs(int ms) { timeout_.setInterval(ms); }

 signals:
  // The quoted files (markdown, possibly empty) and why the others were not added, one a line.
  void finished(const QString& markdown, const QString& errors);
  void currentChanged();

 private:
  void next();
  void readDocument(const QString& path, Kind kind);
  void helperDone(int exit_code, QProcess::ExitStatus status);
  void finishDocument(const attachment::Result& r);
  void setCurrent(const QString& name);

  QString helper_;
  QStringList queue_;
  QString path_;  // the document being read
  Kind kind_ = Kind::Text;
  std::unique_ptr<attachment::Collector> collector_;
  qint64 max_bytes_ = attachment::kMaxBytes;
  QProcess* process_ = nullptr;
  QTimer timeout_;
  bool busy_ = false;
  bool timed_out_ = false;
  QString current_;
};
