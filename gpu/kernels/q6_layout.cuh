// The int6 head's row layout (QuantFormat::Int6, kernels.h), shared by its quantizer, its
// dequantizer (quant.cu) and its decode GEMV (quant_gemv.cu).
//
// A row is stored in steps of 128 columns, 96 bytes each: a plane of low nibbles (bytes 0..63)
// and a plane of the top two bits (bytes 64..95) of the codes u = q + 32 (0..63). The layout
// follows the int8 GEMV's lanes: there lane t (0..3) of a quad takes the int8 words j = 0..7 of a
// row's step, word j holding columns col6(t, j, 0..3), one column a byte. For int6 lane t reads
//   - lo piece t (bytes 16 t .. 16 t + 15): word m (0..3) holds word 2m's four codes in its
//     bytes' low nibbles and word 2m + 1's in their high nibbles;
//   - hi bytes 64 + 8 t .. 64 + 8 t + 7: word h (0..1) holds the top bits of words 4h .. 4h + 3,
//     for byte b of word j = 4h + j' at bits 8b + q6_hi_bit(j') and the bit above,
// so that q6_word() rebuilds word j with one byte per code, u in each byte, which the int8 path's
// byte-to-fp16 conversion then takes (offset 32 instead of 128).
#pragma once

#include <cstdint>

namespace falcon::gpu {

constexpr int kQ6StepCols = 128;  // columns per step
constexpr int kQ6StepBytes = 96;  // bytes per step and row
constexpr int kQ6HiBase = 64;     // the top bits' plane inside a step

// Column (0..127, inside the step) of byte b of lane t's word j: the int8 GEMV's mapping.
__host__ __device__ constexpr int q6_col(int t, int j, int b) {
  return (j >> 2) * 64 + t * 16 + (j & 3) * 4 + b;
}

// Where word j' (0..3) of a hi word keeps its bytes' top bits: bits 4-5, 6-7, 0-1, 2-3 of each
// byte, so that each is one shift (or none) and one mask away from bits 4-5 (q6_word).
__host__ __device__ constexpr int q6_hi_bit(int jj) {
  return jj == 0 ? 4 : jj == 1 ? 6 : jj == 2 ? 0 : 2;
}

// Word j (0..7) of lane t's 32 codes, one u a byte, from its lo words (4) and hi words (2).
__device__ __forceinline__ uint32_t q6_word(const uint32_t (&lo)[4], const uint32_t (&hi)[2], int j) {
  const uint32_t l = (j & 1) ? (lo[j >> 1] >> 4) & 0x0F0F0F0Fu : lo[j >> 1] & 0x0F0F0F0Fu;
  const uint32_t h = hi[j >> 2];
  const int jj = j & 3;
  const uint32_t top = jj == 0 ? h : jj == 1 ? h >> 2 : jj == 2 ? h << 4 : h << 2;  // bits 4-5
  return l | (top & 0x30303030u);
}

}  // namespace falcon::gpu
