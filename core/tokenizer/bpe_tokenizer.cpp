#include "core/tokenizer/bpe_tokenizer.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/common/error.h"
#include "core/common/file_read.h"
#include "core/common/json_depth.h"
#include "core/tokenizer/bpe_model.h"
#include "core/tokenizer/decoders.h"
#include "core/tokenizer/json_util.h"
#include "core/tokenizer/normalizers.h"
#include "core/tokenizer/pre_tokenizers.h"
#include "core/tokenizer/unicode_util.h"

namespace falcon {
namespace {

// Byte offset where the trailing whitespace of s begins (HF space_leftmost_at_end).
size_t trailing_space_start(std::string_view s) {
  size_t e = s.size();
  while (e > 0) {
    size_t b = e - 1;
    while (b > 0 && (static_cast<uint8_t>(s[b]) & 0xC0) == 0x80) --b;
    size_t len = 1;
    if (!unicode::is_whitespace(unicode::decode_at(s, b, len))) break;
    e = b;
  }
  return e;
}

// Length of the leading whitespace of s (HF space_rightmost_at_start).
size_t leading_space_len(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 1;
    if (!unicode::is_whitespace(unicode::decode_at(s, i, len))) break;
    i += len;
  }
  return i;
}

bool last_char_is_word(std::string_view s) {
  if (s.empty()) return false;
  size_t b = s.size() - 1;
  while (b > 0 && (static_cast<uint8_t>(s[b]) & 0xC0) == 0x80) --b;
  size_t len = 1;
  return unicode::is_word_char(unicode::decode_at(s, b, len));
}

bool first_char_is_word(std::string_view s) {
  if (s.empty()) return false;
  size_t len = 1;
  return unicode::is_word_char(unicode::decode_at(s, 0, len));
}

}  // namespace

BpeTokenizer::BpeTokenizer() = default;
BpeTokenizer::~BpeTokenizer() = default;

