#include "core/model/cpu_quant.h"

#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "core/common/error.h"
#include "core/model/cpu_ops.h"
#include "core/model/cpu_simd.h"

namespace falcon::cpu {
namespace {

constexpr int kGroup = 128;      // int4 columns per scale
constexpr int kGroupBytes = 64;  // ... their code bytes
constexpr int kBlock = 32;       // int4 columns per 16-byte block

// The int4 code of column c (0..cols) of a row, as q + 8, from the row's code bytes.
inline int nibble_of(const std::uint8_t* row, int c) {
  const int g = c / kGroup, in_group = c % kGroup;
  const int b = in_group / kBlock, j = in_group % kBlock;
  const std::uint8_t byte = row[g * kGroupBytes + b * 16 + (j & 15)];
  return j < 16 ? (byte & 0x0F) : (byte >> 4);
}

// The scheme's two steps over a span of a row (docs/QUANTIZATION.md): the largest |w|, and the
// codes clamp(rint(w / s), lo, hi) + bias as bytes (int8: bias 0, two's complement; int4: the
// nibble values, bias 8). The AVX2 forms give the same bytes: IEEE division, rounding to nearest
// even, and a maximum that skips a NaN as std::max does.
float amax_portable(const float* w, int n) {
  float amax = 0.0f;
  for (int k = 0; k < n; ++k) amax = std::max(amax, std::fabs(w[k]));
  return amax;
}

// The clamp is written as vmaxps/vminps compute it (a NaN quotient, from a NaN or infinite weight,
// becomes lo), so both forms agree and no NaN is ever converted to an integer.
void codes_portable(const float* w, int n, float s, float lo, float hi, int bias, std::uint8_t* out) {
  for (int k = 0; k < n; ++k) {
    const float r = std::nearbyint(w[k] / s);
    const float above = r > lo ? r : lo;
    const float q = s > 0.0f ? (above < hi ? above : hi) : 0.0f;
    out[k] = static_cast<std::uint8_t>(static_cast<int>(q) + bias);
  }
}

#ifdef FALCON_X86_DISPATCH
__attribute__((target("avx2,fma"))) float amax_avx2(const float* w, int n) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  __m256 m = _mm256_setzero_ps();
  int k = 0;
  // max_ps returns its second operand when either is NaN: a NaN weight leaves m as it was.
  for (; k + 8 <= n; k += 8) m = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(w + k), abs_mask), m);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, m);
  float amax = 0.0f;
  for (float v : lanes) amax = std::max(amax, v);
  for (; k < n; ++k) amax = std::max(amax, std::fabs(w[k]));
  return amax;
}

// Eight codes as int32: clamp(rint(w / s), lo, hi) + bias.
__attribute__((target("avx2,fma"))) inline __m256i quarter(__m256 vs, __m256 vlo, __m256 vhi, __m256i vbias,
                                                           const float* p) {
  __m256 q =
      _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(p), vs), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  q = _mm256_min_ps(_mm256_max_ps(q, vlo), vhi);
  return _mm256_add_epi32(_mm256_cvtps_epi32(q), vbias);
}

// 32 codes a step: divide, round, clamp, convert, then narrow 4 x 8 int32 to 32 bytes in order.
__attribute__((target("avx2,fma"))) void codes_avx2(const float* w, int n, float s, float lo, float hi,
                                                    int bias, std::uint8_t* out) {
  if (!(s > 0.0f)) {
    std::memset(out, bias, static_cast<std::size_t>(n));
    return;
  }
  const __m256 vs = _mm256_set1_ps(s), vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  const __m256i vbias = _mm256_set1_epi32(bias);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  int k = 0;
  for (; k + 32 <= n; k += 32) {
    const __m256i ab =
        _mm256_packs_epi32(quarter(vs, vlo, vhi, vbias, w + k), quarter(vs, vlo, vhi, vbias, w + k + 8));
    const __m256i cd = _mm256_packs_epi32(quarter(vs, vlo, vhi, vbias, w + k + 16),
                                          quarter(vs, vlo, vhi, vbias, w + k + 24));
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(ab, cd), order);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + k), bytes);
  }
  codes_portable(w + k, n - k, s, lo, hi, bias, out + k);
}
#endif

