#include "app/conversation_transfer.h"

#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QSaveFile>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include "app/bidi.h"
#include "core/store/conversation_store.h"
#include "core/store/store_import.h"

ConversationTransfer::ConversationTransfer(QString db_path, QObject* parent)
    : QObject(parent), db_path_(std::move(db_path)) {}

ConversationTransfer::~ConversationTransfer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
    cancel_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ConversationTransfer::post(std::function<void()> fn) {
  // Queued to this object: if it is gone (the destructor joined the thread first), never run.
  QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
}

void ConversationTransfer::startImport(const QStringList& paths) {
  Job job;
  job.import = true;
  job.paths = paths;
  addImports(1);
  enqueue(std::move(job));
}

void ConversationTransfer::startExport(qint64 id, const QString& path, const QString& format) {
  Job job;
  job.id = id;
  job.path = path;
  job.format = format;
  enqueue(std::move(job));
}

void ConversationTransfer::enqueue(Job job) {
  job.right_to_left = QGuiApplication::layoutDirection() == Qt::RightToLeft;  // queued on its thread
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(job));
  }
  if (++pending_ == 1) emit busyChanged();
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  wake_.notify_one();
}

void ConversationTransfer::cancel() {
  int dropped = 0;
  bool report = false;  // no import runs to say that the dropped ones were cancelled
  {
    std::lock_guard lock(mutex_);
    cancel_ = true;  // the import running, if one is (a job starting later clears it)
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (it->import) {
        it = queue_.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
    if (dropped > 0 && import_running_)
      dropped_behind_ = true;
    else
      report = dropped > 0;
  }
  if (dropped > 0) addImports(-dropped);
  if (report) emit importFinished({}, {}, true);
  for (int i = 0; i < dropped; ++i) jobDone();
}

void ConversationTransfer::addImports(int n) {
  imports_ += n;
  emit importsChanged();
}

void ConversationTransfer::setProgress(const QString& kind, int done, int total, int file, int files) {
  if (kind == kind_ && done == done_ && total == total_ && file == file_ && files == files_) return;
  kind_ = kind;
  done_ = done;
  total_ = total;
  file_ = file;
  files_ = files;
  emit progressChanged();
}

void ConversationTransfer::jobDone() {
  if (--pending_ > 0) return;
  setProgress(QString(), 0, 0, 0, 0);
  emit busyChanged();
}

void ConversationTransfer::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      cancel_ = false;
      import_running_ = job.import;
    }
    if (before_job) before_job();
    if (job.import)
      runImport(job);
    else
      runExport(job);
  }
}

namespace {

// The thread's own connection, opened for each job (a store that failed to open is tried again
// with the next one). Not the UI's: that one belongs to the UI thread.
std::unique_ptr<falcon::ConversationStore> open_store(const QString& path) {
  falcon::StoreOptions o;
  o.recover_interrupted = false;  // a reply streaming on the worker is not a dead process's
  return std::make_unique<falcon::ConversationStore>(path.toStdString(), o);
}

}  // namespace

QString ConversationTransfer::importProblemText(QString why) {
  // "import: <why>; nothing was imported": the app's own message says nothing was imported.
  if (why.startsWith(QLatin1String("import: "))) why.remove(0, 8);
  if (why.endsWith(QLatin1String("; nothing was imported"))) why.chop(22);
  // The reasons for refusing a whole file, in the user's language (details stay as they are).
  if (why == QLatin1String(falcon::kImportNotAnExport))
    return tr("this is not an export of falcon-chat, ChatGPT (conversations.json), Open WebUI or LM Studio");
  if (why == QLatin1String(falcon::kImportZip))
    return tr(
        "this is a ZIP archive: unzip it and import the JSON file inside (conversations.json in "
        "ChatGPT's data export)");
  if (why.startsWith(QLatin1String(falcon::kImportNotJson)))
    return tr("not valid JSON") + why.mid(int(std::strlen(falcon::kImportNotJson)));
  if (why.startsWith(QLatin1String(falcon::kImportNewer)))
    return tr("it was exported by a newer falcon-chat; update falcon-chat to import it");
  return why;
}

void ConversationTransfer::runImport(const Job& job) {
  QList<qint64> ids;
  QStringList failures;
  bool cancelled = false;
  const int files = int(job.paths.size());
  std::unique_ptr<falcon::ConversationStore> store;
  for (int f = 0; f < files && !cancelled; ++f) {
    const QString& path = job.paths[f];
    const QString name = bidi::isolated(QFileInfo(path).fileName(), job.right_to_left);
    post([this, f, files] { setProgress(QStringLiteral("import"), 0, 0, f + 1, files); });
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly)) {
      failures << QStringLiteral("%1: %2").arg(name, in.errorString());
      continue;
    }
    if (quint64(in.size()) > falcon::kImportMaxBytes) {
      failures << tr("%1: %2 MiB is more than a conversations export can be (%3 MiB)")
                      .arg(name, QString::number(in.size() >> 20),
                           QString::number(falcon::kImportMaxBytes >> 20));
      continue;
    }
    const QByteArray bytes = in.readAll();
    if (in.error() != QFileDevice::NoError) {
      failures << QStringLiteral("%1: %2").arg(name, in.errorString());
      continue;
    }
    auto last_post = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    try {
      if (!store) store = open_store(db_path_);
      const std::vector<int64_t> got = store->import_json(
          std::string_view(bytes.constData(), size_t(bytes.size())), [&](size_t done, size_t total) {
            const auto now = std::chrono::steady_clock::now();
            if (done == 0 || done == total || now - last_post >= std::chrono::milliseconds(50)) {
              last_post = now;
              post([this, done, total, f, files] {
                setProgress(QStringLiteral("import"), int(done), int(total), f + 1, files);
              });
            }
            return !cancel_.load();
          });
      for (int64_t id : got) ids.append(qint64(id));
    } catch (const falcon::StoreError& e) {
      QString why = QString::fromUtf8(e.what());
      if (e.code() == falcon::StoreErrorCode::InvalidImport) why = importProblemText(why);
      if (e.code() == falcon::StoreErrorCode::Cancelled)
        cancelled = true;
      else
        failures << QStringLiteral("%1: %2").arg(name, why);
    } catch (const std::exception& e) {
      failures << QStringLiteral("%1: %2").arg(name, QString::fromUtf8(e.what()));
    }
  }
  {
    std::lock_guard lock(mutex_);
    import_running_ = false;
    if (std::exchange(dropped_behind_, false)) cancelled = true;  // the user stopped the rest
  }
  post([this, ids, failures, cancelled] {
    addImports(-1);
    emit importFinished(ids, failures, cancelled);
    jobDone();
  });
}

void ConversationTransfer::runExport(const Job& job) {
  post([this] { setProgress(QStringLiteral("export"), 0, 0, 0, 0); });
  QString error;
  try {
    const auto store = open_store(db_path_);
    const std::optional<int64_t> which = job.id > 0 ? std::optional<int64_t>(job.id) : std::nullopt;
    const std::string text =
        job.format == QLatin1String("json") ? store->export_json(which) : store->export_markdown(which);
    QSaveFile out(job.path);  // written next to the target and renamed: never a half file
    if (!out.open(QIODevice::WriteOnly) ||
        out.write(text.data(), qint64(text.size())) != qint64(text.size()) || !out.commit())
      error =
          tr("Could not write %1: %2").arg(bidi::isolated(job.path, job.right_to_left), out.errorString());
  } catch (const std::exception& e) {
    error = QString::fromUtf8(e.what());
  }
  post([this, path = job.path, error] {
    emit exportFinished(path, error);
    jobDone();
  });
}
