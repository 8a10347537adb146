#include "core/store/store_import.h"

#include <cmath>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/store/store_error.h"
#include "core/store/store_import_foreign.h"

namespace falcon {
namespace {

using json = nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw StoreError(
      StoreErrorCode::InvalidImport,
      "import: " + (where.empty() ? std::string() : where + ": ") + what + "; nothing was imported");
}

// Rejects nesting deeper than kImportMaxDepth before parsing, so no parser or destructor
// recursion can exhaust the stack on a hostile file.
void check_depth(std::string_view text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kImportMaxDepth) bad("", "the JSON is nested too deeply");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

void only_keys(const json& obj, const std::string& where, std::initializer_list<const char*> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char* k : allowed) ok = ok || it.key() == k;
    if (!ok) bad(where, "unknown key \"" + it.key() + "\"");
  }
}

const json& object_at(const json& v, const std::string& where) {
  if (!v.is_object()) bad(where, "must be an object");
  return v;
}

const json& array_at(const json& v, const std::string& where) {
  if (!v.is_array()) bad(where, "must be an array");
  return v;
}

const json* find(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

const json& required(const json& obj, const char* key, const std::string& where) {
  const json* v = find(obj, key);
  if (!v) bad(where, std::string("missing key \"") + key + "\"");
  return *v;
}

std::string get_string(const json& v, const std::string& where, size_t max_bytes = kImportMaxText) {
  if (!v.is_string()) bad(where, "must be a string");
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > max_bytes) bad(where, "is longer than " + std::to_string(max_bytes) + " bytes");
  return s;
}

int64_t get_int(const json& v, const std::string& where, int64_t lo, int64_t hi) {
  if (!v.is_number_integer()) bad(where, "must be an integer");
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();  // non-negative numbers parse as unsigned: check both bounds
    if (u > static_cast<uint64_t>(hi) || static_cast<int64_t>(u) < lo)
      bad(where, "is out of range (" + std::to_string(lo) + ".." + std::to_string(hi) + ")");
    return static_cast<int64_t>(u);
  }
  auto i = v.get<int64_t>();
  if (i < lo || i > hi)
    bad(where, "is out of range (" + std::to_string(lo) + ".." + std::to_string(hi) + ")");
  return i;
}

bool get_bool(const json& v, const std::string& where) {
  if (!v.is_boolean()) bad(where, "must be true or false");
  return v.get<bool>();
}

std::optional<double> get_opt_number(const json& v, const std::string& where) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_number()) bad(where, "must be a number or null");
  double d = v.get<double>();
  if (!std::isfinite(d) || d < 0) bad(where, "must be a finite number >= 0");
  return d;
}

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();

