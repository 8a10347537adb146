// Decode GEMVs on quantized weights (layouts in quant.cu / kernels.h). Both read every weight
// byte once with 16-byte streaming loads and dequantize in registers; the epilogues are the bf16
// GEMV's (gemv_epilogue.cuh).
//
// Int8 (per-row scale): as the bf16 GEMV, a warp owns a pair of rows and each lane keeps
// kUnroll 16-byte chunks of both rows in flight. A byte b becomes a float without a conversion
// instruction: the bits 0x4B0000(b ^ 0x80) are the float 2^23 + 128 + b, one PRMT and one FADD.
// The row's scale multiplies the finished dot product.
//
// Int4 (groups of 128, fp16 scales): a block owns a 16-row tile (its warps split the columns) and
// runs the dot products on the tensor cores: mma.sync m16n8k16 with the tile as A (16 rows x 16 columns per
// instruction) and x as B, broadcast to all 8 columns. A 32-bit word holds one instruction's A fragment; one
// LOP3 turns two nibbles into the bf16 pair (128 + u, 128 + u') and one bf16x2 subtract of 136 gives the
// exact values u - 8. fp32 accumulation per group, then the group's scale. At the int4 byte rate (~35 weights
// per SM clock on an H200) scalar fp32 code would be issue-bound; this path spends ~1.5 instructions per
// weight.
#include <algorithm>

#include "core/common/error.h"
#include "gpu/cuda_check.h"
#include "gpu/kernels/gemv_epilogue.cuh"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {
namespace {

constexpr int kWarps = 8;
constexpr int kUnroll = 4;    // int8: 16-byte chunks per row in flight per lane
constexpr int kGroupsIn = 4;  // int4: groups (2 quads each) of weights in flight per lane

// 16 consecutive x values starting at element e, as 8 bf16 pairs; zeros past k.
template <bool kVecX>
__device__ __forceinline__ void load_x16(const bf16* x, int e, int k, uint32_t (&xw)[8]) {
  if (kVecX && e + 16 <= k) {
    const uint4 a = load_cached16(x + e), b = load_cached16(x + e + 8);
    xw[0] = a.x, xw[1] = a.y, xw[2] = a.z, xw[3] = a.w, xw[4] = b.x, xw[5] = b.y, xw[6] = b.z, xw[7] = b.w;
    return;
  }
  const uint16_t* xs = reinterpret_cast<const uint16_t*>(x);
#pragma unroll
  for (int j = 0; j < 8; ++j) {
    const uint32_t lo = e + 2 * j < k ? xs[e + 2 * j] : 0u, hi = e + 2 * j + 1 < k ? xs[e + 2 * j + 1] : 0u;
    xw[j] = lo | hi << 16;
  }
}

__device__ __forceinline__ float i8_to_float(uint32_t flipped, uint32_t selector) {
  return __uint_as_float(__byte_perm(flipped, 0x4B000000u, selector)) - 8388736.f;  // 2^23 + 128
}

// acc += sum_j w[j] * x[j] over the 16 int8 of w.
__device__ __forceinline__ void dot16_i8(const uint4& w, const float (&xf)[16], float& acc) {
  const uint32_t ws[4] = {w.x ^ 0x80808080u, w.y ^ 0x80808080u, w.z ^ 0x80808080u, w.w ^ 0x80808080u};
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    acc = fmaf(i8_to_float(ws[j], 0x7540), xf[4 * j], acc);
    acc = fmaf(i8_to_float(ws[j], 0x7541), xf[4 * j + 1], acc);
    acc = fmaf(i8_to_float(ws[j], 0x7542), xf[4 * j + 2], acc);
    acc = fmaf(i8_to_float(ws[j], 0x7543), xf[4 * j + 3], acc);
  }
}

