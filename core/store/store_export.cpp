// ConversationStore: export to JSON / Markdown and JSON import.
//
// JSON format (version 3; version 2 lacked a message's model, version 1 also answered_tokens/answered_cut).
// Ids are not exported: a message names its parent by its index in the conversation's "messages" array, and
// parents come first (the store's ids grow, so id order is a valid order). Importing into any database and
// exporting again gives the same bytes. Key order is fixed; numbers print in their shortest exact form.
//
// {"format": "falcon-chat-conversations", "version": 3, "conversations": [{
//    "title": s, "created_ms": i, "updated_ms": i, "pinned": b, "archived": b,
//    "system_prompt": s, "model_path": s, "model_fingerprint": s, "weights_format": s,
//    "sampling_json": s (opaque text), "window_size": i, "active_leaf": index|null,
//    "messages": [{"parent": index|null, "role": "system|user|assistant", "text": s,
//                  "created_ms": i, "token_count": i, "ttft_ms": x|null, "tokens_per_s": x|null,
//                  "stop_reason": "eos|stop_string|length|cancelled|interrupted|error"|null,
//                  "error": s|null, "answered_tokens": i|null, "answered_cut": i|null, "model": s|null}],
//    "window_state": null | {"tokens": [i32...], "evicted_count": i, "pinned_count": i,
//                            "turn_starts": [i32...], "sinks_taken": i, "model_fingerprint": s}}]}
// A reply still streaming is exported as interrupted (it is a snapshot of unfinished work).
#include <ctime>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/store/conversation_store.h"
#include "core/store/store_impl.h"
#include "core/store/store_import.h"

