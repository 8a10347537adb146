#pragma once
// SentencePieceTokenizer: a tokenizer.model through the sentencepiece library itself, so that
// encoding (including byte fallback) and decoding are exactly the library's. sentencepiece never
// turns control-token text ("<s>") written in the input into ids, so parse_special has no
// effect here; user-defined symbols are always matched, as the library does.
#include <filesystem>
#include <memory>

#include "core/tokenizer/tokenizer.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace falcon {

class SentencePieceTokenizer final : public Tokenizer {
 public:
  // Throws Error(Load) with the library's message.
  static std::unique_ptr<SentencePieceTokenizer> from_file(const std::filesystem::path& path);
  static std::unique_ptr<SentencePieceTokenizer> from_serialized(std::string_view model_proto);
  ~SentencePieceTokenizer() override;

  std::vector<int32_t> encode(std::string_view text, bool parse_special = true) const override;
  // Ids outside the vocabulary are skipped; control tokens decode to "" (the library's rule).
  std::string decode(std::span<const int32_t> ids, bool skip_special = false) const override;
  int32_t vocab_size() const override;
  std::optional<int32_t> token_to_id(std::string_view token) const override;
  bool is_special(int32_t id) const override;  // control tokens (bos, eos, pad)
  std::string describe() const override { return "sentencepiece (tokenizer.model)"; }

  std::string id_to_piece(int32_t id) const;
  void set_specials(const SpecialTokens& s) { specials_ = s; }

 private:
  SentencePieceTokenizer();
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
};

}  // namespace falcon
