// Attention family, the Hopper prefill kernel (sm_90a: wgmma; head_dim 64, cache_cap a multiple
// of 64). Compiled for sm_90a only (gpu/CMakeLists.txt); attention.cu dispatches to it on
// compute capability 9.0 and keeps its mma.sync kernel for every other case.
//
// The same FlashAttention-2 loop as attention.cu's prefill, with the matrix products issued per
// warpgroup: a block is two warpgroups of 64 query rows (one head, 128 consecutive tokens), and
// for each 64-key tile a warpgroup computes S = Q K^T as four wgmma m64n64k16 (Q from registers,
// K from shared memory) and O += P V as four more (P from registers, V from shared memory read
// N-major). One wgmma replaces the 16 mma.sync, and their operand traffic through the register
// file, that the same 64 x 64 x 16 product takes warp by warp. The softmax between them is
// attention_common.cuh's, as the accumulator gives each warp its 16 rows in the mma.sync layout.
//
// K and V tiles are staged with cp.async, double-buffered, in the 128-byte swizzle that wgmma
// reads (row r of 128 bytes: its 16-byte chunk c at chunk c ^ (r & 7)), so the copies and the
// tensor cores' reads are both free of bank conflicts.
#include <cstdint>

#include "gpu/kernels/attention_common.cuh"
#include "gpu/kernels/common.cuh"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {
namespace {
using namespace attn;

constexpr int kHD = 64;
constexpr int kWarpgroups = 2;
constexpr int kThreads = kWarpgroups * 128;
constexpr int kBlockRows = kWarpgroups * 64;
constexpr int kTileBytes = kTile * kHD * 2;  // 64 keys x 128 bytes
constexpr int kStages = 2;
// Two stages of K and V, and room to align the first tile to the 1024-byte swizzle pattern.
constexpr size_t kSmemBytes = size_t{kStages} * 2 * kTileBytes + 1024;

#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
#define FALCON_WGMMA_DEVICE 1

// A shared-memory matrix descriptor for a tile of 128-byte rows in the 128-byte swizzle:
// start address, leading byte offset (unused by this swizzle; 1 as the encoding expects),
// stride byte offset = 1024 (from one group of 8 rows to the next), swizzle mode 1 (128B).
__device__ __forceinline__ uint64_t sw128_desc(uint32_t smem_addr) {
  return (uint64_t{(smem_addr & 0x3FFFFu) >> 4}) | (uint64_t{1} << 16) | (uint64_t{1024 >> 4} << 32) |
         (uint64_t{1} << 62);
}

__device__ __forceinline__ void wgmma_fence() {
  asm volatile("wgmma.fence.sync.aligned;" ::: "memory");
}
__device__ __forceinline__ void wgmma_commit() {
  asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory");
}
__device__ __forceinline__ void wgmma_wait_all() {
  asm volatile("wgmma.wait_group.sync.aligned 0;" ::: "memory");
}
// Ties an accumulator register to the surrounding asm statements, so that the compiler neither
// reads it before the wait nor writes it after the fence in another order.
__device__ __forceinline__ void fence_regs(float (&d)[8][4]) {
#pragma unroll
  for (int j = 0; j < 8; ++j)
#pragma unroll
    for (int e = 0; e < 4; ++e) asm volatile("" : "+f"(d[j][e])::"memory");
}

// D (64 x 64, fp32; this thread's 32 values) = A (64 x 16 bf16, registers) x B (16 x 64 bf16 in
// shared memory, descriptor b) + (accumulate ? D : 0). kTransB: B is stored N-major (V: rows of
// keys, the 64 output columns contiguous); otherwise K-major (K: rows of keys, the reduction
// dimension contiguous).
template <int kTransB>
__device__ __forceinline__ void wgmma_m64n64k16(float (&d)[8][4], const uint32_t (&a)[4], uint64_t b,
                                                int accumulate) {
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %37, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 "
      "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}, "
      "{%32, %33, %34, %35}, %36, p, 1, 1, %38;\n}\n"
      : "+f"(d[0][0]), "+f"(d[0][1]), "+f"(d[0][2]), "+f"(d[0][3]), "+f"(d[1][0]), "+f"(d[1][1]),
        "+f"(d[1][2]), "+f"(d[1][3]), "+f"(d[2][0]), "+f"(d[2][1]), "+f"(d[2][2]), "+f"(d[2][3]),
        "+f"(d[3][0]), "+f"(d[3][1]), "+f"(d[3][2]), "+f"(d[3][3]), "+f"(d[4][0]), "+f"(d[4][1]),
        "+f"(d[4][2]), "+f"(d[4][3]), "+f"(d[5][0]), "+f"(d[5][1]), "+f"(d[5][2]), "+f"(d[5][3]),
        "+f"(d[6][0]), "+f"(d[6][1]), "+f"(d[6][2]), "+f"(d[6][3]), "+f"(d[7][0]), "+f"(d[7][1]),
        "+f"(d[7][2]), "+f"(d[7][3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(b), "r"(accumulate), "n"(kTransB));
}

__device__ __forceinline__ void fence_proxy_async_smem() {
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
}
#endif

struct WgmmaArgs {
  AttnArgs a;
  int rows = 0;
  int pos0 = 0;
};

__global__ void __launch_bounds__(kThreads, 2) attention_wgmma_prefill_kernel(WgmmaArgs ka) {
#ifdef FALCON_WGMMA_DEVICE
  extern __shared__ __align__(16) unsigned char smem_raw[];
  // The swizzle is a function of the address bits: tiles start on 1024-byte boundaries.
  const uint32_t smem_base = (static_cast<uint32_t>(__cvta_generic_to_shared(smem_raw)) + 1023u) & ~1023u;
  const AttnArgs& a = ka.a;
  pdl_wait();
  pdl_trigger();
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int wg = warp >> 2, wwarp = warp & 3;  // warpgroup, warp within it
  const int G = a.shape.num_heads / a.shape.num_kv;
  // Heads fastest over the grid, row blocks from the last (the most keys) to the first.
  const int hq = blockIdx.x, rb = gridDim.y - 1 - blockIdx.y, kvh = hq / G;
  const int wg_first = rb * kBlockRows + wg * 64;  // this warpgroup's first row
  const int first = wg_first + wwarp * 16;         // this warp's
  int tok[2], head[2], qpos[2];
  bool valid[2];
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    tok[h] = first + g + 8 * h;
    valid[h] = tok[h] < ka.rows;
    head[h] = hq;
    qpos[h] = ka.pos0 + (valid[h] ? tok[h] : 0);
  }
  const int key_end = ka.pos0 + min(ka.rows, (rb + 1) * kBlockRows);
  // Warpgroup-uniform: wgmma is issued by all four warps together.
  const bool wg_any = wg_first < ka.rows;
  const int wg_lo = ka.pos0 + wg_first, wg_hi = ka.pos0 + min(ka.rows - 1, wg_first + 63);

  uint32_t qa[kHD / 16][4];
  load_q_tile<kHD>(qa, a, tok, head, valid, qpos, t);
  const float slope0 = a.slopes ? a.slopes[hq] : 0.f;
  const float slope[2] = {slope0, slope0};
  float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.f, 0.f};
  float o[kHD / 8][4];
#pragma unroll
  for (int n = 0; n < kHD / 8; ++n) o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.f;
  const float scale_log2 = 1.4426950408889634f * rsqrtf(static_cast<float>(kHD));
  const bool alibi = a.slopes != nullptr;

