#pragma once
// Small UTF-8 and Unicode-property helpers shared by the tokenizers. Character classes follow
// the definitions HF tokenizers (Rust) uses, so that splitting matches it character for character.
#include <cstdint>
#include <string>
#include <string_view>

namespace falcon::unicode {

// Decodes the code point at s[i]; sets `len` to its byte length. Invalid or truncated
// sequences return -1 with len = 1 (callers treat them as one bad byte).
int32_t decode_at(std::string_view s, size_t i, size_t& len);
void append_utf8(std::string& out, int32_t cp);
bool is_valid_utf8(std::string_view s);
// Rust's String::from_utf8_lossy: every maximal invalid subpart becomes one U+FFFD.
std::string to_valid_utf8(std::string_view s);
// Length of the longest prefix of `s` made of complete characters, given that `s` may end in
// the middle of a character (used by streaming: the rest may still be completed).
size_t complete_prefix_len(std::string_view s);

bool is_whitespace(int32_t cp);  // Rust char::is_whitespace (White_Space property)
bool is_numeric(int32_t cp);     // Rust char::is_numeric (Nd, Nl, No)
bool is_alphabetic(int32_t cp);  // approximates Rust char::is_alphabetic (L*, Nl, Mc)
bool is_alphanumeric(int32_t cp);
bool is_punctuation(int32_t cp);  // HF Punctuation: ASCII punctuation or Unicode P*
bool is_mark_nonspacing(int32_t cp);
bool is_mark(int32_t cp);
// Rust regex \w: Alphabetic, M*, Nd, Pc, Join_Control (HF's single_word boundaries)
bool is_word_char(int32_t cp);  // general category M* (Mn, Mc, Me)

// Lowercases as HF's Lowercase normalizer does (Rust char::to_lowercase, per character).
std::string lowercase(std::string_view s);

enum class NormalForm { NFC, NFD, NFKC, NFKD };
std::string normalize(std::string_view s, NormalForm form);

}  // namespace falcon::unicode
