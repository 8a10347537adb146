#pragma once
// The engine's one interface to a Falcon model plus its KV cache. CpuBackend (core/model)
// is the reference; CudaBackend (gpu/) is the fast one. Both hold the cache as
// `n = cache_size()` tokens at positions 0..n-1, storing only the KV heads.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/model/model_config.h"

namespace falcon {

// Logits per block of Backend::last_block_maxima (and of the sampler's passes).
inline constexpr size_t kLogitBlock = 16;

// How the large weight matrices are held: as the checkpoint's bf16, or quantized at load time
// (weight-only): int8 per output channel, int4 in groups of 128, and for the output head only
// int6 per output channel (docs/QUANTIZATION.md). Appended values keep the numbers that cache
// files hash.
enum class WeightFormat { Bf16, Int8, Int4, Int6 };

// Whether `w` may be the layers' format (int6 is the output head's only).
inline bool layer_format_ok(WeightFormat w) {
  return w != WeightFormat::Int6;
}
// What a backend or a command line says when the layers are asked for in int6.
inline constexpr const char* kInt6LayersMessage =
    "int6 is a format for the output head only (--head-weights int6); the layers take bf16, int8 or int4";

// The output head's format when none is asked for: int6 beside int4 layers, bf16 otherwise.
// Beside int4 layers the head's own error disappears under the layers': falcon-mini's held-out
// perplexity +1.30% of bf16's with a bf16 head, +1.33% int8, +1.37% int6 (the HF fixtures' logit
// error within +-0.01 of the int8 head's), and Falcon-40B int4 reads 0.13 GB less a token with int6
// than with int8 (+0.4% decode, session 51) and 0.53 GB less than with bf16. An int4 head doubles
// the logit error. Beside int8 layers an int8 head would double falcon-mini's logit error for 2.6%
// fewer bytes. docs/QUANTIZATION.md has the numbers.
inline WeightFormat default_head_format(WeightFormat layers) {
  return layers == WeightFormat::Int4 ? WeightFormat::Int6 : WeightFormat::Bf16;
}

// Memory a backend holds for its model, for status bars and logs.
struct BackendMemory {
  uint64_t weights_bytes = 0;  // weights as the backend computes with them
  uint64_t cache_bytes = 0;    // the KV cache at full capacity
  uint64_t other_bytes = 0;    // activations, workspaces
  bool on_device = false;      // GPU memory (else host memory; CPU weights are memory-mapped)
  std::string weight_format;   // "bf16", "f16", "f32", "int8", "int4"
  // The whole device at the time of the call (all processes): GPU memory, or the host's RAM for
  // the CPU backend. 0 when unknown.
  uint64_t device_used = 0, device_total = 0;
  // The token embedding table as the backend holds it (part of weights_bytes): the checkpoint's
  // dtype on the CPU, bf16 on the GPU.
  uint64_t embedding_bytes = 0;
  uint64_t total() const { return weights_bytes + cache_bytes + other_bytes; }
};

// How Backend::evict treats the tokens after the evicted span.
enum class EvictMode {
  // Afterwards the cache equals a fresh prefill of the kept tokens at positions 0..n-1 (the
  // window invariant, DESIGN.md §4). In layer >= 1 a token's K/V depend on every token before
  // it, so the tokens after the span are recomputed from their ids: a prefill of that suffix,
  // which is why callers evict in chunks.
  Exact,
  // The kept K/V move down as they are and RoPE keys are re-rotated to their new positions
  // (ALiBi needs nothing). Costs a copy of the suffix instead of a prefill, but the later
  // tokens keep what they took from the evicted ones, so the logits differ from a fresh
  // prefill by that influence (in a 1-layer model, by rounding only). Falls back to Exact
  // where positions are not a pure rotation: dynamic NTK RoPE past max_position_embeddings.
  Shift,
};

// What runs the model, in parts that the app puts into words of the user's language (describe()
// is the English one-line form, for logs and falcon-run).
struct BackendIdentity {
  enum class Kind { Other, Cpu, Cuda };
  Kind kind = Kind::Other;
  int threads = 0;     // Cpu: threads of its pool
  std::string device;  // Cuda: the GPU's name
};

// The English one-line form of a Cpu or Cuda identity: "cpu, 2 threads", "cuda, NVIDIA H200".
inline std::string describe(const BackendIdentity& id) {
  if (id.kind == BackendIdentity::Kind::Cpu)
    return "cpu, " + std::to_string(id.threads) + (id.threads == 1 ? " thread" : " threads");
  if (id.kind == BackendIdentity::Kind::Cuda) return "cuda, " + id.device;
  return "other";
}

class Backend {
 public:
  virtual ~Backend() = default;

  virtual const ModelConfig& config() const = 0;
  // One line for logs, e.g. "cpu, 2 threads" or "cuda, NVIDIA H200".
  virtual std::string describe() const = 0;
  virtual BackendIdentity identity() const { return {}; }

  // Tokens in the cache now; their positions are 0..cache_size()-1.
  virtual int cache_size() const = 0;
  // Most tokens the cache can hold; fixed when the backend is created.
  virtual int cache_capacity() const = 0;
  // What the model occupies; empty for backends that hold no model.
  virtual BackendMemory memory() const { return {}; }

  // Runs `tokens` at positions cache_size() .. cache_size()+k-1 and appends them to the cache.
  // `logits` is resized to vocab_size floats per row: one row (the last token's) or, with
  // all_logits, k rows where row i predicts the token after tokens[i].
  // Throws Error(Usage) if the cache would overflow; the cache is then unchanged.
  virtual void forward(std::span<const int32_t> tokens, bool all_logits, std::vector<float>& logits) = 0;

  // forward(tokens, false, ·) for a decode loop: the last token's logits (vocab_size floats),
  // valid until the next call on this backend, in `scratch` or in the backend's own memory.
  // CudaBackend's head writes them into pinned host memory and returns that, so a step copies
  // its 260 KB of logits nowhere (docs/GPU_NOTES.md run 46).
  virtual std::span<const float> forward_last(std::span<const int32_t> tokens, std::vector<float>& scratch) {
    forward(tokens, false, scratch);
    return scratch;
  }

  // The logits of the latest forward_last in blocks of kLogitBlock (block b: ids [16 b, 16 b + 16)
  // and the vocabulary's end), each block's largest as fmaxf finds it (NaN ignored; NaN or -inf
  // where all are), valid as long as those logits; empty where the backend does not provide them. The
  // sampler reads only the blocks that can hold its tokens (Sampler::sample). CudaBackend's head
  // GEMV writes them beside the logits.
  virtual std::span<const float> last_block_maxima() const { return {}; }

  // Removes cached tokens [begin, begin + count); the ones after them move down so positions
  // stay contiguous (0..n-1). Two ways, see EvictMode.
  virtual void evict(int begin, int count, EvictMode mode) = 0;

  // Keeps tokens [0, n) and drops the rest (regenerate, edit, reset with n = 0).
  virtual void truncate(int n) = 0;
};

}  // namespace falcon
