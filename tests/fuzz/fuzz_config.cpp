// libFuzzer target: config.json parsing (and the tensor list it implies) on arbitrary text.
// An accepted config must be internally consistent; violations trap.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/common/error.h"
#include "core/model/checkpoint.h"
#include "core/model/model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  falcon::ModelConfig c;
  try {
    c = falcon::parse_model_config(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const falcon::Error&) {
    return 0;
  }
  if (c.vocab_size <= 0 || c.hidden_size <= 0 || c.num_layers <= 0 || c.num_heads <= 0) __builtin_trap();
  if (c.num_kv_heads <= 0 || c.num_heads % c.num_kv_heads != 0) __builtin_trap();
  if (c.head_dim * c.num_heads != c.hidden_size) __builtin_trap();
  if (c.qkv_out_features() <= 0 || c.ffn_hidden_size <= 0) __builtin_trap();
  if (c.multi_query && !c.new_decoder_architecture && c.num_kv_heads != 1) __builtin_trap();
  if (c.rotary() && c.head_dim % 2 != 0) __builtin_trap();
  if (c.num_layers <= 64) {  // the tensor list grows with the layer count; keep runs fast
    const auto specs = falcon::expected_tensors(c);
    if (specs.size() < 4) __builtin_trap();
  }
  return 0;
}
