#include "core/model/cpu_ops.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string_view>

#include "core/model/cpu_simd.h"

namespace falcon::cpu {

namespace {

// Dot product with 8 independent partial sums (vectorises without -ffast-math and is more
// accurate than one running sum).
inline float dot(const float* a, const float* b, int n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) acc[k] += a[i + k] * b[i + k];
  }
  float tail = 0;
  for (; i < n; ++i) tail += a[i] * b[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

// Dot product of a bf16 row (as stored in the file, any alignment) with fp32 x, for decode: the
// weights are read once, straight from the mapped file, with no fp32 copy. bf16 -> fp32 is a
// 16-bit shift, so this is exact; 8 partial sums as in dot().
float dot_bf16_generic(const std::byte* w, const float* x, int n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    uint16_t h[8];
    std::memcpy(h, w + 2 * static_cast<std::size_t>(i), sizeof h);
    for (int k = 0; k < 8; ++k) {
      const uint32_t u = static_cast<uint32_t>(h[k]) << 16;
      float f;
      std::memcpy(&f, &u, 4);
      acc[k] += f * x[i + k];
    }
  }
  float tail = 0;
  for (; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, w + 2 * static_cast<std::size_t>(i), 2);
    tail += bf16_to_float(h) * x[i];
  }
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

#ifdef FALCON_X86_DISPATCH
// The same with AVX2 + FMA, chosen at run time when the CPU has them (16 weights per step).
__attribute__((target("avx2,fma"))) float dot_bf16_avx2(const std::byte* w, const float* x, int n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i h =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 2 * static_cast<std::size_t>(i)));
    const __m256 lo =
        _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm256_castsi256_si128(h)), 16));
    const __m256 hi =
        _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm256_extracti128_si256(h, 1)), 16));
    acc0 = _mm256_fmadd_ps(lo, _mm256_loadu_ps(x + i), acc0);
    acc1 = _mm256_fmadd_ps(hi, _mm256_loadu_ps(x + i + 8), acc1);
  }
  float sum = hsum_avx(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, w + 2 * static_cast<std::size_t>(i), 2);
    sum += bf16_to_float(h) * x[i];
  }
  return sum;
}
#endif