  const bf16* kbase = a.k_cache + static_cast<size_t>(kvh) * a.shape.cache_cap * kHD;
  const bf16* vbase = a.v_cache + static_cast<size_t>(kvh) * a.shape.cache_cap * kHD;
  const int tiles = (key_end + kTile - 1) / kTile;
  // Stage s: K at smem_base + (2s) * kTileBytes, V at + (2s + 1) * kTileBytes.
  auto load_tile = [&](int tile, int stage) {
    constexpr int kChunks = kTile * kHD / 8;  // 16-byte chunks per K (or V) tile: 512
#pragma unroll
    for (int i = 0; i < kChunks / kThreads; ++i) {
      const int c = i * kThreads + static_cast<int>(threadIdx.x);
      const int r = c >> 3, ch = c & 7;
      const size_t src = (static_cast<size_t>(tile) * kTile + r) * kHD + ch * 8;
      const uint32_t off = static_cast<uint32_t>(r * 128 + ((ch ^ (r & 7)) << 4));
      const uint32_t kd = smem_base + (2 * stage) * kTileBytes + off;
      cp_async16(kd, kbase + src);
      cp_async16(kd + kTileBytes, vbase + src);
    }
    cp_async_commit();
  };

  if (tiles > 0) load_tile(0, 0);
  for (int it = 0; it < tiles; ++it) {
    const int stage = it & 1;
    if (it + 1 < tiles) {
      load_tile(it + 1, stage ^ 1);
      cp_async_wait<1>();
    } else {
      cp_async_wait<0>();
    }
    fence_proxy_async_smem();  // the copies (generic proxy) before wgmma's reads (async proxy)
    __syncthreads();
    const int kb = it * kTile;
    if (wg_any && kb <= wg_hi) {
      const uint32_t k_addr = smem_base + (2 * stage) * kTileBytes, v_addr = k_addr + kTileBytes;
      float s[8][4];
      wgmma_fence();
#pragma unroll
      for (int kk = 0; kk < kHD / 16; ++kk)  // 16 dims = 32 bytes further along each K row
        wgmma_m64n64k16<0>(s, qa[kk], sw128_desc(k_addr + kk * 32), kk > 0);
      wgmma_commit();
      wgmma_wait_all();
      fence_regs(s);
      uint32_t pa[4][4];
      if (kb + kTile - 1 <= wg_lo)
        online_softmax_tile<kHD, false>(s, m, l, o, qpos, slope, kb, alibi, scale_log2, t, pa);
      else
        online_softmax_tile<kHD, true>(s, m, l, o, qpos, slope, kb, alibi, scale_log2, t, pa);
      fence_regs(o);
      wgmma_fence();
#pragma unroll
      for (int kk2 = 0; kk2 < 4; ++kk2)  // 16 keys = two 1024-byte groups of 8 V rows further
        wgmma_m64n64k16<1>(o, pa[kk2], sw128_desc(v_addr + kk2 * 2048), 1);
      wgmma_commit();
      wgmma_wait_all();
      fence_regs(o);
    }
    __syncthreads();  // the stage is refilled by the next iteration's copies
  }

#pragma unroll
  for (int h = 0; h < 2; ++h) {
    l[h] += __shfl_xor_sync(0xffffffffu, l[h], 1);
    l[h] += __shfl_xor_sync(0xffffffffu, l[h], 2);
  }
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    if (!valid[h]) continue;
    const float inv = l[h] > 0.f ? 1.f / l[h] : 0.f;
    bf16* op = a.out + static_cast<size_t>(tok[h]) * a.ldo + hq * kHD + 2 * t;
#pragma unroll
    for (int n = 0; n < kHD / 8; ++n)
      *reinterpret_cast<uint32_t*>(op + n * 8) = float2_to_bf16x2(o[n][2 * h] * inv, o[n][2 * h + 1] * inv);
  }
#else
  __trap();  // compiled for sm_90a only; launched only there
#endif
}

}  // namespace

void prepare_attention_wgmma() {
  FALCON_CUDA_CHECK(cudaFuncSetAttribute(attention_wgmma_prefill_kernel,
                                         cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         static_cast<int>(kSmemBytes)));
}

// Called by launch_attention_prefill once attention_wgmma_usable() has accepted the shape.
void launch_attention_prefill_wgmma(const AttnArgs& a, int rows, int pos0, cudaStream_t stream) {
  WgmmaArgs ka;
  ka.a = a;
  ka.rows = rows;
  ka.pos0 = pos0;
  cudaStreamCaptureStatus capturing = cudaStreamCaptureStatusNone;
  FALCON_CUDA_CHECK(cudaStreamIsCapturing(stream, &capturing));
  if (capturing == cudaStreamCaptureStatusNone)
    prepare_attention_wgmma();  // inside a capture prepare_attention() did it
  launch_kernel(attention_wgmma_prefill_kernel,
                dim3(a.shape.num_heads, (rows + kBlockRows - 1) / kBlockRows, 1), kThreads, kSmemBytes,
                stream, ka);
}

}  // namespace falcon::gpu
