#pragma once
// HF tokenizers pre-tokenizers (tokenizer.json "pre_tokenizer"): they cut normalized text into
// the pieces that the BPE model encodes one by one. Supported: Sequence, Punctuation, ByteLevel,
// Digits, Split, Whitespace, WhitespaceSplit, Metaspace, CharDelimiterSplit. Anything else is
// refused at load with its name.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/tokenizer/regex.h"

namespace falcon {

struct Piece {
  std::string text;
  bool at_origin = false;  // starts at offset 0 of the original input (Metaspace "first")
};

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// Cuts `piece` at `matches` (sorted, non-overlapping byte spans) as HF's NormalizedString::split
// does for `behavior` (with `invert`, matches and gaps swap roles); appends the non-empty
// results to `out`.
void split_piece(Piece&& piece, const std::vector<Span>& matches, SplitBehavior behavior, bool invert,
                 std::vector<Piece>& out);

// One stage. Every HF pre-tokenizer maps each piece independently, so a chain can run depth
// first (piece by piece through all stages), which keeps the working set small.
class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Appends the pieces `in` splits into to `out`.
  virtual void split(Piece&& in, std::vector<Piece>& out, RegexScratch& scratch) const = 0;
};

// The stages of a tokenizer.json "pre_tokenizer" (a Sequence flattened; empty for null).
std::vector<std::unique_ptr<PreTokenizer>> make_pre_tokenizers(const nlohmann::json& j,
                                                               const std::string& where);

// Runs `piece` through stages[k..] depth first and calls emit(word) for every final piece.
// `levels` is per-call scratch (one vector per stage).
template <class Emit>
void pre_tokenize(const std::vector<std::unique_ptr<PreTokenizer>>& stages, size_t k, Piece&& piece,
                  std::vector<std::vector<Piece>>& levels, RegexScratch& scratch, Emit& emit) {
  if (k == stages.size()) {
    emit(piece.text);
    return;
  }
  auto& out = levels[k];
  const size_t start = out.size();
  stages[k]->split(std::move(piece), out, scratch);
  // levels[k] is not touched by the deeper levels, so indices stay valid.
  for (size_t i = start; i < out.size(); ++i)
    pre_tokenize(stages, k + 1, std::move(out[i]), levels, scratch, emit);
  out.resize(start);
}

// The byte-level alphabet (GPT-2): byte -> the UTF-8 text of the character standing for it.
const std::string& byte_level_char(uint8_t byte);
// Inverse: a character of the byte-level alphabet -> its byte, or -1.
int byte_level_byte(int32_t cp);
// Maps every byte of `text` to its byte-level character.
std::string byte_level_encode(std::string_view text);

}  // namespace falcon
