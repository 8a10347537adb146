#pragma once
// Private state of ConversationStore, shared by its .cpp files (open/conversations, messages,
// search, export). Not part of the public API.
#include <memory>
#include <string>

#include "core/store/conversation_store.h"
#include "core/store/sqlite_util.h"
#include "core/store/store_sync_behind.h"

namespace falcon {

struct ConversationStore::Impl {
  std::string path;
  StoreOptions options;
  sql::Db db;
  std::unique_ptr<sql::StmtCache> cache;  // created once the connection is open
  int lock_fd = -1;                       // shared flock on "<path>-falcon-lock" (file databases)
  int schema_version = 0;
  int64_t interrupted_on_open = 0;
  std::string backup_path;
  std::unique_ptr<store_sync::SyncBehind> sync_behind;  // StoreOptions::sync_behind

  ~Impl();
  sqlite3* raw() const { return db.get(); }
  sql::Stmt q(std::string_view sql) { return cache->get(sql); }
  int64_t now_ms() const;

  // Throws NotFound unless the conversation exists.
  void require_conversation(int64_t id);
  // The newest leaf under `id`, following the newest child at each level.
  int64_t descend_to_leaf(int64_t id);
  void touch(int64_t conversation_id);  // updated_ms = now
};

// Column list and reader for Message rows (alias m = messages), including sibling position.
extern const char* const kMessageColumns;
Message read_message(const sql::Stmt& s);

// Little-endian (de)serialization of token ids for window_state.tokens.
std::string encode_tokens(const std::vector<int32_t>& tokens);
std::vector<int32_t> decode_tokens(const std::vector<uint8_t>& blob);

// ---- file helpers (store_files.cpp) ---------------------------------------------------------
namespace store_files {
// Creates `path` empty with mode 0600 unless it exists; throws ReadOnly/Other with the reason.
void precreate_0600(const std::string& path);
// Opens "<path>-falcon-lock" and takes a shared flock; returns the fd (or -1 when the lock
// file cannot be created). Sets `sole_owner` when no other open store holds the lock, i.e.
// it could take it exclusively first: only then are leftover "streaming" rows truly orphaned.
int acquire_lock(const std::string& path, bool& sole_owner);
void release_lock(int fd);
// Copies the open database to "<path>.v<version>.bak" (or a timestamped name when taken) with
// the SQLite backup API, file mode 0600; returns the backup path.
std::string backup(sqlite3* db, const std::string& path, int version);
bool is_file_path(const std::string& path);  // false for ":memory:" and "file:" URIs
}  // namespace store_files

}  // namespace falcon
