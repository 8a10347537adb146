// LayerNorm family: fp32 residual rows in, bf16 normalised rows out, one block per row.
// The 2-LayerNorm blocks (ln_attn + ln_mlp) get both norms from one pass over the statistics.
#include <algorithm>

#include "gpu/cuda_check.h"
#include "gpu/kernels/common.cuh"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {
namespace {

// Two-pass statistics (mean, then mean of squared deviations) in fp32: the row is re-read from
// L1/L2, which is cheaper than the cancellation error of sum-of-squares on large activations.
template <bool kVec4>
__global__ void layernorm_kernel(const float* __restrict__ x, int ldx, int dim, float eps,
                                 const float* __restrict__ g1, const float* __restrict__ b1,
                                 bf16* __restrict__ out1, const float* __restrict__ g2,
                                 const float* __restrict__ b2, bf16* __restrict__ out2, int ldo) {
  __shared__ float scratch[32];
  const float* row = x + static_cast<size_t>(blockIdx.x) * ldx;
  float s = 0.f;
  if constexpr (kVec4) {
    for (int i = threadIdx.x * 4; i < dim; i += blockDim.x * 4) {
      float4 v = *reinterpret_cast<const float4*>(row + i);
      s += (v.x + v.y) + (v.z + v.w);
    }
  } else {
    for (int i = threadIdx.x; i < dim; i += blockDim.x) s += row[i];
  }
  const float mean = block_sum(s, scratch) / dim;
  float q = 0.f;
  if constexpr (kVec4) {
    for (int i = threadIdx.x * 4; i < dim; i += blockDim.x * 4) {
      float4 v = *reinterpret_cast<const float4*>(row + i);
      float a = v.x - mean, b = v.y - mean, c = v.z - mean, d = v.w - mean;
      q += (a * a + b * b) + (c * c + d * d);
    }
  } else {
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
      float a = row[i] - mean;
      q += a * a;
    }
  }
  const float rstd = rsqrtf(block_sum(q, scratch) / dim + eps);
  bf16* o1 = out1 + static_cast<size_t>(blockIdx.x) * ldo;
  bf16* o2 = out2 ? out2 + static_cast<size_t>(blockIdx.x) * ldo : nullptr;
  for (int i = threadIdx.x; i < dim; i += blockDim.x) {
    const float n = (row[i] - mean) * rstd;
    o1[i] = __float2bfloat16(n * g1[i] + (b1 ? b1[i] : 0.f));
    if (o2) o2[i] = __float2bfloat16(n * g2[i] + (b2 ? b2[i] : 0.f));
  }
}

}  // namespace

void launch_layernorm(const float* x, int ldx, int rows, int dim, float eps, const float* g1, const float* b1,
                      bf16* out1, const float* g2, const float* b2, bf16* out2, int ldo,
                      cudaStream_t stream) {
  if (rows <= 0) return;
  // One row (decode) gets a wide block so the step's latency stays short; many rows get 256.
  int threads = rows == 1 ? 1024 : 256;
  threads = std::min(threads, std::max(32, (dim / 4 + 31) / 32 * 32));
  const bool vec = dim % 4 == 0 && ldx % 4 == 0 && (reinterpret_cast<uintptr_t>(x) % 16) == 0;
  if (vec)
    layernorm_kernel<true><<<rows, threads, 0, stream>>>(x, ldx, dim, eps, g1, b1, out1, g2, b2, out2, ldo);
  else
    layernorm_kernel<false><<<rows, threads, 0, stream>>>(x, ldx, dim, eps, g1, b1, out1, g2, b2, out2, ldo);
  FALCON_CHECK_LAUNCH("layernorm_kernel");
}

}  // namespace falcon::gpu
