// Other apps' exports read into the same ImportedConversation records as our own format, so they
// are imported the same way: whole or not at all, branches kept. Both apps keep a chat as a tree of
// messages (edits and regenerations are siblings, as in our store) with the node shown last marked;
// walk_tree turns either into ours, a kept message's parent being its nearest kept ancestor.
//
// ChatGPT (conversations.json of its data export): a list of conversations, each a tree of nodes
// in "mapping" (id -> {message, parent, children}), "current_node" the leaf shown last. Kept: the
// user's and the assistant's messages with text for the user (content types "text" and
// "multimodal_text"; an image in the latter becomes "[image]"). Left out: the hidden system root,
// custom instructions, tool calls and their results (recipient other than "all", role "tool"),
// reasoning, and nodes left empty.
//
// Open WebUI (chat-export-<time>.json): a list of chats whose "chat.history" holds the messages
// (id -> {role, content, timestamp, parentId, childrenIds}) and "currentId". Kept: user and
// assistant messages, an assistant's leading <details> blocks (reasoning, tool calls) taken off.
//
// LM Studio (a chat a file: ~/.lmstudio/conversations/<time>.conversation.json, or
// ~/.cache/lm-studio/conversations in older versions): "messages" is the list of turns, each with
// its "versions" (the edits or regenerations of that turn) and "currentlySelected"; the turns after
// one follow its selected version, so the others are leaves. Kept: user and assistant text (a reply
// is its "contentBlock" steps), the model that wrote a reply, the chat's system prompt. Left out:
// files and images, reasoning (a content block styled as thinking), tool calls and other steps.
// No real file was at hand: the shape is the one public converters of these files read.
//
// Only the fields read here are looked at; anything else is ignored, and a field of an unexpected
// type is treated as absent, so a newer export still imports what it can.
#include "core/store/store_import_foreign.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
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

// A time in seconds since the epoch (a float in ChatGPT's files, an integer in Open WebUI's) as
// milliseconds; a number too large for seconds is read as milliseconds, microseconds or
// nanoseconds by its size. `fallback` when absent or no date.
int64_t time_ms(const json* v, int64_t fallback) {
  if (!v || !v->is_number()) return fallback;
  double s = v->get<double>();
  if (!std::isfinite(s) || s < 0) return fallback;
  for (int steps = 0; s > 1e11 && steps < 3; ++steps) s /= 1000.0;  // past the year 5138 in seconds
  if (s > 1e11) return fallback;
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

// Another app's name for the model that wrote a reply, "" when there is none or it is longer
// than a model's name can be (kImportMaxModelName).
std::string model_name(const json* v) {
  std::string name = string_or_empty(v);
  return name.size() <= kImportMaxModelName ? name : std::string();
}

// A title for a chat that has none: its first user message's first line, shortened.
std::string title_from(const std::vector<ImportedMessage>& messages) {
  for (const ImportedMessage& m : messages) {
    if (m.role != Role::User) continue;
    std::string_view rest = m.text;
    while (rest.substr(0, 7) == "[image]") {  // an image is no title: the words after it are
      rest.remove_prefix(7);
      rest.remove_prefix(std::min(rest.find_first_not_of("\n"), rest.size()));
    }
    if (rest.empty()) continue;
    std::string line(rest.substr(0, rest.find('\n')));
    if (line.size() <= 60) return line;
    size_t cut = 59;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80)
      --cut;                                      // not inside a character
    return line.substr(0, cut) + "\xE2\x80\xA6";  // …
  }
  return "";
}

// One node of another app's message tree: its children in their order, and the message it
// holds if it is a turn the user saw (parent unset: the walk sets it).
struct Node {
  std::vector<std::string> children;
  std::optional<ImportedMessage> message;
};

