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

// The dequantized matrix (rows, cols) and the step (scale) of each element.
struct RefQuant {
  std::vector<float> deq, step;
};

inline RefQuant ref_quantize(const std::vector<float>& w, int rows, int cols, bool int4) {
  RefQuant r;
  r.deq.resize(w.size());
  r.step.resize(w.size());
  const int group = int4 ? 128 : cols;
  for (int row = 0; row < rows; ++row)
    for (int g0 = 0; g0 < cols; g0 += group) {
      const int g1 = std::min(cols, g0 + group);
      float m = 0.f;
      for (int c = g0; c < g1; ++c) m = std::max(m, std::fabs(w[std::size_t(row) * cols + c]));
      // int4: the fp16 scale saturates at fp16's largest finite value.
      const float s = int4 ? float(static_cast<_Float16>(std::fmin(m / 7.f, 65504.f))) : m / 127.f;
      const float lo = int4 ? -8.f : -127.f, hi = int4 ? 7.f : 127.f;
      for (int c = g0; c < g1; ++c) {
        const std::size_t i = std::size_t(row) * cols + c;
        const float q = s > 0.f ? std::min(std::max(std::nearbyint(w[i] / s), lo), hi) : 0.f;
        r.deq[i] = s * q;
        r.step[i] = s;
      }
    }
  return r;
}

}  // namespace falcon::testref
