// Schema migrations: every released version opens, is backed up first, and migrates with its
// data intact. The old databases in tests/fixtures/store/ were written by this file's
// writeFixtures() (run by tools/make_store_fixtures.sh): it builds a version-k file by running
// only the first k migration steps (the released schema SQL) and inserting sample rows that
// the version-k schema can hold. Committed once, they freeze what each release wrote; the
// test below also checks that nobody edited a released step since.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <cstdlib>
#include <filesystem>

#include "core/store/conversation_store.h"
#include "core/store/schema.h"
#include "test_store_util.h"

using namespace falcon;
using falcon::test::error_code_of;
using falcon::test::RawDb;

namespace {

// Rows every version can hold (v1 columns only), explicit ids so the tests can name them.
// Message 5 was still streaming when "the app died".
constexpr const char* kV1Rows = R"sql(
INSERT INTO conversations (id, title, created_ms, updated_ms, pinned, system_prompt, model_path,
                           model_fingerprint, weights_format, sampling_json, window_size) VALUES
  (1, 'Trip to Lisbon', 1700000000000, 1700000005000, 1, 'You are a travel guide.', '/models/falcon-7b',
   'fp-7b', 'bf16', '{"temperature":0.7}', 512),
  (2, 'Café notes', 1700000100000, 1700000100500, 0, '', '/models/falcon-1b', 'fp-1b', 'int8', '{}', 256);
INSERT INTO messages (id, conversation_id, parent_id, role, text, created_ms, token_count, state, ttft_ms,
                      tokens_per_s, stop_reason, error_text) VALUES
  (1, 1, NULL, 'user', 'What should I see in Lisbon?', 1700000001000, 8, 'complete', NULL, NULL, NULL, NULL),
  (2, 1, 1, 'assistant', 'Visit the Belém tower and ride tram 28.', 1700000002000, 11, 'complete', 35.5, 42.25,
   'eos', NULL),
  (3, 1, 1, 'assistant', 'Alfama is lovely at sunset.', 1700000003000, 7, 'complete', 30.0, 40.0, 'length', NULL),
  (4, 1, 3, 'user', 'And where to eat pastéis?', 1700000004000, 7, 'complete', NULL, NULL, NULL, NULL),
  (5, 1, 4, 'assistant', 'Try the bakery near the monastery', 1700000005000, 6, 'streaming', 28.0, NULL, NULL,
   NULL),
  (6, 2, NULL, 'user', 'Remember: the zebra password is blue.', 1700000100000, 9, 'complete', NULL, NULL, NULL,
   NULL);
UPDATE conversations SET active_leaf_id = 5 WHERE id = 1;
UPDATE conversations SET active_leaf_id = 6 WHERE id = 2;
INSERT INTO window_state (conversation_id, tokens, evicted_count, model_fingerprint, updated_ms)
  VALUES (1, X'0100000002000000FFFFFF7F', 3, 'fp-7b', 1700000005000);
)sql";

// What only v2 can hold: an archived conversation.
constexpr const char* kV2Rows = R"sql(
INSERT INTO conversations (id, title, created_ms, updated_ms, archived) VALUES
  (3, 'Old archived chat', 1600000000000, 1600000000000, 1);
INSERT INTO messages (id, conversation_id, parent_id, role, text, created_ms) VALUES
  (7, 3, NULL, 'user', 'an archived quokka question', 1600000000000);
UPDATE conversations SET active_leaf_id = 7 WHERE id = 3;
)sql";

// What only v3 can hold: a window that pinned a system prompt and attention sinks, with turn marks.
constexpr const char* kV3Rows = R"sql(
INSERT INTO window_state (conversation_id, tokens, evicted_count, model_fingerprint, updated_ms, pinned_count,
                          turn_starts, sinks_taken)
  VALUES (2, X'0A0000000B0000000C0000000D0000000E000000', 7, 'fp-1b', 1700000100500, 2, X'0200000004000000', 1);
)sql";

// What only v4 can hold: unsent drafts, one of them for the new chat that has no row yet.
constexpr const char* kV4Rows = R"sql(
INSERT INTO drafts (conversation_id, text, updated_ms) VALUES
  (0, 'a new chat, half typed', 1700000200000),
  (2, 'and the zebra''s name?', 1700000200500);
)sql";