template <GemvEpilogue kEpi, bool kVecX>
__global__ void __launch_bounds__(kWarps * 32)
    gemv_q8_kernel(GemvArgs a, const int8_t* __restrict__ w, int ld, const float* __restrict__ scales,
                   int pairs_a, int pairs_total, bool headpair) {
  const int lane = threadIdx.x & 31;
  const int warps_total = gridDim.x * kWarps;
  const int chunks = ld / 16;
  for (int p = blockIdx.x * kWarps + (threadIdx.x >> 5); p < pairs_total; p += warps_total) {
    const PairRows r = pair_rows(p, pairs_a, a.split, a.n_rows, headpair, a.shape.head_dim);
    const int8_t* wa = w + static_cast<size_t>(r.a) * ld;
    const int8_t* wb = w + static_cast<size_t>(r.b >= 0 ? r.b : r.a) * ld;
    const bf16* x = r.in_a ? a.xa : a.xb;
    float acc_a = 0.f, acc_b = 0.f;
    for (int c = lane; c < chunks; c += 32 * kUnroll) {
      uint4 va[kUnroll], vb[kUnroll];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const bool in = c + 32 * u < chunks;
        va[u] = in ? load_stream16(wa + (c + 32 * u) * 16) : make_uint4(0, 0, 0, 0);
        vb[u] = in ? load_stream16(wb + (c + 32 * u) * 16) : make_uint4(0, 0, 0, 0);
      }
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        if (c + 32 * u >= chunks) break;
        uint32_t xw[8];
        load_x16<kVecX>(x, (c + 32 * u) * 16, a.k, xw);
        float xf[16];
#pragma unroll
        for (int j = 0; j < 8; ++j) {
          const float2 f = bf16x2_to_float2(xw[j]);
          xf[2 * j] = f.x;
          xf[2 * j + 1] = f.y;
        }
        dot16_i8(va[u], xf, acc_a);
        dot16_i8(vb[u], xf, acc_b);
      }
    }
    acc_a = warp_sum(acc_a);
    acc_b = warp_sum(acc_b);
    if (lane == 0) epilogue<kEpi>(a, r, acc_a * scales[r.a], r.b >= 0 ? acc_b * scales[r.b] : 0.f);
  }
}

// (128 + u, 128 + u') bf16 pair from the nibbles at bits 0 and 16 of v, minus 136: exact u - 8.
__device__ __forceinline__ uint32_t nibbles_to_bf16x2(uint32_t v) {
  uint32_t t = (v & 0x000F000Fu) | 0x43004300u;
  const __nv_bfloat162 h =
      __hsub2(*reinterpret_cast<__nv_bfloat162*>(&t), __floats2bfloat162_rn(136.f, 136.f));
  return *reinterpret_cast<const uint32_t*>(&h);
}

