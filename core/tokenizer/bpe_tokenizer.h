#pragma once
// BpeTokenizer: Hugging Face tokenizer.json with a BPE model (the format Falcon checkpoints
// ship), encoding and decoding exactly as the `tokenizers` library does. The pipeline per
// encode: split off added tokens (before normalization for normalized=false tokens, after it
// for the others) -> normalizer -> pre-tokenizer -> BPE per piece. The post_processor is not
// applied: encode() never adds bos/eos (callers do, see SpecialTokens), so TemplateProcessing
// and friends are accepted and ignored. Input that is not valid UTF-8 is first made valid the
// way Rust's from_utf8_lossy does (each invalid sequence -> U+FFFD).
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/tokenizer/tokenizer.h"

namespace falcon {

class BpeModel;
class Normalizer;
class PreTokenizer;
class Decoder;

class BpeTokenizer final : public Tokenizer {
 public:
  // Throws Error(Load) naming the file and the unsupported or malformed component.
  static std::unique_ptr<BpeTokenizer> from_file(const std::filesystem::path& path);
  static std::unique_ptr<BpeTokenizer> from_json(std::string_view json_text);
  ~BpeTokenizer() override;

  std::vector<int32_t> encode(std::string_view text, bool parse_special = true) const override;
  std::string decode(std::span<const int32_t> ids, bool skip_special = false) const override;
  int32_t vocab_size() const override;
  std::optional<int32_t> token_to_id(std::string_view token) const override;
  bool is_special(int32_t id) const override;
  std::string describe() const override { return "bpe (tokenizer.json)"; }

  // The token string of `id` (vocab or added token), or "" when the id has none.
  std::string id_to_token(int32_t id) const;
  void set_specials(const SpecialTokens& s) { specials_ = s; }

  struct AddedToken {
    std::string content;
    int32_t id = -1;
    bool special = false;
    bool single_word = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = false;
  };
  const std::vector<AddedToken>& added_tokens() const { return added_; }

 private:
  BpeTokenizer();
  struct Segment {
    std::string_view text;
    int32_t id;      // -1: text to encode
    bool at_origin;  // starts at offset 0 of the input
  };
  // Cuts `text` at the added tokens in `set` (leftmost-longest), honouring single_word,
  // lstrip and rstrip; appends to `out`.
  void split_added(std::string_view text, bool at_origin, const std::vector<int>& set, bool parse_special,
                   std::vector<Segment>& out) const;

  std::unique_ptr<BpeModel> model_;
  std::unique_ptr<Normalizer> normalizer_;
  std::vector<std::unique_ptr<PreTokenizer>> pre_tokenizers_;  // stages, Sequence flattened
  std::unique_ptr<Decoder> decoder_;
  std::vector<AddedToken> added_;
  std::vector<int> raw_set_;                     // indices into added_ matched on the raw text
  std::vector<int> normalized_set_;              // matched after normalization (contents normalized)
  std::vector<std::string> normalized_content_;  // per added_ entry
  std::vector<int32_t> special_ids_sorted_;
  std::unordered_map<int32_t, size_t> added_by_id_;  // id -> index into added_
};

}  // namespace falcon
