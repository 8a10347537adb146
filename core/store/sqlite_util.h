#pragma once
// Small RAII wrappers over the sqlite3 C API, private to core/store. Every query goes through
// a prepared statement (Stmt) with bound parameters; nothing is ever pasted into SQL text.
// Every failing call becomes a StoreError whose code says what the user can do about it.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/store/store_error.h"

namespace falcon::sql {

// Maps an SQLite result code (primary or extended) to the store's error code.
StoreErrorCode code_for(int rc);

// Throws a StoreError for `rc` with `what` (the action that failed) and SQLite's own message.
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what);

// Owns one connection.
class Db {
 public:
  Db() = default;
  explicit Db(sqlite3* handle) : db_(handle) {}
  ~Db();
  Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  // Runs SQL text that has no parameters (schema steps and pragmas only).
  void exec(const char* sql, std::string_view what);

 private:
  sqlite3* db_ = nullptr;
};

// One prepared statement. Bind indices start at 1, column indices at 0 (as in SQLite).
class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : db_(o.db_), st_(o.st_), borrowed_(o.borrowed_) { o.st_ = nullptr; }
  Stmt& operator=(Stmt&&) = delete;

  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, std::string_view v);  // text, copied by SQLite
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind_blob(int i, const void* data, size_t size);
  Stmt& bind_null(int i);
  Stmt& bind_opt(int i, std::optional<int64_t> v) { return v ? bind(i, *v) : bind_null(i); }

  // Advances; true while a row is available. Throws on error.
  bool step();
  // Steps a statement that returns no rows (INSERT/UPDATE/DELETE) and resets it.
  void run();
  void reset();

  bool is_null(int col) const;
  int64_t i64(int col) const;
  double f64(int col) const;
  std::string text(int col) const;
  std::optional<int64_t> opt_i64(int col) const;
  std::vector<uint8_t> blob(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  bool borrowed_ = false;  // owned by a StmtCache: reset, not finalized, on destruction

  friend class StmtCache;
  Stmt(sqlite3* db, sqlite3_stmt* st) : db_(db), st_(st), borrowed_(true) {}
};

// Prepared statements kept for the life of a connection, keyed by their SQL text, so hot
// calls (appending a message, a partial write) skip the parse. A borrowed Stmt is reset when
// it goes out of scope; the same SQL must not be used twice at once (no recursion).
class StmtCache {
 public:
  explicit StmtCache(sqlite3* db) : db_(db) {}
  ~StmtCache();
  StmtCache(const StmtCache&) = delete;
  StmtCache& operator=(const StmtCache&) = delete;
  Stmt get(std::string_view sql);

 private:
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> map_;
};

// A transaction that rolls back unless commit() is called. Nested use (a transaction already
// open on the connection) becomes a SAVEPOINT, so public store calls can run inside a caller's
// ConversationStore::in_transaction(). BEGIN IMMEDIATE takes the write lock up front: in WAL a
// deferred read transaction that later writes can fail with SQLITE_BUSY_SNAPSHOT.
class Transaction {
 public:
  enum Mode { Write, Read };  // Read: BEGIN DEFERRED, a consistent snapshot without the write lock
  explicit Transaction(sqlite3* db, Mode mode = Write);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  sqlite3* db_;
  bool nested_ = false;
  bool done_ = false;
};

}  // namespace falcon::sql
