// ConversationStore: opening (checks, migration, crash recovery) and the conversation rows.
// Messages: store_messages.cpp; search: store_search.cpp; export/import: store_export.cpp.
#include "core/store/conversation_store.h"

#include <chrono>

#include "core/store/schema.h"
#include "core/store/store_impl.h"

namespace falcon {
namespace {

constexpr const char* kConversationColumns =
    "id, title, created_ms, updated_ms, pinned, archived, system_prompt, model_path, model_fingerprint, "
    "weights_format, sampling_json, window_size, active_leaf_id";

Conversation read_conversation(const sql::Stmt& s) {
  Conversation c;
  c.id = s.i64(0);
  c.title = s.text(1);
  c.created_ms = s.i64(2);
  c.updated_ms = s.i64(3);
  c.pinned = s.i64(4) != 0;
  c.archived = s.i64(5) != 0;
  c.system_prompt = s.text(6);
  c.model_path = s.text(7);
  c.model_fingerprint = s.text(8);
  c.weights_format = s.text(9);
  c.sampling_json = s.text(10);
  c.window_size = s.i64(11);
  c.active_leaf_id = s.opt_i64(12);
  return c;
}

[[noreturn]] void throw_corrupt(const std::string& path, const StoreError& e) {
  throw StoreError(StoreErrorCode::Corrupt,
                   "conversation store: " + path +
                       " is damaged or is not a falcon-chat database; it was not changed. Move it aside "
                       "(recover_by_moving_aside) to start a fresh database. Details: " +
                       e.what());
}

void check_window_size(int64_t w) {
  if (w <= 0 || w > (int64_t{1} << 24)) {
    throw StoreError(StoreErrorCode::InvalidArgument, "conversation store: window size " + std::to_string(w) +
                                                          " is out of range (1..16777216)");
  }
}

}  // namespace

// ---- Impl ----------------------------------------------------------------------------------

ConversationStore::Impl::~Impl() {
  cache.reset();  // finalize statements before the connection closes
  db = sql::Db();
  sync_behind.reset();                 // what the connection committed is synced first
  store_files::release_lock(lock_fd);  // only after the connection is gone
}

int64_t ConversationStore::Impl::now_ms() const {
  if (options.clock) return options.clock();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void ConversationStore::Impl::require_conversation(int64_t id) {
  auto s = q("SELECT 1 FROM conversations WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) {
    throw StoreError(StoreErrorCode::NotFound,
                     "conversation store: conversation " + std::to_string(id) + " does not exist");
  }
}

void ConversationStore::Impl::touch(int64_t conversation_id) {
  auto s = q("UPDATE conversations SET updated_ms = ?2 WHERE id = ?1");
  s.bind(1, conversation_id).bind(2, now_ms()).run();
}

// ---- open ----------------------------------------------------------------------------------

ConversationStore::ConversationStore(const std::string& path, StoreOptions options)
    : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.path = path;
  s.options = std::move(options);
  const bool file = store_files::is_file_path(path);
  if (file) store_files::precreate_0600(path);  // SQLite itself would create it 0644

  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  s.db = sql::Db(raw);
  if (rc != SQLITE_OK) sql::fail(raw, rc, "opening " + path);
  sqlite3_extended_result_codes(raw, 1);
  // Until the file has passed every check, closing must not checkpoint: that would write a
  // (possibly damaged) file's WAL into it and delete the WAL we promise to move aside intact.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  if (sqlite3_db_readonly(raw, "main") == 1) {
    throw StoreError(StoreErrorCode::ReadOnly, "conversation store: the database " + path +
                                                   " can only be read (file or folder permissions); "
                                                   "fix the permissions or choose a writable location.");
  }
  sqlite3_busy_timeout(raw, s.options.busy_timeout_ms);
  s.cache = std::make_unique<sql::StmtCache>(raw);

  // Look before touching anything: a damaged, foreign or newer file must stay as it is.
  int64_t app_id = 0, version = 0, objects = 0;
  try {
    auto a = sql::Stmt(raw, "PRAGMA application_id");
    if (a.step()) app_id = a.i64(0);
    auto v = sql::Stmt(raw, "PRAGMA user_version");
    if (v.step()) version = v.i64(0);
    auto o = sql::Stmt(raw, "SELECT count(*) FROM sqlite_master");  // parses the schema
    if (o.step()) objects = o.i64(0);
  } catch (const StoreError& e) {
    if (e.code() == StoreErrorCode::Corrupt) throw_corrupt(path, e);
    throw;
  }
  if (app_id != store_schema::kApplicationId && !(app_id == 0 && version == 0 && objects == 0)) {
    throw StoreError(StoreErrorCode::ForeignFile, "conversation store: " + path +
                                                      " is an SQLite database of another program; it was not "
                                                      "changed. Choose another file name.");
  }
  if (version > store_schema::kLatestVersion) {
    throw StoreError(StoreErrorCode::NewerVersion,
                     "conversation store: " + path + " was written by a newer falcon-chat (schema version " +
                         std::to_string(version) + ", this build knows up to " +
                         std::to_string(store_schema::kLatestVersion) +
                         "); it was not changed. Update falcon-chat to open it.");
  }