#ifdef FALCON_X86_DISPATCH
__attribute__((target("avx2,fma"))) float dot_avx2(const float* a, const float* b, int n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  float sum = hsum_avx(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}
#endif

using DotF32 = float (*)(const float*, const float*, int);

// FALCON_CPU_FAST=0 turns off the direct bf16 decode path, the AVX2 kernels and the bulk bf16
// conversion (the portable forms run instead), for A/B benchmarks (docs/BENCHMARKS.md).
bool cpu_fast() {
  static const bool fast = [] {
    const char* e = std::getenv("FALCON_CPU_FAST");
    return !(e && std::string_view(e) == "0");
  }();
  return fast;
}

// The AVX2 + FMA forms run where the CPU has them, unless FALCON_CPU_FAST=0.
#ifdef FALCON_X86_DISPATCH
bool avx2_fma() {
  static const bool yes = cpu_fast() && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}
#define FALCON_AVX2_OR(avx2, portable) (avx2_fma() ? (avx2) : (portable))
#else
#define FALCON_AVX2_OR(avx2, portable) (portable)
#endif

void axpy(float alpha, const float* x, float* y, int n) {
  for (int i = 0; i < n; ++i) y[i] += alpha * x[i];
}

void dots(const float* a, const float* b, std::size_t stride, int count, int n, float* s) {
  for (int j = 0; j < count; ++j) s[j] = dot(a, b + static_cast<std::size_t>(j) * stride, n);
}

void weighted_sum(const float* w, const float* v, std::size_t stride, int count, int n, float* out) {
  std::fill(out, out + n, 0.0f);
  for (int j = 0; j < count; ++j) axpy(w[j], v + static_cast<std::size_t>(j) * stride, out, n);
}

void dots_portable(const float* const* a, int nq, const float* b, std::size_t stride, int count, int n,
                   float* const* s) {
  for (int q = 0; q < nq; ++q) dots(a[q], b, stride, count, n, s[q]);
}

void weighted_sum_portable(const float* const* w, int nq, const float* v, std::size_t stride, int count,
                           int n, float* const* out) {
  for (int q = 0; q < nq; ++q) weighted_sum(w[q], v, stride, count, n, out[q]);
}

#ifdef FALCON_X86_DISPATCH
// Four rows w against R rows x (attention's four keys against up to three queries; a linear
// layer's four weight rows against two input rows): 4R accumulators, so each load of x serves
// four products and each load of w R (dot_avx2 does one product per two loads); R = 3 keeps twelve
// products in flight, enough to cover the FMA latency on two pipes. s[r][k] = x[r] . w[k]; every
// product sums in the same order for every R (eight lanes, hsum_avx, then the tail), so R changes
// no result.
template <int R>
__attribute__((target("avx2,fma"))) void dot4xr_avx2(const float* const* w, const float* const* x, int n,
                                                     float (*s)[4]) {
  __m256 acc[R][4];
  for (int r = 0; r < R; ++r)
    for (int k = 0; k < 4; ++k) acc[r][k] = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 xv[R];
    for (int r = 0; r < R; ++r) xv[r] = _mm256_loadu_ps(x[r] + i);
    for (int k = 0; k < 4; ++k) {
      const __m256 wk = _mm256_loadu_ps(w[k] + i);
      for (int r = 0; r < R; ++r) acc[r][k] = _mm256_fmadd_ps(xv[r], wk, acc[r][k]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int k = 0; k < 4; ++k) {
      float v = hsum_avx(acc[r][k]);
      for (int t = i; t < n; ++t) v += x[r][t] * w[k][t];
      s[r][k] = v;
    }
}
#endif

#ifdef FALCON_X86_DISPATCH
// GELU, x Phi(x), four lanes at a time in double precision, where std::erf costs ~15 ns an element
// (it was a sixth of a falcon-mini prompt). With z = |x| / sqrt(2):
//   z < 1.5:     erf(z) = z A(z^2), Phi = 1/2 + sign(x) erf(z) / 2;
//   1.5 <= z < 6: erfc(z) = exp(-z^2) B(1/z), Phi = 1 - erfc(z) / 2 (x >= 0) or erfc(z) / 2;
//   z >= 6:      Phi = 1 (x > 0) or 0 (erfc(6) = 2e-17: what 1 + erf(x / sqrt(2)) gives in double).
// A (degree 14 in w = z^2 on [0, 2.25]) and B (degree 16 in s = 1/z on [1/6, 2/3]) are Chebyshev
// interpolants computed with mpmath (50 digits; relative errors 5e-18 and 2e-14), the exponential a
// degree-12 Taylor polynomial after reduction by multiples of ln 2. x Phi(x) is within 3.3e-14 of
// its exact value over |x| < 8.48, so after rounding to float it is the correctly rounded result
// but in a rare tie. The portable form, 0.5 x (1 + erf(x / sqrt(2))) in double, gives the same
// but in the negative tail, where its 1 + erf cancels (an absolute error below |x| 2^-53).
constexpr double kGeluA[15] = {0.8168361747839192,      -0.2252525470353008,     0.06590879382585493,
                               -0.016287513685894407,   0.003385064146382805,    -0.0006015929077912106,
                               9.302926096193184e-05,   -1.2707918282579539e-05, 1.5529303798830193e-06,
                               -1.7156383601471648e-07, 1.7287475854659642e-08,  -1.6004162691465598e-09,
                               1.3705874534419503e-10,  -1.1131449008454349e-11, 8.26507508064482e-13};
constexpr double kGeluB[17] = {0.21849873453703333,    0.11460274749753728,    -0.011749767914119245,
                               -8.580232675393825e-05, 0.0004204258740779441,  -0.00011583014937950577,
                               1.3741535683910854e-05, 2.6922199325086807e-06, -2.0596553242113505e-06,
                               6.36670863676263e-07,   -9.975691474974895e-08, -1.2517436857488483e-08,
                               1.5884694367272458e-08, -7.337408963599166e-09, 1.8659316949578814e-09,
                               2.6953379670040334e-10, -2.436347316729299e-10};

template <int N>
__attribute__((target("avx2,fma"))) inline __m256d horner_pd(const double (&c)[N], __m256d u) {
  __m256d p = _mm256_set1_pd(c[N - 1]);
  for (int k = N - 2; k >= 0; --k) p = _mm256_fmadd_pd(p, u, _mm256_set1_pd(c[k]));
  return p;
}

// exp(y) for y in [-110, 0] (gelu_pd's arguments: [-36.1, -2.25]): y = n ln2 + r, |r| <= ln2 / 2,
// n taken from the low bits of y / ln2 + 1.5 * 2^52 and added to the exponent of exp(r).
__attribute__((target("avx2,fma"))) inline __m256d exp_neg_pd(__m256d y) {
  const __m256d magic = _mm256_set1_pd(6755399441055744.0);  // 1.5 * 2^52
  const __m256d t = _mm256_fmadd_pd(y, _mm256_set1_pd(1.4426950408889634), magic);
  const __m256d n = _mm256_sub_pd(t, magic);
  __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(6.93147180369123816490e-01), y);  // ln 2, high part
  r = _mm256_fnmadd_pd(n, _mm256_set1_pd(1.90821492927058770002e-10), r);          // and the rest
  __m256d p = _mm256_set1_pd(1.0 / 479001600.0);                                   // 1/12!
  double inv_fact = 1.0 / 479001600.0;
  for (int k = 11; k >= 0; --k) {
    inv_fact *= k + 1;  // 1/k!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(inv_fact));
  }
  const __m256i shifted = _mm256_slli_epi64(_mm256_castpd_si256(t), 52);  // n << 52
  return _mm256_castsi256_pd(_mm256_add_epi64(_mm256_castpd_si256(p), shifted));
}

// exp(y) for y <= 0: below -110 (where the float result is 0) y is clamped there, which keeps n
// within the exponent's range. NaN stays NaN (maxpd returns its second operand, y, for a NaN).
__attribute__((target("avx2,fma"))) inline __m256d exp_nonpos_pd(__m256d y) {
  return exp_neg_pd(_mm256_max_pd(_mm256_set1_pd(-110.0), y));
}

__attribute__((target("avx2,fma"))) inline __m256d gelu_pd(__m256d x) {
  const __m256d sign = _mm256_set1_pd(-0.0);
  const __m256d half = _mm256_set1_pd(0.5), one = _mm256_set1_pd(1.0);
  const __m256d z = _mm256_mul_pd(_mm256_andnot_pd(sign, x), _mm256_set1_pd(0.70710678118654752440));
  const __m256d w = _mm256_mul_pd(z, z);
  const __m256d nonneg = _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GE_OQ);
  // Near zero: Phi = 1/2 + erf(z) / 2 with erf(z) carrying x's sign.
  const __m256d erf_abs = _mm256_mul_pd(
      z, horner_pd(kGeluA, _mm256_fmadd_pd(w, _mm256_set1_pd(1.0 / 1.125), _mm256_set1_pd(-1.0))));
  __m256d phi = _mm256_fmadd_pd(half, _mm256_or_pd(erf_abs, _mm256_and_pd(sign, x)), half);
  const __m256d far = _mm256_cmp_pd(z, _mm256_set1_pd(1.5), _CMP_GE_OQ);
  if (_mm256_movemask_pd(far) != 0) {
    const __m256d s = _mm256_div_pd(one, z);
    const __m256d u = _mm256_mul_pd(_mm256_sub_pd(s, _mm256_set1_pd(5.0 / 12.0)), _mm256_set1_pd(4.0));
    const __m256d half_erfc = _mm256_mul_pd(
        half, _mm256_mul_pd(exp_neg_pd(_mm256_sub_pd(_mm256_setzero_pd(), w)), horner_pd(kGeluB, u)));
    const __m256d tail = _mm256_blendv_pd(half_erfc, _mm256_sub_pd(one, half_erfc), nonneg);
    phi = _mm256_blendv_pd(phi, tail, far);
    const __m256d beyond = _mm256_cmp_pd(z, _mm256_set1_pd(6.0), _CMP_GE_OQ);
    const __m256d step = _mm256_and_pd(one, _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GT_OQ));
    phi = _mm256_blendv_pd(phi, step, beyond);
  }
  return _mm256_mul_pd(x, phi);
}

