// LayerNorm family: fp32 residual rows in, bf16 normalised rows out, one block per row.
// The 2-LayerNorm blocks (ln_attn + ln_mlp) get both norms from one pass over the statistics.
#include <algorithm>

#include "gpu/cuda_check.h"
#include "gpu/kernels/common.cuh"
#include "gpu/kernels/kernels.h"
#include "gpu/kernels/staged_x.cuh"

namespace falcon::gpu {
namespace {

// Two-pass statistics (mean, then mean of squared deviations) in fp32: the row is re-read from
// L1/L2, which is cheaper than the cancellation error of sum-of-squares on large activations.
template <bool kVec4>
__global__ void layernorm_kernel(const float* __restrict__ x, int ldx, int dim, float eps,
                                 const float* __restrict__ g1, const float* __restrict__ b1,
                                 bf16* __restrict__ out1, const float* __restrict__ g2,
                                 const float* __restrict__ b2, bf16* __restrict__ out2, int ldo) {
  __shared__ float scratch[32];
  const float* row = x + static_cast<size_t>(blockIdx.x) * ldx;
  float s = 0.f;
  if constexpr (kVec4) {
    for (int i = threadIdx.x * 4; i < dim; i += blockDim.x * 4) {
      float4 v = *reinterpret_cast<const float4*>(row + i);
      s += (v.x + v.y) + (v.z + v.w);
    }
  } else {
    for (int i = threadIdx.x; i < dim; i += blockDim.x) s += row[i];
  }
  const float mean = block_sum(s, scratch) / dim;
  float q = 0.f;
  if constexpr (kVec4) {
    for (int i = threadIdx.x * 4; i < dim; i += blockDim.x * 4) {
      float4 v = *reinterpret_cast<const float4*>(row + i);
      float a = v.x - mean, b = v.y - mean, c = v.z - mean, d = v.w - mean;
      q += (a * a + b * b) + (c * c + d * d);
    }
  } else {
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
      float a = row[i] - mean;
      q += a * a;
    }
  }
  const float rstd = rsqrtf(block_sum(q, scratch) / dim + eps);
  bf16* o1 = out1 + static_cast<size_t>(blockIdx.x) * ldo;
  bf16* o2 = out2 ? out2 + static_cast<size_t>(blockIdx.x) * ldo : nullptr;
  for (int i = threadIdx.x; i < dim; i += blockDim.x) {
    const float n = (row[i] - mean) * rstd;
    o1[i] = __float2bfloat16(n * g1[i] + (b1 ? b1[i] : 0.f));
    if (o2) o2[i] = __float2bfloat16(n * g2[i] + (b2 ? b2[i] : 0.f));
  }
}

// Single-read version: the row is held in registers (kVecs float4 per thread), so HBM/L2 is
// read once; used whenever dim % 4 == 0 and the row fits (dim <= 16384 with 1024 threads).
template <int kVecs>
__global__ void __launch_bounds__(1024)
    layernorm_reg_kernel(const float* __restrict__ x, int ldx, int dim, float eps,
                         const float* __restrict__ g1, const float* __restrict__ b1, bf16* __restrict__ out1,
                         const float* __restrict__ g2, const float* __restrict__ b2, bf16* __restrict__ out2,
                         int ldo) {
  __shared__ float scratch[32];
  pdl_trigger();
  const int n4 = dim / 4;
  // The weights do not depend on the previous kernel: read them while it drains, where the
  // registers allow (up to 2 vectors per thread: every decode row up to dim 8192; with 4 the
  // 1024-thread block would run out of registers).
  constexpr bool kPre = kVecs <= 2;
  constexpr int kPreVecs = kPre ? kVecs : 1;
  const float4 zero = make_float4(0.f, 0.f, 0.f, 0.f);
  auto weight = [&](const float* p, int i) { return p ? reinterpret_cast<const float4*>(p)[i] : zero; };
  float4 ga[kPreVecs], ba[kPreVecs], gb[kPreVecs], bb[kPreVecs];
  if constexpr (kPre) {
#pragma unroll
    for (int j = 0; j < kVecs; ++j) {
      const int i = threadIdx.x + j * blockDim.x;
      const bool in = i < n4;
      ga[j] = in ? weight(g1, i) : zero;
      ba[j] = in ? weight(b1, i) : zero;
      gb[j] = in && out2 ? weight(g2, i) : zero;
      bb[j] = in && out2 ? weight(b2, i) : zero;
    }
  }
  pdl_wait();
  const float4* row = reinterpret_cast<const float4*>(x + static_cast<size_t>(blockIdx.x) * ldx);
  float4 v[kVecs];
  float s = 0.f;
#pragma unroll
  for (int j = 0; j < kVecs; ++j) {
    const int i = threadIdx.x + j * blockDim.x;
    v[j] = i < n4 ? row[i] : make_float4(0.f, 0.f, 0.f, 0.f);
    s += (v[j].x + v[j].y) + (v[j].z + v[j].w);
  }
  const float mean = block_sum(s, scratch) / dim;
  float q = 0.f;
#pragma unroll
  for (int j = 0; j < kVecs; ++j) {
    if (threadIdx.x + j * blockDim.x >= n4) continue;
    const float a = v[j].x - mean, b = v[j].y - mean, c = v[j].z - mean, d = v[j].w - mean;
    q += (a * a + b * b) + (c * c + d * d);
  }
  const float rstd = rsqrtf(block_sum(q, scratch) / dim + eps);
  bf16* o1 = out1 + static_cast<size_t>(blockIdx.x) * ldo;
  bf16* o2 = out2 ? out2 + static_cast<size_t>(blockIdx.x) * ldo : nullptr;
#pragma unroll
  for (int j = 0; j < kVecs; ++j) {
    const int i = threadIdx.x + j * blockDim.x;
    if (i >= n4) continue;
    const float n[4] = {(v[j].x - mean) * rstd, (v[j].y - mean) * rstd, (v[j].z - mean) * rstd,
                        (v[j].w - mean) * rstd};
    const float4 g = kPre ? ga[j % kPreVecs] : weight(g1, i), b = kPre ? ba[j % kPreVecs] : weight(b1, i);
    uint2 w;
    w.x = float2_to_bf16x2(n[0] * g.x + b.x, n[1] * g.y + b.y);
    w.y = float2_to_bf16x2(n[2] * g.z + b.z, n[3] * g.w + b.w);
    *reinterpret_cast<uint2*>(o1 + 4 * i) = w;
    if (o2) {
      const float4 g2v = kPre ? gb[j % kPreVecs] : weight(g2, i),
                   b2v = kPre ? bb[j % kPreVecs] : weight(b2, i);
      w.x = float2_to_bf16x2(n[0] * g2v.x + b2v.x, n[1] * g2v.y + b2v.y);
      w.y = float2_to_bf16x2(n[2] * g2v.z + b2v.z, n[3] * g2v.w + b2v.w);
      *reinterpret_cast<uint2*>(o2 + 4 * i) = w;
    }
  }
}

// The decode LayerNorm that also stages its outputs for the int4 GEMVs on the integer tensor cores
// (StagedX, kernels.h; stage_digits, as they do): one block of kStageThreads per 2048-column chunk. Each
// block computes the whole row's statistics (the row is read from L2 by every block; 32 KiB at dim 8192),
// then normalises, writes and stages only its chunk: thread t holds the chunk's columns 8t..8t+7, so 16
// threads hold one group of 128. Staging the chunk once here spares each of the ~650 blocks of the up
// projection that read it from staging it again, and the LayerNorm's latency stays that of one short block.
constexpr int kStageThreads = kStagedCols / 8;
template <int kVecs>
__global__ void __launch_bounds__(kStageThreads)
    layernorm_staged_kernel(const float* __restrict__ x, int dim, float eps, const float* __restrict__ g1,
                            const float* __restrict__ b1, bf16* __restrict__ out1, StagedX* __restrict__ st1,
                            const float* __restrict__ g2, const float* __restrict__ b2,
                            bf16* __restrict__ out2, StagedX* __restrict__ st2) {
  __shared__ float scratch[32];
  pdl_trigger();
  const int n4 = dim / 4, lane = threadIdx.x & 31;
  const int f0 = (blockIdx.x * kStagedCols + threadIdx.x * 8) / 4;  // the thread's first float4
  const float4 zero = make_float4(0.f, 0.f, 0.f, 0.f);
  auto at = [&](const float* p, int i) { return p && i < n4 ? reinterpret_cast<const float4*>(p)[i] : zero; };
  // The weights do not depend on the previous kernel: read them while it drains.
  float4 w[4][2];
#pragma unroll
  for (int k = 0; k < 2; ++k) {
    w[0][k] = at(g1, f0 + k), w[1][k] = at(b1, f0 + k);
    w[2][k] = at(out2 ? g2 : nullptr, f0 + k), w[3][k] = at(out2 ? b2 : nullptr, f0 + k);
  }
  pdl_wait();
  const float4* row = reinterpret_cast<const float4*>(x);
  float4 v[kVecs];
  float s = 0.f;
#pragma unroll
  for (int j = 0; j < kVecs; ++j) {
    const int i = threadIdx.x + j * kStageThreads;
    v[j] = i < n4 ? row[i] : zero;
    s += (v[j].x + v[j].y) + (v[j].z + v[j].w);
  }
  const float mean = block_sum(s, scratch) / dim;
  float q = 0.f;
#pragma unroll
  for (int j = 0; j < kVecs; ++j) {
    if (threadIdx.x + j * kStageThreads >= n4) continue;
    const float a = v[j].x - mean, b = v[j].y - mean, c = v[j].z - mean, d = v[j].w - mean;
    q += (a * a + b * b) + (c * c + d * d);
  }
  const float rstd = rsqrtf(block_sum(q, scratch) / dim + eps);
  const float4 mine[2] = {f0 < n4 ? row[f0] : zero, f0 + 1 < n4 ? row[f0 + 1] : zero};
  const int outs = out2 ? 2 : 1;
  uint32_t words[2][4];  // bf16 pairs of the thread's 8 columns, per output (zeros past the row)
#pragma unroll
  for (int o = 0; o < 2; ++o) {
    if (o >= outs) break;
    bf16* out = o ? out2 : out1;
#pragma unroll
    for (int k = 0; k < 2; ++k) {
      const float4 g = w[2 * o][k], b = w[2 * o + 1][k], m = mine[k];
      uint2 pr = make_uint2(0u, 0u);
      if (f0 + k < n4) {
        pr.x = float2_to_bf16x2((m.x - mean) * rstd * g.x + b.x, (m.y - mean) * rstd * g.y + b.y);
        pr.y = float2_to_bf16x2((m.z - mean) * rstd * g.z + b.z, (m.w - mean) * rstd * g.w + b.w);
        *reinterpret_cast<uint2*>(out + 4 * (f0 + k)) = pr;
      }
      words[o][2 * k] = pr.x, words[o][2 * k + 1] = pr.y;
    }
    // The staged form of the thread's piece: columns 8t..8t+7 are digit words 2t, 2t + 1.
    const DigitPiece p = stage_digits(words[o]);
    StagedX& st = (o ? st2 : st1)[blockIdx.x];
#pragma unroll
    for (int k = 0; k < 4; ++k)
      *reinterpret_cast<uint2*>(&st.xd[k][threadIdx.x * 2]) = make_uint2(p.dw[k][0], p.dw[k][1]);
    if ((lane & 15) == 0) {
      const int g = threadIdx.x >> 4;
      st.ginit[g][0] = p.init[0];
      st.ginit[g][1] = p.init[1];
      st.gxe[g] = p.xe;
    }
  }
}

bool aligned(const void* p, size_t a) {
  return p == nullptr || reinterpret_cast<uintptr_t>(p) % a == 0;
}

}  // namespace

