// Weight-only quantization: the layouts of QuantMatrix (kernels.h), quantizing bf16 weights on
// the device at load time, and dequantizing them back to bf16 for the prefill GEMMs.
//
// Int4 tile layout. A 16-row tile of a (n_rows, k) matrix is stored as ld / 64 "column quads"
// of 64 columns; a quad is 32 lanes x 16 bytes (one uint4 per lane, 512 contiguous bytes), so a
// warp loads it with one coalesced 16-byte load per lane. Lane l = 4 r + q holds tile rows r and
// r + 8 and, for each of the four 32-bit words t = 0..3, the columns
//   kb = quad * 64 + q * 16 + t * 4 + {0, 1, 2, 3}
// packed so that word & 0x000F000F, (word >> 4) & .., (word >> 8) & .., (word >> 12) & .. are
// exactly the four A registers of one mma.sync m16n8k16 (rows r / r + 8, k pairs {0,1} / {2,3}).
// The GEMV feeds x with the same column mapping, so the permutation of k inside a quad cancels.
#include <algorithm>
#include <stdexcept>

#include "core/common/error.h"
#include "gpu/cuda_check.h"
#include "gpu/kernels/common.cuh"
#include "gpu/kernels/kernels.h"
#include "gpu/kernels/q6_layout.cuh"