// A bf16 row of the checkpoint (any alignment) as floats: a 16-bit shift, exact.
void bf16_row_portable(const std::byte* src, int n, float* dst) {
  for (int k = 0; k < n; ++k) {
    std::uint16_t h;
    std::memcpy(&h, src + 2 * static_cast<std::size_t>(k), 2);
    dst[k] = bf16_to_float(h);
  }
}

#ifdef FALCON_X86_DISPATCH
__attribute__((target("avx2,fma"))) void bf16_row_avx2(const std::byte* src, int n, float* dst) {
  int k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m128i h =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * static_cast<std::size_t>(k)));
    _mm256_storeu_ps(dst + k, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)));
  }
  bf16_row_portable(src + 2 * static_cast<std::size_t>(k), n - k, dst + k);
}
#endif

void bf16_row(const std::byte* src, int n, float* dst) {
#ifdef FALCON_X86_DISPATCH
  static const bool avx2 = avx2_fma_enabled();
  if (avx2) return bf16_row_avx2(src, n, dst);
#endif
  bf16_row_portable(src, n, dst);
}

float amax_of(const float* w, int n) {
#ifdef FALCON_X86_DISPATCH
  static const bool avx2 = avx2_fma_enabled();
  if (avx2) return amax_avx2(w, n);
#endif
  return amax_portable(w, n);
}

void codes_of(const float* w, int n, float s, float lo, float hi, int bias, std::uint8_t* out) {
#ifdef FALCON_X86_DISPATCH
  static const bool avx2 = avx2_fma_enabled();
  if (avx2) return codes_avx2(w, n, s, lo, hi, bias, out);
#endif
  codes_portable(w, n, s, lo, hi, bias, out);
}

// One scale a row, codes clamp(rint(w / s), -qmax, qmax) one a byte: int8 (qmax 127) and int6
// (qmax 31). amax: the largest |w| the row's scale covers (its own, or more: see quantize()).
void quantize_row_per_row(const float* w, int cols, float amax, float qmax, std::uint8_t* codes,
                          float* scale) {
  const float s = amax / qmax;
  *scale = s;
  codes_of(w, cols, s, -qmax, qmax, 0, codes);
}

// Codes of a group into a 128-byte buffer (code 8, value 0, past the row's end), then each
// 32-column block's two halves into the low and high nibbles of its 16 bytes.
void quantize_row_int4(const float* w, int cols, std::uint8_t* codes, float* scales) {
  const int groups = (cols + kGroup - 1) / kGroup;
  std::uint8_t q[kGroup];
  for (int g = 0; g < groups; ++g) {
    const int c0 = g * kGroup, n = std::min(cols, c0 + kGroup) - c0;
    const float amax = amax_of(w + c0, n);
    const float s = f16_to_float(float_to_f16(std::fmin(amax / 7.0f, 65504.0f)));  // saturates, as the GPU's
    scales[g] = s;
    codes_of(w + c0, n, s, -8.0f, 7.0f, 8, q);
    std::memset(q + n, 8, static_cast<std::size_t>(kGroup - n));
    std::uint8_t* out = codes + g * kGroupBytes;
    for (int b = 0; b < 4; ++b)
      for (int j = 0; j < 16; ++j)
        out[b * 16 + j] = static_cast<std::uint8_t>(q[b * kBlock + j] | (q[b * kBlock + 16 + j] << 4));
  }
}

