#include "core/store/store_sync_behind.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace falcon::store_sync {

namespace {
constexpr int kCheckpointFrames = 1000;  // SQLite's default wal_autocheckpoint
}

SyncBehind::SyncBehind(std::string wal_path, std::function<void()> before_sync)
    : wal_path_(std::move(wal_path)), before_sync_(std::move(before_sync)), thread_([this] { run(); }) {}

SyncBehind::~SyncBehind() {
  {
    std::lock_guard<std::mutex> l(m_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SyncBehind::attach(sqlite3* db) {
  sqlite3_wal_hook(db, &SyncBehind::on_commit, this);
}

int SyncBehind::on_commit(void* self, sqlite3* db, const char* schema, int frames) {
  if (frames >= kCheckpointFrames)
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  static_cast<SyncBehind*>(self)->request();
  return SQLITE_OK;
}

void SyncBehind::request() {
  {
    std::lock_guard<std::mutex> l(m_);
    ++requested_;
  }
  cv_.notify_all();
}

std::string SyncBehind::wait() {
  std::unique_lock<std::mutex> l(m_);
  const uint64_t target = requested_;
  cv_.wait(l, [&] { return synced_ >= target; });
  return error_;
}

std::string SyncBehind::error() const {
  std::lock_guard<std::mutex> l(m_);
  return error_;
}

uint64_t SyncBehind::syncs_done() const {
  std::lock_guard<std::mutex> l(m_);
  return syncs_;
}

void SyncBehind::run() {
  std::unique_lock<std::mutex> l(m_);
  for (;;) {
    cv_.wait(l, [&] { return stop_ || synced_ < requested_; });
    if (synced_ >= requested_) return;   // stopping, and nothing is waiting
    const uint64_t target = requested_;  // one fdatasync covers every commit so far
    l.unlock();
    if (before_sync_) before_sync_();
    std::string error;
    const int fd = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      if (::fdatasync(fd) != 0) error = std::strerror(errno);
      ::close(fd);
    } else if (errno != ENOENT) {  // gone: a checkpoint moved it into the database and synced that
      error = std::strerror(errno);
    }
    l.lock();
    synced_ = target;
    ++syncs_;
    // Sticky: after a failed fdatasync the kernel may have dropped the pages it could not
    // write, so a later success does not bring them back.
    if (!error.empty() && error_.empty()) error_ = "syncing " + wal_path_ + ": " + error;
    cv_.notify_all();
  }
}

}  // namespace falcon::store_sync
