#include "core/tokenizer/decoders.h"

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/tokenizer/json_util.h"
#include "core/tokenizer/pre_tokenizers.h"
#include "core/tokenizer/unicode_util.h"

namespace falcon {
namespace {

// Byte-level characters back to bytes; a token holding any other character is kept as its own
// UTF-8 bytes (as HF does); the result is made valid UTF-8 like String::from_utf8_lossy.
class ByteLevelDecoder final : public Decoder {
 public:
  void apply(std::vector<std::string>& tokens, RegexScratch&) const override {
    std::string bytes;
    for (const std::string& t : tokens) {
      const size_t mark = bytes.size();
      bool ok = true;
      for (size_t i = 0; i < t.size();) {
        size_t len = 1;
        const int b = byte_level_byte(unicode::decode_at(t, i, len));
        if (b < 0) {
          ok = false;
          break;
        }
        bytes.push_back(static_cast<char>(b));
        i += len;
      }
      if (!ok) {
        bytes.resize(mark);
        bytes += t;
      }
    }
    tokens.assign(1, unicode::to_valid_utf8(bytes));
  }
};

class MetaspaceDecoder final : public Decoder {
 public:
  MetaspaceDecoder(int32_t replacement, bool strip_first) : strip_first_(strip_first) {
    unicode::append_utf8(rep_, replacement);
  }
  void apply(std::vector<std::string>& tokens, RegexScratch&) const override {
    for (size_t k = 0; k < tokens.size(); ++k) {
      std::string out;
      const std::string& t = tokens[k];
      for (size_t i = 0; i < t.size();) {
        if (t.compare(i, rep_.size(), rep_) == 0) {
          // HF drops every replacement character of the first token when prepending was on.
          if (!(k == 0 && strip_first_)) out += ' ';
          i += rep_.size();
        } else {
          out += t[i++];
        }
      }
      tokens[k] = std::move(out);
    }
  }

 private:
  std::string rep_;
  bool strip_first_;
};

// "<0xAB>" tokens -> bytes; a run that is not valid UTF-8 becomes one U+FFFD per byte.
class ByteFallbackDecoder final : public Decoder {
 public:
  void apply(std::vector<std::string>& tokens, RegexScratch&) const override {
    std::vector<std::string> out;
    out.reserve(tokens.size());
    std::string run;
    size_t run_count = 0;
    auto flush = [&] {
      if (run_count == 0) return;
      if (unicode::is_valid_utf8(run)) {
        out.push_back(run);
      } else {
        for (size_t i = 0; i < run_count; ++i) out.emplace_back("\xEF\xBF\xBD");
      }
      run.clear();
      run_count = 0;
    };
    for (std::string& t : tokens) {
      int byte = -1;
      if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') byte = parse_hex(t[3], t[4]);
      if (byte >= 0) {
        run.push_back(static_cast<char>(byte));
        ++run_count;
      } else {
        flush();
        out.push_back(std::move(t));
      }
    }
    flush();
    tokens.swap(out);
  }

 private:
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  // Rust's u8::from_str_radix(.., 16) on two characters: an optional '+' then hex digits.
  static int parse_hex(char a, char b) {
    if (a == '+') return hex(b);
    const int hi = hex(a), lo = hex(b);
    return (hi < 0 || lo < 0) ? -1 : hi * 16 + lo;
  }
};

class FuseDecoder final : public Decoder {
 public:
  void apply(std::vector<std::string>& tokens, RegexScratch&) const override {
    std::string all;
    for (const auto& t : tokens) all += t;
    tokens.assign(1, std::move(all));
  }
};

// Removes up to `start` leading and `stop` trailing `content` characters from every token.
class StripDecoder final : public Decoder {
 public:
  StripDecoder(int32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  void apply(std::vector<std::string>& tokens, RegexScratch&) const override {
    for (std::string& t : tokens) {
      std::vector<size_t> starts;  // byte offset of each character
      std::vector<int32_t> chars;
      for (size_t i = 0; i < t.size();) {
        size_t len = 1;
        starts.push_back(i);
        chars.push_back(unicode::decode_at(t, i, len));
        i += len;
      }
      size_t b = 0, e = chars.size();
      for (size_t i = 0; i < start_ && i < chars.size() && chars[i] == content_; ++i) b = i + 1;
      for (size_t i = 0; i < stop_ && i < chars.size(); ++i) {
        const size_t idx = chars.size() - i - 1;
        if (chars[idx] != content_) break;
        e = idx;
      }
      if (e < b) e = b;
      const size_t bb = b < starts.size() ? starts[b] : t.size();
      const size_t eb = e < starts.size() ? starts[e] : t.size();
      t = t.substr(bb, eb - bb);
    }
  }

 private:
  int32_t content_;
  size_t start_, stop_;
};

class ReplaceDecoder final : public Decoder {
 public:
  ReplaceDecoder(std::unique_ptr<Regex> re, std::string content)
      : re_(std::move(re)), content_(std::move(content)) {}
  void apply(std::vector<std::string>& tokens, RegexScratch& scratch) const override {
    for (std::string& t : tokens) t = re_->replace_all(t, content_, scratch);
  }

 private:
  std::unique_ptr<Regex> re_;
  std::string content_;
};

class SequenceDecoder final : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> parts) : parts_(std::move(parts)) {}
  void apply(std::vector<std::string>& tokens, RegexScratch& scratch) const override {
    for (const auto& p : parts_) p->apply(tokens, scratch);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> parts_;
};

}  // namespace

std::unique_ptr<Decoder> make_decoder(const nlohmann::json& j, const std::string& where) {
  if (j.is_null()) return nullptr;
  const std::string type = json_type(j, where);
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "Metaspace") {
    const int32_t rep = json_char(j, "replacement", where, 0x2581);
    bool strip_first = true;
    if (j.contains("prepend_scheme") && !j["prepend_scheme"].is_null()) {
      strip_first = json_string(j, "prepend_scheme", where) != "never";
    } else {
      strip_first = json_bool(j, "add_prefix_space", where, true);
    }
    return std::make_unique<MetaspaceDecoder>(rep, strip_first);
  }
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Strip") {
    const int64_t start = json_int(j, "start", where, 0), stop = json_int(j, "stop", where, 0);
    if (start < 0 || stop < 0) throw_load_error("tokenizer.json: " + where + " start/stop must be >= 0");
    return std::make_unique<StripDecoder>(json_char(j, "content", where, ' '), static_cast<size_t>(start),
                                          static_cast<size_t>(stop));
  }
  if (type == "Replace") {
    auto [re, content] = json_replace_pattern(j, where);
    return std::make_unique<ReplaceDecoder>(std::move(re), std::move(content));
  }
  if (type == "Sequence") {
    std::vector<std::unique_ptr<Decoder>> parts;
    const auto& list = json_array(j, "decoders", where);
    for (size_t i = 0; i < list.size(); ++i) {
      auto d = make_decoder(list[i], where + ".decoders[" + std::to_string(i) + "]");
      if (d) parts.push_back(std::move(d));
    }
    return std::make_unique<SequenceDecoder>(std::move(parts));
  }
  throw_load_error("tokenizer.json: decoder type '" + type + "' (at " + where +
                   ") is not supported; supported: ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace, "
                   "Sequence");
}

}  // namespace falcon