// 8 partial sums, as cpu_ops' dot().
float dot_int8_portable(const std::uint8_t* codes, float scale, const float* x, int n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int k = 0;
  for (; k + 8 <= n; k += 8)
    for (int i = 0; i < 8; ++i)
      acc[i] += static_cast<float>(static_cast<std::int8_t>(codes[k + i])) * x[k + i];
  float tail = 0.0f;
  for (; k < n; ++k) tail += static_cast<float>(static_cast<std::int8_t>(codes[k])) * x[k];
  return scale * (((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail);
}

float dot_int4_portable(const std::uint8_t* codes, const float* scales, const float* x, int n) {
  float sum = 0.0f;
  for (int c0 = 0; c0 < n; c0 += kGroup) {
    const int c1 = std::min(n, c0 + kGroup);
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int k = c0; k < c1; ++k) acc[k & 7] += static_cast<float>(nibble_of(codes, k) - 8) * x[k];
    sum += scales[c0 / kGroup] *
           (((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])));
  }
  return sum;
}

#ifdef FALCON_X86_DISPATCH
// Eight signed bytes (the low 8 of v) as floats.
__attribute__((target("avx2,fma"))) inline __m256 bytes_to_ps(__m128i v) {
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(v));
}

// 32 codes a step into four accumulators (so that the FMAs' latency does not bound the loop), then
// 16 and the rest; the row's scale applied once at the end.
__attribute__((target("avx2,fma"))) float dot_int8_avx2(const std::uint8_t* codes, float scale,
                                                        const float* x, int n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(),
         acc3 = _mm256_setzero_ps();
  int k = 0;
  for (; k + 32 <= n; k += 32) {
    const __m128i q0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + k));
    const __m128i q1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + k + 16));
    acc0 = _mm256_fmadd_ps(bytes_to_ps(q0), _mm256_loadu_ps(x + k), acc0);
    acc1 = _mm256_fmadd_ps(bytes_to_ps(_mm_srli_si128(q0, 8)), _mm256_loadu_ps(x + k + 8), acc1);
    acc2 = _mm256_fmadd_ps(bytes_to_ps(q1), _mm256_loadu_ps(x + k + 16), acc2);
    acc3 = _mm256_fmadd_ps(bytes_to_ps(_mm_srli_si128(q1, 8)), _mm256_loadu_ps(x + k + 24), acc3);
  }
  for (; k + 16 <= n; k += 16) {
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + k));
    acc0 = _mm256_fmadd_ps(bytes_to_ps(q), _mm256_loadu_ps(x + k), acc0);
    acc1 = _mm256_fmadd_ps(bytes_to_ps(_mm_srli_si128(q, 8)), _mm256_loadu_ps(x + k + 8), acc1);
  }
  float sum = hsum_avx(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
  for (; k < n; ++k) sum += static_cast<float>(static_cast<std::int8_t>(codes[k])) * x[k];
  return scale * sum;
}

// A 16-byte block (32 columns) at a time: the low nibbles are columns 0-15, the high ones 16-31,
// each turned into a signed byte (code - 8) and then into floats eight at a time. A group's four
// blocks are summed before its scale multiplies them; the columns after the last whole block
// (cols % 32 of them) are added one by one.
__attribute__((target("avx2,fma"))) float dot_int4_avx2(const std::uint8_t* codes, const float* scales,
                                                        const float* x, int n) {
  const __m128i mask = _mm_set1_epi8(0x0F), eight = _mm_set1_epi8(8);
  __m256 acc = _mm256_setzero_ps();
  const int whole = n / kBlock;  // blocks with all 32 columns
  for (int b0 = 0; b0 < whole; b0 += 4) {
    __m256 g0 = _mm256_setzero_ps(), g1 = _mm256_setzero_ps(), g2 = _mm256_setzero_ps(),
           g3 = _mm256_setzero_ps();
    const int b1 = std::min(whole, b0 + 4);
    for (int b = b0; b < b1; ++b) {
      const __m128i v =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + (b / 4) * kGroupBytes + (b % 4) * 16));
      const __m128i lo = _mm_sub_epi8(_mm_and_si128(v, mask), eight);
      const __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(v, 4), mask), eight);
      const float* xb = x + b * kBlock;
      g0 = _mm256_fmadd_ps(bytes_to_ps(lo), _mm256_loadu_ps(xb), g0);
      g1 = _mm256_fmadd_ps(bytes_to_ps(_mm_srli_si128(lo, 8)), _mm256_loadu_ps(xb + 8), g1);
      g2 = _mm256_fmadd_ps(bytes_to_ps(hi), _mm256_loadu_ps(xb + 16), g2);
      g3 = _mm256_fmadd_ps(bytes_to_ps(_mm_srli_si128(hi, 8)), _mm256_loadu_ps(xb + 24), g3);
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(scales[b0 / 4]),
                          _mm256_add_ps(_mm256_add_ps(g0, g1), _mm256_add_ps(g2, g3)), acc);
  }
  float sum = hsum_avx(acc);
  float tail = 0.0f;
  for (int k = whole * kBlock; k < n; ++k) tail += static_cast<float>(nibble_of(codes, k) - 8) * x[k];
  if (whole * kBlock < n) sum += scales[(whole * kBlock) / kGroup] * tail;
  return sum;
}
#endif

}  // namespace

