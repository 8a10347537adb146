#pragma once
// Shared by the decode GEMV kernels (bf16 in gemv.cu, int8/int4 in quant_gemv.cu): which rows a
// warp owns and the fused epilogue that consumes their dot products. Device code only.
#include "gpu/kernels/common.cuh"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {

// Rows of pair p. Region A = rows [0, split), region B = [split, n); a pair never straddles them.
struct PairRows {
  int a, b;  // b = -1 when the pair has one row (odd region)
  bool in_a;
};

__device__ __forceinline__ PairRows pair_rows(int p, int pairs_a, int split, int n, bool headpair, int hd) {
  PairRows r;
  if (p < pairs_a) {
    r.in_a = true;
    if (headpair) {
      const int half = hd / 2, head = p / half, i = p % half;
      r.a = head * hd + i;
      r.b = r.a + half;
    } else {
      r.a = 2 * p;
      r.b = r.a + 1 < split ? r.a + 1 : -1;
    }
  } else {
    r.in_a = false;
    r.a = split + 2 * (p - pairs_a);
    r.b = r.a + 1 < n ? r.a + 1 : -1;
  }
  return r;
}

// Store returns the larger of the values it stored, as fmaxf takes it (for GemvArgs::block_max);
// the others return 0.
template <GemvEpilogue kEpi>
__device__ __forceinline__ float epilogue(const GemvArgs& a, PairRows r, float ya, float yb) {
  if (a.bias) {
    ya += a.bias[r.a];
    if (r.b >= 0) yb += a.bias[r.b];
  }
  if constexpr (kEpi == GemvEpilogue::Store) {
    a.out_f32[r.a] = ya;
    if (r.b >= 0) a.out_f32[r.b] = yb;
    return r.b >= 0 ? fmaxf(ya, yb) : ya;
  } else if constexpr (kEpi == GemvEpilogue::Residual) {
    a.out_f32[r.a] += ya;
    if (r.b >= 0) a.out_f32[r.b] += yb;
  } else {
    if (!r.in_a) {  // MLP up-projection rows
      a.h_out[r.a - a.split] = __float2bfloat16(gelu_erf(ya));
      if (r.b >= 0) a.h_out[r.b - a.split] = __float2bfloat16(gelu_erf(yb));
      return 0.f;
    }
    const int hd = a.shape.head_dim, nq = a.shape.num_heads * hd, nk = a.shape.num_kv * hd;
    const int pos = *a.pos;
    if (a.inv_freq && r.a >= nq && r.a < nq + nk) {  // a RoPE pair of a key head
      const int half = hd / 2, i = (r.a - nq) % hd;
      float sn, cs;
      sincosf(static_cast<float>(pos) * a.inv_freq[i % half], &sn, &cs);
      const float ra = ya * cs - yb * sn, rb = yb * cs + ya * sn;
      ya = ra;
      yb = rb;
    }
    const int rows[2] = {r.a, r.b};
    const float ys[2] = {ya, yb};
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      const int row = rows[j];
      if (row < 0) continue;
      if (row < nq) {
        a.q_out[row] = __float2bfloat16(ys[j]);
      } else {
        const bool is_k = row < nq + nk;
        const int e = row - nq - (is_k ? 0 : nk), h = e / hd, i = e % hd;
        bf16* cache = is_k ? a.k_cache : a.v_cache;
        cache[(static_cast<size_t>(h) * a.shape.cache_cap + pos) * hd + i] = __float2bfloat16(ys[j]);
      }
    }
  }
  return 0.f;
}

// The largest of a 16-row tile's stored values (Store: epilogue()'s results) in lanes 0..7,
// which hold rows (slot, slot + 8) of the tile, written to block_max[block] by lane 0; `m` is
// -inf in a lane without rows. Called by lanes 0..7 together.
__device__ __forceinline__ void store_tile_max(float* block_max, int block, float m) {
#pragma unroll
  for (int o = 4; o > 0; o >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffu, m, o));
  if ((threadIdx.x & 31) == 0) block_max[block] = m;
}

}  // namespace falcon::gpu
