#pragma once
// Weight-only int8 / int4 / int6 matrices for the CPU backend: the schemes of docs/QUANTIZATION.md
// (the GPU's, so a weight dequantizes to the same value on either backend), in a layout made
// for AVX2 (below). Quantized once at load from the checkpoint's weights; the decode product
// dequantizes in registers and reads each code byte once.
//
// Layout, per row of `cols` weights, `ld` bytes:
// - int8: the codes q in column order (ld = cols); one fp32 scale per row.
// - int6: the int8 layout and kernels, codes within ±31: the same values as the GPU's 6-bit head
//   at int8's size and speed on the CPU (one code a byte, ld = cols; one fp32 scale per row, the
//   row's largest |w| / 31). The output head's format only, never the layers'.
// - int4: groups of 128 columns, 64 bytes each (ld = groups * 64; the last group's missing
//   columns are code 0). Inside a group, block b (0..3) of 32 columns is 16 bytes; byte j of it
//   holds column 32 b + j in its low nibble and column 32 b + 16 + j in its high one, each as
//   q + 8. One fp16 scale per group, stored as the float it stands for.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/common/thread_pool.h"
#include "core/model/backend.h"
#include "core/model/safetensors.h"

namespace falcon::cpu {

// The codes' bytes: 2 MiB-aligned and, where the kernel gives transparent huge pages on request
// (its "madvise" mode), backed by them: fewer page faults while quantizing, fewer TLB misses while
// decoding. Not zeroed (quantize() writes every byte).
class CodeBytes {
 public:
  void allocate(std::size_t n);  // throws std::bad_alloc
  // n bytes of someone else's read-only memory (a mapped cache file), kept alive by `owner`:
  // never written (data() of a view is only read; a write would fault).
  void view(const std::uint8_t* p, std::size_t n, std::shared_ptr<const void> owner);
  std::uint8_t* data() { return p_ ? p_.get() : const_cast<std::uint8_t*>(view_); }
  const std::uint8_t* data() const { return p_ ? p_.get() : view_; }
  std::size_t size() const { return n_; }

 private:
  struct Free {
    void operator()(std::uint8_t* p) const;
  };
  std::unique_ptr<std::uint8_t, Free> p_;
  const std::uint8_t* view_ = nullptr;
  std::shared_ptr<const void> owner_;
  std::size_t n_ = 0;
};

// Whether `format` keeps one signed code a byte and one fp32 scale a row (int8, int6): the same
// layout and read paths, only the quantizer's divisor and clamp differ.
inline bool per_row_codes(WeightFormat format) {
  return format == WeightFormat::Int8 || format == WeightFormat::Int6;
}

struct QuantMatrix {
  WeightFormat format = WeightFormat::Bf16;  // Int8, Int6 or Int4 once quantized
  int rows = 0;
  int cols = 0;
  int ld = 0;                 // code bytes per row
  CodeBytes codes;            // rows * ld
  std::vector<float> scales;  // int8, int6: rows; int4: rows * groups()

  int groups() const { return format == WeightFormat::Int4 ? (cols + 127) / 128 : 1; }
  std::size_t bytes() const { return codes.size() + scales.size() * sizeof(float); }
  bool empty() const { return rows == 0; }
};

// A (rows, cols) matrix's layout in `format` (format, rows, cols, ld; groups()), nothing allocated.
QuantMatrix shape_of(int rows, int cols, WeightFormat format);

// What quantize() allocates for a (rows, cols) matrix: codes and scales.
std::size_t quantized_bytes(int rows, int cols, WeightFormat format);

// Quantizes a (rows, cols) weight of any float dtype, rows in parallel on the pool (int6: as int8
// with amax / 31 and codes clamped to ±31). int8 with
// int8_row_amax (one per row): row r's scale covers max(its own largest |w|, int8_row_amax[r]),
// as one row of a wider matrix this one is part of (cpu_backend.cpp: the MLP down projection and
// the attention output of a parallel block, one matrix on the GPU).
QuantMatrix quantize(ThreadPool& pool, const TensorView& weight, WeightFormat format,
                     std::span<const float> int8_row_amax = {});

// Each row's largest |w| (NaN skipped), rows in parallel.
std::vector<float> row_amax(ThreadPool& pool, const TensorView& weight);

// Writes the dequantized values of row `row`, columns [k0, k0 + n), to dst.
void dequantize_row(const QuantMatrix& m, int row, int k0, int n, float* dst);

// The dot product of row `row` with x (cols floats): AVX2 + FMA where the CPU has them (and
// FALCON_CPU_FAST is not 0), else portable. Sums in float, each int4 group's before its scale.
float dot_row(const QuantMatrix& m, int row, const float* x);

// Rows [o, o + nb) (nb <= 16), columns [k0, k0 + kc) of the dequantized matrix (k0 a multiple of
// 32), packed for the prefill's panel kernel (cpu_ops.cpp's linear()): p[16 * k + j] = the value
// dequantize_row gives for row o + j, column k0 + k; zeros for j >= nb. p 32-byte aligned. AVX2,
// in x86 builds only: call only where avx2_fma_enabled().
void pack_panel_avx2(const QuantMatrix& m, int o, int nb, int k0, int kc, float* p);

// float -> IEEE fp16 bits, round to nearest even (overflow to infinity), and back.
std::uint16_t float_to_f16(float f);

}  // namespace falcon::cpu
