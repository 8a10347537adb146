#pragma once
// Timing helpers shared by falcon-run --bench and tests/bench: they drive any Backend, so the
// CPU and CUDA backends are measured the same way.
#include <cstdint>

#include "core/model/backend.h"
#include "core/model/checkpoint.h"

namespace falcon {

struct BenchResult {
  int prefill_tokens = 0;
  double prefill_seconds = 0;
  double prefill_tokens_per_second = 0;
  int decode_tokens = 0;
  double decode_seconds = 0;
  double decode_tokens_per_second = 0;
};

// Truncates the cache, prefills `prefill_tokens` token ids (deterministic, inside the
// vocabulary) in one forward, then decodes `decode_tokens` tokens one by one, feeding back the
// argmax. Throws Error(Usage) when prefill + decode exceeds the cache capacity.
BenchResult bench_backend(Backend& backend, int prefill_tokens, int decode_tokens);

// Bytes one decode step must read at context length `context`: every weight matrix of every
// layer plus ln_f and the lm_head (in their file dtype), one embedding row, and the KV cache
// (2 * layers * context * n_kv_heads * head_dim fp32 values, as the CPU backend stores it).
// A backend cannot decode faster than memory bandwidth / this.
uint64_t decode_bytes_per_token(const ModelConfig& config, const CheckpointReader& weights, int context,
                                int kv_bytes_per_value = 4);

// Weight bytes one decode step reads from what a backend holds (BackendMemory::weights_bytes):
// all of them but the embedding table (one row of it), unless that table is also the output
// head (tied embeddings, head not quantized). The table's size is BackendMemory::embedding_bytes
// (the CPU keeps the checkpoint's dtype, f32 included, also when the layers are quantized).
double decode_weight_bytes(const ModelConfig& config, const BackendMemory& memory, bool head_quantized);

// This process's resident memory in MiB (/proc/self/statm), for soak benchmarks; 0 if unreadable.
double resident_memory_mib();

}  // namespace falcon