bool launch_layernorm_staged(const float* x, int dim, float eps, const float* g1, const float* b1, bf16* out1,
                             StagedX* staged1, const float* g2, const float* b2, bf16* out2, StagedX* staged2,
                             cudaStream_t stream) {
  const int n4 = dim / 4, vecs = (n4 + kStageThreads - 1) / kStageThreads;
  const bool fits = dim % 4 == 0 && vecs <= 16 && aligned(x, 16) && aligned(g1, 16) && aligned(b1, 16) &&
                    aligned(g2, 16) && aligned(b2, 16) && aligned(out1, 8) && aligned(out2, 8) && staged1 &&
                    aligned(staged1, 16) && (!out2 || (staged2 && aligned(staged2, 16)));
  if (!fits) {
    launch_layernorm(x, dim, 1, dim, eps, g1, b1, out1, g2, b2, out2, dim, stream);
    return false;
  }
  auto* kernel = vecs <= 4   ? layernorm_staged_kernel<4>
                 : vecs <= 8 ? layernorm_staged_kernel<8>
                             : layernorm_staged_kernel<16>;
  launch_kernel(kernel, staged_chunks(dim), kStageThreads, 0, stream, x, dim, eps, g1, b1, out1, staged1, g2,
                b2, out2, out2 ? staged2 : nullptr);
  return true;
}

