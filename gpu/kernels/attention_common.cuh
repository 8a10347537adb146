#pragma once
// Device pieces shared by the attention kernels (attention.cu: mma.sync, every head_dim, prefill
// and decode; attention_wgmma.cu: the sm_90a prefill kernel): the cp.async copies that stage K/V
// tiles, Q loaded as tensor-core A fragments with RoPE applied, and the online-softmax update of
// one 64-key tile. Both kernels hold 16 query rows per warp in the same register layout: the
// mma.sync m16n8k16 C fragment, which is also what wgmma's m64nNk16 accumulator gives each warp
// of a warpgroup, so the softmax code is one.
#include <cuda_bf16.h>

#include <cmath>
#include <cstdint>

#include "gpu/kernels/common.cuh"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu::attn {

constexpr int kTile = 64;  // keys per tile

// 16 bytes from global memory to shared address smem_addr (a __cvta_generic_to_shared value),
// or to a generic pointer into shared memory.
__device__ __forceinline__ void cp_async16(uint32_t smem_addr, const void* gmem) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(smem_addr), "l"(gmem));
}
__device__ __forceinline__ void cp_async16(void* smem, const void* gmem) {
  cp_async16(static_cast<uint32_t>(__cvta_generic_to_shared(smem)), gmem);
}
__device__ __forceinline__ void cp_async_commit() {
  asm volatile("cp.async.commit_group;");
}
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;" ::"n"(N));
}

__device__ __forceinline__ float ex2(float x) {  // 2^x, one MUFU op; ex2(-inf) = 0
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
}

// Pairwise reduction of 8 values (three dependent steps instead of seven).
template <class Op>
__device__ __forceinline__ float tree_reduce(float (&r)[8], Op op) {
#pragma unroll
  for (int step = 4; step > 0; step >>= 1)
#pragma unroll
    for (int j = 0; j < step; ++j) r[j] = op(r[j], r[j + step]);
  return r[0];
}

// Q fragments of one m-tile (rows tok[h] of heads head[h]), rotated in fp32 when RoPE is on.
template <int HD>
__device__ __forceinline__ void load_q_tile(uint32_t (&qa)[HD / 16][4], const AttnArgs& a,
                                            const int (&tok)[2], const int (&head)[2], const bool (&valid)[2],
                                            const int (&qpos)[2], int t) {
  constexpr int KK = HD / 16;
  float qf[KK][2][2][2];  // [k-step][row half][col slot (0 / +8)][element]
#pragma unroll
  for (int kk = 0; kk < KK; ++kk)
#pragma unroll
    for (int h = 0; h < 2; ++h)
#pragma unroll
      for (int sl = 0; sl < 2; ++sl) {
        float2 v = make_float2(0.f, 0.f);
        if (valid[h]) {
          const bf16* qp =
              a.q + static_cast<size_t>(tok[h]) * a.ldq + head[h] * HD + kk * 16 + sl * 8 + 2 * t;
          v = bf16x2_to_float2(*reinterpret_cast<const uint32_t*>(qp));
        }
        qf[kk][h][sl][0] = v.x;
        qf[kk][h][sl][1] = v.y;
      }
  if (a.inv_freq) {
#pragma unroll
    for (int kk = 0; kk < KK / 2; ++kk)
#pragma unroll
      for (int h = 0; h < 2; ++h)
#pragma unroll
        for (int sl = 0; sl < 2; ++sl)
#pragma unroll
          for (int e = 0; e < 2; ++e) {
            const int c = kk * 16 + sl * 8 + 2 * t + e;  // < HD/2; partner c + HD/2 is k-step kk + KK/2
            float sn, cs;
            sincosf(static_cast<float>(qpos[h]) * a.inv_freq[c], &sn, &cs);
            const float x1 = qf[kk][h][sl][e], x2 = qf[kk + KK / 2][h][sl][e];
            qf[kk][h][sl][e] = x1 * cs - x2 * sn;
            qf[kk + KK / 2][h][sl][e] = x2 * cs + x1 * sn;
          }
  }
#pragma unroll
  for (int kk = 0; kk < KK; ++kk) {
    qa[kk][0] = float2_to_bf16x2(qf[kk][0][0][0], qf[kk][0][0][1]);
    qa[kk][1] = float2_to_bf16x2(qf[kk][1][0][0], qf[kk][1][0][1]);
    qa[kk][2] = float2_to_bf16x2(qf[kk][0][1][0], qf[kk][0][1][1]);
    qa[kk][3] = float2_to_bf16x2(qf[kk][1][1][0], qf[kk][1][1][1]);
  }
}

