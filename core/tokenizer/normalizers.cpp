#include "core/tokenizer/normalizers.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "core/common/error.h"
#include "core/tokenizer/json_util.h"
#include "core/tokenizer/unicode_util.h"

namespace falcon {
namespace {

class NormalForm final : public Normalizer {
 public:
  explicit NormalForm(unicode::NormalForm f) : form_(f) {}
  void apply(std::string& t, RegexScratch&) const override { t = unicode::normalize(t, form_); }

 private:
  unicode::NormalForm form_;
};

class Lowercase final : public Normalizer {
 public:
  void apply(std::string& t, RegexScratch&) const override { t = unicode::lowercase(t); }
};

// Drops combining marks (HF filters chars whose general category is M*).
class StripAccents final : public Normalizer {
 public:
  void apply(std::string& t, RegexScratch&) const override {
    std::string out;
    out.reserve(t.size());
    for (size_t i = 0; i < t.size();) {
      size_t len = 1;
      const int32_t c = unicode::decode_at(t, i, len);
      if (!unicode::is_mark(c)) out.append(t, i, len);
      i += len;
    }
    t = std::move(out);
  }
};

class Strip final : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void apply(std::string& t, RegexScratch&) const override {
    size_t b = 0, e = t.size();
    if (left_) {
      while (b < e) {
        size_t len = 1;
        const int32_t c = unicode::decode_at(t, b, len);
        if (!unicode::is_whitespace(c)) break;
        b += len;
      }
    }
    if (right_) {
      while (e > b) {
        size_t s = e - 1;
        while (s > b && (static_cast<uint8_t>(t[s]) & 0xC0) == 0x80) --s;
        size_t len = 1;
        const int32_t c = unicode::decode_at(t, s, len);
        if (!unicode::is_whitespace(c)) break;
        e = s;
      }
    }
    t = t.substr(b, e - b);
  }

 private:
  bool left_, right_;
};

class Prepend final : public Normalizer {
 public:
  explicit Prepend(std::string p) : prefix_(std::move(p)) {}
  void apply(std::string& t, RegexScratch&) const override {
    if (!t.empty()) t.insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

class Replace final : public Normalizer {
 public:
  Replace(std::unique_ptr<Regex> re, std::string content)
      : re_(std::move(re)), content_(std::move(content)) {}
  void apply(std::string& t, RegexScratch& scratch) const override {
    t = re_->replace_all(t, content_, scratch);
  }

 private:
  std::unique_ptr<Regex> re_;
  std::string content_;
};

class Sequence final : public Normalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Normalizer>> parts) : parts_(std::move(parts)) {}
  void apply(std::string& t, RegexScratch& scratch) const override {
    for (const auto& p : parts_) p->apply(t, scratch);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> parts_;
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j, const std::string& where) {
  if (j.is_null()) return nullptr;
  const std::string type = json_type(j, where);
  if (type == "NFC") return std::make_unique<NormalForm>(unicode::NormalForm::NFC);
  if (type == "NFD") return std::make_unique<NormalForm>(unicode::NormalForm::NFD);
  if (type == "NFKC") return std::make_unique<NormalForm>(unicode::NormalForm::NFKC);
  if (type == "NFKD") return std::make_unique<NormalForm>(unicode::NormalForm::NFKD);
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "StripAccents") return std::make_unique<StripAccents>();
  if (type == "Strip") {
    return std::make_unique<Strip>(json_bool(j, "strip_left", where, true),
                                   json_bool(j, "strip_right", where, true));
  }
  if (type == "Prepend") return std::make_unique<Prepend>(json_string(j, "prepend", where));
  if (type == "Replace") {
    auto [re, content] = json_replace_pattern(j, where);
    return std::make_unique<Replace>(std::move(re), std::move(content));
  }
  if (type == "Sequence") {
    std::vector<std::unique_ptr<Normalizer>> parts;
    const auto& list = json_array(j, "normalizers", where);
    for (size_t i = 0; i < list.size(); ++i) {
      auto n = make_normalizer(list[i], where + ".normalizers[" + std::to_string(i) + "]");
      if (n) parts.push_back(std::move(n));
    }
    return std::make_unique<Sequence>(std::move(parts));
  }
  throw_load_error("tokenizer.json: normalizer type '" + type + "' (at " + where +
                   ") is not supported; supported: NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Strip, "
                   "Prepend, Replace, Sequence");
}

}  // namespace falcon