namespace falcon::gpu {

namespace {

int round_up(int x, int m) {
  return (x + m - 1) / m * m;
}

struct RowTable {
  std::vector<int32_t> rows;
  int tile_split = 0;
};

RowTable build_row_table(int n_rows, int split, int headpair_hd) {
  RowTable t;
  auto pad = [&] {
    while (t.rows.size() % 16) t.rows.push_back(-1);
  };
  if (headpair_hd > 0) {
    const int hd = headpair_hd, half = hd / 2;
    if (hd % 2 != 0 || split % hd != 0) throw_usage_error("int4: RoPE rows must be whole heads of even size");
    std::vector<int32_t> firsts;
    for (int h = 0; h < split / hd; ++h)
      for (int i = 0; i < half; ++i) firsts.push_back(h * hd + i);
    for (size_t j = 0; j < firsts.size(); j += 8) {
      for (int r = 0; r < 8; ++r) t.rows.push_back(j + r < firsts.size() ? firsts[j + r] : -1);
      for (int r = 0; r < 8; ++r) t.rows.push_back(j + r < firsts.size() ? firsts[j + r] + half : -1);
    }
  } else {
    for (int r = 0; r < split; ++r) t.rows.push_back(r);
    pad();
  }
  t.tile_split = static_cast<int>(t.rows.size() / 16);
  for (int r = split; r < n_rows; ++r) t.rows.push_back(r);
  pad();
  return t;
}

constexpr int kThreads = 256;

// ---- int8 (and int6's scales) ----

// One warp per row: scale = max|w| / qmax (127 for int8, 31 for int6).
__global__ void row_scales_kernel(const bf16* w, int ldw, int n_rows, int k, float qmax, float* scales) {
  const int row = blockIdx.x * (kThreads / 32) + (threadIdx.x >> 5), lane = threadIdx.x & 31;
  if (row >= n_rows) return;  // w, scales: the slice's first row
  float m = 0.f;
  for (int c = lane; c < k; c += 32)
    m = fmaxf(m, fabsf(__bfloat162float(w[static_cast<size_t>(row) * ldw + c])));
  m = warp_max(m);
  if (lane == 0) scales[row] = m / qmax;
}

__global__ void int8_quantize_kernel(const bf16* w, int ldw, int n_rows, int k, int ld, const float* scales,
                                     int8_t* q) {
  const size_t i = static_cast<size_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i >= static_cast<size_t>(n_rows) * ld) return;
  const int row = static_cast<int>(i / ld), c = static_cast<int>(i % ld);
  int8_t v = 0;
  const float s = scales[row];
  if (c < k && s > 0.f) {
    const float r = rintf(__bfloat162float(w[static_cast<size_t>(row) * ldw + c]) / s);
    v = static_cast<int8_t>(fminf(fmaxf(r, -127.f), 127.f));
  }
  q[i] = v;
}

// ---- int4 ----

// Element (row, c) of the matrix from w, which holds rows [row0, row0 + rows); 0 outside.
struct Slice {
  const bf16* w;
  int ldw, k, row0, rows;
  __device__ __forceinline__ float at(int row, int c) const {
    return row >= row0 && row < row0 + rows && c < k
               ? __bfloat162float(w[static_cast<size_t>(row - row0) * ldw + c])
               : 0.f;
  }
};

// One warp per (tile row, group of 128 columns): s = fp16(max|w| / 7).
// Tile rows [tr0, tr0 + tile_rows).
__global__ void int4_scales_kernel(Slice w, const int32_t* row_of, int tr0, int tile_rows, int groups,
                                   __half* gscales) {
  const int item = blockIdx.x * (kThreads / 32) + (threadIdx.x >> 5), lane = threadIdx.x & 31;
  if (item >= tile_rows * groups) return;
  const int tr = tr0 + item / groups, g = item % groups, row = row_of[tr];
  float m = 0.f;
#pragma unroll
  for (int j = 0; j < 4; ++j) m = fmaxf(m, fabsf(w.at(row, g * 128 + lane * 4 + j)));
  m = warp_max(m);
  if (lane == 0) gscales[static_cast<size_t>(tr) * groups + g] = __float2half_rn(fminf(m / 7.f, 65504.f));
}

__device__ __forceinline__ uint32_t nibble(float w, float s) {
  if (!(s > 0.f)) return 8u;
  const float r = fminf(fmaxf(rintf(w / s), -8.f), 7.f);
  return static_cast<uint32_t>(static_cast<int>(r) + 8);
}

// One thread per (tile, quad, lane) of tiles [tile0, tile0 + tiles): packs its 4 words (see the
// layout note at the top).
__global__ void int4_quantize_kernel(Slice w, const int32_t* row_of, int tile0, int tiles, int quads,
                                     int groups, const __half* gscales, uint4* data) {
  const size_t i = static_cast<size_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i >= static_cast<size_t>(tiles) * quads * 32) return;
  const int lane = static_cast<int>(i % 32), quad = static_cast<int>((i / 32) % quads),
            tile = tile0 + static_cast<int>(i / (32 * static_cast<size_t>(quads)));
  const int r = lane >> 2, q = lane & 3, g = quad / 2;
  const int ra = row_of[tile * 16 + r], rb = row_of[tile * 16 + r + 8];
  const float sa = __half2float(gscales[static_cast<size_t>(tile * 16 + r) * groups + g]);
  const float sb = __half2float(gscales[static_cast<size_t>(tile * 16 + r + 8) * groups + g]);
  uint32_t words[4];
#pragma unroll
  for (int t = 0; t < 4; ++t) {
    const int kb = quad * 64 + q * 16 + t * 4;
    const uint32_t a0 = nibble(w.at(ra, kb), sa), a1 = nibble(w.at(ra, kb + 1), sa);
    const uint32_t a2 = nibble(w.at(rb, kb), sb), a3 = nibble(w.at(rb, kb + 1), sb);
    const uint32_t a4 = nibble(w.at(ra, kb + 2), sa), a5 = nibble(w.at(ra, kb + 3), sa);
    const uint32_t a6 = nibble(w.at(rb, kb + 2), sb), a7 = nibble(w.at(rb, kb + 3), sb);
    words[t] = a0 | a2 << 4 | a4 << 8 | a6 << 12 | a1 << 16 | a3 << 20 | a5 << 24 | a7 << 28;
  }
  data[(static_cast<size_t>(tile) * quads + quad) * 32 + lane] =
      make_uint4(words[0], words[1], words[2], words[3]);
}