std::uint16_t float_to_f16(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  const std::uint32_t sign = (u >> 16) & 0x8000u;
  const std::uint32_t abs = u & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u)
    return static_cast<std::uint16_t>(sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u : 0u));
  if (abs >= 0x477FF000u) return static_cast<std::uint16_t>(sign | 0x7C00u);  // rounds past 65504
  if (abs < 0x38800000u) {
    // fp16 subnormal (or zero): the value in units of 2^-24, rounded to nearest even.
    if (abs < 0x33000000u) return static_cast<std::uint16_t>(sign);  // below half the smallest
    const std::uint32_t mant = (abs & 0x007FFFFFu) | 0x00800000u;
    const int shift = 126 - static_cast<int>(abs >> 23);  // 14..24 for exponents -15..-25
    std::uint32_t h = mant >> shift;
    const std::uint32_t rest = mant & ((1u << shift) - 1u), half = 1u << (shift - 1);
    if (rest > half || (rest == half && (h & 1u))) ++h;
    return static_cast<std::uint16_t>(sign | h);
  }
  // Normal: rebias the exponent, round the 23-bit mantissa to 10 bits (a carry moves the exponent).
  std::uint32_t h = ((abs >> 23) - 112u) << 10 | ((abs >> 13) & 0x3FFu);
  const std::uint32_t rest = abs & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return static_cast<std::uint16_t>(sign | h);
}

void CodeBytes::allocate(std::size_t n) {
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  void* p = nullptr;
  if (posix_memalign(&p, n >= kHuge ? kHuge : 64, std::max<std::size_t>(n, 1)) != 0) throw std::bad_alloc();
  if (n >= kHuge) madvise(p, n / kHuge * kHuge, MADV_HUGEPAGE);  // a request: refused, it changes nothing
  p_.reset(static_cast<std::uint8_t*>(p));
  view_ = nullptr;
  owner_.reset();
  n_ = n;
}

void CodeBytes::view(const std::uint8_t* p, std::size_t n, std::shared_ptr<const void> owner) {
  p_.reset();
  view_ = p;
  owner_ = std::move(owner);
  n_ = n;
}

void CodeBytes::Free::operator()(std::uint8_t* p) const {
  std::free(p);
}

QuantMatrix shape_of(int rows, int cols, WeightFormat format) {
  QuantMatrix m;
  m.format = format;
  m.rows = rows;
  m.cols = cols;
  m.ld = per_row_codes(format) ? cols : m.groups() * kGroupBytes;
  return m;
}

std::size_t quantized_bytes(int rows, int cols, WeightFormat format) {
  const QuantMatrix m = shape_of(rows, cols, format);
  return static_cast<std::size_t>(rows) * (static_cast<std::size_t>(m.ld) + m.groups() * sizeof(float));
}

