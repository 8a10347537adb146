#pragma once
// The weight-only schemes of docs/QUANTIZATION.md, element by element and written from the table
// alone (no layout, no vector code), with the compiler's own float -> fp16 rounding: the reference
// that the GPU's quantizer (tests/gpu/test_gpu_quant.cu) and the CPU's (tests/core/
// test_cpu_quant.cpp) are both checked against.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace falcon::testref {

// The dequantized matrix (rows, cols), the step (scale) and the code q of each element.
struct RefQuant {
  std::vector<float> deq, step, code;
};

// int8: per row, max|w| / 127, codes in [-127, 127]; int6 (the output head's): per row,
// max|w| / 31, codes in [-31, 31]; int4: per 128 columns, fp16(max|w| / 7), codes in [-8, 7].
enum class RefScheme { Int8, Int4, Int6 };

inline RefQuant ref_quantize(const std::vector<float>& w, int rows, int cols, RefScheme scheme) {
  RefQuant r;
  r.deq.resize(w.size());
  r.step.resize(w.size());
  r.code.resize(w.size());
  const bool int4 = scheme == RefScheme::Int4;
  const float qmax = scheme == RefScheme::Int8 ? 127.f : scheme == RefScheme::Int6 ? 31.f : 7.f;
  const int group = int4 ? 128 : cols;
  for (int row = 0; row < rows; ++row)
    for (int g0 = 0; g0 < cols; g0 += group) {
      const int g1 = std::min(cols, g0 + group);
      float m = 0.f;
      for (int c = g0; c < g1; ++c) m = std::max(m, std::fabs(w[std::size_t(row) * cols + c]));
      // int4: the fp16 scale saturates at fp16's largest finite value.
      const float s = int4 ? float(static_cast<_Float16>(std::fmin(m / qmax, 65504.f))) : m / qmax;
      const float lo = int4 ? -8.f : -qmax, hi = qmax;
      for (int c = g0; c < g1; ++c) {
        const std::size_t i = std::size_t(row) * cols + c;
        const float q = s > 0.f ? std::min(std::max(std::nearbyint(w[i] / s), lo), hi) : 0.f;
        r.deq[i] = s * q;
        r.step[i] = s;
        r.code[i] = q;
      }
    }
  return r;
}

inline RefQuant ref_quantize(const std::vector<float>& w, int rows, int cols, bool int4) {
  return ref_quantize(w, rows, cols, int4 ? RefScheme::Int4 : RefScheme::Int8);
}

}  // namespace falcon::testref