// One thread per (tile row, 8 consecutive columns) of tiles [tile0, tile0 + tiles): reads the two
// words that hold them and writes 8 bf16 with one 16-byte store, so a warp writes a contiguous
// piece of one output row.
__global__ void int4_dequantize_kernel(const uint4* data, int k, const int32_t* row_of, int tile0, int tiles,
                                       int quads, int groups, const __half* gscales, int row0, int rows,
                                       bf16* out, int ldo) {
  const int octs = quads * 8;  // 8-column pieces per row
  const size_t i = static_cast<size_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i >= static_cast<size_t>(tiles) * 16 * octs) return;
  const int oct = static_cast<int>(i % octs);
  const int tr = tile0 * 16 + static_cast<int>(i / octs);  // tile row
  const int row = row_of[tr];
  if (row < row0 || row >= row0 + rows) return;
  const int tile = tr / 16, r16 = tr % 16, half = r16 >= 8, r = r16 % 8;
  const int quad = oct / 8, c0 = (oct % 8) * 8;  // columns c0..c0+7 of the quad
  const int qd = c0 / 16, t0 = (c0 % 16) / 4;    // lane 4 r + qd, words t0 and t0 + 1
  const uint32_t* w =
      reinterpret_cast<const uint32_t*>(data + (static_cast<size_t>(tile) * quads + quad) * 32 + 4 * r + qd);
  const uint32_t words[2] = {w[t0], w[t0 + 1]};
  const float s = __half2float(gscales[static_cast<size_t>(tr) * groups + quad / 2]);
  // Nibble positions of this row's columns kb + 0..3 (see int4_quantize_kernel).
  const int shift[4] = {half ? 4 : 0, half ? 20 : 16, half ? 12 : 8, half ? 28 : 24};
  uint32_t packed[4];
#pragma unroll
  for (int j = 0; j < 8; j += 2) {
    const float lo = s * static_cast<float>(static_cast<int>((words[j / 4] >> shift[j % 4]) & 15u) - 8);
    const float hi = s * static_cast<float>(static_cast<int>((words[j / 4] >> shift[j % 4 + 1]) & 15u) - 8);
    packed[j / 2] = float2_to_bf16x2(lo, hi);
  }
  const int col = quad * 64 + c0;
  bf16* o = out + static_cast<size_t>(row - row0) * ldo + col;
  if (col + 8 <= k && (reinterpret_cast<uintptr_t>(o) & 15) == 0) {
    *reinterpret_cast<uint4*>(o) = make_uint4(packed[0], packed[1], packed[2], packed[3]);
  } else {
    for (int j = 0; j < 8 && col + j < k; ++j) {
      const uint32_t p = packed[j / 2];
      const uint16_t b = static_cast<uint16_t>(j % 2 ? p >> 16 : p & 0xffffu);
      o[j] = *reinterpret_cast<const bf16*>(&b);
    }
  }
}

// One thread per 8 consecutive int8 of a row: one 8-byte load, one 16-byte store.
__global__ void int8_dequantize8_kernel(const int8_t* q, int ld, int k, const float* scales, int row0,
                                        int rows, bf16* out, int ldo) {
  const int octs = (k + 7) / 8;
  const size_t i = static_cast<size_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i >= static_cast<size_t>(rows) * octs) return;
  const int r = static_cast<int>(i / octs), c = static_cast<int>(i % octs) * 8, row = row0 + r;
  const float s = scales[row];
  const int8_t* src = q + static_cast<size_t>(row) * ld + c;  // ld is a multiple of 16: in bounds
  uint32_t packed[4];
#pragma unroll
  for (int j = 0; j < 8; j += 2) packed[j / 2] = float2_to_bf16x2(s * src[j], s * src[j + 1]);
  bf16* o = out + static_cast<size_t>(r) * ldo + c;
  if (c + 8 <= k && (reinterpret_cast<uintptr_t>(o) & 15) == 0) {
    *reinterpret_cast<uint4*>(o) = make_uint4(packed[0], packed[1], packed[2], packed[3]);
  } else {
    for (int j = 0; j < 8 && c + j < k; ++j) {
      const uint32_t p = packed[j / 2];
      const uint16_t b = static_cast<uint16_t>(j % 2 ? p >> 16 : p & 0xffffu);
      o[j] = *reinterpret_cast<const bf16*>(&b);
    }
  }
}

