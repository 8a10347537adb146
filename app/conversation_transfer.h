#pragma once
// ConversationTransfer: exports and imports of conversations on a thread of their own, through a
// store connection of their own (WAL lets it write beside the UI's and the inference worker's), so
// that a file of thousands of chats never freezes the window: a 56 MB export of 5,000 chats took
// 3.2 s to import and 1.0 s to write on the UI thread before.
//
// Jobs run one after another in the order asked for. An import reports its progress
// (conversations written of those in the file) and can be cancelled: each file is imported whole
// or not at all (ConversationStore::import_json), so a cancel or a bad file loses nothing and
// half-imports nothing. An export goes through QSaveFile: the target is replaced only when the
// whole file was written. The destructor cancels imports not yet done and waits for the thread.
#include <QtQml/qqmlregistration.h>

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

class ConversationTransfer : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("ChatController.transfer is the only one")
  Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
  // The job running: "import", "export" or "" when idle.
  Q_PROPERTY(QString kind READ kind NOTIFY progressChanged)
  // An import's progress in the file being read: conversations written of those in it (total 0
  // while the file is still being read and checked); which file of how many.
  Q_PROPERTY(int done READ done NOTIFY progressChanged)
  Q_PROPERTY(int total READ total NOTIFY progressChanged)
  Q_PROPERTY(int file READ file NOTIFY progressChanged)
  Q_PROPERTY(int files READ files NOTIFY progressChanged)
  // Imports asked for and not finished, running or waiting behind another job: what cancel() stops.
  Q_PROPERTY(int imports READ imports NOTIFY importsChanged)

 public:
  explicit ConversationTransfer(QString db_path, QObject* parent = nullptr);
  ~ConversationTransfer() override;

  // Imports the files one after another (each whole or not at all); importFinished when done.
  void startImport(const QStringList& paths);
  // Writes one conversation (id > 0) or all of them (id 0) as "json" or "markdown" to `path`;
  // exportFinished when done.
  void startExport(qint64 id, const QString& path, const QString& format);
  // Stops the import running (rolled back) and drops the imports not started. Exports finish. One
  // importFinished(cancelled) says so: the running import's, or, with none running, the dropped ones'.
  Q_INVOKABLE void cancel();

  bool busy() const { return pending_ > 0; }
  QString kind() const { return kind_; }
  int done() const { return done_; }
  int total() const { return total_; }
  int file() const { return file_; }
  int files() const { return files_; }
  int imports() const { return imports_; }

  // An import's refusal (StoreError InvalidImport's message) as the app shows it: the reasons a whole
  // file is refused (not an export, a ZIP, not JSON, a newer format) in the user's language.
  static QString importProblemText(QString why);

  // Tests: runs on the transfer's thread before each job starts.
  std::function<void()> before_job;

 signals:
  void busyChanged();
  void progressChanged();
  void importsChanged();
  // The new conversations of every file imported, in file order; what went wrong with the
  // others ("name: why"); and whether a cancel stopped it (files before it stay imported).
  void importFinished(const QList<qint64>& ids, const QStringList& failures, bool cancelled);
  void exportFinished(const QString& path, const QString& error);  // error "" when written

 private:
  struct Job {
    bool import = false;
    QStringList paths;  // import
    qint64 id = 0;      // export
    QString path, format;
    bool right_to_left = false;  // the interface's direction when queued: file names in messages
  };
  void enqueue(Job job);
  void run();                      // the thread
  void runImport(const Job& job);  // on the thread
  void runExport(const Job& job);  // on the thread
  void post(std::function<void()> fn);
  void setProgress(const QString& kind, int done, int total, int file, int files);
  void jobDone();
  void addImports(int n);

  QString db_path_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;  // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  // Guarded by mutex_: an import's job is on the thread; a cancel dropped imports queued behind it
  // (its report then says cancelled, even if it had already read its last file).
  bool import_running_ = false;
  bool dropped_behind_ = false;
  std::atomic<bool> cancel_{false};
  std::thread thread_;
  // UI thread state
  int pending_ = 0;  // jobs asked for and not finished (busy while any)
  int imports_ = 0;  // of them imports
  QString kind_;
  int done_ = 0, total_ = 0, file_ = 0, files_ = 0;
};