// Every element through gelu_pd, the last 1-3 too (padded): an element's result never depends
// on where the pool split the range.
__attribute__((target("avx2,fma"))) void gelu_avx2(float* x, int64_t b, int64_t e) {
  int64_t i = b;
  for (; i + 4 <= e; i += 4)
    _mm_storeu_ps(x + i, _mm256_cvtpd_ps(gelu_pd(_mm256_cvtps_pd(_mm_loadu_ps(x + i)))));
  if (i < e) {
    float buf[4] = {0.f, 0.f, 0.f, 0.f};
    std::memcpy(buf, x + i, static_cast<std::size_t>(e - i) * sizeof(float));
    _mm_storeu_ps(buf, _mm256_cvtpd_ps(gelu_pd(_mm256_cvtps_pd(_mm_loadu_ps(buf)))));
    std::memcpy(x + i, buf, static_cast<std::size_t>(e - i) * sizeof(float));
  }
}
#endif

#ifdef FALCON_X86_DISPATCH
__attribute__((target("avx2,fma"))) void softmax_row_avx2(float* s, int n, float scale, const float* bias) {
  const __m256 vs = _mm256_set1_ps(scale);
  __m256 vmax = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  int j = 0;
  for (; j + 8 <= n; j += 8) {
    __m256 v = _mm256_mul_ps(_mm256_loadu_ps(s + j), vs);
    if (bias) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + j));
    _mm256_storeu_ps(s + j, v);
    vmax = _mm256_max_ps(vmax, v);
  }
  alignas(32) float m8[8];
  _mm256_store_ps(m8, vmax);
  float mx = m8[0];
  for (int k = 1; k < 8; ++k) mx = std::max(mx, m8[k]);
  for (; j < n; ++j) {
    s[j] = bias ? s[j] * scale + bias[j] : s[j] * scale;
    mx = std::max(mx, s[j]);
  }
  const __m128 vmx = _mm_set1_ps(mx);
  __m256d sum0 = _mm256_setzero_pd(), sum1 = sum0;
  j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m128 d0 = _mm_sub_ps(_mm_loadu_ps(s + j), vmx), d1 = _mm_sub_ps(_mm_loadu_ps(s + j + 4), vmx);
    const __m128 e0 = _mm256_cvtpd_ps(exp_nonpos_pd(_mm256_cvtps_pd(d0)));
    const __m128 e1 = _mm256_cvtpd_ps(exp_nonpos_pd(_mm256_cvtps_pd(d1)));
    _mm_storeu_ps(s + j, e0);
    _mm_storeu_ps(s + j + 4, e1);
    sum0 = _mm256_add_pd(sum0, _mm256_cvtps_pd(e0));
    sum1 = _mm256_add_pd(sum1, _mm256_cvtps_pd(e1));
  }
  double rest = 0;
  for (; j < n; j += 4) {  // the last 1-7 through the same exp, padded
    float buf[4] = {0.f, 0.f, 0.f, 0.f};
    const int k = std::min(4, n - j);
    for (int i = 0; i < k; ++i) buf[i] = s[j + i] - mx;
    _mm_storeu_ps(buf, _mm256_cvtpd_ps(exp_nonpos_pd(_mm256_cvtps_pd(_mm_loadu_ps(buf)))));
    for (int i = 0; i < k; ++i) {
      s[j + i] = buf[i];
      rest += buf[i];
    }
  }
  alignas(32) double p[4];
  _mm256_store_pd(p, _mm256_add_pd(sum0, sum1));
  const __m256 inv = _mm256_set1_ps(static_cast<float>(1.0 / ((p[0] + p[1]) + (p[2] + p[3]) + rest)));
  j = 0;
  for (; j + 8 <= n; j += 8) _mm256_storeu_ps(s + j, _mm256_mul_ps(_mm256_loadu_ps(s + j), inv));
  for (; j < n; ++j) s[j] *= _mm256_cvtss_f32(inv);
}
#endif

