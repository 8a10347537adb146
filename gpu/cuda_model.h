#pragma once
// Internal to falcon_gpu: the device-side layout of one model (weights, KV cache, scratch), all
// carved out of one allocation whose size is known before anything is allocated.
#include <cuda_bf16.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/byte_text.h"
#include "core/model/backend.h"
#include "core/model/model_config.h"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {

using bf16 = __nv_bfloat16;

// Sizes derived from the config and options.
struct Dims {
  int dim = 0, ffn = 0, qkv_out = 0, heads = 0, kv = 0, hd = 0, vocab = 0, layers = 0;
  int cap = 0;         // KV cache rows per (layer, KV head): capacity rounded up to 64
  int capacity = 0;    // tokens the cache may hold (Backend::cache_capacity)
  int chunk = 0;       // most tokens per prefill pass
  int logit_rows = 0;  // rows of the logits scratch (all_logits is produced in pieces of this many)
  // One activation row per token: [QKV (qkv_out) | gelu(fc1) (ffn) | attention context (dim)],
  // so the merged down-projection reads [fc1 | ctx] as one input of ffn + dim columns.
  int off_h = 0, off_ctx = 0, act_ld = 0;
  int xn_ld = 0;  // normalised-input row stride
  WeightFormat weights = WeightFormat::Bf16;
  WeightFormat head = WeightFormat::Bf16;  // the lm_head's format, independent of the layers'
  bool quant_head = false;                 // head != Bf16: the lm_head is a QuantMatrix (q_head)
};

Dims make_dims(const ModelConfig& c, int cache_capacity, int max_batch_tokens,
               WeightFormat weights = WeightFormat::Bf16, WeightFormat head = WeightFormat::Bf16);

// The quantized matrices of a layer (WeightFormat int8/int4; w_up/w_down are then null). Parallel
// blocks merge them as the bf16 layout does: kUp = [QKV | fc1] rows (fc1 rows read xb), kDown =
// [fc2 | dense] columns. Sequential blocks keep four: kUp = QKV, kFc1, kDown = fc2, kDense.
enum QuantPart { kUp = 0, kDown = 1, kFc1 = 2, kDense = 3 };

struct LayerDev {
  float *ln1_g = nullptr, *ln1_b = nullptr;  // input_layernorm / ln_attn (dim)
  float *ln2_g = nullptr,
        *ln2_b = nullptr;  // ln_mlp / post_attention_layernorm (dim); null for 1-LN parallel
  bf16* w_up = nullptr;    // (qkv_out + ffn, dim): canonical QKV rows [Q heads | K heads | V heads], then fc1
  bf16* w_down = nullptr;  // (dim, ffn + dim): dense_4h_to_h columns, then self_attention.dense columns
  float* b_up = nullptr;   // (qkv_out + ffn) canonical order, or null
  float *b_fc2 = nullptr, *b_dense = nullptr,
        *b_down = nullptr;                      // (dim) each or null; b_down = b_fc2 + b_dense
  bf16 *k_cache = nullptr, *v_cache = nullptr;  // (kv, cap, hd); keys rotated unless dynamic RoPE
  QuantMatrix q[4];                             // see QuantPart; n_rows == 0 when unused
};

struct DeviceModel {
  Dims d;
  void* base = nullptr;  // the one allocation
  uint64_t bytes = 0;
  uint64_t weight_bytes = 0, cache_bytes = 0;  // parts of `bytes`; the rest is scratch
  bf16* embed = nullptr;                       // (vocab, dim)
  bf16* lm_head = nullptr;  // (vocab, dim); == embed when tied; null when quantized (q_head)
  QuantMatrix q_head;       // Dims::quant_head: the quantized lm_head
  bf16* deq = nullptr;      // quantized weights: bf16 staging for load and prefill (largest matrix)
  uint64_t deq_elems = 0;
  float *lnf_g = nullptr, *lnf_b = nullptr;
  std::vector<LayerDev> layers;
  // scratch
  float* x = nullptr;               // (chunk, dim) residual stream, fp32
  bf16* xa = nullptr;               // (chunk, xn_ld) LayerNorm output (attention / single LN)
  bf16* xb = nullptr;               // (chunk, xn_ld) second LayerNorm output (ln_mlp) or null
  bf16* act = nullptr;              // (chunk, act_ld)
  float* logits = nullptr;          // (logit_rows, vocab)
  float* inv_freq = nullptr;        // (hd/2)
  float* slopes = nullptr;          // (heads)
  int32_t* tokens = nullptr;        // (chunk) prefill token ids
  int32_t* step = nullptr;          // [token, position, serial] of the decode step
  unsigned* ready_flags = nullptr;  // (layers) the decode step's ReadySignal flags
  StagedX* staged = nullptr;        // int4: (2, staged_chunks(dim)) decode x for the GEMVs, or null
  float* attn_ws = nullptr;         // decode attention partials
  int* attn_counters = nullptr;
  float* split_ws = nullptr;  // decode GEMVs: split-K partials (gemv_quant_split / gemv_bf16_split)
  int* split_counters = nullptr;
  void* blas_ws = nullptr;
  uint64_t blas_ws_bytes = 0;
  void* side_blas_ws = nullptr;  // the second prefill stream's, as large (two LayerNorms only)
};

// Carves `m` out of an allocation of `base` (or, with base == nullptr, only counts). Returns bytes.
uint64_t layout_model(const ModelConfig& c, const Dims& d, uint64_t attn_ws_bytes, int attn_counters,
                      void* base, DeviceModel* m);

// Device memory outside the model's arena: the CUDA context, cuBLAS handle, graph.
constexpr uint64_t kCudaContextMargin = 512ull << 20;

using falcon::gib_text;  // "12.34 GiB" (core/common/byte_text.h)

// What a model's layout depends on besides the cache size, for out_of_memory_message.
struct LayoutInputs {
  std::string device;  // the GPU's name, for the message
  const ModelConfig& config;
  WeightFormat weights;
  // The lm_head's format as asked for (CudaBackendOptions::head_weights): kept when another format
  // is suggested for the layers; unset, each format's own default_head_format (int4 layers take an
  // int6 head, which a tied checkpoint holds beside its bf16 embedding).
  std::optional<WeightFormat> head_weights;
  int max_batch_tokens;
  uint64_t attn_ws_bytes;  // the decode attention's workspace at the asked capacity (a smaller cache needs no
                           // more)
  int attn_counters;

  // The head's format beside layers in format `w`.
  WeightFormat head_for(WeightFormat w) const { return head_weights.value_or(default_head_format(w)); }
};

// The error message when a model does not fit: what it needs (plan: layout_model's sizes for the
// asked cache; need: its total without kCudaContextMargin), in parts, against the free memory,
// and what would fit instead, each checked with the same layout: the first smaller weight format
// that fits with this cache ("int4 weights would need X GiB and fit"), the largest KV cache that
// fits beside these weights, a multiple of 64 tokens ("a KV cache of up to N tokens fits"), or,
// when neither, the smallest format's need ("even int4 weights would need X GiB").
std::string out_of_memory_message(const LayoutInputs& in, const DeviceModel& plan, uint64_t need,
                                  uint64_t free_b, uint64_t total_b);

// Maps canonical QKV row blocks (head_dim rows each: Q heads, K heads, V heads) to the
// checkpoint's fused layout (grouped for the new architecture, [q.., k, v] for multi-query,
// per-head [q, k, v] for classic MHA). Returns the source block of each canonical block.
std::vector<int> qkv_source_blocks(const ModelConfig& c);

}  // namespace falcon::gpu