// Fills out.messages from the tree, parents before children: each kept message's parent is its
// nearest kept ancestor; `current` (the node shown last) picks the active leaf. Roots are the nodes
// no node lists as a child, oldest first. A child listed twice or under two parents is taken once,
// and nodes only reachable through a cycle are never reached.
void walk_tree(std::unordered_map<std::string, Node>& nodes, const std::string& current,
               ImportedConversation& out) {
  std::unordered_set<std::string> listed_as_child;
  for (const auto& [id, node] : nodes)
    for (const std::string& k : node.children) listed_as_child.insert(k);
  std::vector<std::pair<int64_t, std::string>> roots;  // by time, then id: a stable order
  for (const auto& [id, node] : nodes)
    if (!listed_as_child.count(id)) roots.emplace_back(node.message ? node.message->created_ms : 0, id);
  std::sort(roots.begin(), roots.end());

  struct Visit {
    std::string id;
    std::optional<int64_t> kept_parent;  // index of the nearest kept ancestor
  };
  std::unordered_map<std::string, std::optional<int64_t>> kept_at;  // its message's, or the ancestor's
  std::vector<Visit> todo;
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) todo.push_back({it->second, std::nullopt});
  while (!todo.empty()) {
    Visit v = std::move(todo.back());
    todo.pop_back();
    if (kept_at.count(v.id)) continue;
    Node& node = nodes.at(v.id);
    std::optional<int64_t> here = v.kept_parent;
    if (node.message) {
      node.message->parent = v.kept_parent;
      here = static_cast<int64_t>(out.messages.size());
      out.messages.push_back(std::move(*node.message));
    }
    kept_at[v.id] = here;
    for (auto k = node.children.rbegin(); k != node.children.rend(); ++k)
      if (nodes.count(*k) && !kept_at.count(*k)) todo.push_back({*k, here});
  }
  if (!out.messages.empty()) {
    out.active_leaf = static_cast<int64_t>(out.messages.size()) - 1;
    const auto shown = kept_at.find(current);
    if (shown != kept_at.end() && shown->second) out.active_leaf = shown->second;
  }
  if (out.conv.title.empty()) out.conv.title = title_from(out.messages);
}

std::vector<std::string> string_list(const json* v) {
  std::vector<std::string> out;
  if (v && v->is_array())
    for (const json& e : *v)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

void check_text_size(const std::string& text, const std::string& where) {
  if (text.size() > kImportMaxText)
    bad(where, "has a message longer than " + std::to_string(kImportMaxText) + " bytes");
}

ImportedConversation parse_chatgpt_conversation(const json& c, const std::string& where) {
  if (!c.is_object()) bad(where, "must be an object");
  const json* mapping = member(&c, "mapping");
  if (!mapping || !mapping->is_object())
    bad(where, "has no \"mapping\" (is this ChatGPT's conversations.json?)");
  ImportedConversation out;
  out.conv.title = string_or_empty(member(&c, "title"));
  out.conv.created_ms = time_ms(member(&c, "create_time"), 0);
  out.conv.updated_ms = time_ms(member(&c, "update_time"), out.conv.created_ms);
  if (const json* a = member(&c, "is_archived"); a && a->is_boolean()) out.conv.archived = a->get<bool>();
  std::unordered_map<std::string, Node> nodes;
  for (const auto& [id, n] : mapping->items()) {
    Node& node = nodes[id];
    node.children = string_list(member(&n, "children"));
    Role role = Role::User;
    if (const json* message = member(&n, "message");
        message && message->is_object() && is_turn(*message, &role)) {
      std::string text = message_text(*message);
      check_text_size(text, where + ".mapping[\"" + id + "\"]");
      if (!text.empty()) {
        node.message.emplace();
        node.message->role = role;
        node.message->text = std::move(text);
        node.message->created_ms = time_ms(member(message, "create_time"), out.conv.created_ms);
        if (role == Role::Assistant)
          node.message->model = model_name(member(member(message, "metadata"), "model_slug"));
      }
    }
  }
  walk_tree(nodes, string_or_empty(member(&c, "current_node")), out);
  return out;
}

// Open WebUI keeps a reasoning model's thinking in the reply as a collapsed
// <details type="reasoning">…</details> block (tool calls the same way); the reply is what follows.
std::string without_details_blocks(std::string text) {
  for (;;) {
    size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string::npos || text.compare(start, 8, "<details") != 0) break;
    const size_t end = text.find("</details>", start);
    if (end == std::string::npos) break;
    text.erase(0, end + 10);
  }
  const size_t first = text.find_first_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : text.substr(first);
}

