#pragma once
// The x staging of the int4 decode GEMV (StagedX, kernels.h), shared by the GEMV's blocks that
// stage their own chunk (quant_gemv.cu) and the decode LayerNorm that stages the row once
// (layernorm.cu), so that both compute it the same way.
#include <cuda_fp16.h>

#include <cstdint>

#include "gpu/kernels/common.cuh"

namespace falcon::gpu {

// The largest |x| of two bf16 pairs, as bf16 bits with the sign cleared (which compare as
// unsigned integers; NaN and inf above every finite value).
__device__ __forceinline__ uint32_t staged_abs_max(uint32_t w0, uint32_t w1) {
  return max(max(w0 & 0x7fffu, (w0 >> 16) & 0x7fffu), max(w1 & 0x7fffu, (w1 >> 16) & 0x7fffu));
}

// The scale's exponent bits for a chunk whose largest |x| has bf16 bits mx: the power of two
// 2^(sb - 127) that puts it in [2^14, 2^15) (clamped to normal floats).
__device__ __forceinline__ int staged_scale_bits(uint32_t mx) {
  return min(253, max(1, 268 - static_cast<int>(mx >> 7)));  // 127 + 14 - (exponent - 127)
}
__device__ __forceinline__ float staged_scale(int sb) {
  return __uint_as_float(static_cast<uint32_t>(sb) << 23);
}
__device__ __forceinline__ float staged_unscale(int sb) {
  return __uint_as_float(static_cast<uint32_t>(254 - sb) << 23);
}

// One bf16 pair as scaled fp16, and the fp16 values added to a group's statistics: their sum,
// the sum of their magnitudes and the largest magnitude.
__device__ __forceinline__ uint32_t staged_word(uint32_t w, float xscale, float& sum, float& abs,
                                                float& big) {
  const float2 f = bf16x2_to_float2(w);
  const __half2 h = __floats2half2_rn(f.x * xscale, f.y * xscale);
  const float2 r = __half22float2(h);
  sum += r.x + r.y;
  abs += fabsf(r.x) + fabsf(r.y);
  big = fmaxf(big, fmaxf(fabsf(r.x), fabsf(r.y)));
  return *reinterpret_cast<const uint32_t*>(&h);
}

// Whether a group takes the fast form (zero point taken off after the tensor cores): its largest
// |x| is at most the sum of the others'. False for NaN (inf: non-finite either way).
__device__ __forceinline__ bool staged_fast(float big, float abs) {
  return 2.f * big <= abs;
}

}  // namespace falcon::gpu