void softmax_row_portable(float* s, int n, float scale, const float* bias) {
  float mx = -std::numeric_limits<float>::infinity();
  for (int j = 0; j < n; ++j) {
    s[j] = bias ? s[j] * scale + bias[j] : s[j] * scale;
    mx = std::max(mx, s[j]);
  }
  double sum = 0;
  for (int j = 0; j < n; ++j) {
    s[j] = std::exp(s[j] - mx);
    sum += s[j];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int j = 0; j < n; ++j) s[j] *= inv;
}

using SoftmaxRow = void (*)(float*, int, float, const float*);

void gelu_portable(float* x, int64_t b, int64_t e) {
  constexpr double kInvSqrt2 = 0.70710678118654752440;
  for (int64_t i = b; i < e; ++i) {
    const double v = x[i];
    x[i] = static_cast<float>(0.5 * v * (1.0 + std::erf(v * kInvSqrt2)));
  }
}

using GeluRange = void (*)(float*, int64_t, int64_t);

#ifdef FALCON_X86_DISPATCH
// Attention's q.k for R queries against the same keys: four keys a pass through dot4xr_avx2, so
// each key row loaded serves R queries (and each query row four keys); the last count % 4 keys
// one at a time.
template <int R>
__attribute__((target("avx2,fma"))) void dots_rows_avx2(const float* const* a, const float* b,
                                                        std::size_t stride, int count, int n,
                                                        float* const* s) {
  int j = 0;
  for (; j + 4 <= count; j += 4) {
    const float* w[4] = {
        b + static_cast<std::size_t>(j) * stride, b + static_cast<std::size_t>(j + 1) * stride,
        b + static_cast<std::size_t>(j + 2) * stride, b + static_cast<std::size_t>(j + 3) * stride};
    float r4[R][4];
    dot4xr_avx2<R>(w, a, n, r4);
    for (int r = 0; r < R; ++r)
      for (int k = 0; k < 4; ++k) s[r][j + k] = r4[r][k];
  }
  for (; j < count; ++j)
    for (int r = 0; r < R; ++r) s[r][j] = dot_avx2(a[r], b + static_cast<std::size_t>(j) * stride, n);
}

__attribute__((target("avx2,fma"))) void dots_avx2(const float* const* a, int nq, const float* b,
                                                   std::size_t stride, int count, int n, float* const* s) {
  int q = 0;
  for (; q + 3 <= nq; q += 3) dots_rows_avx2<3>(a + q, b, stride, count, n, s + q);
  if (nq - q == 2) dots_rows_avx2<2>(a + q, b, stride, count, n, s + q);
  if (nq - q == 1) dots_rows_avx2<1>(a + q, b, stride, count, n, s + q);
}