// Open WebUI's chat-export-<time>.json: a list of {title, chat: {history: {messages: {id: {role,
// content, timestamp, parentId, childrenIds}}, currentId}}, created_at, updated_at, archived,
// pinned} (older exports: the chat objects themselves). Times are in seconds.
ImportedConversation parse_openwebui_chat(const json& c, const std::string& where) {
  if (!c.is_object()) bad(where, "must be an object");
  const json* chat = member(&c, "chat");
  if (!chat || !chat->is_object()) chat = &c;
  const json* history = member(chat, "history");
  const json* messages = member(history, "messages");
  if (!messages || !messages->is_object())
    bad(where, "has no \"history\" of messages (is this an Open WebUI export?)");
  ImportedConversation out;
  out.conv.title = string_or_empty(member(&c, "title"));
  if (out.conv.title.empty()) out.conv.title = string_or_empty(member(chat, "title"));
  out.conv.created_ms = time_ms(member(&c, "created_at"), time_ms(member(chat, "timestamp"), 0));
  out.conv.updated_ms = time_ms(member(&c, "updated_at"), out.conv.created_ms);
  if (const json* a = member(&c, "archived"); a && a->is_boolean()) out.conv.archived = a->get<bool>();
  if (const json* p = member(&c, "pinned"); p && p->is_boolean()) out.conv.pinned = p->get<bool>();
  std::unordered_map<std::string, Node> nodes;
  for (const auto& [id, m] : messages->items()) {
    Node& node = nodes[id];
    node.children = string_list(member(&m, "childrenIds"));
    const std::string role = string_or_empty(member(&m, "role"));
    if (role != "user" && role != "assistant") continue;
    std::string text = string_or_empty(member(&m, "content"));
    if (role == "assistant") text = without_details_blocks(std::move(text));
    check_text_size(text, where + ".chat.history.messages[\"" + id + "\"]");
    if (text.empty()) continue;
    node.message.emplace();
    node.message->role = role == "user" ? Role::User : Role::Assistant;
    node.message->text = std::move(text);
    node.message->created_ms = time_ms(member(&m, "timestamp"), out.conv.created_ms);
    if (role == "assistant") node.message->model = model_name(member(&m, "model"));
  }
  // A message whose parent lists no children (hand-made files) still hangs under it.
  for (const auto& [id, m] : messages->items()) {
    const std::string parent = string_or_empty(member(&m, "parentId"));
    if (auto p = nodes.find(parent);
        p != nodes.end() &&
        std::find(p->second.children.begin(), p->second.children.end(), id) == p->second.children.end())
      p->second.children.push_back(id);
  }
  walk_tree(nodes, string_or_empty(member(history, "currentId")), out);
  return out;
}

// The text parts of an LM Studio content list ([{type: "text", text}, {type: "file", ...}]),
// joined by blank lines; a plain string is taken as it is.
std::string lmstudio_text(const json* content) {
  if (content && content->is_string()) return content->get<std::string>();
  std::string out;
  if (!content || !content->is_array()) return out;
  for (const json& part : *content) {
    if (string_or_empty(member(&part, "type")) != "text") continue;
    const std::string text = string_or_empty(member(&part, "text"));
    if (text.empty()) continue;
    if (!out.empty()) out += "\n\n";
    out += text;
  }
  return out;
}