  try {
    std::string mode;
    {
      auto j = sql::Stmt(raw, "PRAGMA journal_mode = WAL");
      if (j.step()) mode = j.text(0);
    }
    if (file && mode != "wal") {
      throw StoreError(StoreErrorCode::ReadOnly, "conversation store: cannot switch " + path +
                                                     " to WAL mode (got '" + mode +
                                                     "'); is the folder writable and on a local disk?");
    }
    s.db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = 67108864;",
              "configuring the connection");
    if (s.options.max_page_count > 0) {
      std::string quota = "PRAGMA max_page_count = " + std::to_string(s.options.max_page_count);
      s.db.exec(quota.c_str(), "setting the page quota");
    }

    bool sole_owner = !file;  // an in-memory database is private to this connection
    if (file) s.lock_fd = store_files::acquire_lock(path, sole_owner);

    if (version < store_schema::kLatestVersion) {
      if (file && version >= 1) s.backup_path = store_files::backup(raw, path, static_cast<int>(version));
      store_schema::migrate(raw, static_cast<int>(version), store_schema::kLatestVersion);
    }
    {
      auto v = sql::Stmt(raw, "PRAGMA user_version");
      s.schema_version = v.step() ? static_cast<int>(v.i64(0)) : 0;
    }

    if (s.options.recover_interrupted && sole_owner) {
      auto r = s.q(
          "UPDATE messages SET state = 'complete', stop_reason = 'interrupted' WHERE state = 'streaming'");
      r.run();
      s.interrupted_on_open = sqlite3_changes64(raw);
    }
    sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
    if (file && s.options.sync_behind) {
      s.db.exec("PRAGMA synchronous = NORMAL", "configuring the connection");
      const char* main_file = sqlite3_db_filename(raw, "main");
      s.sync_behind = std::make_unique<store_sync::SyncBehind>(main_file, sqlite3_filename_wal(main_file),
                                                               s.options.before_background_sync);
      s.sync_behind->attach(raw);
    }
  } catch (const StoreError& e) {
    if (e.code() == StoreErrorCode::Corrupt) throw_corrupt(path, e);
    throw;
  }
}

ConversationStore::~ConversationStore() = default;

std::string ConversationStore::wait_until_durable() {
  return impl_->sync_behind ? impl_->sync_behind->wait() : std::string();
}
std::string ConversationStore::durability_error() const {
  return impl_->sync_behind ? impl_->sync_behind->error() : std::string();
}

const std::string& ConversationStore::path() const {
  return impl_->path;
}
int ConversationStore::schema_version() const {
  return impl_->schema_version;
}
int64_t ConversationStore::interrupted_on_open() const {
  return impl_->interrupted_on_open;
}
const std::string& ConversationStore::last_backup_path() const {
  return impl_->backup_path;
}