ImportedMessage parse_message(const json& v, const std::string& where, size_t index) {
  object_at(v, where);
  only_keys(v, where,
            {"parent", "role", "text", "created_ms", "token_count", "ttft_ms", "tokens_per_s", "stop_reason",
             "error", "answered_tokens", "answered_cut", "model"});
  ImportedMessage m;
  const json& parent = required(v, "parent", where);
  if (!parent.is_null()) {
    int64_t p = get_int(parent, where + ".parent", 0, kMaxInt);
    if (p >= static_cast<int64_t>(index)) {
      bad(where + ".parent", "refers to message " + std::to_string(p) + ", which does not come before it");
    }
    m.parent = p;
  }
  std::string role = get_string(required(v, "role", where), where + ".role", 64);
  auto r = role_from_string(role);
  if (!r) bad(where + ".role", "must be \"system\", \"user\" or \"assistant\", not \"" + role + "\"");
  m.role = *r;
  m.text = get_string(required(v, "text", where), where + ".text");
  if (const json* c = find(v, "created_ms"))
    m.created_ms = get_int(*c, where + ".created_ms", kMinInt, kMaxInt);
  if (const json* t = find(v, "token_count")) m.token_count = get_int(*t, where + ".token_count", 0, kMaxInt);
  if (const json* t = find(v, "ttft_ms")) m.ttft_ms = get_opt_number(*t, where + ".ttft_ms");
  if (const json* t = find(v, "tokens_per_s")) m.tokens_per_s = get_opt_number(*t, where + ".tokens_per_s");
  if (const json* s = find(v, "stop_reason"); s && !s->is_null()) {
    std::string text = get_string(*s, where + ".stop_reason", 64);
    auto sr = stop_reason_from_string(text);
    if (!sr || *sr == StopReason::None) {
      bad(where + ".stop_reason",
          "must be eos, stop_string, length, cancelled, interrupted, error or null, not \"" + text + "\"");
    }
    m.stop_reason = *sr;
  }
  if (const json* e = find(v, "error"); e && !e->is_null()) m.error = get_string(*e, where + ".error");
  const json* answered = find(v, "answered_tokens");
  const json* cut = find(v, "answered_cut");
  const bool has_answered = answered && !answered->is_null(), has_cut = cut && !cut->is_null();
  if (has_answered != has_cut) bad(where, "answered_tokens and answered_cut go together");
  if (has_answered) {
    m.answered_tokens = get_int(*answered, where + ".answered_tokens", 0, kMaxInt);
    m.answered_cut = get_int(*cut, where + ".answered_cut", 0, *m.answered_tokens);
  }
  if (const json* model = find(v, "model"); model && !model->is_null())
    m.model = get_string(*model, where + ".model", kImportMaxModelName);
  return m;
}

WindowState parse_window(const json& v, const std::string& where) {
  object_at(v, where);
  only_keys(v, where,
            {"tokens", "evicted_count", "pinned_count", "turn_starts", "sinks_taken", "model_fingerprint"});
  WindowState w;
  const json& tokens = array_at(required(v, "tokens", where), where + ".tokens");
  if (tokens.size() > kImportMaxTokens)
    bad(where + ".tokens", "has more than " + std::to_string(kImportMaxTokens) + " ids");
  w.tokens.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    w.tokens.push_back(static_cast<int32_t>(get_int(tokens[i], where + ".tokens[" + std::to_string(i) + "]",
                                                    0, std::numeric_limits<int32_t>::max())));
  }
  if (const json* e = find(v, "evicted_count"))
    w.evicted_count = get_int(*e, where + ".evicted_count", 0, kMaxInt);
  if (const json* p = find(v, "pinned_count")) {
    w.pinned_count = get_int(*p, where + ".pinned_count", 0, static_cast<int64_t>(w.tokens.size()));
  }
  if (const json* t = find(v, "turn_starts")) {
    const json& turns = array_at(*t, where + ".turn_starts");
    if (turns.size() > w.tokens.size() + 1)
      bad(where + ".turn_starts", "has more entries than there are tokens");
    for (size_t i = 0; i < turns.size(); ++i) {
      std::string at = where + ".turn_starts[" + std::to_string(i) + "]";
      int64_t lo = w.turn_starts.empty() ? 0 : int64_t{w.turn_starts.back()} + 1;  // strictly ascending
      w.turn_starts.push_back(
          static_cast<int32_t>(get_int(turns[i], at, lo, static_cast<int64_t>(w.tokens.size()))));
    }
  }
  if (const json* s = find(v, "sinks_taken")) w.sinks_taken = get_int(*s, where + ".sinks_taken", 0, kMaxInt);
  if (const json* f = find(v, "model_fingerprint"))
    w.model_fingerprint = get_string(*f, where + ".model_fingerprint", 4096);
  return w;
}

