// ConversationStore: the message tree (append, active branch, paging, siblings, branch
// switching, subtree deletion), streaming replies and the window state.
#include <cmath>

#include "core/store/conversation_store.h"
#include "core/store/store_impl.h"

namespace falcon {

// Sibling position comes from the (conversation_id, parent_id) index: `IS` also matches the
// NULL parent of roots, and the implicit rowid at the end of the index makes `s.id < m.id` a
// range scan. A page of 50 rows costs 100 index probes.
const char* const kMessageColumns =
    "m.id, m.conversation_id, m.parent_id, m.role, m.text, m.created_ms, m.token_count, m.state, m.ttft_ms, "
    "m.tokens_per_s, m.stop_reason, m.error_text, "
    "(SELECT count(*) FROM messages s WHERE s.conversation_id = m.conversation_id AND s.parent_id IS "
    "m.parent_id "
    "AND s.id < m.id), "
    "(SELECT count(*) FROM messages s WHERE s.conversation_id = m.conversation_id AND s.parent_id IS "
    "m.parent_id), "
    "m.answered_tokens, m.answered_cut, m.model";

Message read_message(const sql::Stmt& s) {
  Message m;
  m.id = s.i64(0);
  m.conversation_id = s.i64(1);
  m.parent_id = s.opt_i64(2);
  auto role = role_from_string(s.text(3));
  auto stop = stop_reason_from_string(s.is_null(10) ? "" : s.text(10));
  if (!role || !stop) {
    throw StoreError(StoreErrorCode::Corrupt, "conversation store: message " + std::to_string(m.id) +
                                                  " has an unknown role or stop reason");
  }
  m.role = *role;
  m.text = s.text(4);
  m.created_ms = s.i64(5);
  m.token_count = s.i64(6);
  m.state = s.text(7) == "streaming" ? MessageState::Streaming : MessageState::Complete;
  if (!s.is_null(8)) m.stats.ttft_ms = s.f64(8);
  if (!s.is_null(9)) m.stats.tokens_per_s = s.f64(9);
  m.stats.stop_reason = *stop;
  m.stats.error_text = s.text(11);
  m.sibling_index = static_cast<int>(s.i64(12));
  m.sibling_count = static_cast<int>(s.i64(13));
  m.stats.answered_tokens = s.opt_i64(14);
  m.stats.answered_cut = s.opt_i64(15);
  m.stats.model = s.is_null(16) ? std::string() : s.text(16);
  return m;
}

std::string encode_tokens(const std::vector<int32_t>& tokens) {
  std::string out(tokens.size() * 4, '\0');
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto u = static_cast<uint32_t>(tokens[i]);
    for (int b = 0; b < 4; ++b) out[i * 4 + b] = static_cast<char>((u >> (8 * b)) & 0xff);
  }
  return out;
}

std::vector<int32_t> decode_tokens(const std::vector<uint8_t>& blob) {
  std::vector<int32_t> out(blob.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t u = 0;
    for (int b = 0; b < 4; ++b) u |= static_cast<uint32_t>(blob[i * 4 + b]) << (8 * b);
    out[i] = static_cast<int32_t>(u);
  }
  return out;
}

