#pragma once
// What the CPU kernels (cpu_ops.cpp, cpu_quant.cpp) share for their x86 forms: the dispatch
// switch (FALCON_X86_DISPATCH: these functions are compiled, for AVX2 + FMA by target attribute,
// and called only where avx2_fma_enabled()) and small helpers.
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define FALCON_X86_DISPATCH 1

namespace falcon::cpu {

// Sum of the 8 lanes.
__attribute__((target("avx2,fma"))) inline float hsum_avx(__m256 v) {
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  s4 = _mm_add_ss(s4, _mm_movehdup_ps(s4));
  return _mm_cvtss_f32(s4);
}

// The prefill's weight panels (cpu_ops.cpp's linear()) hold 16 output features per column k:
// p[16 * k + j]. Stores 8 rows of 8 consecutive columns (r[i]: feature i, columns k..k+7) there
// transposed: p[16 * t + i] = r[i][t] (p 32-byte aligned; features 8..15 go to p + 8).
__attribute__((target("avx2,fma"))) inline void transpose8_into_panel(const __m256 (&r)[8], float* p) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_store_ps(p, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_store_ps(p + 16, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_store_ps(p + 32, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_store_ps(p + 48, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_store_ps(p + 64, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_store_ps(p + 80, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_store_ps(p + 96, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_store_ps(p + 112, _mm256_permute2f128_ps(u3, u7, 0x31));
}

}  // namespace falcon::cpu
#endif
