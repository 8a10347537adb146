#pragma once
// SyncBehind: makes a connection's commits durable on a thread of its own (StoreOptions::
// sync_behind). The connection runs with synchronous=NORMAL: a commit returns once its frames
// are written to the WAL (it survives the program crashing at once), and this thread then
// fdatasyncs the WAL file (from then on it survives a power cut too). That is the same file and
// the same order as synchronous=FULL, without the calling thread (the UI) waiting for the disk:
// on a busy disk one fdatasync took 40-100 ms.
//
// Checkpoints: a connection's own WAL hook replaces SQLite's auto-checkpoint, so the hook here
// runs the same passive checkpoint at 1000 frames before it asks for the sync.
#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace falcon::store_sync {

class SyncBehind {
 public:
  // `wal_path`: the connection's WAL file. `before_sync` (tests) runs on the sync thread before
  // each fdatasync.
  SyncBehind(std::string wal_path, std::function<void()> before_sync);
  ~SyncBehind();  // syncs what was asked for, then stops
  SyncBehind(const SyncBehind&) = delete;
  SyncBehind& operator=(const SyncBehind&) = delete;

  // Installs the WAL hook on `db` (which must outlive this object's use by SQLite).
  void attach(sqlite3* db);
  // Waits until every commit made before the call is synced. Returns "" or what went wrong
  // with the last sync (strerror).
  std::string wait();
  std::string error() const;  // the same, without waiting
  uint64_t syncs_done() const;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int frames);
  void request();
  void run();

  std::string wal_path_;
  std::function<void()> before_sync_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  uint64_t requested_ = 0;
  uint64_t synced_ = 0;
  uint64_t syncs_ = 0;
  std::string error_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace falcon::store_sync