namespace {

[[noreturn]] void not_found(int64_t id) {
  throw StoreError(StoreErrorCode::NotFound,
                   "conversation store: message " + std::to_string(id) + " does not exist");
}

struct Placement {
  int64_t conversation_id;
  std::optional<int64_t> parent_id;
};

Placement placement(ConversationStore::Impl& impl, int64_t message_id) {
  auto s = impl.q("SELECT conversation_id, parent_id FROM messages WHERE id = ?1");
  s.bind(1, message_id);
  if (!s.step()) not_found(message_id);
  return {s.i64(0), s.opt_i64(1)};
}

void check_count(int64_t n, const char* what) {
  if (n < 0) {
    throw StoreError(StoreErrorCode::InvalidArgument, std::string("conversation store: negative ") + what);
  }
}

void check_stat(const std::optional<double>& v, const char* what) {
  if (v && (!std::isfinite(*v) || *v < 0)) {
    throw StoreError(StoreErrorCode::InvalidArgument,
                     std::string("conversation store: ") + what + " must be a finite number >= 0");
  }
}

// Both or neither; the cut is a part of the message (the schema checks it too).
void check_answered(const GenerationStats& st) {
  const bool ok = st.answered_tokens.has_value() == st.answered_cut.has_value() &&
                  (!st.answered_tokens || (*st.answered_tokens >= 0 && *st.answered_cut >= 0 &&
                                           *st.answered_cut <= *st.answered_tokens));
  if (!ok) {
    throw StoreError(StoreErrorCode::InvalidArgument,
                     "conversation store: the answered message's cut must be given with its token count, "
                     "between 0 and it");
  }
}

// Inserts a message (the caller holds a transaction) and makes it the active leaf.
int64_t insert_message(ConversationStore::Impl& impl, int64_t conversation_id,
                       std::optional<int64_t> parent_id, Role role, std::string_view text,
                       int64_t token_count, bool streaming) {
  check_count(token_count, "token count");
  impl.require_conversation(conversation_id);
  if (parent_id) {
    Placement p = placement(impl, *parent_id);
    if (p.conversation_id != conversation_id) {
      throw StoreError(StoreErrorCode::InvalidArgument, "conversation store: parent message " +
                                                            std::to_string(*parent_id) +
                                                            " belongs to another conversation");
    }
  }
  int64_t now = impl.now_ms();
  {
    auto s = impl.q(
        "INSERT INTO messages (conversation_id, parent_id, role, text, created_ms, token_count, state) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.bind(1, conversation_id).bind_opt(2, parent_id).bind(3, to_string(role)).bind(4, text).bind(5, now);
    s.bind(6, token_count).bind(7, streaming ? "streaming" : "complete").run();
  }
  int64_t id = sqlite3_last_insert_rowid(impl.raw());
  auto u = impl.q("UPDATE conversations SET active_leaf_id = ?2, updated_ms = ?3 WHERE id = ?1");
  u.bind(1, conversation_id).bind(2, id).bind(3, now).run();
  return id;
}

// The branch ending at `leaf`, root first, at most limit + 1 rows (the extra one tells the
// caller that older messages exist). `m.parent_id < up.id` holds for every message the store
// writes (a parent exists before its child) and guarantees termination on a damaged file.
std::vector<Message> walk_up(ConversationStore::Impl& impl, int64_t leaf, int64_t limit) {
  auto s = impl.q(std::string("WITH RECURSIVE up(id, depth) AS (SELECT ?1, 0 UNION ALL "
                              "SELECT m.parent_id, up.depth + 1 FROM up JOIN messages m ON m.id = up.id "
                              "WHERE m.parent_id IS NOT NULL AND m.parent_id < up.id AND up.depth < ?2) "
                              "SELECT ") +
                  kMessageColumns + " FROM up JOIN messages m ON m.id = up.id ORDER BY up.depth DESC");
  s.bind(1, leaf).bind(2, limit);
  std::vector<Message> out;
  while (s.step()) out.push_back(read_message(s));
  return out;
}

}  // namespace

int64_t ConversationStore::Impl::descend_to_leaf(int64_t id) {
  auto s = q("SELECT id FROM messages WHERE parent_id = ?1 AND id > ?1 ORDER BY id DESC LIMIT 1");
  for (;;) {
    s.bind(1, id);
    if (!s.step()) return id;
    id = s.i64(0);
    s.reset();
  }
}

int64_t ConversationStore::append_message(int64_t conversation_id, std::optional<int64_t> parent_id,
                                          Role role, std::string_view text, int64_t token_count) {
  sql::Transaction tx(impl_->raw());
  int64_t id = insert_message(*impl_, conversation_id, parent_id, role, text, token_count, false);
  tx.commit();
  return id;
}

Message ConversationStore::message(int64_t id) {
  auto s = impl_->q(std::string("SELECT ") + kMessageColumns + " FROM messages m WHERE m.id = ?1");
  s.bind(1, id);
  if (!s.step()) not_found(id);
  return read_message(s);
}

std::vector<Message> ConversationStore::active_path(int64_t conversation_id) {
  auto leaf = conversation(conversation_id).active_leaf_id;
  if (!leaf) return {};
  return walk_up(*impl_, *leaf, INT64_MAX);
}

MessagePage ConversationStore::load_page(int64_t conversation_id, std::optional<int64_t> before_id,
                                         int limit) {
  limit = std::clamp(limit, 1, 100000);
  std::optional<int64_t> start;
  if (before_id) {
    Placement p = placement(*impl_, *before_id);
    if (p.conversation_id != conversation_id) {
      throw StoreError(
          StoreErrorCode::InvalidArgument,
          "conversation store: message " + std::to_string(*before_id) + " belongs to another conversation");
    }
    start = p.parent_id;
  } else {
    start = conversation(conversation_id).active_leaf_id;
  }
  MessagePage page;
  if (!start) return page;
  page.messages = walk_up(*impl_, *start, limit);
  if (static_cast<int>(page.messages.size()) > limit) {
    page.has_more = true;
    page.messages.erase(page.messages.begin());
  }
  return page;
}

std::vector<Message> ConversationStore::siblings(int64_t message_id) {
  Placement p = placement(*impl_, message_id);
  auto s = impl_->q(std::string("SELECT ") + kMessageColumns +
                    " FROM messages m WHERE m.conversation_id = ?1 AND m.parent_id IS ?2 ORDER BY m.id");
  s.bind(1, p.conversation_id).bind_opt(2, p.parent_id);
  std::vector<Message> out;
  while (s.step()) out.push_back(read_message(s));
  return out;
}

int64_t ConversationStore::switch_branch(int64_t message_id) {
  sql::Transaction tx(impl_->raw());
  Placement p = placement(*impl_, message_id);
  int64_t leaf = impl_->descend_to_leaf(message_id);
  auto u = impl_->q("UPDATE conversations SET active_leaf_id = ?2 WHERE id = ?1");
  u.bind(1, p.conversation_id).bind(2, leaf).run();
  tx.commit();
  return leaf;
}

void ConversationStore::set_active_leaf(int64_t conversation_id, int64_t message_id) {
  sql::Transaction tx(impl_->raw());
  if (placement(*impl_, message_id).conversation_id != conversation_id) {
    throw StoreError(
        StoreErrorCode::InvalidArgument,
        "conversation store: message " + std::to_string(message_id) + " belongs to another conversation");
  }
  auto u = impl_->q("UPDATE conversations SET active_leaf_id = ?2 WHERE id = ?1");
  u.bind(1, conversation_id).bind(2, message_id).run();
  tx.commit();
}

void ConversationStore::delete_message(int64_t message_id) {
  sql::Transaction tx(impl_->raw());
  Placement p = placement(*impl_, message_id);
  std::optional<int64_t> leaf = conversation(p.conversation_id).active_leaf_id;
  bool on_active = false;
  if (leaf) {
    auto s = impl_->q(
        "WITH RECURSIVE up(id) AS (SELECT ?1 UNION ALL SELECT m.parent_id FROM up JOIN messages m ON m.id = "
        "up.id "
        "WHERE m.parent_id IS NOT NULL AND m.parent_id < up.id) SELECT 1 FROM up WHERE id = ?2 LIMIT 1");
    s.bind(1, *leaf).bind(2, message_id);
    on_active = s.step();
  }
  {
    // One statement deletes the whole subtree, so the parent_id key is checked once at its end.
    auto d = impl_->q(
        "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL SELECT m.id FROM messages m JOIN sub ON m.parent_id "
        "= sub.id "
        "WHERE m.id > sub.id) DELETE FROM messages WHERE id IN sub");
    d.bind(1, message_id).run();
  }
  if (on_active || !leaf) {
    std::optional<int64_t> next;
    if (p.parent_id) {
      next = impl_->descend_to_leaf(*p.parent_id);
    } else {
      auto r = impl_->q(
          "SELECT id FROM messages WHERE conversation_id = ?1 AND parent_id IS NULL ORDER BY id DESC LIMIT "
          "1");
      r.bind(1, p.conversation_id);
      if (r.step()) next = impl_->descend_to_leaf(r.i64(0));
    }
    auto u = impl_->q("UPDATE conversations SET active_leaf_id = ?2 WHERE id = ?1");
    u.bind(1, p.conversation_id).bind_opt(2, next).run();
  }
  impl_->touch(p.conversation_id);
  tx.commit();
}

// ---- streaming ------------------------------------------------------------------------------

int64_t ConversationStore::begin_assistant_reply(int64_t conversation_id, std::optional<int64_t> parent_id) {
  sql::Transaction tx(impl_->raw());
  int64_t id = insert_message(*impl_, conversation_id, parent_id, Role::Assistant, "", 0, true);
  tx.commit();
  return id;
}

void ConversationStore::reopen_reply(int64_t message_id) {
  sql::Transaction tx(impl_->raw());
  {
    auto s = impl_->q(
        "UPDATE messages SET state = 'streaming', stop_reason = NULL, error_text = NULL "
        "WHERE id = ?1 AND role = 'assistant' AND state = 'complete'");
    s.bind(1, message_id).run();
  }
  if (sqlite3_changes64(impl_->raw()) == 0) {
    placement(*impl_, message_id);  // NotFound if it does not exist at all
    throw StoreError(
        StoreErrorCode::InvalidArgument,
        "conversation store: message " + std::to_string(message_id) + " is not a finished reply");
  }
  impl_->touch(placement(*impl_, message_id).conversation_id);
  tx.commit();
}

namespace {
[[noreturn]] void not_streaming(ConversationStore::Impl& impl, int64_t id) {
  placement(impl, id);  // NotFound if it does not exist at all
  throw StoreError(StoreErrorCode::InvalidArgument,
                   "conversation store: message " + std::to_string(id) +
                       " is not a streaming reply (finished or interrupted)");
}
}  // namespace

void ConversationStore::update_partial(int64_t message_id, std::string_view text, int64_t token_count) {
  check_count(token_count, "token count");
  // One statement: the text, the count and the FTS index change atomically.
  auto s = impl_->q("UPDATE messages SET text = ?2, token_count = ?3 WHERE id = ?1 AND state = 'streaming'");
  s.bind(1, message_id).bind(2, text).bind(3, token_count).run();
  if (sqlite3_changes64(impl_->raw()) == 0) not_streaming(*impl_, message_id);
}

void ConversationStore::finish_reply(int64_t message_id, std::string_view text, int64_t token_count,
                                     const GenerationStats& stats) {
  check_count(token_count, "token count");
  check_stat(stats.ttft_ms, "time to first token");
  check_stat(stats.tokens_per_s, "tokens per second");
  check_answered(stats);
  sql::Transaction tx(impl_->raw());
  {
    auto s = impl_->q(
        "UPDATE messages SET text = ?2, token_count = ?3, state = 'complete', ttft_ms = ?4, tokens_per_s = "
        "?5, "
        "stop_reason = ?6, error_text = ?7, answered_tokens = ?8, answered_cut = ?9, model = ?10 "
        "WHERE id = ?1 AND state = 'streaming'");
    s.bind(1, message_id).bind(2, text).bind(3, token_count);
    stats.ttft_ms ? s.bind(4, *stats.ttft_ms) : s.bind_null(4);
    stats.tokens_per_s ? s.bind(5, *stats.tokens_per_s) : s.bind_null(5);
    stats.stop_reason == StopReason::None ? s.bind_null(6) : s.bind(6, to_string(stats.stop_reason));
    stats.error_text.empty() ? s.bind_null(7) : s.bind(7, stats.error_text);
    stats.answered_tokens ? s.bind(8, *stats.answered_tokens) : s.bind_null(8);
    stats.answered_cut ? s.bind(9, *stats.answered_cut) : s.bind_null(9);
    stats.model.empty() ? s.bind_null(10) : s.bind(10, stats.model);
    s.run();
  }
  if (sqlite3_changes64(impl_->raw()) == 0) not_streaming(*impl_, message_id);
  impl_->touch(placement(*impl_, message_id).conversation_id);
  tx.commit();
}

// ---- window state ---------------------------------------------------------------------------

void ConversationStore::save_window_state(int64_t conversation_id, const WindowState& w) {
  check_count(w.evicted_count, "evicted count");
  check_count(w.pinned_count, "pinned count");
  check_count(w.sinks_taken, "sink count");
  if (w.pinned_count > static_cast<int64_t>(w.tokens.size())) {
    throw StoreError(StoreErrorCode::InvalidArgument,
                     "conversation store: window state pins more tokens than it keeps");
  }
  for (size_t i = 0; i < w.turn_starts.size(); ++i) {
    if (w.turn_starts[i] < 0 || w.turn_starts[i] > static_cast<int64_t>(w.tokens.size()) ||
        (i > 0 && w.turn_starts[i] <= w.turn_starts[i - 1])) {
      throw StoreError(StoreErrorCode::InvalidArgument,
                       "conversation store: window turn starts must ascend within the kept tokens");
    }
  }
  sql::Transaction tx(impl_->raw());
  impl_->require_conversation(conversation_id);
  std::string blob = encode_tokens(w.tokens);
  std::string turns = encode_tokens(w.turn_starts);
  auto s = impl_->q(
      "INSERT INTO window_state (conversation_id, tokens, evicted_count, pinned_count, model_fingerprint, "
      "updated_ms, turn_starts, sinks_taken) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT(conversation_id) DO UPDATE SET tokens = excluded.tokens, evicted_count = "
      "excluded.evicted_count, "
      "pinned_count = excluded.pinned_count, model_fingerprint = excluded.model_fingerprint, "
      "updated_ms = excluded.updated_ms, turn_starts = excluded.turn_starts, sinks_taken = "
      "excluded.sinks_taken");
  s.bind(1, conversation_id).bind_blob(2, blob.data(), blob.size()).bind(3, w.evicted_count);
  s.bind(4, w.pinned_count).bind(5, w.model_fingerprint).bind(6, impl_->now_ms());
  s.bind_blob(7, turns.data(), turns.size()).bind(8, w.sinks_taken).run();
  tx.commit();
}

std::optional<WindowState> ConversationStore::window_state(int64_t conversation_id) {
  auto s = impl_->q(
      "SELECT tokens, evicted_count, pinned_count, model_fingerprint, turn_starts, sinks_taken FROM "
      "window_state "
      "WHERE conversation_id = ?1");
  s.bind(1, conversation_id);
  if (!s.step()) return std::nullopt;
  std::vector<uint8_t> blob = s.blob(0);
  std::vector<uint8_t> turns = s.blob(4);
  if (blob.size() % 4 != 0 || turns.size() % 4 != 0) {
    throw StoreError(StoreErrorCode::Corrupt, "conversation store: the window state of conversation " +
                                                  std::to_string(conversation_id) + " is damaged");
  }
  WindowState w;
  w.tokens = decode_tokens(blob);
  w.evicted_count = s.i64(1);
  w.pinned_count = s.i64(2);
  w.model_fingerprint = s.text(3);
  w.turn_starts = decode_tokens(turns);
  w.sinks_taken = s.i64(5);
  return w;
}

}  // namespace falcon
