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

SyncBehind::SyncBehind(std::string db_path, std::string wal_path, std::function<void()> before_sync)
    : db_path_(std::move(db_path)),
      wal_path_(std::move(wal_path)),
      before_sync_(std::move(before_sync)),
      thread_([this] { run(); }) {}

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

int SyncBehind::on_commit(void* self, sqlite3*, const char*, int frames) {
  static_cast<SyncBehind*>(self)->request(frames >= kCheckpointFrames);
  return SQLITE_OK;
}

void SyncBehind::request(bool checkpoint) {
  {
    std::lock_guard<std::mutex> l(m_);
    ++requested_;
    checkpoint_wanted_ = checkpoint_wanted_ || checkpoint;
  }
  cv_.notify_all();
}

void SyncBehind::checkpoint() const {
  // A connection of this thread's own: the calling thread's is in use there. A passive
  // checkpoint never waits for readers or writers; what it cannot copy now, a later one will.
  sqlite3* db = nullptr;
  // Reading the schema first opens the file, so the connection knows it is in WAL mode (a
  // checkpoint on a connection that has read nothing does nothing).
  if (sqlite3_open_v2(db_path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK &&
      sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) == SQLITE_OK)
    sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  sqlite3_close_v2(db);  // not the last connection: closing it does not checkpoint again
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

void SyncBehind::run() {
  std::unique_lock<std::mutex> l(m_);
  for (;;) {
    cv_.wait(l, [&] { return stop_ || synced_ < requested_; });
    if (synced_ >= requested_) return;   // stopping, and nothing is waiting
    const uint64_t target = requested_;  // one fdatasync covers every commit so far
    const bool checkpoint_now = checkpoint_wanted_;
    checkpoint_wanted_ = false;
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
    if (checkpoint_now) checkpoint();  // after the sync: the frames it copies are durable already
    l.lock();
    synced_ = target;
    // Sticky: after a failed fdatasync the kernel may have dropped the pages it could not
    // write, so a later success does not bring them back.
    if (!error.empty() && error_.empty()) error_ = "syncing " + wal_path_ + ": " + error;
    cv_.notify_all();
  }
}

}  // namespace falcon::store_sync