namespace falcon {
namespace {

using ojson = nlohmann::ordered_json;

ojson opt_number(const sql::Stmt& s, int col) {
  return s.is_null(col) ? ojson(nullptr) : ojson(s.f64(col));
}

ojson export_one(ConversationStore& store, ConversationStore::Impl& impl, const Conversation& c) {
  ojson conv;
  conv["title"] = c.title;
  conv["created_ms"] = c.created_ms;
  conv["updated_ms"] = c.updated_ms;
  conv["pinned"] = c.pinned;
  conv["archived"] = c.archived;
  conv["system_prompt"] = c.system_prompt;
  conv["model_path"] = c.model_path;
  conv["model_fingerprint"] = c.model_fingerprint;
  conv["weights_format"] = c.weights_format;
  conv["sampling_json"] = c.sampling_json;
  conv["window_size"] = c.window_size;
  conv["active_leaf"] = nullptr;

  ojson messages = ojson::array();
  std::unordered_map<int64_t, int64_t> index_of;  // message id -> index in `messages`
  auto s = impl.q(
      "SELECT id, parent_id, role, text, created_ms, token_count, state, ttft_ms, tokens_per_s, stop_reason, "
      "error_text, answered_tokens, answered_cut, model FROM messages WHERE conversation_id = ?1 ORDER BY "
      "id");
  s.bind(1, c.id);
  while (s.step()) {
    ojson m;
    if (s.is_null(1)) {
      m["parent"] = nullptr;
    } else {
      auto it = index_of.find(s.i64(1));
      if (it == index_of.end()) {
        throw StoreError(StoreErrorCode::Corrupt, "conversation store: message " + std::to_string(s.i64(0)) +
                                                      " has a parent that does not precede it");
      }
      m["parent"] = it->second;
    }
    m["role"] = s.text(2);
    m["text"] = s.text(3);
    m["created_ms"] = s.i64(4);
    m["token_count"] = s.i64(5);
    m["ttft_ms"] = opt_number(s, 7);
    m["tokens_per_s"] = opt_number(s, 8);
    if (s.text(6) == "streaming" && s.is_null(9)) {
      m["stop_reason"] = "interrupted";
    } else {
      m["stop_reason"] = s.is_null(9) ? ojson(nullptr) : ojson(s.text(9));
    }
    m["error"] = s.is_null(10) ? ojson(nullptr) : ojson(s.text(10));
    m["answered_tokens"] = s.is_null(11) ? ojson(nullptr) : ojson(s.i64(11));
    m["answered_cut"] = s.is_null(12) ? ojson(nullptr) : ojson(s.i64(12));
    m["model"] = s.is_null(13) ? ojson(nullptr) : ojson(s.text(13));
    index_of.emplace(s.i64(0), static_cast<int64_t>(messages.size()));
    messages.push_back(std::move(m));
  }
  if (c.active_leaf_id) {
    auto it = index_of.find(*c.active_leaf_id);
    if (it != index_of.end()) conv["active_leaf"] = it->second;
  }
  conv["messages"] = std::move(messages);

  conv["window_state"] = nullptr;
  if (std::optional<WindowState> w = store.window_state(c.id)) {
    ojson ws;
    ws["tokens"] = w->tokens;
    ws["evicted_count"] = w->evicted_count;
    ws["pinned_count"] = w->pinned_count;
    ws["turn_starts"] = w->turn_starts;
    ws["sinks_taken"] = w->sinks_taken;
    ws["model_fingerprint"] = w->model_fingerprint;
    conv["window_state"] = std::move(ws);
  }
  return conv;
}

std::vector<Conversation> selected(ConversationStore& store, std::optional<int64_t> id) {
  if (id) return {store.conversation(*id)};
  // Creation order, so that an import recreates them in the same order.
  std::vector<Conversation> all = store.list_conversations({ArchiveFilter::All, 0, 1 << 30});
  std::sort(all.begin(), all.end(), [](const Conversation& a, const Conversation& b) { return a.id < b.id; });
  return all;
}

std::string utc_time(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

std::string role_heading(Role r) {
  switch (r) {
    case Role::System:
      return "System";
    case Role::User:
      return "User";
    case Role::Assistant:
      return "Assistant";
  }
  return "User";
}

}  // namespace

std::string ConversationStore::export_json(std::optional<int64_t> conversation_id) {
  ojson root;
  root["format"] = kExportFormatName;
  root["version"] = kExportFormatVersion;
  ojson list = ojson::array();
  // One read transaction: a consistent snapshot even while another connection writes.
  sql::Transaction tx(impl_->raw(), sql::Transaction::Read);
  for (const Conversation& c : selected(*this, conversation_id)) list.push_back(export_one(*this, *impl_, c));
  tx.commit();
  root["conversations"] = std::move(list);
  // Invalid UTF-8 (which the store never writes itself) is replaced rather than failing.
  return root.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string ConversationStore::export_markdown(std::optional<int64_t> conversation_id) {
  std::string out;
  sql::Transaction tx(impl_->raw(), sql::Transaction::Read);
  for (const Conversation& c : selected(*this, conversation_id)) {
    if (!out.empty()) out += "\n---\n\n";
    out += "# " + (c.title.empty() ? std::string("Untitled conversation") : c.title) + "\n\n";
    out += "- Created: " + utc_time(c.created_ms) + "; updated: " + utc_time(c.updated_ms) + "\n";
    if (!c.model_path.empty()) {
      out +=
          "- Model: " + c.model_path + (c.weights_format.empty() ? "" : " (" + c.weights_format + ")") + "\n";
    }
    out += "\n";
    if (!c.system_prompt.empty()) out += "## System prompt\n\n" + c.system_prompt + "\n\n";
    for (const Message& m : active_path(c.id)) {
      out += "## " + role_heading(m.role);
      // "(falcon-7b · int4; version 1 of 2)": the model that wrote a reply, the branch shown.
      std::string notes = m.stats.model;
      if (m.sibling_count > 1) {
        notes += (notes.empty() ? "" : "; ") + std::string("version ") + std::to_string(m.sibling_index + 1) +
                 " of " + std::to_string(m.sibling_count);
      }
      if (!notes.empty()) out += " (" + notes + ")";
      out += "\n\n" + m.text + "\n\n";
      StopReason r = m.state == MessageState::Streaming ? StopReason::Interrupted : m.stats.stop_reason;
      if (r != StopReason::None && r != StopReason::Eos && r != StopReason::StopString) {
        out += "_(reply ended: " + std::string(to_string(r));
        if (!m.stats.error_text.empty()) out += ": " + m.stats.error_text;
        out += ")_\n\n";
      }
    }
  }
  tx.commit();
  return out;
}

std::vector<int64_t> ConversationStore::import_json(std::string_view json, const ImportProgress& progress) {
  std::vector<ImportedConversation> parsed = parse_import(json);  // throws before any write
  const auto go_on = [&](size_t done) {
    if (progress && !progress(done, parsed.size()))
      throw StoreError(StoreErrorCode::Cancelled, "the import was cancelled; nothing was imported");
  };
  go_on(0);
  std::vector<int64_t> ids;
  sql::Transaction tx(impl_->raw());  // rolled back by its destructor when anything throws
  for (const ImportedConversation& c : parsed) {
    {
      auto s = impl_->q(
          "INSERT INTO conversations (title, created_ms, updated_ms, pinned, archived, system_prompt, "
          "model_path, "
          "model_fingerprint, weights_format, sampling_json, window_size) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
      s.bind(1, c.conv.title)
          .bind(2, c.conv.created_ms)
          .bind(3, c.conv.updated_ms)
          .bind(4, c.conv.pinned ? 1 : 0);
      s.bind(5, c.conv.archived ? 1 : 0).bind(6, c.conv.system_prompt).bind(7, c.conv.model_path);
      s.bind(8, c.conv.model_fingerprint).bind(9, c.conv.weights_format).bind(10, c.conv.sampling_json);
      s.bind(11, c.conv.window_size).run();
    }
    int64_t cid = sqlite3_last_insert_rowid(impl_->raw());
    std::vector<int64_t> new_id(c.messages.size());
    for (size_t i = 0; i < c.messages.size(); ++i) {
      const ImportedMessage& m = c.messages[i];
      auto s = impl_->q(
          "INSERT INTO messages (conversation_id, parent_id, role, text, created_ms, token_count, state, "
          "ttft_ms, "
          "tokens_per_s, stop_reason, error_text, answered_tokens, answered_cut, model) VALUES (?1, ?2, ?3, "
          "?4, ?5, "
          "?6, 'complete', ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
      s.bind(1, cid);
      m.parent ? s.bind(2, new_id[static_cast<size_t>(*m.parent)]) : s.bind_null(2);
      s.bind(3, to_string(m.role)).bind(4, m.text).bind(5, m.created_ms).bind(6, m.token_count);
      m.ttft_ms ? s.bind(7, *m.ttft_ms) : s.bind_null(7);
      m.tokens_per_s ? s.bind(8, *m.tokens_per_s) : s.bind_null(8);
      m.stop_reason == StopReason::None ? s.bind_null(9) : s.bind(9, to_string(m.stop_reason));
      m.error ? s.bind(10, *m.error) : s.bind_null(10);
      m.answered_tokens ? s.bind(11, *m.answered_tokens) : s.bind_null(11);
      m.answered_cut ? s.bind(12, *m.answered_cut) : s.bind_null(12);
      m.model && !m.model->empty() ? s.bind(13, *m.model) : s.bind_null(13);
      s.run();
      new_id[i] = sqlite3_last_insert_rowid(impl_->raw());
    }
    if (c.active_leaf) {
      auto u = impl_->q("UPDATE conversations SET active_leaf_id = ?2 WHERE id = ?1");
      u.bind(1, cid).bind(2, new_id[static_cast<size_t>(*c.active_leaf)]).run();
    }
    if (c.window) save_window_state(cid, *c.window);  // joins this transaction
    ids.push_back(cid);
    go_on(ids.size());
  }
  tx.commit();
  return ids;
}

}  // namespace falcon