// ---- int6 ----

__device__ __forceinline__ uint32_t code6(float w, float s) {  // u = q + 32
  if (!(s > 0.f)) return 32u;
  return static_cast<uint32_t>(static_cast<int>(fminf(fmaxf(rintf(w / s), -31.f), 31.f)) + 32);
}

// One thread per (row, step, lane t) of rows [0, rows) (w, scales and q at the range's first
// row): packs the 32 codes lane t of the GEMV reads (q6_layout.cuh) into its 16 lo bytes and
// 8 hi bytes.
__global__ void int6_quantize_kernel(const bf16* w, int ldw, int rows, int k, int ld, const float* scales,
                                     uint8_t* q) {
  const int steps = ld / kQ6StepBytes;
  const size_t i = static_cast<size_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i >= static_cast<size_t>(rows) * steps * 4) return;
  const int t = static_cast<int>(i % 4), step = static_cast<int>((i / 4) % steps),
            row = static_cast<int>(i / (4 * static_cast<size_t>(steps)));
  const float s = scales[row];
  const bf16* wr = w + static_cast<size_t>(row) * ldw;
  uint32_t lo[4] = {0, 0, 0, 0}, hi[2] = {0, 0};
#pragma unroll
  for (int j = 0; j < 8; ++j)
#pragma unroll
    for (int b = 0; b < 4; ++b) {
      const int c = step * kQ6StepCols + q6_col(t, j, b);
      const uint32_t u = code6(c < k ? __bfloat162float(wr[c]) : 0.f, s);
      lo[j >> 1] |= (u & 15u) << (8 * b + 4 * (j & 1));
      hi[j >> 2] |= (u >> 4) << (8 * b + q6_hi_bit(j & 3));
    }
  uint8_t* dst = q + static_cast<size_t>(row) * ld + static_cast<size_t>(step) * kQ6StepBytes;
  *reinterpret_cast<uint4*>(dst + 16 * t) = make_uint4(lo[0], lo[1], lo[2], lo[3]);
  *reinterpret_cast<uint2*>(dst + kQ6HiBase + 8 * t) = make_uint2(hi[0], hi[1]);
}

// One thread per (row, step, lane t) of rows [row0, row0 + rows): its 32 columns, two runs of 16
// (q6_col), each written as two 16-byte stores where they are whole and aligned.
__global__ void int6_dequantize_kernel(const uint8_t* q, int ld, int k, const float* scales, int row0,
                                       int rows, bf16* out, int ldo) {
  const int steps = ld / kQ6StepBytes;
  const size_t i = static_cast<size_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (i >= static_cast<size_t>(rows) * steps * 4) return;
  const int t = static_cast<int>(i % 4), step = static_cast<int>((i / 4) % steps),
            r = static_cast<int>(i / (4 * static_cast<size_t>(steps))), row = row0 + r;
  const uint8_t* src = q + static_cast<size_t>(row) * ld + static_cast<size_t>(step) * kQ6StepBytes;
  const uint4 l = *reinterpret_cast<const uint4*>(src + 16 * t);
  const uint2 h = *reinterpret_cast<const uint2*>(src + kQ6HiBase + 8 * t);
  const uint32_t lo[4] = {l.x, l.y, l.z, l.w}, hi[2] = {h.x, h.y};
  const float s = scales[row];
#pragma unroll
  for (int run = 0; run < 2; ++run) {  // words 4 run .. 4 run + 3: 16 contiguous columns
    uint32_t packed[8];
#pragma unroll
    for (int jj = 0; jj < 4; ++jj) {
      const uint32_t word = q6_word(lo, hi, 4 * run + jj);
#pragma unroll
      for (int b = 0; b < 4; b += 2)
        packed[2 * jj + b / 2] =
            float2_to_bf16x2(s * static_cast<float>(static_cast<int>((word >> (8 * b)) & 63u) - 32),
                             s * static_cast<float>(static_cast<int>((word >> (8 * b + 8)) & 63u) - 32));
    }
    const int col = step * kQ6StepCols + q6_col(t, 4 * run, 0);
    bf16* o = out + static_cast<size_t>(r) * ldo + col;
    if (col + 16 <= k && (reinterpret_cast<uintptr_t>(o) & 15) == 0) {
      reinterpret_cast<uint4*>(o)[0] = make_uint4(packed[0], packed[1], packed[2], packed[3]);
      reinterpret_cast<uint4*>(o)[1] = make_uint4(packed[4], packed[5], packed[6], packed[7]);
    } else {
      for (int j = 0; j < 16 && col + j < k; ++j) {
        const uint32_t p = packed[j / 2];
        const uint16_t b = static_cast<uint16_t>(j % 2 ? p >> 16 : p & 0xffffu);
        o[j] = *reinterpret_cast<const bf16*>(&b);
      }
    }
  }
}