std::string ConversationStore::integrity_check() {
  std::string result;
  {
    sql::Stmt s(impl_->raw(), "PRAGMA integrity_check");
    while (s.step()) result += (result.empty() ? "" : "\n") + s.text(0);
  }
  if (result != "ok") return result;
  // The FTS index must match the messages it was built from.
  int rc = sqlite3_exec(impl_->raw(), "INSERT INTO message_fts(message_fts) VALUES ('integrity-check')",
                        nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return std::string("full-text index: ") + sqlite3_errmsg(impl_->raw());
  return "ok";
}

void ConversationStore::in_transaction(const std::function<void()>& fn) {
  sql::Transaction tx(impl_->raw());
  fn();
  tx.commit();
}

// ---- conversations ---------------------------------------------------------------------------

int64_t ConversationStore::create_conversation(const NewConversation& c) {
  check_window_size(c.window_size);
  int64_t now = impl_->now_ms();
  auto s = impl_->q(
      "INSERT INTO conversations (title, created_ms, updated_ms, system_prompt, model_path, "
      "model_fingerprint, "
      "weights_format, sampling_json, window_size) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  s.bind(1, c.title).bind(2, now).bind(3, c.system_prompt).bind(4, c.model_path).bind(5, c.model_fingerprint);
  s.bind(6, c.weights_format).bind(7, c.sampling_json).bind(8, c.window_size).run();
  return sqlite3_last_insert_rowid(impl_->raw());
}

Conversation ConversationStore::conversation(int64_t id) {
  auto s = impl_->q(std::string("SELECT ") + kConversationColumns + " FROM conversations WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) {
    throw StoreError(StoreErrorCode::NotFound,
                     "conversation store: conversation " + std::to_string(id) + " does not exist");
  }
  return read_conversation(s);
}

std::vector<Conversation> ConversationStore::list_conversations(const ListOptions& o) {
  // Two texts so that each filter walks its own index in order and stops after `limit` rows.
  std::string sql = std::string("SELECT ") + kConversationColumns + " FROM conversations ";
  if (o.filter != ArchiveFilter::All) sql += "WHERE archived = ?3 ";
  sql += "ORDER BY pinned DESC, updated_ms DESC, id DESC LIMIT ?1 OFFSET ?2";
  auto s = impl_->q(sql);
  s.bind(1, std::max(0, o.limit)).bind(2, std::max(0, o.offset));
  if (o.filter != ArchiveFilter::All) s.bind(3, o.filter == ArchiveFilter::Archived ? 1 : 0);
  std::vector<Conversation> out;
  while (s.step()) out.push_back(read_conversation(s));
  return out;
}

int64_t ConversationStore::count_conversations(ArchiveFilter f) {
  if (f == ArchiveFilter::All) {
    auto s = impl_->q("SELECT count(*) FROM conversations");
    return s.step() ? s.i64(0) : 0;
  }
  auto s = impl_->q("SELECT count(*) FROM conversations WHERE archived = ?1");
  s.bind(1, f == ArchiveFilter::Archived ? 1 : 0);
  return s.step() ? s.i64(0) : 0;
}

namespace {
// One-column update of a conversation; NotFound when no row has that id.
template <typename T>
void update_column(ConversationStore::Impl& impl, int64_t id, const char* sql, const T& value) {
  auto s = impl.q(sql);
  s.bind(1, id).bind(2, value).run();
  if (sqlite3_changes64(impl.raw()) == 0) impl.require_conversation(id);
}
}  // namespace

void ConversationStore::set_title(int64_t id, std::string_view title) {
  update_column(*impl_, id, "UPDATE conversations SET title = ?2 WHERE id = ?1", title);
}
void ConversationStore::set_pinned(int64_t id, bool pinned) {
  update_column(*impl_, id, "UPDATE conversations SET pinned = ?2 WHERE id = ?1", pinned ? 1 : 0);
}
void ConversationStore::set_archived(int64_t id, bool archived) {
  update_column(*impl_, id, "UPDATE conversations SET archived = ?2 WHERE id = ?1", archived ? 1 : 0);
}
void ConversationStore::set_system_prompt(int64_t id, std::string_view prompt) {
  update_column(*impl_, id, "UPDATE conversations SET system_prompt = ?2 WHERE id = ?1", prompt);
}
void ConversationStore::set_sampling(int64_t id, std::string_view sampling_json) {
  update_column(*impl_, id, "UPDATE conversations SET sampling_json = ?2 WHERE id = ?1", sampling_json);
}
void ConversationStore::set_window_size(int64_t id, int64_t window_size) {
  check_window_size(window_size);
  update_column(*impl_, id, "UPDATE conversations SET window_size = ?2 WHERE id = ?1", window_size);
}

void ConversationStore::set_model(int64_t id, std::string_view path, std::string_view fingerprint,
                                  std::string_view weights_format) {
  auto s = impl_->q(
      "UPDATE conversations SET model_path = ?2, model_fingerprint = ?3, weights_format = ?4 WHERE id = ?1");
  s.bind(1, id).bind(2, path).bind(3, fingerprint).bind(4, weights_format).run();
  if (sqlite3_changes64(impl_->raw()) == 0) impl_->require_conversation(id);
}

void ConversationStore::delete_conversation(int64_t id) {
  sql::Transaction tx(impl_->raw());
  impl_->require_conversation(id);
  // Messages go by ON DELETE CASCADE (one level: they all reference the conversation), the
  // FTS triggers fire for each, window_state cascades too.
  auto s = impl_->q("DELETE FROM conversations WHERE id = ?1");
  s.bind(1, id).run();
  tx.commit();
}

// ---- drafts ------------------------------------------------------------------------------------

bool ConversationStore::set_draft(int64_t conversation_id, std::string_view text) {
  if (conversation_id < 0) return false;
  if (text.empty()) {
    auto s = impl_->q("DELETE FROM drafts WHERE conversation_id = ?1");
    s.bind(1, conversation_id).run();
    return true;
  }
  // One statement, so the check and the write cannot be split by another connection's delete.
  auto s = impl_->q(
      "INSERT INTO drafts (conversation_id, text, updated_ms) SELECT ?1, ?2, ?3 "
      "WHERE ?1 = 0 OR EXISTS (SELECT 1 FROM conversations WHERE id = ?1) "
      "ON CONFLICT (conversation_id) DO UPDATE SET text = excluded.text, updated_ms = excluded.updated_ms");
  s.bind(1, conversation_id).bind(2, text).bind(3, impl_->now_ms()).run();
  return sqlite3_changes64(impl_->raw()) > 0;
}

std::string ConversationStore::draft(int64_t conversation_id) {
  auto s = impl_->q("SELECT text FROM drafts WHERE conversation_id = ?1");
  s.bind(1, conversation_id);
  return s.step() ? s.text(0) : std::string();
}

std::vector<std::pair<int64_t, std::string>> ConversationStore::drafts() {
  auto s = impl_->q("SELECT conversation_id, text FROM drafts ORDER BY conversation_id");
  std::vector<std::pair<int64_t, std::string>> out;
  while (s.step()) out.emplace_back(s.i64(0), s.text(1));
  return out;
}

}  // namespace falcon
