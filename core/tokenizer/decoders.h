#pragma once
// HF tokenizers decoders (tokenizer.json "decoder"): token strings -> text. Supported:
// ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace, Sequence. Anything else is refused
// at load with its name. Each works on the list of token strings, as HF's decode_chain.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/tokenizer/regex.h"

namespace falcon {

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void apply(std::vector<std::string>& tokens, RegexScratch& scratch) const = 0;
};

std::unique_ptr<Decoder> make_decoder(const nlohmann::json& j, const std::string& where);

}  // namespace falcon