// One LM Studio chat (the top of the file comment).
ImportedConversation parse_lmstudio_chat(const json& c, const std::string& where) {
  if (!c.is_object()) bad(where, "must be an object");
  const json* turns = member(&c, "messages");
  if (!turns || !turns->is_array()) bad(where, "has no list of \"messages\" (is this an LM Studio chat?)");
  ImportedConversation out;
  out.conv.title = string_or_empty(member(&c, "name"));
  out.conv.created_ms = time_ms(member(&c, "createdAt"), 0);
  out.conv.updated_ms = out.conv.created_ms;
  if (const json* p = member(&c, "pinned"); p && p->is_boolean()) out.conv.pinned = p->get<bool>();
  out.conv.system_prompt = string_or_empty(member(&c, "systemPrompt"));
  if (const json* fields = member(member(&c, "perChatPredictionConfig"), "fields");
      fields && fields->is_array())
    for (const json& f : *fields)
      if (string_or_empty(member(&f, "key")) == "llm.prediction.systemPrompt" && member(&f, "value") &&
          member(&f, "value")->is_string())
        out.conv.system_prompt = f["value"].get<std::string>();
  check_text_size(out.conv.system_prompt, where + ".systemPrompt");
  // Nodes "<turn>.<version>"; a turn's selected version has the next turn's versions as children.
  std::unordered_map<std::string, Node> nodes;
  std::string selected;  // the last turn's selected version: the next turn's parent, and the leaf
  for (size_t i = 0; i < turns->size(); ++i) {
    const json& turn = (*turns)[i];
    const json* versions = member(&turn, "versions");
    if (!versions || !versions->is_array() || versions->empty()) continue;
    size_t chosen = 0;
    if (const json* sel = member(&turn, "currentlySelected"); sel && sel->is_number_integer()) {
      const int64_t v = sel->get<int64_t>();
      if (v >= 0 && static_cast<size_t>(v) < versions->size()) chosen = static_cast<size_t>(v);
    }
    std::vector<std::string> ids;
    for (size_t j = 0; j < versions->size(); ++j) {
      const json& v = (*versions)[j];
      const std::string id = std::to_string(i) + "." + std::to_string(j);
      ids.push_back(id);
      Node& node = nodes[id];
      const std::string role = string_or_empty(member(&v, "role"));
      if (role != "user" && role != "assistant") continue;
      std::string text;
      std::string model = model_name(member(member(&v, "senderInfo"), "senderName"));
      if (const json* steps = member(&v, "steps"); steps && steps->is_array()) {
        for (const json& step : *steps) {
          if (string_or_empty(member(&step, "type")) != "contentBlock") continue;
          if (string_or_empty(member(member(&step, "style"), "type")) == "thinking") continue;
          const std::string part = lmstudio_text(member(&step, "content"));
          if (part.empty()) continue;
          if (!text.empty()) text += "\n\n";
          text += part;
          if (model.empty()) model = model_name(member(member(&step, "genInfo"), "identifier"));
        }
      } else {
        text = lmstudio_text(member(&v, "content"));
      }
      check_text_size(text,
                      where + ".messages[" + std::to_string(i) + "].versions[" + std::to_string(j) + "]");
      if (text.empty()) continue;
      node.message.emplace();
      node.message->role = role == "user" ? Role::User : Role::Assistant;
      node.message->text = std::move(text);
      node.message->created_ms = out.conv.created_ms;
      if (role == "assistant") node.message->model = std::move(model);
    }
    if (!selected.empty()) nodes[selected].children = ids;
    selected = ids[chosen];
  }
  walk_tree(nodes, selected, out);
  return out;
}

}  // namespace

