#pragma once
// SyncBehind: makes a connection's commits durable on a thread of its own (StoreOptions::
// sync_behind). The connection runs with synchronous=NORMAL: a commit returns once its frames
// are written to the WAL (it survives the program crashing at once), and this thread then
// fdatasyncs the WAL file (from then on it survives a power cut too). That is the same file and
// the same order as synchronous=FULL, without the calling thread (the UI) waiting for the disk:
// on a busy disk one fdatasync took 40-100 ms.
//
// Checkpoints: a connection's own WAL hook replaces SQLite's auto-checkpoint. At 1000 frames
// (SQLite's default) the hook asks this thread for the same passive checkpoint, which it runs
// through a connection of its own after the sync: a checkpoint writes and syncs the database
// file, which the calling thread must not wait for either.
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
  // `db_path`, `wal_path`: the connection's database and WAL files. `before_sync` (tests) runs
  // on the sync thread before each fdatasync.
  SyncBehind(std::string db_path, std::string wal_path, std::function<void()> before_sync);
  ~SyncBehind();  // syncs what was asked for, then stops
  SyncBehind(const SyncBehind&) = delete;
  SyncBehind& operator=(const SyncBehind&) = delete;

  // Installs the WAL hook on `db` (which must outlive this object's use by SQLite).
  void attach(sqlite3* db);
  // Waits until every commit made before the call is synced. Returns "" or what went wrong
  // with the last sync (strerror).
  std::string wait();
  std::string error() const;  // the same, without waiting

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int frames);
  void request(bool checkpoint);
  void run();
  void checkpoint() const;

  std::string db_path_;
  std::string wal_path_;
  std::function<void()> before_sync_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  uint64_t requested_ = 0;
  uint64_t synced_ = 0;
  bool checkpoint_wanted_ = false;
  std::string error_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace falcon::store_sync