unsigned blocks_for(size_t n, int per_block) {
  return static_cast<unsigned>((n + per_block - 1) / per_block);
}

}  // namespace

uint64_t QuantMatrix::data_bytes() const {
  return per_row() ? static_cast<uint64_t>(n_rows) * ld : static_cast<uint64_t>(tiles) * 16 * ld / 2;
}
uint64_t QuantMatrix::scale_bytes() const {
  return per_row() ? static_cast<uint64_t>(n_rows) * 4 : static_cast<uint64_t>(tiles) * 16 * (ld / 128) * 2;
}
uint64_t QuantMatrix::table_bytes() const {
  return per_row() ? 0 : static_cast<uint64_t>(tiles) * 16 * 4;
}

QuantMatrix plan_quant(QuantFormat f, int n_rows, int k, int split, int headpair_hd) {
  QuantMatrix q;
  q.format = f;
  q.n_rows = n_rows;
  q.k = k;
  q.split = split < 0 || split > n_rows ? n_rows : split;
  if (f == QuantFormat::Int8) {
    q.ld = round_up(std::max(k, 1), 16);
    return q;
  }
  if (f == QuantFormat::Int6) {
    q.ld = round_up(std::max(k, 1), kQ6StepCols) / kQ6StepCols * kQ6StepBytes;
    return q;
  }
  q.headpair_hd = headpair_hd;
  q.ld = round_up(std::max(k, 1), 128);
  const RowTable t = build_row_table(n_rows, q.split, headpair_hd);
  q.tiles = static_cast<int>(t.rows.size() / 16);
  q.tile_split = t.tile_split;
  return q;
}

std::vector<int32_t> int4_row_table(const QuantMatrix& q) {
  return build_row_table(q.n_rows, q.split, q.headpair_hd).rows;
}

// Tiles [t0, t1) holding rows [row0, row0 + rows); a partial range needs natural row order.
void tile_range(const QuantMatrix& q, int row0, int rows, int& t0, int& t1) {
  if (row0 < 0 || rows < 0 || row0 + rows > q.n_rows) throw_usage_error("quantized matrix: rows outside it");
  t0 = 0;
  t1 = q.tiles;
  if (row0 == 0 && rows == q.n_rows) return;
  if (q.format == QuantFormat::Int4) {
    if (q.headpair_hd > 0 || (q.split != 0 && q.split != q.n_rows) || row0 % 16 != 0)
      throw_usage_error("quantized matrix: row ranges need a single-region int4 matrix and 16-row steps");
    t0 = row0 / 16;
    t1 = (row0 + rows + 15) / 16;
  }
}

