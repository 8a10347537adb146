#pragma once
// ConversationStore: every conversation, its message tree, generation stats and the KV window
// state, in one SQLite file (schema and migrations: core/store/schema.cpp).
//
// Durability: WAL journal, synchronous=FULL (every commit fsyncs the WAL, so a call that
// returned has survived even a power cut; NORMAL would only survive an application crash),
// foreign keys on, every multi-row change in one transaction. With StoreOptions::sync_behind
// (the UI thread's store) a call returns once the change is in the WAL (it survives a crash)
// and a thread of the store's own fdatasyncs the WAL right after (then a power cut too).
//
// Thread safety: a ConversationStore owns one SQLite connection and is NOT thread-safe. Use
// one instance per thread (e.g. the inference worker writes through its own instance and the
// UI thread reads through another); WAL lets one writer and many readers, in this process or
// others, work at once. An instance may move between threads if the caller synchronizes.
//
// Errors: every failure throws StoreError (a falcon::Error of kind ErrorKind::Store) whose
// code() says what happened: Corrupt (offer recover_by_moving_aside()), NewerVersion,
// ForeignFile, ReadOnly, DiskFull, Busy, Io, NotFound, InvalidArgument, InvalidImport.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/store/store_error.h"
#include "core/store/store_types.h"

namespace falcon {

class ConversationStore {
 public:
  static constexpr int kSchemaVersion = 6;  // PRAGMA user_version this build writes

  // Opens or creates the database at `path` (":memory:" for a private in-memory one). A new
  // file is created with mode 0600. An older schema is first backed up next to the file
  // (see last_backup_path()) and then migrated step by step. Replies a dead process left
  // "streaming" are marked interrupted (only when no other process has the store open).
  explicit ConversationStore(const std::string& path, StoreOptions options = {});
  ~ConversationStore();
  ConversationStore(const ConversationStore&) = delete;
  ConversationStore& operator=(const ConversationStore&) = delete;

  const std::string& path() const;
  int schema_version() const;                   // as read from the file (after migration)
  int64_t interrupted_on_open() const;          // replies marked interrupted by this open
  const std::string& last_backup_path() const;  // backup made before a migration, or ""
  std::string integrity_check();                // "ok" when healthy (PRAGMA integrity_check + FTS)
  // Waits until every change made so far survives a power cut (StoreOptions::sync_behind; at
  // once otherwise). Returns "" or what went wrong with a background sync (it stays reported).
  std::string wait_until_durable();
  std::string durability_error() const;  // the same, without waiting: "" or the failed sync

  // Runs `fn` in one transaction: all store calls inside commit together or not at all.
  void in_transaction(const std::function<void()>& fn);

  // ---- conversations -----------------------------------------------------------------
  int64_t create_conversation(const NewConversation& c);
  Conversation conversation(int64_t id);  // NotFound if absent
  // Pinned first, then most recently updated.
  std::vector<Conversation> list_conversations(const ListOptions& o = {});
  int64_t count_conversations(ArchiveFilter f = ArchiveFilter::NotArchived);
  void set_title(int64_t id, std::string_view title);
  void set_pinned(int64_t id, bool pinned);
  void set_archived(int64_t id, bool archived);
  void set_system_prompt(int64_t id, std::string_view prompt);
  void set_model(int64_t id, std::string_view path, std::string_view fingerprint,
                 std::string_view weights_format);
  void set_sampling(int64_t id, std::string_view sampling_json);
  void set_window_size(int64_t id, int64_t window_size);
  void delete_conversation(int64_t id);  // with all its messages, window state and draft

  // ---- drafts: what was typed in a chat's message field and not sent ---------------------
  // `conversation_id` 0 is the new chat that is not created yet. Empty text removes the draft.
  // Returns false, storing nothing, when the conversation does not exist (any more): a draft
  // written late for a chat just deleted is not an error.
  bool set_draft(int64_t conversation_id, std::string_view text);
  std::string draft(int64_t conversation_id);  // "" when there is none
  // Every draft as (conversation id, text), for the conversation list's "Draft" marks.
  std::vector<std::pair<int64_t, std::string>> drafts();

