#pragma once
// CheckpointReader: the weights of one Hugging Face Falcon checkpoint folder, memory-mapped.
//
// Accepts model.safetensors, or model.safetensors.index.json plus its shards. Refuses
// pytorch_model.bin / *.pt / *.pth (pickle files can run arbitrary code when loaded) with a
// message saying so. Tensors are fetched by name; the shapes are checked against what the
// ModelConfig implies (expected_tensors), in one pass that names every missing, extra or
// misshaped tensor at once.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/model_config.h"
#include "core/model/safetensors.h"

namespace falcon {

// One tensor a Falcon model of a given config needs, with its HF name and shape.
struct TensorSpec {
  std::string name;            // e.g. "transformer.h.3.self_attention.query_key_value.weight"
  std::vector<int64_t> shape;  // e.g. (qkv_out_features, hidden_size)
  bool optional = false;       // lm_head.weight when embeddings are tied
};

// Every tensor FalconForCausalLM stores for `config`, in a stable order: word embeddings,
// then per block i (transformer.h.i.): layer norms (input_layernorm [+ post_attention_layernorm]
// for classic/RW blocks, ln_attn + ln_mlp for the new architecture with 2 LNs, input_layernorm
// with 1 LN), each with .weight and .bias (hidden_size); self_attention.query_key_value
// (qkv_out_features, hidden) and self_attention.dense (hidden, hidden); mlp.dense_h_to_4h
// (ffn, hidden) and mlp.dense_4h_to_h (hidden, ffn); linear biases when config.bias;
// then transformer.ln_f.{weight,bias} and lm_head.weight (vocab, hidden) (optional if tied).
std::vector<TensorSpec> expected_tensors(const ModelConfig& config);

// Names used by the backends, so no one spells them twice.
std::string layer_prefix(int layer);  // "transformer.h.<layer>."
inline constexpr const char* kWordEmbeddings = "transformer.word_embeddings.weight";
inline constexpr const char* kLmHead = "lm_head.weight";

class CheckpointReader {
 public:
  // Opens the weights in `model_dir`. Throws Error(Load) when no safetensors weights are
  // found, when only pickle weights are present, when the index is malformed or names a
  // shard that does not exist, or when a shard's header is invalid.
  explicit CheckpointReader(const std::filesystem::path& model_dir);
  ~CheckpointReader();
  CheckpointReader(CheckpointReader&&) noexcept;
  CheckpointReader& operator=(CheckpointReader&&) noexcept;

  const std::filesystem::path& dir() const;
  // Names of all tensors in all shards, sorted.
  std::vector<std::string> names() const;
  bool has(std::string_view name) const;

  // The tensor `name`; throws Error(Load) naming it when absent.
  TensorView get(std::string_view name) const;
  // Same, and checks the shape (any dtype); throws Error(Load) naming the tensor, the expected
  // and the actual shape.
  TensorView get(std::string_view name, std::span<const int64_t> expected_shape) const;

  // Checks the checkpoint against expected_tensors(config): throws one Error(Load) listing
  // every missing, misshaped and unexpected tensor. Buffers HF never saves but old exports
  // did (names ending in "inv_freq") are ignored.
  void validate(const ModelConfig& config) const;

  // lm_head.weight when present and not tied, else the word embeddings (tied weights).
  TensorView lm_head(const ModelConfig& config) const;

  // Sum of tensor bytes over all shards (for memory estimates and bandwidth notes).
  uint64_t total_tensor_bytes() const;

  // Throws Error(Load) naming the shard when one was truncated on disk after it was opened and
  // a read reached the lost part (which read as zeros instead of crashing the process): what
  // was computed from it is wrong, and the model has to be opened again.
  void check_unchanged() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace falcon
