// Decode GEMV family: y = W x for one token, W bf16 streamed from HBM with 16-byte loads.
//
// Each warp owns two rows (a "pair") so every x chunk it loads from L1 feeds two weight rows;
// lanes stride over the row in 16-byte chunks with kUnroll chunks of both rows in flight before
// the first FMA (the loads, not the FMAs, are the bottleneck: ~4.3 TB/s of weights).
// The epilogue is fused: residual add, logits store, or (QkvUp) bias + RoPE + KV-cache append
// for the attention rows and bias + GELU for the MLP rows. With RoPE the attention rows are
// paired (i, i + HD/2) inside a head, so the rotation happens in registers.
#include <algorithm>

#include "gpu/cuda_check.h"
#include "gpu/kernels/common.cuh"
#include "gpu/kernels/gemv_epilogue.cuh"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {
namespace {

constexpr int kWarps = 8;   // warps per block
constexpr int kUnroll = 4;  // 16-byte chunks per row in flight per lane

__device__ __forceinline__ void dot8(const uint4& w, const uint4& x, float& acc) {
  const float2 w0 = bf16x2_to_float2(w.x), w1 = bf16x2_to_float2(w.y), w2 = bf16x2_to_float2(w.z),
               w3 = bf16x2_to_float2(w.w);
  const float2 x0 = bf16x2_to_float2(x.x), x1 = bf16x2_to_float2(x.y), x2 = bf16x2_to_float2(x.z),
               x3 = bf16x2_to_float2(x.w);
  acc = fmaf(w0.x, x0.x, acc);
  acc = fmaf(w0.y, x0.y, acc);
  acc = fmaf(w1.x, x1.x, acc);
  acc = fmaf(w1.y, x1.y, acc);
  acc = fmaf(w2.x, x2.x, acc);
  acc = fmaf(w2.y, x2.y, acc);
  acc = fmaf(w3.x, x3.x, acc);
  acc = fmaf(w3.y, x3.y, acc);
}

template <GemvEpilogue kEpi, bool kVec>
__global__ void __launch_bounds__(kWarps * 32)
    gemv_kernel(GemvArgs a, int pairs_a, int pairs_total, bool headpair) {
  const int lane = threadIdx.x & 31;
  const int warps_total = gridDim.x * kWarps;
  pdl_trigger();
  if (kVec && blockIdx.x * kWarps + (threadIdx.x >> 5) < pairs_total) {
    // The weights do not depend on the previous kernel: start the first pair's first round on its
    // way to L2 while that kernel drains.
    const PairRows r = pair_rows(blockIdx.x * kWarps + (threadIdx.x >> 5), pairs_a, a.split, a.n_rows,
                                 headpair, a.shape.head_dim);
    const int chunks = a.k >> 3;
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      if (lane + 32 * u < chunks) {
        prefetch_l2(a.w + static_cast<size_t>(r.a) * a.ldw + (lane + 32 * u) * 8);
        if (r.b >= 0) prefetch_l2(a.w + static_cast<size_t>(r.b) * a.ldw + (lane + 32 * u) * 8);
      }
  }
  pdl_wait();
  for (int p = blockIdx.x * kWarps + (threadIdx.x >> 5); p < pairs_total; p += warps_total) {
    const PairRows r = pair_rows(p, pairs_a, a.split, a.n_rows, headpair, a.shape.head_dim);
    const bf16* wa = a.w + static_cast<size_t>(r.a) * a.ldw;
    const bf16* wb = a.w + static_cast<size_t>(r.b >= 0 ? r.b : r.a) * a.ldw;
    const bf16* x = r.in_a ? a.xa : a.xb;
    float acc_a = 0.f, acc_b = 0.f;
    if constexpr (kVec) {
      // Every iteration keeps kUnroll chunks of both rows in flight; the last one is predicated
      // rather than finished chunk by chunk (a serial tail of single loads cost ~20% at K = 4544).
      const int chunks = a.k >> 3;
      for (int c = lane; c < chunks; c += 32 * kUnroll) {
        uint4 va[kUnroll], vb[kUnroll], vx[kUnroll];
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
          const bool in = c + 32 * u < chunks;
          va[u] = in ? load_stream16(wa + (c + 32 * u) * 8) : make_uint4(0, 0, 0, 0);
          vb[u] = in ? load_stream16(wb + (c + 32 * u) * 8) : make_uint4(0, 0, 0, 0);
        }
#pragma unroll
        for (int u = 0; u < kUnroll; ++u)
          vx[u] = c + 32 * u < chunks ? load_cached16(x + (c + 32 * u) * 8) : make_uint4(0, 0, 0, 0);
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
          dot8(va[u], vx[u], acc_a);
          dot8(vb[u], vx[u], acc_b);
        }
      }
    } else {
      for (int i = lane; i < a.k; i += 32) {
        const float xv = __bfloat162float(x[i]);
        acc_a = fmaf(__bfloat162float(wa[i]), xv, acc_a);
        acc_b = fmaf(__bfloat162float(wb[i]), xv, acc_b);
      }
    }
    acc_a = warp_sum(acc_a);
    acc_b = warp_sum(acc_b);
    if (lane == 0) epilogue<kEpi>(a, r, acc_a, acc_b);
  }
}

bool aligned16(const void* p) {
  return (reinterpret_cast<uintptr_t>(p) & 15) == 0;
}

template <GemvEpilogue kEpi>
void launch_typed(const GemvArgs& a, cudaStream_t stream) {
  const bool headpair = kEpi == GemvEpilogue::QkvUp && a.inv_freq != nullptr;
  const int pairs_a = headpair ? a.split / 2 : (a.split + 1) / 2;
  const int pairs_total = pairs_a + (a.n_rows - a.split + 1) / 2;
  if (pairs_total <= 0) return;
  const int blocks = std::min((pairs_total + kWarps - 1) / kWarps, 65535);
  const bool vec = a.k % 8 == 0 && a.ldw % 8 == 0 && aligned16(a.w) && aligned16(a.xa) && aligned16(a.xb);
  launch_kernel(vec ? gemv_kernel<kEpi, true> : gemv_kernel<kEpi, false>, blocks, kWarps * 32, 0, stream, a,
                pairs_a, pairs_total, headpair);
}

}  // namespace

void launch_gemv(GemvEpilogue epilogue, const GemvArgs& args, cudaStream_t stream) {
  GemvArgs a = args;
  if (!a.xb) a.xb = a.xa;
  if (a.split < 0 || a.split > a.n_rows) a.split = a.n_rows;
  switch (epilogue) {
    case GemvEpilogue::Store:
      launch_typed<GemvEpilogue::Store>(a, stream);
      break;
    case GemvEpilogue::Residual:
      launch_typed<GemvEpilogue::Residual>(a, stream);
      break;
    case GemvEpilogue::QkvUp:
      launch_typed<GemvEpilogue::QkvUp>(a, stream);
      break;
  }
}

}  // namespace falcon::gpu
