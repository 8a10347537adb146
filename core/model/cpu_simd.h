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

}  // namespace falcon::cpu
#endif
