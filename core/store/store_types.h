#pragma once
// Plain value types the conversation store reads and writes. No SQLite here, so the app and
// falcon-run can include them freely.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/chat_types.h"

namespace falcon {

// Role and StopReason live in core/common/chat_types.h (shared with the generator and template).

// A reply is Streaming between begin_assistant_reply() and finish_reply(); Complete otherwise.
enum class MessageState { Complete, Streaming };

struct GenerationStats {
  std::optional<double> ttft_ms;       // time to first token, milliseconds
  std::optional<double> tokens_per_s;  // decode speed after the first token
  StopReason stop_reason = StopReason::None;
  std::string error_text;  // set when stop_reason == Error
  // The message this reply answers, as the reply's prompt held it: its tokens, and how many of
  // its first ones the context window left out (0: the model saw all of it). Unset where not
  // recorded (replies stored before schema version 5, imports that lack them).
  std::optional<int64_t> answered_tokens;
  std::optional<int64_t> answered_cut;
  // The model that wrote the reply, as the app names it ("falcon-7b · int4"; another app's name
  // for an imported one, "gpt-4o"). Empty where not recorded (replies stored before schema
  // version 6, imports that lack it).
  std::string model;
};

struct Conversation {
  int64_t id = 0;
  std::string title;
  int64_t created_ms = 0;  // milliseconds since the Unix epoch (UTC)
  int64_t updated_ms = 0;  // last message activity; the list is sorted by it
  bool pinned = false;
  bool archived = false;
  std::string system_prompt;
  std::string model_path;                 // where the checkpoint was loaded from
  std::string model_fingerprint;          // hash of config + weights header, identifies the model exactly
  std::string weights_format;             // "bf16", "int8", "int4", ...
  std::string sampling_json;              // sampling settings as JSON text; opaque to the store
  int64_t window_size = 512;              // recent-token window behind the pinned system prompt
  std::optional<int64_t> active_leaf_id;  // last message of the active branch; none when empty
};

// What create_conversation() needs; created/updated come from the store's clock.
struct NewConversation {
  std::string title;
  std::string system_prompt;
  std::string model_path;
  std::string model_fingerprint;
  std::string weights_format;
  std::string sampling_json = "{}";
  int64_t window_size = 512;
};

struct Message {
  int64_t id = 0;
  int64_t conversation_id = 0;
  std::optional<int64_t> parent_id;  // none for a first message (a root); edits of it are roots too
  Role role = Role::User;
  std::string text;
  int64_t created_ms = 0;
  int64_t token_count = 0;
  MessageState state = MessageState::Complete;
  GenerationStats stats;
  // Position among the messages with the same parent (for "‹ 2/3 ›"): 0-based index, count.
  int sibling_index = 0;
  int sibling_count = 1;
};

// A slice of the active branch, oldest first. Pass `messages.front().id` as `before_id` of the
// next call to load the older slice; has_more says whether one exists.
struct MessagePage {
  std::vector<Message> messages;
  bool has_more = false;
};

// The kept context of the KV window, enough to resume a chat exactly (DESIGN.md §4). Field for
// field the KvWindowState of core/chat/kv_window.h, plus the model the ids belong to.
struct WindowState {
  std::vector<int32_t> tokens;       // (n_kept,) token ids: pinned prefix then the recent window
  int64_t evicted_count = 0;         // tokens dropped from the front of the recent part so far
  int64_t pinned_count = 0;          // tokens[0, pinned_count) are pinned (system prompt, sinks)
  std::vector<int32_t> turn_starts;  // (n_turns,) ascending indexes into tokens where a turn begins
  int64_t sinks_taken = 0;           // attention-sink tokens already pinned
  std::string model_fingerprint;     // the model the ids belong to; resume only with the same one
};

enum class ArchiveFilter { NotArchived, Archived, All };

struct ListOptions {
  ArchiveFilter filter = ArchiveFilter::NotArchived;
  int offset = 0;
  int limit = 50;
};

struct SearchOptions {
  int limit = 20;
  int offset = 0;
  std::optional<int64_t> conversation_id;  // search one conversation only
  bool include_archived = true;
  bool prefix_last_term = true;  // "hel" finds "hello" while typing
  std::string highlight_open = "[";
  std::string highlight_close = "]";
  std::string ellipsis = "…";
  int snippet_tokens = 16;  // words around the match in the snippet (1..64)
  // Rank (bm25) only the newest `rank_window` matching messages; 0 = rank every match. A rare
  // word is ranked exactly; a word in 100,000 messages stays fast (see docs/bench/store.md).
  int rank_window = 5000;
};

struct SearchHit {
  int64_t message_id = 0;
  int64_t conversation_id = 0;
  std::string conversation_title;
  Role role = Role::User;
  int64_t created_ms = 0;
  std::string snippet;  // matched words wrapped in highlight_open/close
  double score = 0;     // bm25, lower is better (results are sorted by it)
};

struct StoreOptions {
  int busy_timeout_ms = 5000;       // wait this long for another writer before failing with Busy
  bool recover_interrupted = true;  // mark replies left "streaming" by a dead process as interrupted
  // Page quota (0 = none). A full quota behaves like a full disk (tests simulate one with it).
  int64_t max_page_count = 0;
  std::function<int64_t()> clock;  // ms since epoch; empty = system clock (tests inject one)
  // Commits return once they are in the WAL (synchronous=NORMAL), and a thread of the store's
  // own fdatasyncs the WAL right after (core/store/store_sync_behind.h): for a connection on a
  // thread that must not wait for the disk (the UI's). A file database only.
  bool sync_behind = false;
  std::function<void()> before_background_sync;  // tests: runs on that thread before each sync
};

}  // namespace falcon