ImportedConversation parse_conversation(const json& v, const std::string& where) {
  object_at(v, where);
  only_keys(v, where,
            {"title", "created_ms", "updated_ms", "pinned", "archived", "system_prompt", "model_path",
             "model_fingerprint", "weights_format", "sampling_json", "window_size", "active_leaf", "messages",
             "window_state"});
  ImportedConversation out;
  Conversation& c = out.conv;
  c.title = get_string(required(v, "title", where), where + ".title", 1 << 16);
  if (const json* t = find(v, "created_ms"))
    c.created_ms = get_int(*t, where + ".created_ms", kMinInt, kMaxInt);
  c.updated_ms = c.created_ms;
  if (const json* t = find(v, "updated_ms"))
    c.updated_ms = get_int(*t, where + ".updated_ms", kMinInt, kMaxInt);
  if (const json* b = find(v, "pinned")) c.pinned = get_bool(*b, where + ".pinned");
  if (const json* b = find(v, "archived")) c.archived = get_bool(*b, where + ".archived");
  if (const json* s = find(v, "system_prompt")) c.system_prompt = get_string(*s, where + ".system_prompt");
  if (const json* s = find(v, "model_path")) c.model_path = get_string(*s, where + ".model_path", 1 << 16);
  if (const json* s = find(v, "model_fingerprint")) {
    c.model_fingerprint = get_string(*s, where + ".model_fingerprint", 4096);
  }
  if (const json* s = find(v, "weights_format"))
    c.weights_format = get_string(*s, where + ".weights_format", 256);
  c.sampling_json = "{}";
  if (const json* s = find(v, "sampling_json"))
    c.sampling_json = get_string(*s, where + ".sampling_json", 1 << 20);
  if (const json* w = find(v, "window_size"))
    c.window_size = get_int(*w, where + ".window_size", 1, int64_t{1} << 24);

  const json& msgs = array_at(required(v, "messages", where), where + ".messages");
  out.messages.reserve(msgs.size());
  for (size_t i = 0; i < msgs.size(); ++i) {
    out.messages.push_back(parse_message(msgs[i], where + ".messages[" + std::to_string(i) + "]", i));
  }
  if (const json* a = find(v, "active_leaf"); a && !a->is_null()) {
    if (out.messages.empty()) bad(where + ".active_leaf", "must be null when there are no messages");
    out.active_leaf = get_int(*a, where + ".active_leaf", 0, static_cast<int64_t>(out.messages.size()) - 1);
  } else if (!a && !out.messages.empty()) {
    out.active_leaf = static_cast<int64_t>(out.messages.size()) - 1;  // hand-written files: the last one
  }
  if (const json* w = find(v, "window_state"); w && !w->is_null())
    out.window = parse_window(*w, where + ".window_state");
  return out;
}

}  // namespace

std::vector<ImportedConversation> parse_import(std::string_view text) {
  if (text.size() > kImportMaxBytes) bad("", "the file is larger than 1 GiB");
  if (text.substr(0, 4) == std::string_view("PK\x03\x04", 4)) bad("", kImportZip);
  check_depth(text);
  json root;
  try {
    root = parse_for_import(text);
  } catch (const json::exception& e) {
    bad("", std::string(kImportNotJson) + " (" + e.what() + ")");
  }
  if (const ForeignFormat other = foreign_format_of(root); other != ForeignFormat::None)
    return parse_foreign_export(root, other);
  if (!root.is_object() || !root.contains("format")) bad("", kImportNotAnExport);
  only_keys(root, "top level", {"format", "version", "conversations"});
  if (get_string(required(root, "format", "top level"), "format", 256) != kExportFormatName) {
    bad("format", std::string("must be \"") + kExportFormatName + "\" (is this a falcon-chat export?)");
  }
  int64_t version = get_int(required(root, "version", "top level"), "version", 1, kMaxInt);
  if (version > kExportFormatVersion) {
    bad("", std::string(kImportNewer) + " (format " + std::to_string(version) +
                "); update falcon-chat to import it");
  }
  const json& list = array_at(required(root, "conversations", "top level"), "conversations");
  std::vector<ImportedConversation> out;
  out.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    out.push_back(parse_conversation(list[i], "conversations[" + std::to_string(i) + "]"));
  }
  return out;
}

}  // namespace falcon