namespace {

// Whether the importers read `key` of an object reached through the object keys `chain` (array
// levels left out): everything outside another app's message tree, and inside one only the fields
// read above. ChatGPT's messages carry large metadata (citations, search results) and Open WebUI's
// chats a second, flat copy of their messages: left out of the parsed tree, a 173 MB ChatGPT file
// took a fraction of the memory (docs/BENCHMARKS.md). Our own format has neither "mapping" nor
// "history" keys, so nothing of it is ever left out.
bool imported_key(const std::vector<std::string>& chain, const std::string& key) {
  const auto in = [&key](std::initializer_list<const char*> keys) {
    for (const char* k : keys)
      if (key == k) return true;
    return false;
  };
  for (size_t j = chain.size(); j-- > 0;) {
    if (chain[j] == "mapping") {  // ChatGPT: mapping / <node id> / message / ...
      const size_t below = chain.size() - j - 1;
      if (below == 0) return true;  // a node id
      if (below == 1) return in({"message", "children"});
      if (chain[j + 2] != "message") return false;
      if (below == 2) return in({"author", "create_time", "content", "recipient", "metadata"});
      const std::string& field = chain[j + 3];
      if (below == 3) {
        if (field == "author") return in({"role"});
        if (field == "metadata")
          return in({"is_visually_hidden_from_conversation", "is_user_system_message", "model_slug"});
        if (field == "content") return in({"content_type", "parts"});
        return false;
      }
      return below == 4 && field == "content" && chain[j + 4] == "parts" && in({"content_type", "text"});
    }
    if (chain[j] == "history" && j + 1 < chain.size() && chain[j + 1] == "messages") {  // Open WebUI
      const size_t below = chain.size() - j - 2;
      if (below == 0) return true;  // a message id
      return below == 1 && in({"role", "content", "timestamp", "parentId", "childrenIds", "model"});
    }
  }
  return !(key == "messages" && !chain.empty() && chain.back() == "chat");  // Open WebUI's flat copy
}

}  // namespace

json parse_for_import(std::string_view text) {
  // The key being read in each open container ("" in arrays and before a container's first key),
  // by depth. A discarded container reports no end, so the path is cut back by depth instead.
  std::vector<std::string> path;
  std::vector<std::string> chain;
  const json::parser_callback_t keep = [&](int depth, json::parse_event_t event, json& parsed) {
    const auto d = static_cast<size_t>(depth);
    if (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) {
      path.resize(d);
      path.emplace_back();
      return true;
    }
    if (event != json::parse_event_t::key) return true;
    if (d == 0) return true;
    path.resize(d);
    chain.clear();
    for (size_t i = 0; i + 1 < d; ++i)
      if (!path[i].empty()) chain.push_back(path[i]);
    const std::string& key = parsed.get_ref<const std::string&>();
    path[d - 1] = key.empty() ? std::string(1, '\0') : key;  // "" marks array levels
    return imported_key(chain, key);
  };
  return json::parse(text.begin(), text.end(), keep);
}

ForeignFormat foreign_format_of(const json& root) {
  const json* first = root.is_array() && !root.empty() ? &root.front() : root.is_object() ? &root : nullptr;
  if (!first || !first->is_object()) return ForeignFormat::None;
  if (first->contains("mapping")) return ForeignFormat::ChatGpt;
  const json* chat = member(first, "chat");
  if (member(chat, "history") || first->contains("history")) return ForeignFormat::OpenWebUi;
  // LM Studio: turns with "versions" (a chat with no turn yet: its "name" and "createdAt").
  if (const json* turns = member(first, "messages");
      turns && turns->is_array() && !first->contains("format")) {
    if (turns->empty() ? first->contains("name") && first->contains("createdAt")
                       : member(&turns->front(), "versions") != nullptr)
      return ForeignFormat::LmStudio;
  }
  return ForeignFormat::None;
}

std::vector<ImportedConversation> parse_foreign_export(const json& root, ForeignFormat format) {
  const auto one = [format](const json& c, const std::string& where) {
    ImportedConversation out = format == ForeignFormat::ChatGpt    ? parse_chatgpt_conversation(c, where)
                               : format == ForeignFormat::LmStudio ? parse_lmstudio_chat(c, where)
                                                                   : parse_openwebui_chat(c, where);
    if (out.conv.title.size() > (1 << 16)) out.conv.title.resize(1 << 16);
    return out;
  };
  std::vector<ImportedConversation> out;
  if (root.is_object()) {  // one conversation (ChatGPT's per-chat files, one Open WebUI chat, LM Studio's)
    out.push_back(one(root, "conversation"));
    return out;
  }
  out.reserve(root.size());
  for (size_t i = 0; i < root.size(); ++i) out.push_back(one(root[i], "[" + std::to_string(i) + "]"));
  return out;
}

}  // namespace falcon
