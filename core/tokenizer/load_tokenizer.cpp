// load_tokenizer(): picks the tokenizer implementation from what a checkpoint folder holds and
// reads its special ids from the HF side files.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/common/error.h"
#include "core/common/file_read.h"
#include "core/common/json_depth.h"
#include "core/common/load_issue.h"
#include "core/tokenizer/bpe_tokenizer.h"
#include "core/tokenizer/sentencepiece_tokenizer.h"
#include "core/tokenizer/tokenizer.h"

namespace falcon {
namespace {

// Parsed JSON of dir/name, or null when the file does not exist. Malformed -> Error(Load).
nlohmann::json read_json(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return nullptr;
  const std::string text = read_file_bounded(path, kMaxMetadataFileBytes);
  if (!json_depth_within(text))
    throw_load_error(path.string() + " nests arrays/objects more than " + std::to_string(kMaxJsonDepth) +
                     " levels deep");
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object()) throw_load_error(path.string() + ": expected a JSON object");
    return j;
  } catch (const nlohmann::json::exception& e) {
    throw_load_error(path.string() + " is not valid JSON: " + e.what());
  }
}

// "bos_token": "<s>" or {"content": "<s>", ...} -> its id, if the tokenizer knows it.
std::optional<int32_t> token_field(const nlohmann::json& j, const char* key, const Tokenizer& tok) {
  if (!j.is_object() || !j.contains(key)) return std::nullopt;
  const auto& v = j[key];
  std::string content;
  if (v.is_string()) {
    content = v.get<std::string>();
  } else if (v.is_object() && v.contains("content") && v["content"].is_string()) {
    content = v["content"].get<std::string>();
  } else {
    return std::nullopt;
  }
  return tok.token_to_id(content);
}

// "eos_token_id": 11 or [11, 12] (the first is the one we stop on) -> the id, when in range.
std::optional<int32_t> id_field(const nlohmann::json& j, const char* key, const Tokenizer& tok) {
  if (!j.is_object() || !j.contains(key)) return std::nullopt;
  const nlohmann::json* v = &j[key];
  if (v->is_array() && !v->empty()) v = &(*v)[0];
  if (!v->is_number_integer()) return std::nullopt;
  const int64_t id = v->get<int64_t>();
  if (id < 0 || id >= tok.vocab_size()) return std::nullopt;
  return static_cast<int32_t>(id);
}

void apply_bool(const nlohmann::json& j, const char* key, bool& out) {
  if (j.is_object() && j.contains(key) && j[key].is_boolean()) out = j[key].get<bool>();
}

SpecialTokens read_specials(const std::filesystem::path& dir, const Tokenizer& tok) {
  SpecialTokens s = tok.specials();
  const auto special_map = read_json(dir / "special_tokens_map.json");
  const auto config = read_json(dir / "tokenizer_config.json");
  const auto generation = read_json(dir / "generation_config.json");
  // Later sources win: special_tokens_map < tokenizer_config < generation_config.
  for (const auto* j : {&special_map, &config}) {
    if (auto id = token_field(*j, "bos_token", tok)) s.bos = *id;
    if (auto id = token_field(*j, "eos_token", tok)) s.eos = *id;
    if (auto id = token_field(*j, "pad_token", tok)) s.pad = *id;
  }
  apply_bool(config, "add_bos_token", s.add_bos);
  apply_bool(config, "add_eos_token", s.add_eos);
  if (auto id = id_field(generation, "bos_token_id", tok)) s.bos = *id;
  if (auto id = id_field(generation, "eos_token_id", tok)) s.eos = *id;
  if (auto id = id_field(generation, "pad_token_id", tok)) s.pad = *id;
  if (s.bos < 0) s.add_bos = false;  // nothing to add
  if (s.eos < 0) s.add_eos = false;
  return s;
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw_load_error("tokenizer folder " + dir.string() + " does not exist or is not a folder");
  }
  const auto json_path = dir / "tokenizer.json";
  const auto model_path = dir / "tokenizer.model";
  if (std::filesystem::is_regular_file(json_path, ec)) {
    auto tok = BpeTokenizer::from_file(json_path);
    tok->set_specials(read_specials(dir, *tok));
    return tok;
  }
  if (std::filesystem::is_regular_file(model_path, ec)) {
    auto tok = SentencePieceTokenizer::from_file(model_path);
    tok->set_specials(read_specials(dir, *tok));
    return tok;
  }
  throw_load_error(load_issue_text(LoadIssue::NoTokenizer, {dir.string()}));
}

}  // namespace falcon