// Attention's V sums for R queries over the same rows: 32 outputs of each query held in registers
// over every row (each row's 32 values loaded once for all R), then stored once; each output's
// sum runs over the rows in order, as axpy's would.
template <int R>
__attribute__((target("avx2,fma"))) void weighted_sums_avx2(const float* const* w, const float* v,
                                                            std::size_t stride, int count, int n,
                                                            float* const* out) {
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256 o[R][4];
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < 4; ++c) o[r][c] = _mm256_setzero_ps();
    const float* vr = v + i;
    for (int j = 0; j < count; ++j, vr += stride) {
      const __m256 v0 = _mm256_loadu_ps(vr), v1 = _mm256_loadu_ps(vr + 8), v2 = _mm256_loadu_ps(vr + 16),
                   v3 = _mm256_loadu_ps(vr + 24);
      for (int r = 0; r < R; ++r) {
        const __m256 wj = _mm256_set1_ps(w[r][j]);
        o[r][0] = _mm256_fmadd_ps(wj, v0, o[r][0]);
        o[r][1] = _mm256_fmadd_ps(wj, v1, o[r][1]);
        o[r][2] = _mm256_fmadd_ps(wj, v2, o[r][2]);
        o[r][3] = _mm256_fmadd_ps(wj, v3, o[r][3]);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < 4; ++c) _mm256_storeu_ps(out[r] + i + 8 * c, o[r][c]);
  }
  for (int r = 0; r < R; ++r) {
    int k = i;
    for (; k + 8 <= n; k += 8) {
      __m256 o = _mm256_setzero_ps();
      const float* vr = v + k;
      for (int j = 0; j < count; ++j, vr += stride)
        o = _mm256_fmadd_ps(_mm256_set1_ps(w[r][j]), _mm256_loadu_ps(vr), o);
      _mm256_storeu_ps(out[r] + k, o);
    }
    for (; k < n; ++k) {
      float o = 0.0f;
      for (int j = 0; j < count; ++j) o = std::fma(w[r][j], v[static_cast<std::size_t>(j) * stride + k], o);
      out[r][k] = o;
    }
  }
}

__attribute__((target("avx2,fma"))) void weighted_sum_avx2(const float* const* w, int nq, const float* v,
                                                           std::size_t stride, int count, int n,
                                                           float* const* out) {
  int q = 0;
  for (; q + 3 <= nq; q += 3) weighted_sums_avx2<3>(w + q, v, stride, count, n, out + q);
  if (nq - q == 2) weighted_sums_avx2<2>(w + q, v, stride, count, n, out + q);
  if (nq - q == 1) weighted_sums_avx2<1>(w + q, v, stride, count, n, out + q);
}
#endif

#ifdef FALCON_X86_DISPATCH
// The prefill's linear layers as a blocked matrix product: six input rows (x[0..5]; fewer are
// given as repeats of the last, their results unused) times a panel of 16 output features whose
// weights are packed k-major (p[16 k + j] = W[o + j][k0 + k]), over kc columns: each step
// broadcasts one x value per row against two vectors of the panel into twelve accumulators
// (named: GCC keeps an array of them in memory). c[r][j] = sum over k, in order, of x[r][k] p[16 k + j].
// Packs bf16 weight rows w[0..nb) (row j at w + j * ld bytes; nb <= 16, the others zeros) k-major
// for panel6_avx2: p[16 k + j] = W[j][k] as fp32, k < kc. Eight rows by eight columns a step:
// eight 16-byte loads widened to fp32 (exact), an 8 x 8 transpose in registers, eight stores.
__attribute__((target("avx2,fma"))) void pack_bf16_avx2(const std::byte* w, std::size_t ld, int nb, int kc,
                                                        float* p) {
  for (int jb = 0; jb < 16; jb += 8) {
    int k = 0;
    for (; k + 8 <= kc; k += 8) {
      __m256 r[8];
      for (int i = 0; i < 8; ++i) {
        if (jb + i < nb) {
          const __m128i h = _mm_loadu_si128(
              reinterpret_cast<const __m128i*>(w + static_cast<std::size_t>(jb + i) * ld + 2 * k));
          r[i] = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
        } else {
          r[i] = _mm256_setzero_ps();
        }
      }
      transpose8_into_panel(r, p + 16 * static_cast<std::size_t>(k) + jb);
    }
    for (; k < kc; ++k)
      for (int i = 0; i < 8; ++i) {
        float v = 0.0f;
        if (jb + i < nb) {
          uint16_t h;
          std::memcpy(&h, w + static_cast<std::size_t>(jb + i) * ld + 2 * k, 2);
          v = bf16_to_float(h);
        }
        p[16 * static_cast<std::size_t>(k) + jb + i] = v;
      }
  }
}

__attribute__((target("avx2,fma"))) void panel6_avx2(const float* const* x, const float* p, int kc,
                                                     float (*c)[16]) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
         c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  const float *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3], *x4 = x[4], *x5 = x[5];
  for (int k = 0; k < kc; ++k, p += 16) {
    const __m256 b0 = _mm256_load_ps(p), b1 = _mm256_load_ps(p + 8);
    __m256 a = _mm256_broadcast_ss(x0 + k);
    c00 = _mm256_fmadd_ps(a, b0, c00), c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(x1 + k);
    c10 = _mm256_fmadd_ps(a, b0, c10), c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(x2 + k);
    c20 = _mm256_fmadd_ps(a, b0, c20), c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(x3 + k);
    c30 = _mm256_fmadd_ps(a, b0, c30), c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(x4 + k);
    c40 = _mm256_fmadd_ps(a, b0, c40), c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(x5 + k);
    c50 = _mm256_fmadd_ps(a, b0, c50), c51 = _mm256_fmadd_ps(a, b1, c51);
  }
  _mm256_storeu_ps(c[0], c00), _mm256_storeu_ps(c[0] + 8, c01);
  _mm256_storeu_ps(c[1], c10), _mm256_storeu_ps(c[1] + 8, c11);
  _mm256_storeu_ps(c[2], c20), _mm256_storeu_ps(c[2] + 8, c21);
  _mm256_storeu_ps(c[3], c30), _mm256_storeu_ps(c[3] + 8, c31);
  _mm256_storeu_ps(c[4], c40), _mm256_storeu_ps(c[4] + 8, c41);
  _mm256_storeu_ps(c[5], c50), _mm256_storeu_ps(c[5] + 8, c51);
}
#endif

