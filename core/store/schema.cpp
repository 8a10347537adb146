#include "core/store/schema.h"

#include <string>

#include "core/store/sqlite_util.h"

namespace falcon::store_schema {
namespace {

// ---- v1: the first released schema ------------------------------------------------------
// conversations.active_leaf_id names the last message of the active branch. messages form a
// tree through parent_id; its foreign key has no ON DELETE action on purpose: the store
// deletes a whole subtree in one statement (a cascade would recurse once per tree level and
// hit SQLite's trigger-depth limit on long chats), and the key is checked at statement end.
constexpr const char* kV1 = R"sql(
PRAGMA application_id = 1179403086;
CREATE TABLE conversations (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  title             TEXT    NOT NULL DEFAULT '',
  created_ms        INTEGER NOT NULL,
  updated_ms        INTEGER NOT NULL,
  pinned            INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
  system_prompt     TEXT    NOT NULL DEFAULT '',
  model_path        TEXT    NOT NULL DEFAULT '',
  model_fingerprint TEXT    NOT NULL DEFAULT '',
  weights_format    TEXT    NOT NULL DEFAULT '',
  sampling_json     TEXT    NOT NULL DEFAULT '{}',
  window_size       INTEGER NOT NULL DEFAULT 512,
  active_leaf_id    INTEGER REFERENCES messages(id) ON DELETE SET NULL
);
CREATE INDEX conversations_by_recent ON conversations(pinned DESC, updated_ms DESC);
CREATE INDEX conversations_by_leaf ON conversations(active_leaf_id);

CREATE TABLE messages (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  parent_id       INTEGER REFERENCES messages(id),
  role            TEXT    NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
  text            TEXT    NOT NULL DEFAULT '',
  created_ms      INTEGER NOT NULL,
  token_count     INTEGER NOT NULL DEFAULT 0,
  state           TEXT    NOT NULL DEFAULT 'complete' CHECK (state IN ('streaming', 'complete')),
  ttft_ms         REAL,
  tokens_per_s    REAL,
  stop_reason     TEXT CHECK (stop_reason IS NULL OR stop_reason IN
                    ('eos', 'stop_string', 'length', 'cancelled', 'interrupted', 'error')),
  error_text      TEXT
);
-- siblings of a root: (conversation_id, parent_id IS NULL); of any other message: parent_id.
CREATE INDEX messages_by_conversation ON messages(conversation_id, parent_id);
CREATE INDEX messages_by_parent ON messages(parent_id);
-- crash recovery finds unfinished replies without a scan
CREATE INDEX messages_streaming ON messages(id) WHERE state = 'streaming';

-- tokens: int32 little-endian ids of the kept context, (n_kept,)
CREATE TABLE window_state (
  conversation_id   INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
  tokens            BLOB    NOT NULL,
  evicted_count     INTEGER NOT NULL DEFAULT 0,
  model_fingerprint TEXT    NOT NULL DEFAULT '',
  updated_ms        INTEGER NOT NULL
);
)sql";

// ---- v2: archive flag and full-text search -------------------------------------------------
// message_fts is an external-content FTS5 index over messages.text (no second copy of the
// text), kept in sync by triggers; 'rebuild' indexes the messages an older file already has.
constexpr const char* kV2 = R"sql(
ALTER TABLE conversations ADD COLUMN archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1));
DROP INDEX conversations_by_recent;
CREATE INDEX conversations_by_recent ON conversations(archived, pinned DESC, updated_ms DESC, id DESC);
CREATE INDEX conversations_by_recent_all ON conversations(pinned DESC, updated_ms DESC, id DESC);

