#include "core/tokenizer/json_util.h"

#include "core/common/error.h"
#include "core/tokenizer/unicode_util.h"

namespace falcon {

std::string json_type(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw_load_error("tokenizer.json: " + where + " must be an object");
  auto it = j.find("type");
  if (it == j.end() || !it->is_string()) throw_load_error("tokenizer.json: " + where + " has no \"type\"");
  return it->get<std::string>();
}

std::string json_string(const nlohmann::json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    throw_load_error("tokenizer.json: " + where + "." + key + " must be a string");
  }
  std::string s = it->get<std::string>();
  if (!unicode::is_valid_utf8(s))
    throw_load_error("tokenizer.json: " + where + "." + key + " is not valid UTF-8");
  return s;
}

std::string json_string_or(const nlohmann::json& j, const char* key, const std::string& where,
                           const std::string& fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return json_string(j, key, where);
}

bool json_bool(const nlohmann::json& j, const char* key, const std::string& where, bool fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw_load_error("tokenizer.json: " + where + "." + key + " must be true or false");
  return it->get<bool>();
}

int64_t json_int(const nlohmann::json& j, const char* key, const std::string& where, int64_t fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_number_integer())
    throw_load_error("tokenizer.json: " + where + "." + key + " must be an integer");
  return it->get<int64_t>();
}

const nlohmann::json& json_array(const nlohmann::json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array())
    throw_load_error("tokenizer.json: " + where + "." + key + " must be a list");
  return *it;
}

std::unique_ptr<Regex> json_pattern(const nlohmann::json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) {
    throw_load_error("tokenizer.json: " + where + "." + key +
                     " must be {\"String\": ...} or {\"Regex\": ...}");
  }
  const std::string w = where + "." + key;
  if (it->contains("String")) {
    const std::string s = json_string(*it, "String", w);
    if (s.empty()) throw_load_error("tokenizer.json: " + w + " is an empty string");
    return std::make_unique<Regex>(s, /*literal=*/true);
  }
  if (it->contains("Regex")) {
    const std::string s = json_string(*it, "Regex", w);
    if (s.empty()) throw_load_error("tokenizer.json: " + w + " is an empty regex");
    return std::make_unique<Regex>(s, /*literal=*/false);
  }
  throw_load_error("tokenizer.json: " + w + " must be {\"String\": ...} or {\"Regex\": ...}");
}

std::pair<std::unique_ptr<Regex>, std::string> json_replace_pattern(const nlohmann::json& j,
                                                                    const std::string& where) {
  auto re = json_pattern(j, "pattern", where);
  return {std::move(re), json_string(j, "content", where)};
}

int32_t json_char(const nlohmann::json& j, const char* key, const std::string& where, int32_t fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  const std::string s = json_string(j, key, where);
  size_t len = 0;
  const int32_t c = s.empty() ? -1 : unicode::decode_at(s, 0, len);
  if (c < 0 || len != s.size()) {
    throw_load_error("tokenizer.json: " + where + "." + key + " must be exactly one character");
  }
  return c;
}

}  // namespace falcon