using Dot4xR = void (*)(const float* const*, const float* const*, int, float (*)[4]);

using DotsF32 = void (*)(const float* const*, int, const float*, std::size_t, int, int, float* const*);
using WeightedSumF32 = void (*)(const float* const*, int, const float*, std::size_t, int, int, float* const*);

// bf16 row -> fp32 (exact: a 16-bit shift), for the prefill path's per-row conversion.
void bf16_row_to_float(const std::byte* src, int n, float* dst) {
  for (int i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, src + 2 * static_cast<std::size_t>(i), 2);
    const uint32_t u = static_cast<uint32_t>(h) << 16;
    std::memcpy(dst + i, &u, 4);
  }
}

using DotBf16 = float (*)(const std::byte*, const float*, int);

}  // namespace

void dots_f32(const float* const* a, int nq, const float* b, std::size_t stride, int count, int n,
              float* const* s) {
  static const DotsF32 f = FALCON_AVX2_OR(dots_avx2, dots_portable);
  f(a, nq, b, stride, count, n, s);
}

void dots_f32(const float* a, const float* b, std::size_t stride, int count, int n, float* s) {
  dots_f32(&a, 1, b, stride, count, n, &s);
}

void weighted_sum_f32(const float* const* w, int nq, const float* v, std::size_t stride, int count, int n,
                      float* const* out) {
  static const WeightedSumF32 f = FALCON_AVX2_OR(weighted_sum_avx2, weighted_sum_portable);
  f(w, nq, v, stride, count, n, out);
}

void weighted_sum_f32(const float* w, const float* v, std::size_t stride, int count, int n, float* out) {
  weighted_sum_f32(&w, 1, v, stride, count, n, &out);
}