namespace {

// A (rows, cols) matrix in `format` (Int8, Int6 or Int4) with its codes and scales allocated, for
// quantize() to fill. Throws std::bad_alloc.
QuantMatrix allocate(int rows, int cols, WeightFormat format) {
  if (format == WeightFormat::Bf16) throw_usage_error("quantize: bf16 is not a quantized format");
  QuantMatrix m = shape_of(rows, cols, format);
  m.codes.allocate(static_cast<std::size_t>(m.rows) * m.ld);
  m.scales.resize(static_cast<std::size_t>(m.rows) * m.groups());
  return m;
}

// Row r of a matrix of any float dtype as floats.
void weight_row(const TensorView& weight, int64_t r, int cols, float* out) {
  if (weight.dtype == DType::BF16)
    bf16_row(weight.data.data() + static_cast<std::size_t>(r) * cols * 2, cols, out);
  else
    rows_to_float(weight, r, 1, out);
}

void check_matrix(const TensorView& weight) {
  if (weight.shape.size() != 2)
    throw_usage_error("quantize: " + std::string(weight.name) + " is not a matrix");
}

}  // namespace

std::vector<float> row_amax(ThreadPool& pool, const TensorView& weight) {
  check_matrix(weight);
  const int rows = static_cast<int>(weight.shape[0]), cols = static_cast<int>(weight.shape[1]);
  std::vector<float> out(static_cast<std::size_t>(rows));
  pool.parallel_for(rows, [&](int64_t r0, int64_t r1) {
    std::vector<float> row(static_cast<std::size_t>(cols));
    for (int64_t r = r0; r < r1; ++r) {
      weight_row(weight, r, cols, row.data());
      out[static_cast<std::size_t>(r)] = amax_of(row.data(), cols);
    }
  });
  return out;
}

QuantMatrix quantize(ThreadPool& pool, const TensorView& weight, WeightFormat format,
                     std::span<const float> int8_row_amax) {
  check_matrix(weight);
  QuantMatrix m = allocate(static_cast<int>(weight.shape[0]), static_cast<int>(weight.shape[1]), format);
  if (!int8_row_amax.empty() && (format != WeightFormat::Int8 || int8_row_amax.size() != std::size_t(m.rows)))
    throw_usage_error("quantize: row maxima are for int8, one per row");
  pool.parallel_for(m.rows, [&](int64_t r0, int64_t r1) {
    std::vector<float> row(static_cast<std::size_t>(m.cols));
    for (int64_t r = r0; r < r1; ++r) {
      weight_row(weight, r, m.cols, row.data());
      std::uint8_t* codes = m.codes.data() + static_cast<std::size_t>(r) * m.ld;
      float* scales = m.scales.data() + static_cast<std::size_t>(r) * m.groups();
      if (per_row_codes(format)) {
        const float own = amax_of(row.data(), m.cols);
        const float amax =
            int8_row_amax.empty() ? own : std::max(own, int8_row_amax[static_cast<std::size_t>(r)]);
        quantize_row_per_row(row.data(), m.cols, amax, format == WeightFormat::Int8 ? 127.0f : 31.0f, codes,
                             scales);
      } else {
        quantize_row_int4(row.data(), m.cols, codes, scales);
      }
    }
  });
  return m;
}

void dequantize_row(const QuantMatrix& m, int row, int k0, int n, float* dst) {
  const std::uint8_t* codes = m.codes.data() + static_cast<std::size_t>(row) * m.ld;
  if (per_row_codes(m.format)) {
    const float s = m.scales[static_cast<std::size_t>(row)];
    for (int k = 0; k < n; ++k) dst[k] = s * static_cast<float>(static_cast<std::int8_t>(codes[k0 + k]));
    return;
  }
  // int4: block by block (32 columns, one scale), whole blocks in one loop the compiler vectorises.
  const float* scales = m.scales.data() + static_cast<std::size_t>(row) * m.groups();
  const int end = k0 + n;
  for (int c = k0; c < end;) {
    const int block = c / kBlock, base = block * kBlock;
    const std::uint8_t* b = codes + (block / 4) * kGroupBytes + (block % 4) * 16;
    const float s = scales[block / 4];
    const int lo = c - base, hi = std::min(kBlock, end - base);
    float* out = dst + (base - k0);
    if (lo == 0 && hi == kBlock) {
      for (int j = 0; j < 16; ++j) {
        out[j] = s * static_cast<float>((b[j] & 0x0F) - 8);
        out[16 + j] = s * static_cast<float>((b[j] >> 4) - 8);
      }
    } else {
      for (int j = lo; j < hi; ++j)
        out[j] = s * static_cast<float>((j < 16 ? (b[j] & 0x0F) : (b[j - 16] >> 4)) - 8);
    }
    c = base + hi;
  }
}