void launch_layernorm(const float* x, int ldx, int rows, int dim, float eps, const float* g1, const float* b1,
                      bf16* out1, const float* g2, const float* b2, bf16* out2, int ldo,
                      cudaStream_t stream) {
  if (rows <= 0) return;
  const int n4 = dim / 4;
  if (dim % 4 == 0 && ldx % 4 == 0 && ldo % 4 == 0 && n4 <= 4 * 1024 && aligned(x, 16) && aligned(g1, 16) &&
      aligned(b1, 16) && aligned(g2, 16) && aligned(b2, 16) && aligned(out1, 8) && aligned(out2, 8)) {
    // One row (decode): the widest block, for latency. Many rows: enough threads for <= 4 vectors each.
    const int want = rows == 1 ? n4 : (n4 + 3) / 4;
    const int t = std::min(1024, std::max(32, (want + 31) / 32 * 32));
    const int vecs = (n4 + t - 1) / t;
    auto* kernel = vecs <= 1   ? layernorm_reg_kernel<1>
                   : vecs <= 2 ? layernorm_reg_kernel<2>
                               : layernorm_reg_kernel<4>;
    launch_kernel(kernel, rows, t, 0, stream, x, ldx, dim, eps, g1, b1, out1, g2, b2, out2, ldo);
    return;
  }
  // Otherwise the general three-pass kernel. One row gets a wide block; many rows get 256.
  int threads = rows == 1 ? 1024 : 256;
  threads = std::min(threads, std::max(32, (dim / 4 + 31) / 32 * 32));
  const bool vec = dim % 4 == 0 && ldx % 4 == 0 && (reinterpret_cast<uintptr_t>(x) % 16) == 0;
  if (vec)
    layernorm_kernel<true><<<rows, threads, 0, stream>>>(x, ldx, dim, eps, g1, b1, out1, g2, b2, out2, ldo);
  else
    layernorm_kernel<false><<<rows, threads, 0, stream>>>(x, ldx, dim, eps, g1, b1, out1, g2, b2, out2, ldo);
  FALCON_CHECK_LAUNCH("layernorm_kernel");
}

}  // namespace falcon::gpu