void launch_quantize(const bf16* w, int ldw, const QuantMatrix& q, cudaStream_t stream, int row0, int rows) {
  if (rows < 0) rows = q.n_rows - row0;
  int t0 = 0, t1 = 0;
  tile_range(q, row0, rows, t0, t1);
  if (rows <= 0 || q.k <= 0) return;
  if (q.per_row()) {
    const bool six = q.format == QuantFormat::Int6;
    float* sc = q.scales + row0;
    row_scales_kernel<<<blocks_for(rows, kThreads / 32), kThreads, 0, stream>>>(w, ldw, rows, q.k,
                                                                                six ? 31.f : 127.f, sc);
    FALCON_CHECK_LAUNCH("row_scales_kernel");
    if (six) {
      uint8_t* data = static_cast<uint8_t*>(q.data) + static_cast<size_t>(row0) * q.ld;
      int6_quantize_kernel<<<blocks_for(static_cast<size_t>(rows) * (q.ld / kQ6StepBytes) * 4, kThreads),
                             kThreads, 0, stream>>>(w, ldw, rows, q.k, q.ld, sc, data);
      FALCON_CHECK_LAUNCH("int6_quantize_kernel");
      return;
    }
    int8_t* data = static_cast<int8_t*>(q.data) + static_cast<size_t>(row0) * q.ld;
    int8_quantize_kernel<<<blocks_for(static_cast<size_t>(rows) * q.ld, kThreads), kThreads, 0, stream>>>(
        w, ldw, rows, q.k, q.ld, sc, data);
    FALCON_CHECK_LAUNCH("int8_quantize_kernel");
    return;
  }
  const int groups = q.ld / 128, quads = q.ld / 64;
  const Slice slice{w, ldw, q.k, row0, rows};
  int4_scales_kernel<<<blocks_for(static_cast<size_t>(t1 - t0) * 16 * groups, kThreads / 32), kThreads, 0,
                       stream>>>(slice, q.row_of, t0 * 16, (t1 - t0) * 16, groups, q.gscales);
  FALCON_CHECK_LAUNCH("int4_scales_kernel");
  int4_quantize_kernel<<<blocks_for(static_cast<size_t>(t1 - t0) * quads * 32, kThreads), kThreads, 0,
                         stream>>>(slice, q.row_of, t0, t1 - t0, quads, groups, q.gscales,
                                   static_cast<uint4*>(q.data));
  FALCON_CHECK_LAUNCH("int4_quantize_kernel");
}

void launch_dequantize(const QuantMatrix& q, int row0, int rows, bf16* out, int ldo, cudaStream_t stream) {
  int t0 = 0, t1 = 0;
  tile_range(q, row0, rows, t0, t1);
  if (rows <= 0 || q.k <= 0) return;
  if (q.format == QuantFormat::Int8) {
    int8_dequantize8_kernel<<<blocks_for(static_cast<size_t>(rows) * ((q.k + 7) / 8), kThreads), kThreads, 0,
                              stream>>>(static_cast<const int8_t*>(q.data), q.ld, q.k, q.scales, row0, rows,
                                        out, ldo);
    FALCON_CHECK_LAUNCH("int8_dequantize8_kernel");
    return;
  }
  if (q.format == QuantFormat::Int6) {
    int6_dequantize_kernel<<<blocks_for(static_cast<size_t>(rows) * (q.ld / kQ6StepBytes) * 4, kThreads),
                             kThreads, 0, stream>>>(static_cast<const uint8_t*>(q.data), q.ld, q.k, q.scales,
                                                    row0, rows, out, ldo);
    FALCON_CHECK_LAUNCH("int6_dequantize_kernel");
    return;
  }
  const int groups = q.ld / 128, quads = q.ld / 64;
  int4_dequantize_kernel<<<blocks_for(static_cast<size_t>(t1 - t0) * 16 * quads * 8, kThreads), kThreads, 0,
                           stream>>>(static_cast<const uint4*>(q.data), q.k, q.row_of, t0, t1 - t0, quads,
                                     groups, q.gscales, row0, rows, out, ldo);
  FALCON_CHECK_LAUNCH("int4_dequantize_kernel");
}

}  // namespace falcon::gpu