#ifdef FALCON_X86_DISPATCH
// 8 columns at a time, each feature's 8 dequantized values in a register (the same products
// dequantize_row computes), then transposed into the panel; a last partial 8 through
// dequantize_row.
__attribute__((target("avx2,fma"))) void pack_panel_avx2(const QuantMatrix& m, int o, int nb, int k0, int kc,
                                                         float* p) {
  const bool int8 = per_row_codes(m.format);  // int8, int6: one signed code a byte
  const __m128i low4 = _mm_set1_epi8(0x0F);
  const __m256i eight = _mm256_set1_epi32(8);
  for (int jb = 0; jb < 16; jb += 8) {
    int k = 0;
    for (; k + 8 <= kc; k += 8) {
      const int c = k0 + k;
      __m256 r[8];
      for (int i = 0; i < 8; ++i) {
        const int row = o + jb + i;
        if (jb + i >= nb) {
          r[i] = _mm256_setzero_ps();
          continue;
        }
        const std::uint8_t* codes = m.codes.data() + static_cast<std::size_t>(row) * m.ld;
        if (int8) {
          const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(codes + c));
          r[i] = _mm256_mul_ps(_mm256_set1_ps(m.scales[static_cast<std::size_t>(row)]),
                               _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b)));
        } else {
          // Columns c..c+7 of a 32-column block: bytes (c % 32) & 15 on, low nibbles for the
          // block's first 16 columns, high ones for the rest.
          const int block = c / kBlock, j = c % kBlock;
          __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(codes + (block / 4) * kGroupBytes +
                                                                       (block % 4) * 16 + (j & 15)));
          if (j >= 16) b = _mm_srli_epi16(b, 4);
          const __m256i q = _mm256_sub_epi32(_mm256_cvtepu8_epi32(_mm_and_si128(b, low4)), eight);
          const float s = m.scales[static_cast<std::size_t>(row) * m.groups() + c / kGroup];
          r[i] = _mm256_mul_ps(_mm256_set1_ps(s), _mm256_cvtepi32_ps(q));
        }
      }
      transpose8_into_panel(r, p + 16 * static_cast<std::size_t>(k) + jb);
    }
    if (k < kc) {
      float tail[8];
      for (int i = 0; i < 8; ++i) {
        if (jb + i < nb) dequantize_row(m, o + jb + i, k0 + k, kc - k, tail);
        for (int t = 0; t < kc - k; ++t)
          p[16 * static_cast<std::size_t>(k + t) + jb + i] = jb + i < nb ? tail[t] : 0.0f;
      }
    }
  }
}
#endif

float dot_row(const QuantMatrix& m, int row, const float* x) {
  const std::uint8_t* codes = m.codes.data() + static_cast<std::size_t>(row) * m.ld;
  const bool int8 = per_row_codes(m.format);  // int8, int6: one signed code a byte
  const float* scales = m.scales.data() + static_cast<std::size_t>(row) * m.groups();
#ifdef FALCON_X86_DISPATCH
  static const bool avx2 = avx2_fma_enabled();
  if (avx2) return int8 ? dot_int8_avx2(codes, *scales, x, m.cols) : dot_int4_avx2(codes, scales, x, m.cols);
#endif
  return int8 ? dot_int8_portable(codes, *scales, x, m.cols) : dot_int4_portable(codes, scales, x, m.cols);
}

}  // namespace falcon::cpu