void linear(ThreadPool& pool, const float* x, int rows, const Linear& layer, float* y) {
  const int in = layer.in_features;
  const int out = layer.out_features;
  const bool direct = layer.weight.dtype == DType::F32 &&
                      reinterpret_cast<std::uintptr_t>(layer.weight.data.data()) % alignof(float) == 0;
  const bool fast = cpu_fast();
  const bool quantized = !layer.quant.empty();
  // int8/int4 weights take the direct products for up to this many rows: building the prefill's
  // panels dequantizes and transposes every weight, which costs about as much as six to eight
  // direct products (Falcon-7B's shape, 2 threads: 3 rows 1.3-2.8 s through the panels, 0.7-1.5 s
  // direct; 5 rows 1.3-3.0 s against 1.0-2.3 s).
  constexpr int kQuantDirectRows = 6;
  if ((rows <= 2 || (quantized && rows <= kQuantDirectRows)) &&
      (quantized || (fast && layer.weight.dtype == DType::BF16))) {
    // Decode: each weight is used once or twice, so converting rows to fp32 first would cost more
    // than the product; read the int8/int4 codes (dequantized in registers) or the bf16 rows
    // directly.
    static const DotBf16 dot_bf16 = FALCON_AVX2_OR(dot_bf16_avx2, dot_bf16_generic);
    const std::byte* base = layer.weight.data.data();
    auto dot = [&](int64_t o, const float* xr) {
      return quantized ? dot_row(layer.quant, static_cast<int>(o), xr)
                       : dot_bf16(base + static_cast<std::size_t>(o) * in * 2, xr, in);
    };
    auto direct_work = [&](int64_t o_begin, int64_t o_end) {
      for (int64_t o = o_begin; o < o_end; ++o) {
        for (int r = 0; r < rows; ++r) {
          float v = dot(o, x + static_cast<std::size_t>(r) * in);
          if (!layer.bias.empty()) v += layer.bias[static_cast<std::size_t>(o)];
          y[static_cast<std::size_t>(r) * out + o] = v;
        }
      }
    };
    if (static_cast<int64_t>(rows) * out * in < (int64_t{1} << 16))
      direct_work(0, out);
    else
      pool.parallel_for(out, direct_work);
    return;
  }
#ifdef FALCON_X86_DISPATCH
  if (avx2_fma() && rows >= 3) {
    // Panels of 16 output features, their weights converted and packed k-major for kc columns at
    // a time (at most 512: the panel, 32 KiB, stays in L1), then every input row through them six
    // at a time. An output's sum runs over k in order within a column block, the blocks added in
    // order, whatever the threads' split.
    constexpr int kPanel = 16, kRows = 6, kMaxKc = 512;
    const int kc_max = std::min(in, kMaxKc);
    auto panels = [&](int64_t o_begin, int64_t o_end) {
      // Other dtypes than bf16 (and fp32 not aligned in the file): the panel's rows converted
      // once, whole, then packed from there block by block.
      const bool convert = layer.weight.dtype != DType::BF16 && !direct && !quantized;
      std::vector<float> rows16(convert ? static_cast<std::size_t>(kPanel) * in : 0);
      float* pack = static_cast<float*>(std::aligned_alloc(32, sizeof(float) * kPanel * kc_max));
      std::unique_ptr<float, decltype(&std::free)> pack_owner(pack, &std::free);
      for (int64_t o = o_begin; o < o_end; o += kPanel) {
        const int nb = static_cast<int>(std::min<int64_t>(kPanel, o_end - o));
        if (convert) rows_to_float(layer.weight, o, nb, rows16.data());
        for (int k0 = 0; k0 < in; k0 += kc_max) {
          const int kc = std::min(kc_max, in - k0);
          if (quantized) {
            pack_panel_avx2(layer.quant, static_cast<int>(o), nb, k0, kc, pack);
          } else if (layer.weight.dtype == DType::BF16) {
            pack_bf16_avx2(layer.weight.data.data() + (static_cast<std::size_t>(o) * in + k0) * 2,
                           static_cast<std::size_t>(in) * 2, nb, kc, pack);
          } else {
            for (int j = 0; j < kPanel; ++j) {
              const float* src = nullptr;
              if (j < nb)
                src = direct ? reinterpret_cast<const float*>(layer.weight.data.data()) + (o + j) * in
                             : rows16.data() + static_cast<std::size_t>(j) * in;
              for (int k = 0; k < kc; ++k) pack[kPanel * k + j] = src ? src[k0 + k] : 0.0f;
            }
          }
          float c[kRows][kPanel];
          for (int r = 0; r < rows; r += kRows) {
            const int nr = std::min(kRows, rows - r);
            const float* xr[kRows];
            for (int i = 0; i < kRows; ++i)
              xr[i] = x + static_cast<std::size_t>(r + std::min(i, nr - 1)) * in + k0;
            panel6_avx2(xr, pack, kc, c);
            for (int i = 0; i < nr; ++i) {
              float* yr = y + static_cast<std::size_t>(r + i) * out + o;
              for (int j = 0; j < nb; ++j) {
                if (k0 == 0)
                  yr[j] =
                      layer.bias.empty() ? c[i][j] : c[i][j] + layer.bias[static_cast<std::size_t>(o + j)];
                else
                  yr[j] += c[i][j];
              }
            }
          }
        }
      }
    };
    if (static_cast<int64_t>(rows) * out * in < (int64_t{1} << 16))
      panels(0, out);
    else
      pool.parallel_for(out, panels);
    return;
  }
#endif
  static const DotF32 dot_f32 = FALCON_AVX2_OR(dot_avx2, dot);
  // Null where only the one-product form exists (no AVX2, or FALCON_CPU_FAST=0).
  static const Dot4xR dot4x2 = FALCON_AVX2_OR(dot4xr_avx2<2>, static_cast<Dot4xR>(nullptr));
  auto work = [&](int64_t o_begin, int64_t o_end) {
    // Four weight rows at a time so every input row loaded is used four times.
    constexpr int kBlock = 4;
    std::vector<float> block_buf(direct && !quantized ? 0 : static_cast<std::size_t>(in) * kBlock);
    for (int64_t o = o_begin; o < o_end; o += kBlock) {
      const int nb = static_cast<int>(std::min<int64_t>(kBlock, o_end - o));
      const float* w[kBlock];
      for (int k = 0; k < nb; ++k) {
        if (direct && !quantized) {
          w[k] = reinterpret_cast<const float*>(layer.weight.data.data()) + (o + k) * in;
        } else {
          float* dst = block_buf.data() + static_cast<std::size_t>(k) * in;
          if (quantized)
            dequantize_row(layer.quant, static_cast<int>(o + k), 0, in, dst);
          else if (fast && layer.weight.dtype == DType::BF16)
            bf16_row_to_float(layer.weight.data.data() + static_cast<std::size_t>(o + k) * in * 2, in, dst);
          else
            rows_to_float(layer.weight, o + k, 1, dst);
          w[k] = dst;
        }
      }
      auto store = [&](int r, int k, float v) {
        if (!layer.bias.empty()) v += layer.bias[static_cast<std::size_t>(o + k)];
        y[static_cast<std::size_t>(r) * out + o + k] = v;
      };
      int r = 0;
      if (dot4x2 && nb == kBlock) {
        float sr[2][kBlock];
        for (; r + 2 <= rows; r += 2) {
          const float* xr[2] = {x + static_cast<std::size_t>(r) * in,
                                x + static_cast<std::size_t>(r + 1) * in};
          dot4x2(w, xr, in, sr);
          for (int j = 0; j < 2; ++j)
            for (int k = 0; k < kBlock; ++k) store(r + j, k, sr[j][k]);
        }
      }
      for (; r < rows; ++r) {
        const float* xr = x + static_cast<std::size_t>(r) * in;
        for (int k = 0; k < nb; ++k) store(r, k, dot_f32(xr, w[k], in));
      }
    }
  };
  // Small products cost less than waking the pool's threads: run them here.
  if (static_cast<int64_t>(rows) * out * in < (int64_t{1} << 16)) {
    work(0, out);
  } else {
    pool.parallel_for(out, work);
  }
}

