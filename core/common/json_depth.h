#pragma once
// A nesting-depth bound for JSON read from outside files (safetensors headers, config.json,
// tokenizer.json, the shard index, conversation imports).
//
// nlohmann::json parses iteratively, but copying a value, dump() and comparisons recurse once
// per level: "[[[[...]]]]" nested a few hundred thousand deep (a 600 KB header) overflowed the
// stack in an error message's dump() and in tokenizer loading. No real file nests more than a
// handful of levels, so text nested deeper than kMaxJsonDepth is refused before it is parsed.
#include <cstddef>
#include <string_view>

namespace falcon {

inline constexpr std::size_t kMaxJsonDepth = 128;

// True when no array/object in `text` is nested more than `limit` levels deep. Brackets inside
// strings do not count; malformed text is left to the parser. One pass, no allocation.
inline bool json_depth_within(std::string_view text, std::size_t limit = kMaxJsonDepth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is, cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace falcon
