#pragma once
// Checked accessors for tokenizer.json: every failure is an Error(Load) that names the JSON
// path, so a malformed file never crashes and the user learns what is wrong.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "core/tokenizer/regex.h"

namespace falcon {

std::string json_type(const nlohmann::json& j, const std::string& where);
std::string json_string(const nlohmann::json& j, const char* key, const std::string& where);
std::string json_string_or(const nlohmann::json& j, const char* key, const std::string& where,
                           const std::string& fallback);
bool json_bool(const nlohmann::json& j, const char* key, const std::string& where, bool fallback);
int64_t json_int(const nlohmann::json& j, const char* key, const std::string& where, int64_t fallback);
const nlohmann::json& json_array(const nlohmann::json& j, const char* key, const std::string& where);
// {"String": "x"} or {"Regex": "x"} under `key` ("pattern"). An empty pattern is refused.
std::unique_ptr<Regex> json_pattern(const nlohmann::json& j, const char* key, const std::string& where);
// Replace normalizer/decoder: the pattern and the replacement "content".
std::pair<std::unique_ptr<Regex>, std::string> json_replace_pattern(const nlohmann::json& j,
                                                                    const std::string& where);
// A single character given as a one-character string ("replacement": "▁").
int32_t json_char(const nlohmann::json& j, const char* key, const std::string& where, int32_t fallback);

}  // namespace falcon