std::unique_ptr<BpeTokenizer> BpeTokenizer::from_file(const std::filesystem::path& path) {
  const std::string text = read_file_bounded(path, kMaxTokenizerFileBytes);
  try {
    return from_json(text);
  } catch (const Error& e) {
    throw Error(e.kind(), path.string() + ": " + e.what());
  }
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::from_json(std::string_view json_text) {
  if (!json_depth_within(json_text)) {
    throw_load_error("tokenizer.json nests arrays/objects more than " + std::to_string(kMaxJsonDepth) +
                     " levels deep");
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text.begin(), json_text.end());
  } catch (const nlohmann::json::exception& e) {
    throw_load_error(std::string("tokenizer.json is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw_load_error("tokenizer.json: the top level must be an object");
  std::unique_ptr<BpeTokenizer> tok(new BpeTokenizer());
  try {
    const auto& model = j.contains("model") ? j["model"] : nlohmann::json();
    if (!model.is_object()) throw_load_error("tokenizer.json: \"model\" is missing");
    std::string type =
        model.contains("type") && model["type"].is_string() ? model["type"].get<std::string>() : "";
    if (type.empty() && model.contains("merges")) type = "BPE";  // old files omit the tag
    if (type != "BPE") {
      throw_load_error("tokenizer.json: model type '" + type +
                       "' is not supported (only BPE; WordPiece, Unigram and WordLevel are not)");
    }
    tok->model_ = std::make_unique<BpeModel>(model);
    tok->normalizer_ = make_normalizer(j.value("normalizer", nlohmann::json()), "normalizer");
    tok->pre_tokenizers_ = make_pre_tokenizers(j.value("pre_tokenizer", nlohmann::json()), "pre_tokenizer");
    tok->decoder_ = make_decoder(j.value("decoder", nlohmann::json()), "decoder");
    // post_processor: never applied (encode adds no special tokens), so any kind is accepted.

    if (j.contains("added_tokens") && !j["added_tokens"].is_null()) {
      const auto& list = j["added_tokens"];
      if (!list.is_array()) throw_load_error("tokenizer.json: added_tokens must be a list");
      for (size_t i = 0; i < list.size(); ++i) {
        const std::string where = "added_tokens[" + std::to_string(i) + "]";
        const auto& a = list[i];
        if (!a.is_object()) throw_load_error("tokenizer.json: " + where + " must be an object");
        AddedToken t;
        t.content = json_string(a, "content", where);
        const int64_t id = json_int(a, "id", where, -1);
        if (id < 0 || id > (int64_t{1} << 30))
          throw_load_error("tokenizer.json: " + where + ".id is missing or invalid");
        t.id = static_cast<int32_t>(id);
        t.special = json_bool(a, "special", where, false);
        t.single_word = json_bool(a, "single_word", where, false);
        t.lstrip = json_bool(a, "lstrip", where, false);
        t.rstrip = json_bool(a, "rstrip", where, false);
        t.normalized = json_bool(a, "normalized", where, !t.special);
        if (t.content.empty()) continue;  // HF ignores empty added tokens
        tok->added_.push_back(std::move(t));
      }
    }
    RegexScratch scratch;
    for (size_t i = 0; i < tok->added_.size(); ++i) {
      const AddedToken& t = tok->added_[i];
      std::string norm = t.content;
      if (t.normalized && tok->normalizer_) tok->normalizer_->apply(norm, scratch);
      tok->normalized_content_.push_back(norm);
      if (norm.empty()) continue;
      (t.normalized ? tok->normalized_set_ : tok->raw_set_).push_back(static_cast<int>(i));
      if (t.special) tok->special_ids_sorted_.push_back(t.id);
    }
    for (size_t i = 0; i < tok->added_.size(); ++i) tok->added_by_id_.emplace(tok->added_[i].id, i);
    std::sort(tok->special_ids_sorted_.begin(), tok->special_ids_sorted_.end());
  } catch (const nlohmann::json::exception& e) {
    throw_load_error(std::string("tokenizer.json is malformed: ") + e.what());
  }
  return tok;
}

void BpeTokenizer::split_added(std::string_view text, bool at_origin, const std::vector<int>& set,
                               bool parse_special, std::vector<Segment>& out) const {
  if (set.empty() || text.empty()) {
    if (!text.empty()) out.push_back({text, -1, at_origin});
    return;
  }
  bool first_byte[256] = {};
  for (int k : set) first_byte[static_cast<uint8_t>(normalized_content_[static_cast<size_t>(k)][0])] = true;
  size_t start_offset = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (!first_byte[static_cast<uint8_t>(text[i])]) {
      ++i;
      continue;
    }
    // Leftmost-longest, as HF's Aho-Corasick automaton.
    int best = -1;
    size_t best_len = 0;
    for (int k : set) {
      const std::string& c = normalized_content_[static_cast<size_t>(k)];
      if (c.size() > best_len && text.compare(i, c.size(), c) == 0) best = k, best_len = c.size();
    }
    if (best < 0) {
      ++i;
      continue;
    }
    const AddedToken& t = added_[static_cast<size_t>(best)];
    size_t start = i, stop = i + best_len;
    i = stop;  // the automaton resumes after this match even when it is discarded below
    if (t.special && !parse_special) continue;
    if (t.single_word) {
      const bool start_ok = start == 0 || !last_char_is_word(text.substr(0, start));
      const bool stop_ok = stop == text.size() || !first_char_is_word(text.substr(stop));
      if (!start_ok || !stop_ok) continue;
    }
    if (t.lstrip) start = std::max(trailing_space_start(text.substr(0, start)), start_offset);
    if (t.rstrip) stop += leading_space_len(text.substr(stop));
    if (start > start_offset) {
      out.push_back({text.substr(start_offset, start - start_offset), -1, at_origin && start_offset == 0});
    }
    out.push_back({text.substr(start, stop - start), t.id, false});
    start_offset = stop;
    i = stop;
  }
  if (start_offset < text.size()) {
    out.push_back({text.substr(start_offset), -1, at_origin && start_offset == 0});
  }
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view input, bool parse_special) const {
  std::vector<int32_t> ids;
  if (input.empty()) return ids;
  const std::string text = unicode::to_valid_utf8(input);
  RegexScratch scratch;

  std::vector<Segment> raw;
  split_added(text, true, raw_set_, parse_special, raw);

  std::vector<std::vector<Piece>> levels(pre_tokenizers_.size());
  auto emit = [&](const std::string& word) { model_->encode_word(word, ids); };
  std::vector<Segment> inner;
  std::string normalized;
  for (const Segment& seg : raw) {
    if (seg.id >= 0) {
      ids.push_back(seg.id);
      continue;
    }
    normalized.assign(seg.text);
    if (normalizer_) normalizer_->apply(normalized, scratch);
    inner.clear();
    split_added(normalized, seg.at_origin, normalized_set_, parse_special, inner);
    for (const Segment& s : inner) {
      if (s.id >= 0) {
        ids.push_back(s.id);
        continue;
      }
      pre_tokenize(pre_tokenizers_, 0, Piece{std::string(s.text), s.at_origin}, levels, scratch, emit);
    }
  }
  return ids;
}

std::string BpeTokenizer::id_to_token(int32_t id) const {
  if (auto it = added_by_id_.find(id); it != added_by_id_.end()) return added_[it->second].content;
  const std::string* s = model_->id_to_token(id);
  return s ? *s : std::string();
}

std::string BpeTokenizer::decode(std::span<const int32_t> ids, bool skip_special) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    auto it = added_by_id_.find(id);
    if (it != added_by_id_.end()) {
      // HF (0.23) decodes a normalized added token through its normalized form, so that the
      // decoder can undo the normalization (e.g. byte-level); skipping compares that string
      // with the special tokens' contents.
      const AddedToken& added = added_[it->second];
      const std::string& text = added.normalized ? normalized_content_[it->second] : added.content;
      if (skip_special && added.special && text == added.content) continue;
      tokens.push_back(text);
      continue;
    }
    if (const std::string* s = model_->id_to_token(id)) tokens.push_back(*s);  // unknown ids are skipped
  }
  if (!decoder_) {
    std::string out;
    for (size_t i = 0; i < tokens.size(); ++i) out += (i ? " " : "") + tokens[i];
    return out;
  }
  RegexScratch scratch;
  decoder_->apply(tokens, scratch);
  std::string out;
  for (const auto& t : tokens) out += t;
  return out;
}

int32_t BpeTokenizer::vocab_size() const {
  int32_t n = model_->max_id() + 1;
  for (const AddedToken& t : added_) n = std::max(n, t.id + 1);
  return n;
}

std::optional<int32_t> BpeTokenizer::token_to_id(std::string_view token) const {
  for (const AddedToken& t : added_) {
    if (t.content == token) return t.id;
  }
  return model_->token_to_id(token);
}

bool BpeTokenizer::is_special(int32_t id) const {
  return std::binary_search(special_ids_sorted_.begin(), special_ids_sorted_.end(), id);
}

}  // namespace falcon
