#pragma once
// HF tokenizers normalizers (tokenizer.json "normalizer"), applied to each piece of text between
// added tokens. Supported: NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Strip, Prepend,
// Replace (String or Regex), Sequence. Anything else is refused at load with its name.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/tokenizer/regex.h"

namespace falcon {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void apply(std::string& text, RegexScratch& scratch) const = 0;
};

// `where` names the JSON path for error messages ("normalizer", "normalizer.normalizers[1]").
// Returns nullptr for JSON null. Throws Error(Load).
std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j, const std::string& where);

}  // namespace falcon
