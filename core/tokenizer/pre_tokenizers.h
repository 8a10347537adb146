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
void split_piece(const Piece& piece, const std::vector<Span>& matches, SplitBehavior behavior, bool invert,
                 std::vector<Piece>& out);

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces `pieces` by their pre-tokenization.
  virtual void apply(std::vector<Piece>& pieces, RegexScratch& scratch) const = 0;
};

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const std::string& where);

// The byte-level alphabet (GPT-2): byte -> the UTF-8 text of the character standing for it.
const std::string& byte_level_char(uint8_t byte);
// Inverse: a character of the byte-level alphabet -> its byte, or -1.
int byte_level_byte(int32_t cp);
// Maps every byte of `text` to its byte-level character.
std::string byte_level_encode(std::string_view text);

}  // namespace falcon
