#include "core/tokenizer/regex.h"

#include "core/common/error.h"

namespace falcon {
namespace {

// Oniguruma's Unicode \s (the White_Space property) and \w (Letter, Mark, Decimal_Number,
// Connector_Punctuation), as the body of a character class.
constexpr std::string_view kSpaceBody =
    "\\t-\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";
constexpr std::string_view kWordBody = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";

// A pathological pattern (catastrophic backtracking) stops with an error instead of hanging.
constexpr uint32_t kMatchLimit = 5'000'000;

}  // namespace

std::string translate_onig_pattern(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 32);
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[i + 1];
      std::string_view body;
      bool negate = false;
      if (e == 's' || e == 'S') body = kSpaceBody, negate = (e == 'S');
      if (e == 'w' || e == 'W') body = kWordBody, negate = (e == 'W');
      if (!body.empty() && !in_class) {
        out += negate ? "[^" : "[";
        out += body;
        out += "]";
      } else if (!body.empty() && !negate) {
        out += body;  // inside a class: add the members
      } else {
        out += c;  // any other escape, and a negated class shorthand inside a class, as is
        out += e;
      }
      ++i;
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal member.
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];
      continue;
    }
    if (in_class && c == '[' && i + 1 < p.size() && p[i + 1] == ':') {
      const size_t close = p.find(":]", i + 2);
      if (close != std::string_view::npos) {
        out.append(p.substr(i, close + 2 - i));
        i = close + 1;
        continue;
      }
    }
    if (in_class && c == ']') in_class = false;
    out += c;
  }
  return out;
}

RegexScratch::RegexScratch() {
  md_ = pcre2_match_data_create(1, nullptr);
  ctx_ = pcre2_match_context_create(nullptr);
  if (md_ == nullptr || ctx_ == nullptr) throw Error(ErrorKind::OutOfMemory, "regex: out of memory");
  pcre2_set_match_limit(ctx_, kMatchLimit);
  pcre2_set_depth_limit(ctx_, 100'000);
}

RegexScratch::~RegexScratch() {
  pcre2_match_data_free(md_);
  pcre2_match_context_free(ctx_);
}

Regex::Regex(std::string_view pattern, bool literal, bool pcre_syntax) : source_(pattern) {
  const std::string translated =
      (literal || pcre_syntax) ? std::string(pattern) : translate_onig_pattern(pattern);
  int err = 0;
  PCRE2_SIZE offset = 0;
  uint32_t options = PCRE2_UTF | PCRE2_UCP;
  if (literal) options = PCRE2_UTF | PCRE2_LITERAL;
  code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(), options, &err,
                        &offset, nullptr);
  if (code_ == nullptr) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw_load_error("tokenizer.json: regex '" + std::string(pattern) + "' does not compile (" +
                     reinterpret_cast<const char*>(msg) + " at offset " + std::to_string(offset) + ")");
  }
  jit_ = pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE) == 0;
  uint32_t min_length = 0, first_type = 0;
  const uint8_t* bitmap = nullptr;
  pcre2_pattern_info(code_, PCRE2_INFO_MINLENGTH, &min_length);
  pcre2_pattern_info(code_, PCRE2_INFO_FIRSTCODETYPE, &first_type);
  pcre2_pattern_info(code_, PCRE2_INFO_FIRSTBITMAP, &bitmap);
  if (min_length > 0 && first_type == 1) {
    uint32_t unit = 0;
    pcre2_pattern_info(code_, PCRE2_INFO_FIRSTCODEUNIT, &unit);
    // A letter might be matched caselessly ((?i) inside the pattern); only trust others.
    const bool letter = (unit >= 'a' && unit <= 'z') || (unit >= 'A' && unit <= 'Z');
    if (unit < 128 && !letter) {
      has_first_bytes_ = true;
      first_bytes_[unit] = true;
    }
  } else if (min_length > 0 && first_type == 0 && bitmap != nullptr) {
    has_first_bytes_ = true;
    for (int b = 0; b < 256; ++b) first_bytes_[b] = (bitmap[b / 8] >> (b % 8)) & 1;
  }
}

Regex::~Regex() {
  pcre2_code_free(code_);
}

void Regex::find_all(std::string_view text, RegexScratch& scratch, std::vector<Span>& out) const {
  out.clear();
  if (has_first_bytes_) {
    bool possible = false;
    for (char c : text) {
      if (first_bytes_[static_cast<uint8_t>(c)]) {
        possible = true;
        break;
      }
    }
    if (!possible) return;
  }
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t pos = 0;
  bool have_last_end = false;
  size_t last_end = 0;
  while (pos <= text.size()) {
    const int rc = pcre2_match(code_, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, scratch.match_data(),
                               scratch.context());
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      throw Error(ErrorKind::Other, "tokenizer: regex '" + source_ + "' failed on the input (PCRE2 error " +
                                        std::to_string(rc) + ", e.g. its match limit)");
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(scratch.match_data());
    const size_t b = ov[0], e = ov[1];
    if (e < b) break;  // \K tricks: refuse to go backwards
    // As Rust's find_iter: an empty match right where the previous match ended is skipped.
    const bool skip = (b == e) && have_last_end && last_end == e;
    if (!skip) {
      out.push_back({b, e});
      have_last_end = true;
      last_end = e;
    }
    if (e > b) {
      pos = e;
    } else {
      // Step over one whole character.
      if (e >= text.size()) break;
      size_t step = 1;
      while (e + step < text.size() && (static_cast<uint8_t>(text[e + step]) & 0xC0) == 0x80) ++step;
      pos = e + step;
    }
  }
}

std::string Regex::replace_all(std::string_view text, std::string_view with, RegexScratch& scratch) const {
  std::vector<Span> spans;
  find_all(text, scratch, spans);
  if (spans.empty()) return std::string(text);
  std::string out;
  size_t prev = 0;
  for (const Span& s : spans) {
    out.append(text.substr(prev, s.begin - prev));
    out.append(with);
    prev = s.end;
  }
  out.append(text.substr(prev));
  return out;
}

}  // namespace falcon
