#pragma once
// Helpers shared by the store tests: a ticking fake clock and a raw SQLite connection that
// checks the file independently of the store's own code.
#include <sqlite3.h>

#include <QtTest>
#include <cstdint>
#include <memory>
#include <string>

#include "core/store/conversation_store.h"

namespace falcon::test {

// Each call returns 1 ms later than the previous one, so orderings by time are deterministic.
inline std::function<int64_t()> ticking_clock(int64_t start = 1'700'000'000'000) {
  auto t = std::make_shared<int64_t>(start);
  return [t] { return (*t)++; };
}

inline StoreOptions ticking_options() {
  StoreOptions o;
  o.clock = ticking_clock();
  return o;
}

// A read-only second connection to a database file.
class RawDb {
 public:
  explicit RawDb(const std::string& path, int flags = SQLITE_OPEN_READONLY) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      qFatal("cannot open %s: %s", path.c_str(), sqlite3_errmsg(db_));
    }
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  sqlite3* get() const { return db_; }

  // First column of the first row as text ("" when no row).
  std::string scalar(const std::string& sql) const {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      qFatal("prepare failed: %s: %s", sql.c_str(), sqlite3_errmsg(db_));
    }
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return out;
  }
  int64_t integer(const std::string& sql) const {
    std::string s = scalar(sql);
    return s.empty() ? 0 : std::stoll(s);
  }
  void exec(const std::string& sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string e = err ? err : "?";
      sqlite3_free(err);
      qFatal("exec failed: %s: %s", sql.c_str(), e.c_str());
    }
  }

 private:
  sqlite3* db_ = nullptr;
};

// Runs `fn` and returns the StoreError code it threw; fails the test when nothing was thrown.
template <typename Fn>
StoreErrorCode error_code_of(Fn&& fn, std::string* message = nullptr) {
  try {
    fn();
  } catch (const StoreError& e) {
    if (message) *message = e.what();
    return e.code();
  }
  return static_cast<StoreErrorCode>(-1);
}

}  // namespace falcon::test