CREATE VIRTUAL TABLE message_fts USING fts5(
  text, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO message_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO message_fts(message_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
  INSERT INTO message_fts(message_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO message_fts(rowid, text) VALUES (new.id, new.text);
END;
INSERT INTO message_fts(message_fts) VALUES ('rebuild');
)sql";

// ---- v3: everything KvWindow needs to resume exactly ----------------------------------------
// Which leading tokens are pinned (system prompt + attention sinks), where each kept turn
// starts (eviction prefers whole turns), and how many sink tokens are pinned already. v1/v2
// windows recorded none of it; "nothing pinned, no turn marks" is what they meant.
// turn_starts: int32 little-endian indexes into tokens, ascending, (n_turns,)
constexpr const char* kV3 = R"sql(
ALTER TABLE window_state ADD COLUMN pinned_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE window_state ADD COLUMN turn_starts BLOB NOT NULL DEFAULT x'';
ALTER TABLE window_state ADD COLUMN sinks_taken INTEGER NOT NULL DEFAULT 0;
)sql";

// ---- v4: unsent drafts ------------------------------------------------------------------------
// The text left in a chat's message field, so it outlives the app. conversation_id 0 is the new
// chat that has no row yet, which is why there is no foreign key; a trigger removes a deleted
// conversation's draft instead of ON DELETE CASCADE.
constexpr const char* kV4 = R"sql(
CREATE TABLE drafts (
  conversation_id INTEGER PRIMARY KEY CHECK (conversation_id >= 0),
  text            TEXT    NOT NULL CHECK (length(text) > 0),
  updated_ms      INTEGER NOT NULL
);
CREATE TRIGGER conversations_delete_draft AFTER DELETE ON conversations BEGIN
  DELETE FROM drafts WHERE conversation_id = old.id;
END;
)sql";

// ---- v5: what a reply's prompt held of the message it answers ----------------------------------
// A message longer than the chat's window loses its beginning; the reply records how much, so a
// stored chat can still say so under the reply. NULL: not recorded (replies from before).
constexpr const char* kV5 = R"sql(
ALTER TABLE messages ADD COLUMN answered_tokens INTEGER CHECK (answered_tokens IS NULL OR answered_tokens >= 0);
ALTER TABLE messages ADD COLUMN answered_cut INTEGER
  CHECK (answered_cut IS NULL OR (answered_cut >= 0 AND answered_cut <= answered_tokens));
)sql";

// ---- v6: the model that wrote a reply -----------------------------------------------------------
// Branches of one chat may come from different models (a reply regenerated after loading another);
// each reply names its own. NULL: not recorded (replies from before).
constexpr const char* kV6 = R"sql(
ALTER TABLE messages ADD COLUMN model TEXT;
)sql";

constexpr Migration kMigrations[] = {
    {1, "create the schema", kV1},
    {2, "add the archive flag and the full-text index", kV2},
    {3, "add pinned count, turn starts and sinks to the window state", kV3},
    {4, "add unsent drafts", kV4},
    {5, "record how much of the answered message a reply's prompt held", kV5},
    {6, "record the model that wrote each reply", kV6},
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kLatestVersion);

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

void migrate(sqlite3* db, int from, int to) {
  for (const Migration& m : kMigrations) {
    if (m.to_version <= from || m.to_version > to) continue;
    std::string what =
        "migrating the database to version " + std::to_string(m.to_version) + " (" + m.why + ")";
    sql::Transaction tx(db);
    // Another process may have migrated while we waited for the write lock.
    int64_t current = 0;
    {
      sql::Stmt v(db, "PRAGMA user_version");
      if (v.step()) current = v.i64(0);
    }
    if (current >= m.to_version) {
      tx.commit();
      continue;
    }
    char* err = nullptr;
    int rc = sqlite3_exec(db, m.sql, nullptr, nullptr, &err);
    if (err) sqlite3_free(err);
    if (rc != SQLITE_OK) sql::fail(db, rc, what);
    // The version is a constant of this build, not user input.
    std::string bump = "PRAGMA user_version = " + std::to_string(m.to_version);
    rc = sqlite3_exec(db, bump.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) sql::fail(db, rc, what);
    tx.commit();
  }
}

}  // namespace falcon::store_schema
