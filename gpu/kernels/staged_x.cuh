#pragma once
// The x staging of the int4 decode GEMVs (quant_gemv.cu). stage_digits is the integer-tensor-core
// kernel's form (StagedX, kernels.h), shared by its blocks that stage their own chunk and the
// decode LayerNorm that stages the row once (layernorm.cu), so that both compute it the same way;
// the other helpers are the fp16 kernel's (FALCON_Q4_IMMA=0).
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

// gemv_q4i_kernel's x: one thread's 8 consecutive values w (4 bf16 pairs) of a 128-column group
// that 16 consecutive lanes hold, piece lane & 15 of it (the whole warp calls). The group's values
// are scaled by the power of two 2^e that puts its largest |x| in [2^29, 2^30) (bf16 values down to
// 2^-22 of the largest stay exact), rounded to integers and cut into four signed bytes,
// x = 2^24 d0 + 2^16 d1 + 2^8 d2 + d3, each in [-128, 127].
struct DigitPiece {
  uint32_t dw[4][2];  // digit k of the 8 values: word j holds values 4j, 4j + 2, 4j + 1, 4j + 3 (bytes 0-3)
  int4 init[2];       // the group's accumulator start for lanes t & 1 = 0 (digits 0, 1) and 1 (digits 2, 3)
  float xe;           // 2^-e, the group's factor; NaN where the group holds a NaN or inf
};
__device__ __forceinline__ DigitPiece stage_digits(const uint32_t (&w)[4]) {
  // The group's largest |x| as bf16 bits (they order as integers once the sign is cleared; inf and
  // NaN are the only ones from 0x7F80 up), two values an instruction.
  const uint32_t m2 = __vmaxu2(__vmaxu2(w[0] & 0x7FFF7FFFu, w[1] & 0x7FFF7FFFu),
                               __vmaxu2(w[2] & 0x7FFF7FFFu, w[3] & 0x7FFF7FFFu));
  uint32_t mx = max(m2 & 0xFFFFu, m2 >> 16);
#pragma unroll
  for (int o = 8; o > 0; o >>= 1) mx = max(mx, __shfl_xor_sync(0xffffffffu, mx, o));
  const bool bad = mx >= 0x7F80u;
  // The largest in [2^E, 2^(E+1)): e = 29 - E puts it in [2^29, 2^30); 2^e and 2^-e normal.
  // A bad group scales by 0: inf * 0 and NaN * 0 are NaN, which converts to the integer 0.
  const int E = static_cast<int>(mx >> 7) - 127;
  const int e = mx == 0 ? 0 : min(max(29 - E, -98), 126);
  const float sc2 = bad ? 0.f : __int_as_float((e + 127) << 23);
  // Balanced digits: adding 128 to each of the three low digits makes them x + 0x808080's bytes,
  // so that sum's bytes with the low three's top bits flipped are the digits (d0 the top byte:
  // |x| < 2^30).
  uint32_t z[8];
#pragma unroll
  for (int j = 0; j < 8; ++j) {
    const uint32_t f = j & 1 ? w[j >> 1] & 0xFFFF0000u : w[j >> 1] << 16;
    z[j] = (static_cast<uint32_t>(__float2int_rn(__uint_as_float(f) * sc2)) + 0x808080u) ^ 0x808080u;
  }
  // Transposed: word o / 4 of digit k holds byte 3 - k of values o, o + 2, o + 1, o + 3 (the
  // weight word's nibble order), and the digit sums come from those words.
  DigitPiece p;
#pragma unroll
  for (int o = 0; o < 8; o += 4) {
    const uint32_t t0 = __byte_perm(z[o], z[o + 2], 0x5140), t1 = __byte_perm(z[o], z[o + 2], 0x7362);
    const uint32_t t2 = __byte_perm(z[o + 1], z[o + 3], 0x5140), t3 = __byte_perm(z[o + 1], z[o + 3], 0x7362);
    p.dw[3][o / 4] = __byte_perm(t0, t2, 0x5410), p.dw[2][o / 4] = __byte_perm(t0, t2, 0x7632);
    p.dw[1][o / 4] = __byte_perm(t1, t3, 0x5410), p.dw[0][o / 4] = __byte_perm(t1, t3, 0x7632);
  }
  int sum[4];
#pragma unroll
  for (int k = 0; k < 4; ++k)
    sum[k] =
        __dp4a(static_cast<int>(p.dw[k][1]), 0x01010101, __dp4a(static_cast<int>(p.dw[k][0]), 0x01010101, 0));
  // Two digits' sums in one word for the group's reduction: a group's sum of one digit is within
  // +-2^14, so s_lo + 2^16 s_hi adds up exactly and splits back.
  int p01 = sum[0] + sum[1] * 65536, p23 = sum[2] + sum[3] * 65536;
#pragma unroll
  for (int o = 8; o > 0; o >>= 1) {
    p01 += __shfl_xor_sync(0xffffffffu, p01, o);
    p23 += __shfl_xor_sync(0xffffffffu, p23, o);
  }
  const int s0 = static_cast<int16_t>(p01 & 0xFFFF), s1 = (p01 - s0) >> 16;
  const int s2 = static_cast<int16_t>(p23 & 0xFFFF), s3 = (p23 - s2) >> 16;
  // Rows g + 8 take 16u (zero point 128 x the sum), rows g the whole byte, u + 16u' (row g + 8's
  // added: 136, taken off with row g + 8's sum at the group's end).
  p.init[0] = make_int4(-136 * s0, -136 * s1, -128 * s0, -128 * s1);
  p.init[1] = make_int4(-136 * s2, -136 * s3, -128 * s2, -128 * s3);
  p.xe = bad ? __int_as_float(0x7fc00000) : __int_as_float((127 - e) << 23);
  return p;
}

}  // namespace falcon::gpu
