#include "core/store/sqlite_util.h"

namespace falcon::sql {

StoreErrorCode code_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StoreErrorCode::Corrupt;
    case SQLITE_FULL:
      return StoreErrorCode::DiskFull;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return StoreErrorCode::ReadOnly;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreErrorCode::Busy;
    case SQLITE_IOERR:
      return StoreErrorCode::Io;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return StoreErrorCode::InvalidArgument;
    default:
      return StoreErrorCode::Other;
  }
}

namespace {
// A remedy the user can act on, per error code; appended to SQLite's terse message.
const char* advice(StoreErrorCode c) {
  switch (c) {
    case StoreErrorCode::Corrupt:
      return " The file is damaged or is not a falcon-chat database; move it aside to start a fresh one.";
    case StoreErrorCode::DiskFull:
      return " The disk is full; free some space and retry. The change was not saved, earlier data is "
             "intact.";
    case StoreErrorCode::ReadOnly:
      return " The database location cannot be written; choose a writable folder or fix its permissions.";
    case StoreErrorCode::Busy:
      return " Another program keeps the database locked; close it and retry.";
    case StoreErrorCode::Io:
      return " The operating system reported an I/O error on the database file.";
    default:
      return "";
  }
}
}  // namespace

void fail(sqlite3* db, int rc, std::string_view what) {
  StoreErrorCode code = code_for(rc);
  std::string msg = "conversation store: " + std::string(what) + " failed: ";
  // sqlite3_errmsg describes the most recent failure on this connection, which is `rc` when
  // the caller reports right after the failing call; sqlite3_errstr is the generic fallback.
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  msg += " (sqlite code " + std::to_string(rc) + ").";
  msg += advice(code);
  throw StoreError(code, msg);
}

Db::~Db() {
  if (db_) sqlite3_close_v2(db_);
}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

void Db::exec(const char* sql, std::string_view what) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  if (rc != SQLITE_OK) fail(db_, rc, what);
}

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), 0, &st_, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, "preparing a query");
}

Stmt::~Stmt() {
  if (!st_) return;
  if (borrowed_) {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  } else {
    sqlite3_finalize(st_);
  }
}

StmtCache::~StmtCache() {
  for (auto& [sql, st] : map_) sqlite3_finalize(st);
}

Stmt StmtCache::get(std::string_view sql) {
  auto it = map_.find(std::string(sql));
  if (it == map_.end()) {
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st,
                                nullptr);
    if (rc != SQLITE_OK) fail(db_, rc, "preparing a query");
    it = map_.emplace(std::string(sql), st).first;
  }
  return Stmt(db_, it->second);
}

Stmt& Stmt::bind(int i, int64_t v) {
  int rc = sqlite3_bind_int64(st_, i, v);
  if (rc != SQLITE_OK) fail(db_, rc, "binding a value");
  return *this;
}

Stmt& Stmt::bind(int i, double v) {
  int rc = sqlite3_bind_double(st_, i, v);
  if (rc != SQLITE_OK) fail(db_, rc, "binding a value");
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
  int rc = sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "binding a text value");
  return *this;
}

Stmt& Stmt::bind_blob(int i, const void* data, size_t size) {
  // A zero-length blob must still be a blob, not NULL: SQLite binds NULL for a null pointer.
  static const uint8_t kEmpty = 0;
  int rc = sqlite3_bind_blob64(st_, i, size ? data : &kEmpty, size, SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(db_, rc, "binding a blob");
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  int rc = sqlite3_bind_null(st_, i);
  if (rc != SQLITE_OK) fail(db_, rc, "binding a value");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(st_);
  fail(db_, rc, "running a query");
}

void Stmt::run() {
  while (step()) {
  }
  reset();
}

void Stmt::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

bool Stmt::is_null(int col) const {
  return sqlite3_column_type(st_, col) == SQLITE_NULL;
}
int64_t Stmt::i64(int col) const {
  return sqlite3_column_int64(st_, col);
}
double Stmt::f64(int col) const {
  return sqlite3_column_double(st_, col);
}

std::string Stmt::text(int col) const {
  const unsigned char* p = sqlite3_column_text(st_, col);
  int n = sqlite3_column_bytes(st_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

std::optional<int64_t> Stmt::opt_i64(int col) const {
  if (is_null(col)) return std::nullopt;
  return i64(col);
}

std::vector<uint8_t> Stmt::blob(int col) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(st_, col));
  int n = sqlite3_column_bytes(st_, col);
  return p ? std::vector<uint8_t>(p, p + n) : std::vector<uint8_t>();
}

Transaction::Transaction(sqlite3* db, Mode mode) : db_(db) {
  nested_ = sqlite3_get_autocommit(db) == 0;
  const char* sql = nested_         ? "SAVEPOINT falcon_nested"
                    : mode == Write ? "BEGIN IMMEDIATE"
                                    : "BEGIN DEFERRED";
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, "starting a transaction");
}

Transaction::~Transaction() {
  if (done_) return;
  // Errors are ignored here: some failures (SQLITE_FULL, IOERR) already rolled SQLite back,
  // and a destructor must not throw. Autocommit mode means nothing is left to undo.
  if (nested_) {
    if (sqlite3_get_autocommit(db_) == 0) {
      sqlite3_exec(db_, "ROLLBACK TO falcon_nested", nullptr, nullptr, nullptr);
      sqlite3_exec(db_, "RELEASE falcon_nested", nullptr, nullptr, nullptr);
    }
  } else if (sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void Transaction::commit() {
  int rc = sqlite3_exec(db_, nested_ ? "RELEASE falcon_nested" : "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(db_, rc, "committing a change");
  done_ = true;
}

}  // namespace falcon::sql