// What only v5 can hold: a reply that recorded how much of the message it answered.
constexpr const char* kV5Rows = R"sql(
INSERT INTO messages (id, conversation_id, parent_id, role, text, created_ms, token_count, state, stop_reason,
                      answered_tokens, answered_cut) VALUES
  (8, 2, 6, 'assistant', 'Noted: blue.', 1700000300000, 4, 'complete', 'eos', 900, 388);
UPDATE conversations SET active_leaf_id = 8 WHERE id = 2;
)sql";

std::string fixtures_dir() {
  return std::string(FALCON_FIXTURES_DIR) + "/store";
}

// Writes a version-`version` database the way that release did, as one self-contained file.
void make_fixture(const std::string& path, int version) {
  std::filesystem::remove(path);
  RawDb raw(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  raw.exec("PRAGMA foreign_keys = ON");
  store_schema::migrate(raw.get(), 0, version);
  raw.exec(kV1Rows);
  if (version >= 2) raw.exec(kV2Rows);
  if (version >= 3) raw.exec(kV3Rows);
  if (version >= 4) raw.exec(kV4Rows);
  if (version >= 5) raw.exec(kV5Rows);
  raw.exec("PRAGMA journal_mode = DELETE; VACUUM;");
}

std::string schema_of(const std::string& path) {
  RawDb raw(path);
  return raw.scalar(
      "SELECT group_concat(type || ' ' || name || ': ' || coalesce(sql, ''), char(10)) FROM "
      "(SELECT * FROM sqlite_master ORDER BY name)");
}

std::vector<int64_t> path_ids(ConversationStore& s, int64_t c) {
  std::vector<int64_t> out;
  for (auto& m : s.active_path(c)) out.push_back(m.id);
  return out;
}

}  // namespace