__device__ __forceinline__ void mma_bf16_16816(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2,
                                               uint32_t a3, uint32_t b0, uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

// One block per 16-row tile; its kWarps warps take contiguous slices of the tile's groups (split-K
// inside the block, so even the 8192-row down projection of 40B keeps ~30 warps per SM busy) and
// add their partial sums in shared memory in a fixed order (deterministic).
template <GemvEpilogue kEpi, bool kVecX>
__global__ void __launch_bounds__(kWarps * 32) gemv_q4_kernel(GemvArgs a, QuantMatrix q) {
  __shared__ float part[kWarps][16];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, r = lane >> 2, qd = lane & 3;
  const int quads = q.ld / 64, groups = q.ld / 128;
  const int g_begin = groups * warp / kWarps, g_end = groups * (warp + 1) / kWarps;
  for (int tile = blockIdx.x; tile < q.tiles; tile += gridDim.x) {
    const uint4* wt = static_cast<const uint4*>(q.data) + static_cast<size_t>(tile) * quads * 32 + lane;
    const bool in_a = tile < q.tile_split;
    const bf16* x = in_a ? a.xa : a.xb;
    const __half* s0 = q.gscales + static_cast<size_t>(tile * 16 + r) * groups;
    const __half* s8 = s0 + static_cast<size_t>(8) * groups;
    float tot0 = 0.f, tot8 = 0.f;
    for (int g0 = g_begin; g0 < g_end; g0 += kGroupsIn) {
      uint4 wv[2 * kGroupsIn];
#pragma unroll
      for (int j = 0; j < 2 * kGroupsIn; ++j)
        wv[j] = 2 * g0 + j < 2 * g_end ? load_stream16(wt + static_cast<size_t>(2 * g0 + j) * 32)
                                       : make_uint4(0, 0, 0, 0);
#pragma unroll
      for (int gi = 0; gi < kGroupsIn; ++gi) {
        const int g = g0 + gi;
        if (g >= g_end) break;
        // Two accumulator sets (one per quad) halve the chain of dependent mma instructions.
        float c[2][4] = {{0.f, 0.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 0.f}};
#pragma unroll
        for (int h = 0; h < 2; ++h) {
          uint32_t xw[8];
          load_x16<kVecX>(x, (2 * g + h) * 64 + qd * 16, a.k, xw);
          const uint4 v = wv[2 * gi + h];
          const uint32_t ws[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
          for (int t = 0; t < 4; ++t)
            mma_bf16_16816(c[h], nibbles_to_bf16x2(ws[t]), nibbles_to_bf16x2(ws[t] >> 4),
                           nibbles_to_bf16x2(ws[t] >> 8), nibbles_to_bf16x2(ws[t] >> 12), xw[2 * t],
                           xw[2 * t + 1]);
        }
        tot0 = fmaf(c[0][0] + c[1][0], __half2float(s0[g]), tot0);
        tot8 = fmaf(c[0][2] + c[1][2], __half2float(s8[g]), tot8);
      }
    }
    if (qd == 0) {
      part[warp][r] = tot0;
      part[warp][r + 8] = tot8;
    }
    __syncthreads();
    if (warp == 0 && lane < 8) {
      float y0 = 0.f, y8 = 0.f;
#pragma unroll
      for (int w = 0; w < kWarps; ++w) {
        y0 += part[w][lane];
        y8 += part[w][lane + 8];
      }
      const int ra = q.row_of[tile * 16 + lane], rb = q.row_of[tile * 16 + lane + 8];
      if (ra >= 0) epilogue<kEpi>(a, PairRows{ra, rb, in_a}, y0, y8);
    }
    __syncthreads();  // part is reused by the next tile
  }
}

bool aligned16(const void* p) {
  return (reinterpret_cast<uintptr_t>(p) & 15) == 0;
}

template <GemvEpilogue kEpi>
void launch_typed(const GemvArgs& a, const QuantMatrix& q, cudaStream_t stream) {
  const bool vecx = aligned16(a.xa) && aligned16(a.xb);
  if (q.format == QuantFormat::Int8) {
    const bool headpair = kEpi == GemvEpilogue::QkvUp && a.inv_freq != nullptr;
    const int pairs_a = headpair ? a.split / 2 : (a.split + 1) / 2;
    const int pairs_total = pairs_a + (a.n_rows - a.split + 1) / 2;
    if (pairs_total <= 0) return;
    const int blocks = std::min((pairs_total + kWarps - 1) / kWarps, 65535);
    const auto* w = static_cast<const int8_t*>(q.data);
    if (vecx)
      gemv_q8_kernel<kEpi, true>
          <<<blocks, kWarps * 32, 0, stream>>>(a, w, q.ld, q.scales, pairs_a, pairs_total, headpair);
    else
      gemv_q8_kernel<kEpi, false>
          <<<blocks, kWarps * 32, 0, stream>>>(a, w, q.ld, q.scales, pairs_a, pairs_total, headpair);
    FALCON_CHECK_LAUNCH("gemv_q8_kernel");
    return;
  }
  if (q.tiles <= 0) return;
  const int blocks = std::min(q.tiles, 65535);
  if (vecx)
    gemv_q4_kernel<kEpi, true><<<blocks, kWarps * 32, 0, stream>>>(a, q);
  else
    gemv_q4_kernel<kEpi, false><<<blocks, kWarps * 32, 0, stream>>>(a, q);
  FALCON_CHECK_LAUNCH("gemv_q4_kernel");
}

}  // namespace

void launch_gemv_quant(GemvEpilogue epilogue, const GemvArgs& args, const QuantMatrix& q,
                       cudaStream_t stream) {
  GemvArgs a = args;
  a.w = nullptr;
  a.n_rows = q.n_rows;
  a.k = q.k;
  a.ldw = q.ld;
  a.split = q.split;
  if (!a.xb) a.xb = a.xa;
  if (epilogue == GemvEpilogue::QkvUp && a.inv_freq && q.format == QuantFormat::Int4 && q.split > 0 &&
      q.headpair_hd != a.shape.head_dim)
    throw_usage_error("int4 GEMV: the RoPE rows of this matrix are not laid out in rotation pairs");
  switch (epilogue) {
    case GemvEpilogue::Store:
      launch_typed<GemvEpilogue::Store>(a, q, stream);
      break;
    case GemvEpilogue::Residual:
      launch_typed<GemvEpilogue::Residual>(a, q, stream);
      break;
    case GemvEpilogue::QkvUp:
      launch_typed<GemvEpilogue::QkvUp>(a, q, stream);
      break;
  }
}

}  // namespace falcon::gpu
