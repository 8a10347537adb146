#pragma once
// Tokenizer interface: BpeTokenizer (HF tokenizer.json) and SentencePieceTokenizer
// (tokenizer.model) implement it; load_tokenizer() picks one from a checkpoint folder.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace falcon {

struct SpecialTokens {
  int32_t bos = -1;  // -1: the model has none
  int32_t eos = -1;
  int32_t pad = -1;
  bool add_bos = false;  // tokenizer_config.json add_bos_token: prepend bos when encoding a prompt
  bool add_eos = false;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Text to ids. With parse_special, added/special tokens written in the text become their ids
  // (as HF tokenizers does); otherwise they are encoded as ordinary text. bos/eos are never
  // added here: callers decide (see SpecialTokens::add_bos).
  virtual std::vector<int32_t> encode(std::string_view text, bool parse_special = true) const = 0;
  // Ids to text, as the reference library decodes them (skip_special drops special tokens).
  virtual std::string decode(std::span<const int32_t> ids, bool skip_special = false) const = 0;

  virtual int32_t vocab_size() const = 0;
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  virtual bool is_special(int32_t id) const = 0;
  // "bpe (tokenizer.json)" or "sentencepiece (tokenizer.model)"
  virtual std::string describe() const = 0;

  const SpecialTokens& specials() const { return specials_; }

 protected:
  SpecialTokens specials_;
};

// Picks the tokenizer from what `dir` holds (tokenizer.json first, then tokenizer.model) and
// reads special ids from tokenizer_config.json, special_tokens_map.json and
// generation_config.json. Throws Error(Load) with an actionable message.
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& dir);

}  // namespace falcon
