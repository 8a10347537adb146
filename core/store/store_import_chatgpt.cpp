// ChatGPT's data export (conversations.json, or one conversation of it) read into the same
// ImportedConversation records as our own format, so it is imported the same way: whole or not
// at all, branches kept.
//
// The file is a list of conversations, each a tree of nodes in "mapping" (id -> {message,
// parent, children}); "current_node" is the leaf of the branch the user saw last. Edits and
// regenerations are siblings, as in our store. What is kept: the user's and the assistant's
// messages with text for the user (content types "text" and "multimodal_text"; an image in
// the latter becomes "[image]"). What is left out: the hidden system root, custom instructions,
// tool calls and their results (recipient other than "all", role "tool"), reasoning summaries,
// and nodes left empty. A kept message's parent is its nearest kept ancestor.
//
// Only the fields read here are looked at; anything else ChatGPT adds is ignored, and a field of an
// unexpected type is treated as absent, so a newer export still imports what it can.
#include "core/store/store_import_chatgpt.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/store/store_error.h"
#include "core/store/store_import.h"

namespace falcon {
namespace {

using json = nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw StoreError(StoreErrorCode::InvalidImport,
                   "import: " + where + ": " + what + "; nothing was imported");
}

// obj[key], or null when obj is null, not an object, or has no such key.
const json* member(const json* obj, const char* key) {
  if (!obj || !obj->is_object()) return nullptr;
  auto it = obj->find(key);
  return it == obj->end() ? nullptr : &*it;
}

std::string string_or_empty(const json* v) {
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

// Seconds since the epoch (a float in ChatGPT's files) as milliseconds; `fallback` when absent.
int64_t time_ms(const json* v, int64_t fallback) {
  if (!v || !v->is_number()) return fallback;
  const double s = v->get<double>();
  if (!std::isfinite(s) || std::fabs(s) > 1e13) return fallback;  // not a date
  return static_cast<int64_t>(std::llround(s * 1000.0));
}

// The text of a message as the user saw it, "" for anything that is not shown as text.
std::string message_text(const json& message) {
  const json* content = member(&message, "content");
  const std::string type = string_or_empty(member(content, "content_type"));
  if (type != "text" && type != "multimodal_text") return "";
  const json* parts = member(content, "parts");
  if (!parts || !parts->is_array()) return "";
  std::string text;
  auto add = [&text](const std::string& piece) {
    if (piece.empty()) return;
    if (!text.empty()) text += "\n\n";
    text += piece;
  };
  for (const json& part : *parts) {
    if (part.is_string()) {
      add(part.get<std::string>());
    } else if (const json* t = member(&part, "text"); t && t->is_string()) {
      add(t->get<std::string>());  // an audio transcription, say
    } else if (string_or_empty(member(&part, "content_type")) == "image_asset_pointer") {
      add("[image]");
    }
  }
  return text;
}

// Whether a node's message is one of the conversation's turns (see the top of the file).
bool is_turn(const json& message, Role* role) {
  const std::string r = string_or_empty(member(member(&message, "author"), "role"));
  if (r == "user")
    *role = Role::User;
  else if (r == "assistant")
    *role = Role::Assistant;
  else
    return false;  // system (the hidden root, custom instructions), tool results
  if (const json* to = member(&message, "recipient");
      to && to->is_string() && to->get<std::string>() != "all")
    return false;  // a call of a tool (code, browsing)
  const json* meta = member(&message, "metadata");
  for (const char* hidden : {"is_visually_hidden_from_conversation", "is_user_system_message"})
    if (const json* h = member(meta, hidden); h && h->is_boolean() && h->get<bool>()) return false;
  return true;
}

// A title for a chat that has none: its first user message's first line, shortened.
std::string title_from(const std::vector<ImportedMessage>& messages) {
  for (const ImportedMessage& m : messages) {
    if (m.role != Role::User) continue;
    std::string line = m.text.substr(0, m.text.find('\n'));
    if (line.size() <= 60) return line;
    size_t cut = 59;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80)
      --cut;                                      // not inside a character
    return line.substr(0, cut) + "\xE2\x80\xA6";  // …
  }
  return "";
}

ImportedConversation parse_conversation(const json& c, const std::string& where) {
  if (!c.is_object()) bad(where, "must be an object");
  const json* mapping = member(&c, "mapping");
  if (!mapping || !mapping->is_object())
    bad(where, "has no \"mapping\" (is this ChatGPT's conversations.json?)");
  ImportedConversation out;
  out.conv.title = string_or_empty(member(&c, "title"));
  if (out.conv.title.size() > (1 << 16)) out.conv.title.resize(1 << 16);
  out.conv.created_ms = time_ms(member(&c, "create_time"), 0);
  out.conv.updated_ms = time_ms(member(&c, "update_time"), out.conv.created_ms);
  if (const json* a = member(&c, "is_archived"); a && a->is_boolean()) out.conv.archived = a->get<bool>();
  out.conv.sampling_json = "{}";

  // The tree from the children lists (a child listed twice, or under two parents, is taken once;
  // nodes only reachable through a cycle are never reached and left out).
  std::unordered_set<std::string> listed_as_child;
  for (const auto& [id, node] : mapping->items())
    if (const json* kids = member(&node, "children"); kids && kids->is_array())
      for (const json& k : *kids)
        if (k.is_string()) listed_as_child.insert(k.get<std::string>());
  std::vector<std::pair<int64_t, std::string>> roots;  // by time, then id: a stable order
  for (const auto& [id, node] : mapping->items())
    if (!listed_as_child.count(id))
      roots.emplace_back(time_ms(member(member(&node, "message"), "create_time"), 0), id);
  std::sort(roots.begin(), roots.end());

  struct Visit {
    std::string id;
    std::optional<int64_t> kept_parent;  // index of the nearest kept ancestor
  };
  std::unordered_map<std::string, std::optional<int64_t>>
      kept_at;  // node -> its message, or nearest kept ancestor's
  std::vector<Visit> todo;
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) todo.push_back({it->second, std::nullopt});
  while (!todo.empty()) {
    Visit v = std::move(todo.back());
    todo.pop_back();
    if (kept_at.count(v.id)) continue;
    const json& node = mapping->at(v.id);
    std::optional<int64_t> here = v.kept_parent;
    Role role = Role::User;
    if (const json* message = member(&node, "message");
        message && message->is_object() && is_turn(*message, &role)) {
      std::string text = message_text(*message);
      if (text.size() > kImportMaxText)
        bad(where + ".mapping[\"" + v.id + "\"]",
            "has a message longer than " + std::to_string(kImportMaxText) + " bytes");
      if (!text.empty()) {
        ImportedMessage m;
        m.parent = v.kept_parent;
        m.role = role;
        m.text = std::move(text);
        m.created_ms = time_ms(member(message, "create_time"), out.conv.created_ms);
        here = static_cast<int64_t>(out.messages.size());
        out.messages.push_back(std::move(m));
      }
    }
    kept_at[v.id] = here;
    if (const json* kids = member(&node, "children"); kids && kids->is_array())
      for (auto k = kids->rbegin(); k != kids->rend(); ++k)
        if (k->is_string() && mapping->contains(k->get<std::string>()) &&
            !kept_at.count(k->get<std::string>()))
          todo.push_back({k->get<std::string>(), here});
  }
  if (!out.messages.empty()) {
    out.active_leaf = static_cast<int64_t>(out.messages.size()) - 1;
    const auto current = kept_at.find(string_or_empty(member(&c, "current_node")));
    if (current != kept_at.end() && current->second) out.active_leaf = current->second;
  }
  if (out.conv.title.empty()) out.conv.title = title_from(out.messages);
  return out;
}

}  // namespace

bool looks_like_chatgpt_export(const json& root) {
  if (root.is_object()) return root.contains("mapping");
  return root.is_array() && !root.empty() && root.front().is_object() && root.front().contains("mapping");
}

std::vector<ImportedConversation> parse_chatgpt_export(const json& root) {
  std::vector<ImportedConversation> out;
  if (root.is_object()) {  // one conversation (the per-chat files of newer exports)
    out.push_back(parse_conversation(root, "conversation"));
    return out;
  }
  out.reserve(root.size());
  for (size_t i = 0; i < root.size(); ++i)
    out.push_back(parse_conversation(root[i], "[" + std::to_string(i) + "]"));
  return out;
}

}  // namespace falcon
