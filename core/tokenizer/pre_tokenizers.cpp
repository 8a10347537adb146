#include "core/tokenizer/pre_tokenizers.h"

#include <array>
#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/tokenizer/json_util.h"
#include "core/tokenizer/unicode_util.h"

namespace falcon {
namespace {

// The GPT-2 split pattern HF's ByteLevel pre-tokenizer uses with use_regex.
constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// HF's Whitespace pre-tokenizer regex \w+|[^\w\s]+ as Rust's regex crate reads it.
constexpr std::string_view kRustWhitespacePattern =
    R"([\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}]+|)"
    R"([^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}\t-\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]+)";

struct ByteTables {
  std::array<std::string, 256> to_char;
  ByteTables() {
    int extra = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      unicode::append_utf8(to_char[b], printable ? b : 256 + extra++);
    }
  }
};

const ByteTables& byte_tables() {
  static const ByteTables tables;  // immutable after first use
  return tables;
}

// Spans of the characters satisfying `pred`, one span per character (HF's char-predicate pattern).
template <class Pred>
void char_matches(std::string_view t, Pred pred, std::vector<Span>& out) {
  out.clear();
  for (size_t i = 0; i < t.size();) {
    size_t len = 1;
    const int32_t c = unicode::decode_at(t, i, len);
    if (pred(c)) out.push_back({i, i + len});
    i += len;
  }
}

SplitBehavior parse_behavior(const nlohmann::json& j, const std::string& where) {
  const std::string b = json_string(j, "behavior", where);
  if (b == "Removed") return SplitBehavior::Removed;
  if (b == "Isolated") return SplitBehavior::Isolated;
  if (b == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
  if (b == "MergedWithNext") return SplitBehavior::MergedWithNext;
  if (b == "Contiguous") return SplitBehavior::Contiguous;
  throw_load_error("tokenizer.json: " + where + ".behavior '" + b + "' is not a split behavior");
}

class CharSplit final : public PreTokenizer {
 public:
  enum class Kind { Punctuation, Digits, Whitespace, Delimiter };
  CharSplit(Kind kind, SplitBehavior behavior, int32_t delimiter = 0)
      : kind_(kind), behavior_(behavior), delimiter_(delimiter) {}
  void split(Piece&& in, std::vector<Piece>& out, RegexScratch& scratch) const override {
    auto& spans = scratch.spans;
    const std::string_view t(in.text);
    switch (kind_) {
      case Kind::Punctuation:
        char_matches(t, unicode::is_punctuation, spans);
        break;
      case Kind::Digits:
        char_matches(t, unicode::is_numeric, spans);
        break;
      case Kind::Whitespace:
        char_matches(t, unicode::is_whitespace, spans);
        break;
      case Kind::Delimiter:
        char_matches(
            t, [this](int32_t c) { return c == delimiter_; }, spans);
        break;
    }
    split_piece(std::move(in), spans, behavior_, false, out);
  }

 private:
  Kind kind_;
  SplitBehavior behavior_;
  int32_t delimiter_;
};

class RegexSplit final : public PreTokenizer {
 public:
  RegexSplit(std::unique_ptr<Regex> re, SplitBehavior behavior, bool invert)
      : re_(std::move(re)), behavior_(behavior), invert_(invert) {}
  void split(Piece&& in, std::vector<Piece>& out, RegexScratch& scratch) const override {
    re_->find_all(in.text, scratch, scratch.spans);
    split_piece(std::move(in), scratch.spans, behavior_, invert_, out);
  }

 private:
  std::unique_ptr<Regex> re_;
  SplitBehavior behavior_;
  bool invert_;
};

class ByteLevel final : public PreTokenizer {
 public:
  ByteLevel(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space) {
    if (use_regex) re_ = std::make_unique<Regex>(kGpt2Pattern, false);
  }
  void split(Piece&& in, std::vector<Piece>& out, RegexScratch& scratch) const override {
    if (add_prefix_space_ && (in.text.empty() || in.text[0] != ' ')) in.text.insert(0, 1, ' ');
    const size_t start = out.size();
    if (re_) {
      re_->find_all(in.text, scratch, scratch.spans);
      split_piece(std::move(in), scratch.spans, SplitBehavior::Isolated, false, out);
    } else if (!in.text.empty()) {
      out.push_back(std::move(in));
    }
    for (size_t i = start; i < out.size(); ++i) out[i].text = byte_level_encode(out[i].text);
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Regex> re_;
};

class Metaspace final : public PreTokenizer {
 public:
  enum class Prepend { Always, First, Never };
  Metaspace(int32_t replacement, Prepend prepend, bool split) : prepend_(prepend), split_(split) {
    unicode::append_utf8(rep_, replacement);
  }
  void split(Piece&& in, std::vector<Piece>& out, RegexScratch& scratch) const override {
    std::string t;
    t.reserve(in.text.size() + rep_.size());
    for (char c : in.text) {
      if (c == ' ') {
        t += rep_;
      } else {
        t += c;
      }
    }
    const bool starts = t.compare(0, rep_.size(), rep_) == 0;
    if (!starts && (prepend_ == Prepend::Always || (prepend_ == Prepend::First && in.at_origin)))
      t.insert(0, rep_);
    Piece p{std::move(t), in.at_origin};
    if (!split_) {
      if (!p.text.empty()) out.push_back(std::move(p));
      return;
    }
    auto& spans = scratch.spans;
    spans.clear();
    const std::string_view v(p.text);
    for (size_t i = v.find(rep_); i != std::string_view::npos; i = v.find(rep_, i + rep_.size())) {
      spans.push_back({i, i + rep_.size()});
    }
    split_piece(std::move(p), spans, SplitBehavior::MergedWithNext, false, out);
  }

 private:
  std::string rep_;
  Prepend prepend_;
  bool split_;
};

}  // namespace

const std::string& byte_level_char(uint8_t byte) {
  return byte_tables().to_char[byte];
}

int byte_level_byte(int32_t cp) {
  if ((cp >= 33 && cp <= 126) || (cp >= 161 && cp <= 172) || (cp >= 174 && cp <= 255)) return cp;
  if (cp < 256 || cp >= 256 + 68) return -1;
  // The 68 non-printable bytes, in increasing order, map to 256, 257, ...
  int n = cp - 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    if (!printable && n-- == 0) return b;
  }
  return -1;
}

std::string byte_level_encode(std::string_view text) {
  const auto& table = byte_tables().to_char;
  std::string out;
  out.reserve(text.size() * 2);
  for (char c : text) out += table[static_cast<uint8_t>(c)];
  return out;
}

void split_piece(Piece&& piece, const std::vector<Span>& matches, SplitBehavior behavior, bool invert,
                 std::vector<Piece>& out) {
  const size_t n = piece.text.size();
  if (n == 0) return;
  // Nothing to cut: the piece goes through whole (unless it is all delimiter to remove).
  if (matches.empty() && !(invert && behavior == SplitBehavior::Removed)) {
    out.push_back(std::move(piece));
    return;
  }
  if (!invert && matches.size() == 1 && matches[0].begin == 0 && matches[0].end == n &&
      behavior != SplitBehavior::Removed) {
    out.push_back(std::move(piece));
    return;
  }
  const std::string& t = piece.text;
  const bool origin = piece.at_origin;
  auto emit = [&](Span s) {
    if (s.end > s.begin) out.push_back({t.substr(s.begin, s.end - s.begin), origin && s.begin == 0});
  };
  // Walks the (span, is_match) parts that cover the text, as HF's Pattern::find_matches, and
  // merges them per behavior with at most one pending span (HF folds over the same list).
  bool have_pending = false;
  Span pending;
  bool pending_match = false;  // MergedWithNext: the pending span is a match waiting for a gap
  bool previous_match = false;
  auto part = [&](Span s, bool is_match) {
    switch (behavior) {
      case SplitBehavior::Removed:
        if (!is_match) emit(s);
        break;
      case SplitBehavior::Isolated:
        emit(s);
        break;
      case SplitBehavior::Contiguous:
        if (have_pending && is_match == previous_match) {
          pending.end = s.end;
        } else {
          if (have_pending) emit(pending);
          pending = s;
          have_pending = true;
        }
        break;
      case SplitBehavior::MergedWithPrevious:
        if (have_pending && is_match && !previous_match) {
          pending.end = s.end;
        } else {
          if (have_pending) emit(pending);
          pending = s;
          have_pending = true;
        }
        break;
      case SplitBehavior::MergedWithNext:
        if (have_pending && pending_match && !is_match) {
          emit({pending.begin, s.end});
          have_pending = false;
        } else {
          if (have_pending) emit(pending);
          pending = s;
          have_pending = true;
          pending_match = is_match;
        }
        break;
    }
    previous_match = is_match;
  };
  size_t prev = 0;
  for (const Span& m : matches) {
    if (m.begin > prev) part({prev, m.begin}, invert);
    part(m, !invert);
    prev = m.end;
  }
  if (prev < n) part({prev, n}, invert);
  if (have_pending) emit(pending);
}

namespace {

std::unique_ptr<PreTokenizer> make_one(const nlohmann::json& j, const std::string& where) {
  const std::string type = json_type(j, where);
  if (type == "Punctuation") {
    const auto b = j.contains("behavior") ? parse_behavior(j, where) : SplitBehavior::Isolated;
    return std::make_unique<CharSplit>(CharSplit::Kind::Punctuation, b);
  }
  if (type == "Digits") {
    const bool individual = json_bool(j, "individual_digits", where, false);
    return std::make_unique<CharSplit>(CharSplit::Kind::Digits,
                                       individual ? SplitBehavior::Isolated : SplitBehavior::Contiguous);
  }
  if (type == "WhitespaceSplit")
    return std::make_unique<CharSplit>(CharSplit::Kind::Whitespace, SplitBehavior::Removed);
  if (type == "CharDelimiterSplit") {
    return std::make_unique<CharSplit>(CharSplit::Kind::Delimiter, SplitBehavior::Removed,
                                       json_char(j, "delimiter", where, -1));
  }
  if (type == "Whitespace") {
    // HF keeps the matches of \w+|[^\w\s]+ and drops the rest. This one regex is compiled by
    // Rust's regex crate, not Oniguruma: \w = Alphabetic, M, Nd, Pc, Join_Control and
    // \s = White_Space.
    return std::make_unique<RegexSplit>(std::make_unique<Regex>(kRustWhitespacePattern, false, true),
                                        SplitBehavior::Removed, true);
  }
  if (type == "Split") {
    return std::make_unique<RegexSplit>(json_pattern(j, "pattern", where), parse_behavior(j, where),
                                        json_bool(j, "invert", where, false));
  }
  if (type == "ByteLevel") {
    return std::make_unique<ByteLevel>(json_bool(j, "add_prefix_space", where, true),
                                       json_bool(j, "use_regex", where, true));
  }
  if (type == "Metaspace") {
    const int32_t rep = json_char(j, "replacement", where, 0x2581);
    Metaspace::Prepend prepend = Metaspace::Prepend::Always;
    if (j.contains("prepend_scheme") && !j["prepend_scheme"].is_null()) {
      const std::string s = json_string(j, "prepend_scheme", where);
      if (s == "always") {
        prepend = Metaspace::Prepend::Always;
      } else if (s == "first") {
        prepend = Metaspace::Prepend::First;
      } else if (s == "never") {
        prepend = Metaspace::Prepend::Never;
      } else {
        throw_load_error("tokenizer.json: " + where + ".prepend_scheme '" + s +
                         "' is not always|first|never");
      }
    } else if (!json_bool(j, "add_prefix_space", where, true)) {
      prepend = Metaspace::Prepend::Never;
    }
    return std::make_unique<Metaspace>(rep, prepend, json_bool(j, "split", where, true));
  }
  throw_load_error(
      "tokenizer.json: pre-tokenizer type '" + type + "' (at " + where +
      ") is not supported; supported: Sequence, Punctuation, ByteLevel, Digits, Split, Whitespace, "
      "WhitespaceSplit, Metaspace, CharDelimiterSplit");
}

void flatten(const nlohmann::json& j, const std::string& where,
             std::vector<std::unique_ptr<PreTokenizer>>& out, int depth) {
  if (j.is_null()) return;
  if (depth > 32) throw_load_error("tokenizer.json: " + where + " nests Sequences too deeply");
  if (json_type(j, where) == "Sequence") {
    const auto& list = json_array(j, "pretokenizers", where);
    for (size_t i = 0; i < list.size(); ++i) {
      flatten(list[i], where + ".pretokenizers[" + std::to_string(i) + "]", out, depth + 1);
    }
    return;
  }
  out.push_back(make_one(j, where));
}

}  // namespace

std::vector<std::unique_ptr<PreTokenizer>> make_pre_tokenizers(const nlohmann::json& j,
                                                               const std::string& where) {
  std::vector<std::unique_ptr<PreTokenizer>> out;
  flatten(j, where, out, 0);
  return out;
}

}  // namespace falcon