  // ---- message tree ------------------------------------------------------------------
  // Adds a message under `parent_id` (none = a root) and makes it the active leaf. An edit or
  // a regenerate is a new message with the same parent as the one it replaces: a sibling.
  int64_t append_message(int64_t conversation_id, std::optional<int64_t> parent_id, Role role,
                         std::string_view text, int64_t token_count = 0);
  Message message(int64_t id);  // NotFound if absent
  // The whole active branch, root first.
  std::vector<Message> active_path(int64_t conversation_id);
  // Up to `limit` messages of the active branch that come before `before_id` (or end at the
  // active leaf when before_id is none), oldest first. The first screen is one cheap call.
  MessagePage load_page(int64_t conversation_id, std::optional<int64_t> before_id = std::nullopt,
                        int limit = 50);
  // The messages sharing `message_id`'s parent (itself included), oldest first.
  std::vector<Message> siblings(int64_t message_id);
  // Makes the branch through `message_id` active, following its newest descendants down to
  // a leaf; returns that leaf. This is what "‹ 2/3 ›" calls with the chosen sibling.
  int64_t switch_branch(int64_t message_id);
  void set_active_leaf(int64_t conversation_id, int64_t message_id);
  // Deletes the message and its whole subtree. If the active branch went through it, the
  // parent's newest remaining branch (or the newest root) becomes active.
  void delete_message(int64_t message_id);

  // ---- streaming replies ---------------------------------------------------------------
  // Creates an assistant message in state Streaming under `parent_id` and makes it active.
  int64_t begin_assistant_reply(int64_t conversation_id, std::optional<int64_t> parent_id);
  // Makes a finished assistant reply streaming again, to continue it ("Continue"): its text
  // stays; update_partial/finish_reply then extend it. A crash meanwhile marks it interrupted.
  void reopen_reply(int64_t message_id);
  // Overwrites the partial text; call it through PartialWriter (≤ 1/s or per 32 tokens).
  void update_partial(int64_t message_id, std::string_view text, int64_t token_count);
  // Final text and stats; the message becomes Complete.
  void finish_reply(int64_t message_id, std::string_view text, int64_t token_count,
                    const GenerationStats& stats);

  // ---- window state --------------------------------------------------------------------
  void save_window_state(int64_t conversation_id, const WindowState& w);
  std::optional<WindowState> window_state(int64_t conversation_id);

  // ---- search (FTS5, bm25-ranked) --------------------------------------------------------
  // Any typed text is a valid query: words are matched as quoted phrases, all must occur.
  std::vector<SearchHit> search(std::string_view query, const SearchOptions& o = {});

  // ---- export / import (store_export.cpp) -------------------------------------------------
  // JSON of one conversation (id given) or all; import_json(export_json()) recreates them
  // exactly, with new ids. The format is documented in store_export.cpp.
  std::string export_json(std::optional<int64_t> conversation_id = std::nullopt);
  // Markdown of the active branch of one conversation or all of them.
  std::string export_markdown(std::optional<int64_t> conversation_id = std::nullopt);
  // Validates everything first; bad input throws InvalidImport and imports nothing. Returns
  // the new conversation ids in file order. `progress` (optional) is called with (conversations
  // written, conversations in the file): once with 0 after the file was validated, then after each
  // conversation; returning false rolls everything back and throws Cancelled.
  using ImportProgress = std::function<bool(size_t done, size_t total)>;
  std::vector<int64_t> import_json(std::string_view json, const ImportProgress& progress = {});

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Renames a database that could not be opened (and its -wal/-shm files) to
// "<path>.corrupt-YYYYMMDD-HHMMSS[-N]", never overwriting anything, and returns the new path
// of the main file. Afterwards ConversationStore(path) creates a fresh database.
std::string recover_by_moving_aside(const std::string& path);

// The FTS5 MATCH expression search() uses for text a user typed: each word a quoted phrase,
// all required, the last one a prefix when `prefix_last_term`. "" when there are no words.
std::string fts_query_from_user_text(std::string_view text, bool prefix_last_term);

// Decides when a streaming reply is written: on the first append after >= 1 s or >= 32 tokens
// since the last write, so a crash loses at most that much. Not thread-safe (one per reply).
class PartialWriter {
 public:
  static constexpr int64_t kFlushIntervalMs = 1000;
  static constexpr int64_t kFlushTokens = 32;

  // `clock` returns milliseconds (any epoch); empty = steady clock.
  PartialWriter(ConversationStore& store, int64_t message_id, std::function<int64_t()> clock = {});
  // Adds generated text (`new_tokens` tokens) and writes through when due. True if it wrote.
  bool append(std::string_view piece, int64_t new_tokens);
  // Writes now if anything is pending (e.g. from a UI timer during a slow token).
  bool flush();
  // Writes the final text and stats; the writer is done afterwards.
  void finish(const GenerationStats& stats);

  const std::string& text() const { return text_; }
  int64_t token_count() const { return tokens_; }
  int64_t writes() const { return writes_; }
  int64_t message_id() const { return id_; }

 private:
  ConversationStore& store_;
  int64_t id_;
  std::function<int64_t()> clock_;
  std::string text_;
  int64_t tokens_ = 0;
  int64_t written_tokens_ = 0;
  size_t written_bytes_ = 0;
  int64_t last_write_ms_ = 0;
  int64_t writes_ = 0;
  bool finished_ = false;
};

}  // namespace falcon
