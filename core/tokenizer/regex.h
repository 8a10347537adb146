#pragma once
// PCRE2 (8-bit, UTF + UCP, JIT) regular expressions with the matching semantics HF tokenizers
// gets from Oniguruma: \s, \S, \w and \W are rewritten to Oniguruma's Unicode classes before
// compiling (PCRE2's \s lacks U+0085 and its \w differs on marks and No digits), and find_all
// steps over empty matches the way Rust's find_iter does.
#include <pcre2.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace falcon {

struct Span {
  size_t begin = 0;
  size_t end = 0;
};

// Per-call matching state; one per encode() call, shared by every Regex (not thread-safe).
class RegexScratch {
 public:
  RegexScratch();
  ~RegexScratch();
  RegexScratch(const RegexScratch&) = delete;
  RegexScratch& operator=(const RegexScratch&) = delete;
  pcre2_match_data* match_data() const { return md_; }
  pcre2_match_context* context() const { return ctx_; }
  std::vector<Span> spans;  // reusable match list for the caller

 private:
  pcre2_match_data* md_ = nullptr;
  pcre2_match_context* ctx_ = nullptr;
};

class Regex {
 public:
  // `pattern` in Oniguruma syntax (as HF tokenizer.json stores it), or a literal string when
  // `literal`, or (pcre_syntax) already PCRE2 syntax, used as is. Throws Error(Load) with
  // PCRE2's message and the offset on a bad pattern.
  Regex(std::string_view pattern, bool literal, bool pcre_syntax = false);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // All non-overlapping matches in `text` (valid UTF-8), left to right. Throws Error(Other)
  // when the match limit is hit (a pathological pattern), never loops forever.
  void find_all(std::string_view text, RegexScratch& scratch, std::vector<Span>& out) const;
  // Replaces every match by `with` (no group references, as HF's Replace does).
  std::string replace_all(std::string_view text, std::string_view with, RegexScratch& scratch) const;

  const std::string& pattern() const { return source_; }

 private:
  std::string source_;
  pcre2_code* code_ = nullptr;
  bool jit_ = false;
  // When PCRE2 knows the possible first bytes of a (non-empty) match: text without any of
  // them cannot match, so the call is skipped (most pieces never hold a digit, for example).
  bool has_first_bytes_ = false;
  bool first_bytes_[256] = {};
};

// Exposed for tests: the Oniguruma-to-PCRE2 rewrite of \s \S \w \W.
std::string translate_onig_pattern(std::string_view pattern);

}  // namespace falcon
