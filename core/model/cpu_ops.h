#pragma once
// The CPU backend's numerical kernels, fp32 throughout. Kept apart from the backend so the
// GPU backend's tests can use them as a reference for single operations.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/common/thread_pool.h"
#include "core/model/cpu_quant.h"
#include "core/model/model_config.h"
#include "core/model/safetensors.h"

namespace falcon::cpu {

// A linear layer as stored in the checkpoint: y = x W^T + b. With `quant` set (int8/int4), the
// products use it instead of `weight`.
struct Linear {
  TensorView weight;        // (out_features, in_features), file dtype
  QuantMatrix quant;        // the same weights quantized, or empty
  std::vector<float> bias;  // (out_features) or empty
  int out_features = 0;
  int in_features = 0;
};

// y (rows, out_features) = x (rows, in_features) W^T + b. Parallel over output features; each
// weight row is converted (or dequantized) to fp32 once per call and used for every input row;
// one or two rows (decode) read the bf16 or quantized rows directly instead.
void linear(ThreadPool& pool, const float* x, int rows, const Linear& layer, float* y);

// Attention's two products over `count` rows of a cache (row j at b + j * stride, n floats each):
// s[j] = a . row j, and out[i] = sum over j, in order, of w[j] * row j [i] (out overwritten).
// AVX2/FMA where the CPU has them (not with FALCON_CPU_FAST=0): the dots four rows at a time,
// the sums 32 outputs at a time held in registers across all rows.
void dots_f32(const float* a, const float* b, std::size_t stride, int count, int n, float* s);
void weighted_sum_f32(const float* w, const float* v, std::size_t stride, int count, int n, float* out);
// The same for nq queries against the same rows (query q: a[q] -> s[q]; w[q] -> out[q]), each
// row loaded once for up to three of them. Each query's results are computed as by the one-query
// forms.
void dots_f32(const float* const* a, int nq, const float* b, std::size_t stride, int count, int n,
              float* const* s);
void weighted_sum_f32(const float* const* w, int nq, const float* v, std::size_t stride, int count, int n,
                      float* const* out);

// One attention row's softmax in place: s[j] = s[j] * scale (+ bias[j]), then exp(s[j] - max)
// in float over their sum (accumulated in double). The AVX2 form takes eight scores a pass and
// the exponentials four at a time in double, rounded to float (glibc's expf result but in a rare
// rounding tie), summed in eight partial sums and one for the last n % 8.
void softmax_row(float* s, int n, float scale, const float* bias);

// LayerNorm over the last dimension (biased variance, as torch.nn.LayerNorm).
// x, y: (rows, dim); weight, bias: (dim). y may alias x.
void layer_norm(const float* x, int rows, int dim, const float* weight, const float* bias, double eps,
                float* y);

// Exact GELU 0.5 x (1 + erf(x / sqrt 2)), in place, on the pool's threads.
void gelu_inplace(ThreadPool& pool, float* x, int64_t n);

// RoPE inverse frequencies (head_dim / 2 of them) for a sequence of `seq_len` tokens, as HF
// computes them in float32: default base^(-2i/d); linear divides them by the factor; dynamic
// (NTK) raises the base to base * (factor * seq_len / max_pos - (factor - 1))^(d / (d - 2))
// once seq_len exceeds max_position_embeddings.
std::vector<float> rope_inv_freq(const ModelConfig& c, int seq_len);

// NeoX half-split rotation of one head vector x (head_dim) at a position whose per-frequency
// cos/sin are given (head_dim / 2 each): (x1, x2) -> (x1 cos - x2 sin, x2 cos + x1 sin).
void rope_rotate(float* x, int head_dim, const float* cos, const float* sin);

// ALiBi slopes for `num_heads`, as HF's build_alibi_tensor: a geometric series for the largest
// power of two <= num_heads, then the odd powers of the next series for the rest.
std::vector<float> alibi_slopes(int num_heads);

// HF adds slope * key_position computed in bfloat16 (it builds the ALiBi tensor in bf16):
// bf16(bf16(slope) * position). Returned as float.
float alibi_bias(float slope, int key_position);

// Whether the AVX2 + FMA kernels run: the CPU has them and FALCON_CPU_FAST is not 0 (which
// selects the portable forms everywhere, for A/B benchmarks).
bool avx2_fma_enabled();

// Round-to-nearest-even float -> bfloat16 -> float.
float round_to_bf16(float x);

}  // namespace falcon::cpu