void layer_norm(const float* x, int rows, int dim, const float* weight, const float* bias, double eps,
                float* y) {
  for (int r = 0; r < rows; ++r) {
    const float* xr = x + static_cast<std::size_t>(r) * dim;
    float* yr = y + static_cast<std::size_t>(r) * dim;
    double mean = 0;
    for (int i = 0; i < dim; ++i) mean += xr[i];
    mean /= dim;
    double var = 0;
    for (int i = 0; i < dim; ++i) {
      const double d = xr[i] - mean;
      var += d * d;
    }
    var /= dim;
    const double inv = 1.0 / std::sqrt(var + eps);
    for (int i = 0; i < dim; ++i) yr[i] = static_cast<float>((xr[i] - mean) * inv) * weight[i] + bias[i];
  }
}

void softmax_row(float* s, int n, float scale, const float* bias) {
  static const SoftmaxRow f = FALCON_AVX2_OR(softmax_row_avx2, softmax_row_portable);
  f(s, n, scale, bias);
}

void gelu_inplace(ThreadPool& pool, float* x, int64_t n) {
  static const GeluRange f = FALCON_AVX2_OR(gelu_avx2, gelu_portable);
  auto work = [&](int64_t b, int64_t e) { f(x, b, e); };
  // Each element alone: the split changes nothing in the result. (Below a few thousand elements
  // waking the threads costs more than the work.)
  if (n < 4096)
    work(0, n);
  else
    pool.parallel_for(n, work);
}

std::vector<float> rope_inv_freq(const ModelConfig& c, int seq_len) {
  const int dim = c.head_dim;
  double base = c.rope_theta;
  if (c.rope_scaling == RopeScaling::Dynamic && seq_len > c.max_position_embeddings) {
    const double f = c.rope_scaling_factor;
    base *=
        std::pow(f * seq_len / c.max_position_embeddings - (f - 1.0), static_cast<double>(dim) / (dim - 2));
  }
  std::vector<float> inv(static_cast<std::size_t>(dim / 2));
  for (int i = 0; i < dim / 2; ++i) {
    // HF: 1 / base ** (float32(2i) / dim), in float32.
    const float expo = static_cast<float>(2 * i) / static_cast<float>(dim);
    float v = 1.0f / static_cast<float>(std::pow(base, static_cast<double>(expo)));
    if (c.rope_scaling == RopeScaling::Linear) v /= static_cast<float>(c.rope_scaling_factor);
    inv[static_cast<std::size_t>(i)] = v;
  }
  return inv;
}

void rope_rotate(float* x, int head_dim, const float* cos, const float* sin) {
  const int half = head_dim / 2;
  for (int i = 0; i < half; ++i) {
    const float x1 = x[i];
    const float x2 = x[i + half];
    x[i] = x1 * cos[i] - x2 * sin[i];
    x[i + half] = x2 * cos[i] + x1 * sin[i];
  }
}

std::vector<float> alibi_slopes(int num_heads) {
  int p2 = 1;
  while (p2 * 2 <= num_heads) p2 *= 2;
  std::vector<float> s;
  // HF: base = 2 ** (-(2 ** -(log2(p2) - 3))) in float64, then float32 pow(base, k).
  const float base = static_cast<float>(std::pow(2.0, -std::pow(2.0, -(std::log2(p2) - 3.0))));
  for (int k = 1; k <= p2; ++k) s.push_back(static_cast<float>(std::pow(static_cast<double>(base), k)));
  if (p2 != num_heads) {
    const float extra = static_cast<float>(std::pow(2.0, -std::pow(2.0, -(std::log2(2.0 * p2) - 3.0))));
    const int remaining = std::min(p2, num_heads - p2);
    for (int k = 1; k < 1 + 2 * remaining; k += 2) {
      s.push_back(static_cast<float>(std::pow(static_cast<double>(extra), k)));
    }
  }
  return s;
}

bool avx2_fma_enabled() {
#ifdef FALCON_X86_DISPATCH
  return avx2_fma();
#else
  return false;
#endif
}

float round_to_bf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7f800000u) == 0x7f800000u) {  // inf / NaN: keep (quiet NaN)
    u = (u & 0xffff0000u) | ((u & 0xffffu) ? 0x00400000u : 0u);
  } else {
    u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest, ties to even
    u &= 0xffff0000u;
  }
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

float alibi_bias(float slope, int key_position) {
  return round_to_bf16(round_to_bf16(slope) * static_cast<float>(key_position));
}

}  // namespace falcon::cpu
#undef FALCON_AVX2_OR
