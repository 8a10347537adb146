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

// Splits every piece by the matches `find(text, spans)` reports.
template <class Find>
void split_all(std::vector<Piece>& pieces, SplitBehavior behavior, bool invert, Find find) {
  std::vector<Piece> out;
  out.reserve(pieces.size() * 2);
  std::vector<Span> spans;
  for (const Piece& p : pieces) {
    find(std::string_view(p.text), spans);
    split_piece(p, spans, behavior, invert, out);
  }
  pieces.swap(out);
}

class CharSplit final : public PreTokenizer {
 public:
  enum class Kind { Punctuation, Digits, Whitespace, Delimiter };
  CharSplit(Kind kind, SplitBehavior behavior, int32_t delimiter = 0)
      : kind_(kind), behavior_(behavior), delimiter_(delimiter) {}
  void apply(std::vector<Piece>& pieces, RegexScratch&) const override {
    split_all(pieces, behavior_, false, [this](std::string_view t, std::vector<Span>& spans) {
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
    });
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
  void apply(std::vector<Piece>& pieces, RegexScratch& scratch) const override {
    split_all(pieces, behavior_, invert_,
              [&](std::string_view t, std::vector<Span>& spans) { re_->find_all(t, scratch, spans); });
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
  void apply(std::vector<Piece>& pieces, RegexScratch& scratch) const override {
    if (add_prefix_space_) {
      for (Piece& p : pieces) {
        if (p.text.empty() || p.text[0] != ' ') p.text.insert(0, 1, ' ');
      }
    }
    if (re_) {
      split_all(pieces, SplitBehavior::Isolated, false,
                [&](std::string_view t, std::vector<Span>& spans) { re_->find_all(t, scratch, spans); });
    }
    for (Piece& p : pieces) p.text = byte_level_encode(p.text);
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
  void apply(std::vector<Piece>& pieces, RegexScratch&) const override {
    for (Piece& p : pieces) {
      std::string t;
      t.reserve(p.text.size() + rep_.size());
      for (char c : p.text) {
        if (c == ' ') {
          t += rep_;
        } else {
          t += c;
        }
      }
      const bool starts = t.compare(0, rep_.size(), rep_) == 0;
      if (!starts && (prepend_ == Prepend::Always || (prepend_ == Prepend::First && p.at_origin))) {
        t.insert(0, rep_);
      }
      p.text = std::move(t);
    }
    if (split_) {
      split_all(
          pieces, SplitBehavior::MergedWithNext, false, [this](std::string_view t, std::vector<Span>& spans) {
            spans.clear();
            for (size_t i = t.find(rep_); i != std::string_view::npos; i = t.find(rep_, i + rep_.size())) {
              spans.push_back({i, i + rep_.size()});
            }
          });
    }
  }

 private:
  std::string rep_;
  Prepend prepend_;
  bool split_;
};

class Sequence final : public PreTokenizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> parts) : parts_(std::move(parts)) {}
  void apply(std::vector<Piece>& pieces, RegexScratch& scratch) const override {
    for (const auto& p : parts_) p->apply(pieces, scratch);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> parts_;
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

void split_piece(const Piece& piece, const std::vector<Span>& matches, SplitBehavior behavior, bool invert,
                 std::vector<Piece>& out) {
  const std::string& t = piece.text;
  if (t.empty()) return;
  // (span, is_match) covering the whole text, as HF's Pattern::find_matches.
  struct Part {
    Span span;
    bool match;
  };
  std::vector<Part> parts;
  parts.reserve(matches.size() * 2 + 1);
  size_t prev = 0;
  for (const Span& m : matches) {
    if (m.begin > prev) parts.push_back({{prev, m.begin}, invert});
    parts.push_back({m, !invert});
    prev = m.end;
  }
  if (prev < t.size()) parts.push_back({{prev, t.size()}, invert});

  // (span, remove) after the behavior's merging.
  std::vector<Part> cut;
  cut.reserve(parts.size());
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::Removed:
      cut = parts;  // matches are removed below
      break;
    case SplitBehavior::Isolated:
      for (const Part& p : parts) cut.push_back({p.span, false});
      break;
    case SplitBehavior::Contiguous:
      for (const Part& p : parts) {
        if (p.match == previous_match && !cut.empty()) {
          cut.back().span.end = p.span.end;
        } else {
          cut.push_back({p.span, false});
        }
        previous_match = p.match;
      }
      break;
    case SplitBehavior::MergedWithPrevious:
      for (const Part& p : parts) {
        if (p.match && !previous_match && !cut.empty()) {
          cut.back().span.end = p.span.end;
        } else {
          cut.push_back({p.span, false});
        }
        previous_match = p.match;
      }
      break;
    case SplitBehavior::MergedWithNext:
      for (size_t k = parts.size(); k-- > 0;) {
        const Part& p = parts[k];
        if (p.match && !previous_match && !cut.empty()) {
          cut.back().span.begin = p.span.begin;
        } else {
          cut.push_back({p.span, false});
        }
        previous_match = p.match;
      }
      std::reverse(cut.begin(), cut.end());
      break;
  }
  for (const Part& p : cut) {
    if (p.match && behavior == SplitBehavior::Removed) continue;
    if (p.span.end <= p.span.begin) continue;  // HF drops empty splits
    out.push_back({t.substr(p.span.begin, p.span.end - p.span.begin), piece.at_origin && p.span.begin == 0});
  }
}

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const std::string& where) {
  if (j.is_null()) return nullptr;
  const std::string type = json_type(j, where);
  if (type == "Sequence") {
    std::vector<std::unique_ptr<PreTokenizer>> parts;
    const auto& list = json_array(j, "pretokenizers", where);
    for (size_t i = 0; i < list.size(); ++i) {
      auto p = make_pre_tokenizer(list[i], where + ".pretokenizers[" + std::to_string(i) + "]");
      if (p) parts.push_back(std::move(p));
    }
    return std::make_unique<Sequence>(std::move(parts));
  }
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
    // HF: keep the matches of \w+|[^\w\s]+ (Oniguruma classes), drop the rest.
    return std::make_unique<RegexSplit>(std::make_unique<Regex>(R"(\w+|[^\w\s]+)", false),
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

}  // namespace falcon