// The online-softmax step for one 64-key tile of one warp's 16 rows. s: the raw scores
// (Q K^T) as 8 n-tiles of the C fragment (this thread: rows g, g + 8; columns 8j + 2t, +1).
// ALiBi is added and, when kMask, keys past a row's position are masked; the row maxima m (raw
// score units) and sums l move on, O is rescaled where a maximum moved, and P comes back as bf16
// A fragments pa[16-key step][reg] for O += P V.
template <int HD, bool kMask>
__device__ __forceinline__ void online_softmax_tile(float (&s)[8][4], float (&m)[2], float (&l)[2],
                                                    float (&o)[HD / 8][4], const int (&qpos)[2],
                                                    const float (&slope)[2], int kb, bool alibi,
                                                    float scale_log2, int t, uint32_t (&pa)[4][4]) {
  if (alibi || kMask) {
#pragma unroll
    for (int j = 0; j < 8; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int h = e >> 1, key = kb + j * 8 + 2 * t + (e & 1);
        float v = s[j][e];
        if (alibi) v += __bfloat162float(__float2bfloat16(slope[h] * static_cast<float>(key)));
        if (kMask && key > qpos[h]) v = -INFINITY;
        s[j][e] = v;
      }
  }
  // Row maxima and (below) sums as trees over the 8 n-tiles, not one serial chain of 16.
  float mx[2];
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    float r[8];
#pragma unroll
    for (int j = 0; j < 8; ++j) r[j] = fmaxf(s[j][2 * h], s[j][2 * h + 1]);
    mx[h] = tree_reduce(r, [](float x, float y) { return fmaxf(x, y); });
  }
  float neg[2], corr[2];  // neg: -(row max) * scale, so that p = 2^(s * scale - max * scale)
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    mx[h] = fmaxf(mx[h], __shfl_xor_sync(0xffffffffu, mx[h], 1));
    mx[h] = fmaxf(mx[h], __shfl_xor_sync(0xffffffffu, mx[h], 2));
    const float m_new = fmaxf(m[h], mx[h]);
    const float m_use = m_new == -INFINITY ? 0.f : m_new;  // a row with no key yet
    corr[h] = ex2((m[h] - m_use) * scale_log2);
    m[h] = m_new;
    l[h] *= corr[h];
    neg[h] = -m_use * scale_log2;
  }
  // Once the row maxima settle, most tiles leave them unchanged (corr == 1): skip the rescale.
  if (__any_sync(0xffffffffu, corr[0] != 1.f || corr[1] != 1.f)) {
#pragma unroll
    for (int n = 0; n < HD / 8; ++n) {
      o[n][0] *= corr[0];
      o[n][1] *= corr[0];
      o[n][2] *= corr[1];
      o[n][3] *= corr[1];
    }
  }
#pragma unroll
  for (int j = 0; j < 8; ++j)
#pragma unroll
    for (int e = 0; e < 4; ++e) s[j][e] = ex2(fmaf(s[j][e], scale_log2, neg[e >> 1]));
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    float r[8];
#pragma unroll
    for (int j = 0; j < 8; ++j) r[j] = s[j][2 * h] + s[j][2 * h + 1];
    l[h] += tree_reduce(r, [](float x, float y) { return x + y; });
  }
#pragma unroll
  for (int kk2 = 0; kk2 < 4; ++kk2) {
    pa[kk2][0] = float2_to_bf16x2(s[2 * kk2][0], s[2 * kk2][1]);
    pa[kk2][1] = float2_to_bf16x2(s[2 * kk2][2], s[2 * kk2][3]);
    pa[kk2][2] = float2_to_bf16x2(s[2 * kk2 + 1][0], s[2 * kk2 + 1][1]);
    pa[kk2][3] = float2_to_bf16x2(s[2 * kk2 + 1][2], s[2 * kk2 + 1][3]);
  }
}

}  // namespace falcon::gpu::attn
