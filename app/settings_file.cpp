#include "app/settings_file.h"

#include <QCoreApplication>
#include <QMutex>
#include <QMutexLocker>
#include <QSettings>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace {
QString entry_prefix(const QString& group, int index) {
  return group + QLatin1Char('/') + QString::number(index + 1) + QLatin1Char('/');  // QSettings counts from 1
}
}  // namespace

struct SettingsFile::State {
  // What the app reads: the file as read once, with every change since.
  mutable QMutex mutex;
  bool loaded = false;
  QString file_name;  // where the changes go (QSettings().fileName() when it was read)
  QVariantMap values;

  // The writer: changes in order, each with the file it is for.
  struct Job {
    QString file;
    std::function<void(QSettings&)> apply;
  };
  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::deque<Job> queue;
  uint64_t queued = 0;   // jobs ever queued
  uint64_t written = 0;  // jobs whose file has been synced (or failed to)
  bool ok = true;        // the last sync succeeded
  bool stop = false;
  std::thread writer;

  void load_locked() {
    if (loaded) return;
    QSettings s;
    file_name = s.fileName();
    values.clear();
    for (const QString& key : s.allKeys()) values.insert(key, s.value(key));
    loaded = true;
  }

  void enqueue_locked(std::function<void(QSettings&)> apply) {
    std::lock_guard<std::mutex> q(queue_mutex);
    queue.push_back({file_name, std::move(apply)});
    ++queued;
    queue_cv.notify_all();
  }

  void remove_group_locked(const QString& group) {
    const QString prefix = group + QLatin1Char('/');
    for (auto it = values.lowerBound(prefix); it != values.end() && it.key().startsWith(prefix);)
      it = values.erase(it);
    values.remove(group);
  }

  void run() {
    std::unique_lock<std::mutex> q(queue_mutex);
    for (;;) {
      queue_cv.wait(q, [this] { return stop || !queue.empty(); });
      if (queue.empty()) return;  // stopping, and everything is written
      std::deque<Job> batch;
      batch.swap(queue);
      q.unlock();
      bool batch_ok = true;
      // One QSettings (one lock, one sync) per run of jobs for the same file.
      for (size_t i = 0; i < batch.size();) {
        QSettings s(batch[i].file, QSettings::IniFormat);
        size_t j = i;
        for (; j < batch.size() && batch[j].file == batch[i].file; ++j) batch[j].apply(s);
        s.sync();
        if (s.status() != QSettings::NoError) {
          batch_ok = false;
          qWarning("settings: could not write %s (%s); the changes are kept until the app quits",
                   qPrintable(batch[i].file),
                   s.status() == QSettings::AccessError ? "not writable" : "not a settings file");
        }
        i = j;
      }
      q.lock();
      written += batch.size();
      ok = batch_ok;
      queue_cv.notify_all();
    }
  }
};

SettingsFile& SettingsFile::instance() {
  static SettingsFile file;
  return file;
}

SettingsFile::SettingsFile() : s_(std::make_unique<State>()) {
  s_->writer = std::thread([s = s_.get()] { s->run(); });
  // Written out while Qt is still whole: QCoreApplication's destructor runs its post routines
  // before Qt's own globals go (the writer's QSettings needs them).
  qAddPostRoutine([] { SettingsFile::instance().flush(); });
}

SettingsFile::~SettingsFile() {
  {
    std::lock_guard<std::mutex> q(s_->queue_mutex);
    s_->stop = true;
    s_->queue_cv.notify_all();
  }
  s_->writer.join();  // what is queued is written first
}

QVariant SettingsFile::value(const QString& key, const QVariant& fallback) const {
  QMutexLocker lock(&s_->mutex);
  s_->load_locked();
  return s_->values.value(key, fallback);
}

void SettingsFile::setValue(const QString& key, const QVariant& value) {
  QMutexLocker lock(&s_->mutex);
  s_->load_locked();
  auto it = s_->values.constFind(key);
  if (it != s_->values.cend() && it.value() == value) return;  // nothing to write
  s_->values.insert(key, value);
  s_->enqueue_locked([key, value](QSettings& s) { s.setValue(key, value); });
}

void SettingsFile::remove(const QString& key) {
  QMutexLocker lock(&s_->mutex);
  s_->load_locked();
  s_->remove_group_locked(key);
  s_->enqueue_locked([key](QSettings& s) { s.remove(key); });
}

QList<QVariantMap> SettingsFile::array(const QString& group) const {
  QMutexLocker lock(&s_->mutex);
  s_->load_locked();
  const int n = s_->values.value(group + QStringLiteral("/size")).toInt();
  QList<QVariantMap> out;
  for (int i = 0; i < n && i < 10000; ++i) {  // an edited file may claim any size
    const QString prefix = entry_prefix(group, i);
    QVariantMap entry;
    for (auto it = s_->values.lowerBound(prefix); it != s_->values.cend() && it.key().startsWith(prefix);
         ++it)
      entry.insert(it.key().mid(prefix.size()), it.value());
    out.append(entry);
  }
  return out;
}

void SettingsFile::setArray(const QString& group, const QList<QVariantMap>& entries) {
  QMutexLocker lock(&s_->mutex);
  s_->load_locked();
  s_->remove_group_locked(group);
  if (!entries.isEmpty()) {
    s_->values.insert(group + QStringLiteral("/size"), int(entries.size()));
    for (int i = 0; i < entries.size(); ++i) {
      const QString prefix = entry_prefix(group, i);
      for (auto it = entries[i].cbegin(); it != entries[i].cend(); ++it)
        s_->values.insert(prefix + it.key(), it.value());
    }
  }
  s_->enqueue_locked([group, entries](QSettings& s) {
    s.remove(group);
    if (entries.isEmpty()) return;
    s.beginWriteArray(group, int(entries.size()));
    for (int i = 0; i < entries.size(); ++i) {
      s.setArrayIndex(i);
      for (auto it = entries[i].cbegin(); it != entries[i].cend(); ++it) s.setValue(it.key(), it.value());
    }
    s.endArray();
  });
}

bool SettingsFile::flush() {
  std::unique_lock<std::mutex> q(s_->queue_mutex);
  const uint64_t target = s_->queued;
  s_->queue_cv.wait(q, [&] { return s_->written >= target; });
  return s_->ok;
}

void SettingsFile::reload() {
  flush();
  QMutexLocker lock(&s_->mutex);
  s_->loaded = false;
  s_->values.clear();
}