class TestStoreMigration : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

  std::string copy_fixture(const char* name) {
    std::string to = (dir_.path() + "/" + name).toStdString();
    std::filesystem::remove(to);
    std::filesystem::copy_file(fixtures_dir() + "/" + name, to);
    std::filesystem::permissions(to,
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return to;
  }

  // Checks the rows of kV1Rows after migration to the latest version.
  void check_v1_rows(ConversationStore& store) {
    QCOMPARE(store.schema_version(), ConversationStore::kSchemaVersion);
    Conversation c = store.conversation(1);
    QCOMPARE(c.title, std::string("Trip to Lisbon"));
    QVERIFY(c.pinned);
    QVERIFY(!c.archived);  // v2 default for rows that predate the flag
    QCOMPARE(c.sampling_json, std::string(R"({"temperature":0.7})"));
    QCOMPARE(c.weights_format, std::string("bf16"));
    QCOMPARE(path_ids(store, 1), (std::vector<int64_t>{1, 3, 4, 5}));
    Message alt = store.message(3);
    QCOMPARE(alt.sibling_index, 1);
    QCOMPARE(alt.sibling_count, 2);
    QCOMPARE(*store.message(2).stats.tokens_per_s, 42.25);
    QCOMPARE(store.message(3).stats.stop_reason, StopReason::Length);
    // The reply that was streaming when the old version died.
    Message cut = store.message(5);
    QCOMPARE(cut.state, MessageState::Complete);
    QCOMPARE(cut.stats.stop_reason, StopReason::Interrupted);
    QCOMPARE(cut.text, std::string("Try the bakery near the monastery"));
    auto w = store.window_state(1);
    QVERIFY(w);
    QCOMPARE(w->tokens, (std::vector<int32_t>{1, 2, 2147483647}));
    QCOMPARE(w->evicted_count, int64_t(3));
    QCOMPARE(w->pinned_count, int64_t(0));  // v3 defaults: v1/v2 windows pinned nothing,
    QVERIFY(w->turn_starts.empty());        // marked no turns
    QCOMPARE(w->sinks_taken, int64_t(0));
    // Full-text search covers the messages that existed before the index did.
    auto hits = store.search("belem");
    QCOMPARE(hits.size(), size_t(1));
    QCOMPARE(hits[0].message_id, int64_t(2));
    QCOMPARE(store.search("zebra password").size(), size_t(1));
    QCOMPARE(store.integrity_check(), std::string("ok"));
    // v5: replies from before recorded nothing about the message they answer.
    QVERIFY(!store.message(2).stats.answered_tokens.has_value());
    QVERIFY(!store.message(2).stats.answered_cut.has_value());
    // v4: drafts, none before.
    QCOMPARE(store.draft(1), std::string());
    QVERIFY(store.set_draft(1, "a draft after the migration"));
    QCOMPARE(store.draft(1), std::string("a draft after the migration"));
    // And the migrated file keeps working.
    int64_t next = store.append_message(1, 5, Role::User, "Thanks, obrigado!");
    QVERIFY(next >= 7);  // after every id the old file used
    QCOMPARE(store.search("obrigado").size(), size_t(1));
    store.delete_message(1);
    QCOMPARE(store.search("belem").size(), size_t(0));
    QCOMPARE(store.integrity_check(), std::string("ok"));
  }

 private slots:
  // Not a test: regenerates the committed fixtures when FALCON_MAKE_STORE_FIXTURES names a
  // folder (tools/make_store_fixtures.sh).
  void writeFixtures() {
    const char* out = std::getenv("FALCON_MAKE_STORE_FIXTURES");
    if (!out) QSKIP("set FALCON_MAKE_STORE_FIXTURES=DIR to write the fixtures");
    for (int v = 1; v < ConversationStore::kSchemaVersion; ++v) {
      make_fixture(std::string(out) + "/v" + std::to_string(v) + ".sqlite", v);
    }
  }

  void releasedStepsAreUnchanged() {
    // A fixture rebuilt from today's steps must have the schema the committed one has:
    // editing a released step instead of adding a new one fails here.
    for (int v = 1; v < ConversationStore::kSchemaVersion; ++v) {
      std::string name = "v" + std::to_string(v) + ".sqlite";
      std::string fresh = (dir_.path() + "/fresh-" + QString::fromStdString(name)).toStdString();
      make_fixture(fresh, v);
      QCOMPARE(schema_of(fresh), schema_of(fixtures_dir() + "/" + name));
      RawDb raw(fixtures_dir() + "/" + name);
      QCOMPARE(raw.integer("PRAGMA user_version"), int64_t(v));
      QCOMPARE(raw.integer("PRAGMA application_id"), int64_t(store_schema::kApplicationId));
    }
  }

  void fromV1() {
    std::string path = copy_fixture("v1.sqlite");
    {
      ConversationStore store(path);
      QCOMPARE(store.last_backup_path(), path + ".v1.bak");
      QCOMPARE(store.interrupted_on_open(), int64_t(1));
      check_v1_rows(store);
    }
    RawDb backup(path + ".v1.bak");
    QCOMPARE(backup.integer("PRAGMA user_version"), int64_t(1));
    QCOMPARE(backup.integer("SELECT count(*) FROM messages"), int64_t(6));
    QCOMPARE(backup.scalar("SELECT state FROM messages WHERE id = 5"), std::string("streaming"));
    // A second open finds nothing to migrate and makes no backup.
    ConversationStore again(path);
    QCOMPARE(again.last_backup_path(), std::string());
  }

  void fromV2() {
    std::string path = copy_fixture("v2.sqlite");
    ConversationStore store(path);
    QCOMPARE(store.last_backup_path(), path + ".v2.bak");
    QCOMPARE(store.conversation(3).archived, true);
    QCOMPARE(store.list_conversations({ArchiveFilter::Archived}).size(), size_t(1));
    QCOMPARE(store.search("quokka").size(), size_t(1));
    check_v1_rows(store);
    RawDb backup(path + ".v2.bak");
    QCOMPARE(backup.integer("PRAGMA user_version"), int64_t(2));
  }

  void fromV3() {
    std::string path = copy_fixture("v3.sqlite");
    ConversationStore store(path);
    QCOMPARE(store.last_backup_path(), path + ".v3.bak");
    auto w = store.window_state(2);
    QVERIFY(w);
    QCOMPARE(w->tokens, (std::vector<int32_t>{10, 11, 12, 13, 14}));
    QCOMPARE(w->evicted_count, int64_t(7));
    QCOMPARE(w->pinned_count, int64_t(2));
    QCOMPARE(w->turn_starts, (std::vector<int32_t>{2, 4}));
    QCOMPARE(w->sinks_taken, int64_t(1));
    QCOMPARE(store.conversation(3).archived, true);
    check_v1_rows(store);
    RawDb backup(path + ".v3.bak");
    QCOMPARE(backup.integer("PRAGMA user_version"), int64_t(3));
  }

  void fromV4() {
    std::string path = copy_fixture("v4.sqlite");
    ConversationStore store(path);
    QCOMPARE(store.last_backup_path(), path + ".v4.bak");
    QCOMPARE(store.draft(0), std::string("a new chat, half typed"));
    QCOMPARE(store.draft(2), std::string("and the zebra's name?"));
    QCOMPARE(store.conversation(3).archived, true);
    QCOMPARE(store.window_state(2)->pinned_count, int64_t(2));
    check_v1_rows(store);
    // A reply finished after the migration records the message it answered.
    const int64_t reply = store.begin_assistant_reply(2, 6);
    GenerationStats st;
    st.stop_reason = StopReason::Eos;
    st.answered_tokens = 900;
    st.answered_cut = 388;
    store.finish_reply(reply, "Blue.", 2, st);
    QCOMPARE(store.message(reply).stats.answered_tokens, std::optional<int64_t>(900));
    QCOMPARE(store.message(reply).stats.answered_cut, std::optional<int64_t>(388));
    RawDb backup(path + ".v4.bak");
    QCOMPARE(backup.integer("PRAGMA user_version"), int64_t(4));
  }

  void fromV5() {
    std::string path = copy_fixture("v5.sqlite");
    ConversationStore store(path);
    QCOMPARE(store.last_backup_path(), path + ".v5.bak");
    QCOMPARE(store.message(8).stats.answered_tokens, std::optional<int64_t>(900));
    QCOMPARE(store.message(8).stats.answered_cut, std::optional<int64_t>(388));
    // v6: replies from before name no model; one finished after the migration does.
    QCOMPARE(store.message(8).stats.model, std::string());
    const int64_t reply = store.begin_assistant_reply(2, 6);
    GenerationStats st;
    st.stop_reason = StopReason::Eos;
    st.model = "falcon-7b \xC2\xB7 int4";
    store.finish_reply(reply, "Blue again.", 3, st);
    QCOMPARE(store.message(reply).stats.model, std::string("falcon-7b \xC2\xB7 int4"));
    QCOMPARE(store.message(8).stats.model, std::string());
    QCOMPARE(store.message(reply).sibling_count, 2);  // beside the v5 reply
    QCOMPARE(store.integrity_check(), std::string("ok"));
    RawDb backup(path + ".v5.bak");
    QCOMPARE(backup.integer("PRAGMA user_version"), int64_t(5));
  }

  void backupNeverOverwritesAnOldBackup() {
    std::string path = copy_fixture("v1.sqlite");
    QFile::remove(QString::fromStdString(path + ".v1.bak"));
    {
      QFile f(QString::fromStdString(path + ".v1.bak"));
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("an older backup");
    }
    ConversationStore store(path);
    QVERIFY(store.last_backup_path() != path + ".v1.bak");
    QVERIFY(std::filesystem::exists(store.last_backup_path()));
    QFile old(QString::fromStdString(path + ".v1.bak"));
    QVERIFY(old.open(QIODevice::ReadOnly));
    QCOMPARE(old.readAll(), QByteArray("an older backup"));
  }

  void failedMigrationLeavesTheOldVersion() {
    // The v2 step (building the full-text index) needs pages a full disk cannot give.
    std::string path = copy_fixture("v1.sqlite");
    int64_t pages = RawDb(path).integer("PRAGMA page_count");
    StoreOptions o;
    o.max_page_count = pages;
    QCOMPARE(error_code_of([&] { ConversationStore s(path, o); }), StoreErrorCode::DiskFull);
    QCOMPARE(RawDb(path).integer("PRAGMA user_version"), int64_t(1));
    QCOMPARE(RawDb(path).scalar("PRAGMA integrity_check"), std::string("ok"));
    ConversationStore store(path);  // room again: the migration completes
    check_v1_rows(store);
  }
};

QTEST_APPLESS_MAIN(TestStoreMigration)
#include "test_store_migration.moc"
