// Attention family, tensor-core path (head_dim 32, 64 or 128; cache_cap a multiple of 64), and
// the dispatch of prefills: head_dim 64 on a compute capability 9.0 device goes to the wgmma
// kernel (attention_wgmma.cu), everything else to this file's mma.sync kernel.
//
// One kernel template serves prefill and decode. A warp owns 16 query rows (an m-tile; prefill
// with head_dim <= 64: two) and runs the FlashAttention-2 inner loop on them with mma.sync
// m16n8k16 (bf16 in, fp32 accumulate): S = Q K^T for a 64-key tile, online softmax in fp32
// (the row max in raw score units, then 2^(s * scale - max * scale) as one FFMA and one MUFU),
// O += P V. K/V tiles are staged in shared memory with cp.async, double-buffered, and read with
// ldmatrix (V transposed). RoPE is applied to Q in registers when it is loaded; ALiBi is added
// to the scores; the causal mask is applied only to tiles that reach past a warp's first row,
// and tiles wholly past its last row are skipped.
//
// Prefill: the rows of a warp are consecutive tokens of one head; 4 warps = 128 tokens (64 for
// head_dim 128). Blocks run from the last row block (the most keys) to the first.
// Decode: the rows are the query heads of one KV-head group at the same position, so each KV
// tile is read once for the whole group. Blocks split the keys (grid.x), warps of a block take
// alternate tiles (key_warps), each writes an unnormalised partial (m, l, O) and the last block
// of a KV head to finish combines them (so one launch, and a replayable graph node).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <string>
#include <type_traits>

#include "gpu/cuda_check.h"
#include "gpu/kernels/attention_common.cuh"
#include "gpu/kernels/common.cuh"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {
namespace {
using namespace attn;

__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* p) {
  const uint32_t s = static_cast<uint32_t>(__cvta_generic_to_shared(p));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(s));
}

__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], const void* p) {
  const uint32_t s = static_cast<uint32_t>(__cvta_generic_to_shared(p));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(s));
}

struct KernelArgs {
  AttnArgs a;
  int rows = 0;                // prefill: tokens
  int pos0 = 0;                // prefill: position of token 0
  const int* pos = nullptr;    // decode: device position of the token
  float* workspace = nullptr;  // decode partials
  int* counters = nullptr;
};

constexpr int kPrefillWarps = 4;
constexpr int decode_key_warps(int hd) {
  return hd >= 128 ? 2 : 4;
}

// Launch geometry, fixed per head_dim at compile time so that the tile loops unroll.
// Prefill: each warp owns MT 16-row m-tiles (two for head_dim <= 64, so every K/V fragment read
// from shared memory feeds two mma; one for 128, where registers do not allow two).
// Decode: one 16-row tile (the heads of a group), KS warps taking alternate key tiles.
// (Measured on the H200, 40B heads, 2048 tokens: one m-tile per warp with 8 warps and <= 128
// registers, two blocks per SM, ran as fast as this; forcing three blocks per SM spilled and was
// slower. docs/GPU_NOTES.md, run 6.)
template <int HD, bool kDecode>
struct Geometry {
  static constexpr int MT = (!kDecode && HD <= 64) ? 2 : 1;
  static constexpr int KS = kDecode ? decode_key_warps(HD) : 1;
  static constexpr int kWarps = kDecode ? KS : kPrefillWarps;
  static constexpr int kThreads = kWarps * 32;
  static constexpr int kBlockRows = kDecode ? 16 : kWarps * MT * 16;
};

// The running state of one warp's query rows: MT m-tiles of 16 rows; this thread holds rows
// g and g + 8 of each ([mt][h]).
template <int HD, int MT>
struct WarpRows {
  uint32_t qa[MT][HD / 16][4];  // Q as mma A fragments
  float o[MT][HD / 8][4];       // O accumulators (unnormalised)
  float m[MT][2], l[MT][2];     // running max (raw score units) and sum
  int qpos[MT][2];
  float slope[MT][2];
};

// One 64-key tile for all of a warp's rows (FlashAttention-2 step): S = Q K^T, ALiBi, the causal
// mask (only when kMask: tiles wholly below the diagonal skip it), online softmax in fp32 with the
// 1/sqrt(HD)*log2(e) scale folded into one FFMA before exp2, then O += P V. Every K or V fragment
// loaded from shared memory feeds the mma of all MT m-tiles.
template <int HD, int MT, bool kMask>
__device__ __forceinline__ void attend_tile(WarpRows<HD, MT>& w, const bf16* ks_tile, const bf16* vs_tile,
                                            int kb, bool alibi, float scale_log2, int lane) {
  constexpr int kStride = HD + 8, KK = HD / 16;
  const int t = lane & 3;
  float s[MT][8][4];
#pragma unroll
  for (int mt = 0; mt < MT; ++mt)
#pragma unroll
    for (int j = 0; j < 8; ++j) s[mt][j][0] = s[mt][j][1] = s[mt][j][2] = s[mt][j][3] = 0.f;
#pragma unroll
  for (int kk = 0; kk < KK; ++kk)
#pragma unroll
    for (int jj = 0; jj < 4; ++jj) {
      uint32_t b[4];
      const int key = (2 * jj + (lane >> 4)) * 8 + (lane & 7);
      ldmatrix_x4(b, ks_tile + key * kStride + kk * 16 + ((lane >> 3) & 1) * 8);
#pragma unroll
      for (int mt = 0; mt < MT; ++mt) {
        const uint32_t(&q)[4] = w.qa[mt][kk];
        mma_16816<true>(s[mt][2 * jj], q[0], q[1], q[2], q[3], b[0], b[1]);
        mma_16816<true>(s[mt][2 * jj + 1], q[0], q[1], q[2], q[3], b[2], b[3]);
      }
    }
  uint32_t pa[MT][4][4];  // P as A fragments: [mt][16-key step][reg]
#pragma unroll
  for (int mt = 0; mt < MT; ++mt)
    online_softmax_tile<HD, kMask>(s[mt], w.m[mt], w.l[mt], w.o[mt], w.qpos[mt], w.slope[mt], kb, alibi,
                                   scale_log2, t, pa[mt]);
#pragma unroll
  for (int kk2 = 0; kk2 < 4; ++kk2)
#pragma unroll
    for (int nn = 0; nn < HD / 16; ++nn) {
      uint32_t b[4];
      const int key = kk2 * 16 + (lane & 7) + ((lane >> 3) & 1) * 8;
      ldmatrix_x4_trans(b, vs_tile + key * kStride + (2 * nn + (lane >> 4)) * 8);
#pragma unroll
      for (int mt = 0; mt < MT; ++mt) {
        const uint32_t(&p)[4] = pa[mt][kk2];
        mma_16816<true>(w.o[mt][2 * nn], p[0], p[1], p[2], p[3], b[0], b[1]);
        mma_16816<true>(w.o[mt][2 * nn + 1], p[0], p[1], p[2], p[3], b[2], b[3]);
      }
    }
}

// Decode: row r of the block's KS key-warp partials (KS x 16 records of kRec floats: max, sum,
// then the HD output columns; a record with sum 0 saw no key) merged at column c (1: the
// softmax sum, 2 + d: output column d), each weighted relative to the rows' common max, which
// is returned in m.
template <int KS, int kRec>
__device__ __forceinline__ float merge_key_warps(const float* part, int r, int c, float& m) {
  m = -INFINITY;
#pragma unroll
  for (int k = 0; k < KS; ++k)
    if (part[(k * 16 + r) * kRec + 1] > 0.f) m = fmaxf(m, part[(k * 16 + r) * kRec]);
  float v = 0.f;
#pragma unroll
  for (int k = 0; k < KS; ++k) {
    const float* pk = part + (k * 16 + r) * kRec;
    if (pk[1] > 0.f) v += exp2f(pk[0] - m) * pk[c];
  }
  return v;
}

template <int HD, bool kDecode>
__global__ void __launch_bounds__(Geometry<HD, kDecode>::kThreads) attention_mma_kernel(KernelArgs ka) {
  using Geo = Geometry<HD, kDecode>;
  constexpr int MT = Geo::MT, KS = Geo::KS, kThreads = Geo::kThreads;
  constexpr int kStride = HD + 8;  // padded smem row (bf16): 16-byte shift per row, no ldmatrix conflicts
  constexpr int kSlot = kTile * kStride;
  extern __shared__ __align__(16) unsigned char smem_raw[];
  bf16* smem = reinterpret_cast<bf16*>(smem_raw);
  const AttnArgs& a = ka.a;
  if (kDecode && a.signal.flag) pdl_trigger();  // the next kernel waits for the signal below
  if constexpr (kDecode) {
    // The cached keys and values before this position were written by earlier steps, and the
    // position before the step began: while the kernel that writes Q and the new key drains,
    // start moving this block's first round of K/V tiles into L2 (a hint; the reads after the
    // wait see the new key, as L2 is where the writes land).
    const int tiles = (*ka.pos + kTile) / kTile;
    const DecodeSplit ds = decode_split(tiles, gridDim.x, Geo::KS);
    if (static_cast<int>(blockIdx.x) < ds.splits) {
      const int t0 = blockIdx.x * ds.per_split, t1 = min(tiles, t0 + min(ds.per_split, Geo::KS));
      constexpr int kLines = kTile * HD * 2 / 128;  // 128-byte lines per K (or V) tile
      const size_t head = static_cast<size_t>(blockIdx.y) * a.shape.cache_cap * HD;
      for (int i = threadIdx.x; i < (t1 - t0) * kLines; i += kThreads) {
        const size_t off = head + static_cast<size_t>(t0) * kTile * HD + static_cast<size_t>(i) * 64;
        prefetch_l2(a.k_cache + off);
        prefetch_l2(a.v_cache + off);
      }
    }
  }
  pdl_wait();
  if (kDecode && a.signal.flag) {
    // The kernel before (the up projection) has completed: gelu(fc1) is ready.
    if (blockIdx.x == 0 && blockIdx.y == 0 && blockIdx.z == 0 && threadIdx.x == 0)
      signal_ready(a.signal.flag, a.signal.serial);
  } else {
    // Only now, so that when the next kernel starts, the one before this has completed: the
    // decode down projection works on gelu(fc1) (GemvArgs::k_ready) while this kernel runs.
    pdl_trigger();
  }
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int ks = kDecode ? warp : 0;  // decode: this warp's slot among the key warps
  const int G = a.shape.num_heads / a.shape.num_kv;

  // ---- this warp's rows; lo / hi: the lowest and highest position among its valid rows ----
  WarpRows<HD, MT> w;
  int head[MT][2], tok[MT][2];
  bool valid[MT][2];
  int kvh, key_end, lo, hi;
  bool any_row = true;
  if constexpr (kDecode) {
    const int dpos = *ka.pos;
    kvh = blockIdx.y;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int gi = blockIdx.z * Geo::kBlockRows + g + 8 * h;
      valid[0][h] = gi < G;
      head[0][h] = kvh * G + (valid[0][h] ? gi : 0);
      w.qpos[0][h] = dpos;
      tok[0][h] = 0;
    }
    key_end = dpos + 1;
    lo = hi = dpos;
  } else {
    // Heads vary fastest over the grid and the row blocks go from the last (the most keys) to
    // the first, so the longest blocks start first and the short ones fill the tail.
    const int hq = blockIdx.x, rb = gridDim.y - 1 - blockIdx.y;
    kvh = hq / G;
    const int first = rb * Geo::kBlockRows + warp * MT * 16;
#pragma unroll
    for (int mt = 0; mt < MT; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        tok[mt][h] = first + mt * 16 + g + 8 * h;
        valid[mt][h] = tok[mt][h] < ka.rows;
        head[mt][h] = hq;
        w.qpos[mt][h] = ka.pos0 + (valid[mt][h] ? tok[mt][h] : 0);
      }
    key_end = ka.pos0 + min(ka.rows, (rb + 1) * Geo::kBlockRows);
    any_row = first < ka.rows;
    lo = ka.pos0 + first;
    hi = ka.pos0 + min(ka.rows - 1, first + MT * 16 - 1);
  }

  // ---- key tiles of this block ----
  const int tiles_total = (key_end + kTile - 1) / kTile;
  int tile_begin = 0, tile_end = tiles_total;
  int splits = 1;  // decode: the blocks (key splits) that have tiles at this position
  if constexpr (kDecode) {
    const DecodeSplit ds = decode_split(tiles_total, gridDim.x, KS);
    splits = ds.splits;
    // A split with no tiles has nothing to add; the others do not count it.
    if (static_cast<int>(blockIdx.x) >= splits) return;
    tile_begin = blockIdx.x * ds.per_split;
    tile_end = min(tiles_total, tile_begin + ds.per_split);
  }

#pragma unroll
  for (int mt = 0; mt < MT; ++mt) {
    load_q_tile<HD>(w.qa[mt], a, tok[mt], head[mt], valid[mt], w.qpos[mt], t);
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      w.slope[mt][h] = a.slopes ? a.slopes[head[mt][h]] : 0.f;
      w.m[mt][h] = -INFINITY;
      w.l[mt][h] = 0.f;
    }
#pragma unroll
    for (int n = 0; n < HD / 8; ++n) w.o[mt][n][0] = w.o[mt][n][1] = w.o[mt][n][2] = w.o[mt][n][3] = 0.f;
  }
  const float scale_log2 = 1.4426950408889634f * rsqrtf(static_cast<float>(HD));
  const bool alibi = a.slopes != nullptr;

  const bf16* kbase = a.k_cache + static_cast<size_t>(kvh) * a.shape.cache_cap * HD;
  const bf16* vbase = a.v_cache + static_cast<size_t>(kvh) * a.shape.cache_cap * HD;
  const int groups = (tile_end - tile_begin + KS - 1) / KS;

  auto load_group = [&](int it, int stage) {
    constexpr int kChunks = HD / 8;  // 16-byte chunks per row
    constexpr int kTotal = KS * kTile * kChunks;
    static_assert(kTotal % kThreads == 0, "every thread copies the same number of chunks");
#pragma unroll 1  // unrolled, the hoisted addresses of every copy cost more registers than the loop
    for (int i = 0; i < kTotal / kThreads; ++i) {
      const int c = i * kThreads + static_cast<int>(threadIdx.x);
      const int slot = c / (kTile * kChunks), r = (c / kChunks) % kTile, ch = c % kChunks;
      const int tile = tile_begin + it * KS + slot;
      if (tile >= tile_end) continue;
      const size_t src = (static_cast<size_t>(tile) * kTile + r) * HD + ch * 8;
      bf16* kd = smem + ((stage * 2 + 0) * KS + slot) * kSlot + r * kStride + ch * 8;
      bf16* vd = smem + ((stage * 2 + 1) * KS + slot) * kSlot + r * kStride + ch * 8;
      cp_async16(kd, kbase + src);
      cp_async16(vd, vbase + src);
    }
    cp_async_commit();
  };

  if (groups > 0) load_group(0, 0);
  for (int it = 0; it < groups; ++it) {
    const int stage = it & 1;
    if (it + 1 < groups) {
      load_group(it + 1, stage ^ 1);
      cp_async_wait<1>();
    } else {
      cp_async_wait<0>();
    }
    __syncthreads();
    const int tile = tile_begin + it * KS + ks;
    const int kb = tile * kTile;
    // Tiles past the warp's last row are skipped; the mask is applied only where a tile reaches
    // past its first row (every key of the others is visible to every row).
    if (any_row && tile < tile_end && kb <= hi) {
      const bf16* ks_tile = smem + ((stage * 2 + 0) * KS + ks) * kSlot;
      const bf16* vs_tile = smem + ((stage * 2 + 1) * KS + ks) * kSlot;
      if (kb + kTile - 1 <= lo)
        attend_tile<HD, MT, false>(w, ks_tile, vs_tile, kb, alibi, scale_log2, lane);
      else
        attend_tile<HD, MT, true>(w, ks_tile, vs_tile, kb, alibi, scale_log2, lane);
    }
    __syncthreads();  // the stage is refilled by the next iteration's loads
  }

  // Row sums over the quad of threads sharing a row.
#pragma unroll
  for (int mt = 0; mt < MT; ++mt)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      w.l[mt][h] += __shfl_xor_sync(0xffffffffu, w.l[mt][h], 1);
      w.l[mt][h] += __shfl_xor_sync(0xffffffffu, w.l[mt][h], 2);
    }

  if constexpr (!kDecode) {
#pragma unroll
    for (int mt = 0; mt < MT; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        if (!valid[mt][h]) continue;
        const float inv = w.l[mt][h] > 0.f ? 1.f / w.l[mt][h] : 0.f;
        bf16* op = a.out + static_cast<size_t>(tok[mt][h]) * a.ldo + head[mt][h] * HD + 2 * t;
#pragma unroll
        for (int n = 0; n < HD / 8; ++n)
          *reinterpret_cast<uint32_t*>(op + n * 8) =
              float2_to_bf16x2(w.o[mt][n][2 * h] * inv, w.o[mt][n][2 * h + 1] * inv);
      }
    return;
  } else {
    // ---- decode (one 16-row tile per block): merge the block's key warps in shared memory,
    // write one partial (m, l, O unnormalised) per block, and let the last block of this KV
    // head combine the partials of all splits. Records are [m, l, O[HD]], m in log2 units.
    constexpr int kRec = HD + 2;
    float* part = reinterpret_cast<float*>(smem_raw);  // (KS, 16, kRec): the tile buffers are free now
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      float* r = part + (ks * 16 + g + 8 * h) * kRec;
      if (t == 0) {
        r[0] = w.m[0][h] * scale_log2;
        r[1] = w.l[0][h];
      }
#pragma unroll
      for (int n = 0; n < HD / 8; ++n) {
        r[2 + n * 8 + 2 * t] = w.o[0][n][2 * h];
        r[3 + n * 8 + 2 * t] = w.o[0][n][2 * h + 1];
      }
    }
    __syncthreads();
    if (splits == 1) {  // this block saw every key: normalise and write the output directly
      for (int idx = threadIdx.x; idx < 16 * HD; idx += blockDim.x) {
        const int r = idx / HD, d = idx % HD;
        const int gi = blockIdx.z * 16 + r;
        if (gi >= G) continue;
        float M;
        const float L = merge_key_warps<KS, kRec>(part, r, 1, M),
                    acc = merge_key_warps<KS, kRec>(part, r, 2 + d, M);
        a.out[(static_cast<size_t>(kvh) * G + gi) * HD + d] = __float2bfloat16(L > 0.f ? acc / L : 0.f);
      }
      return;
    }
    float* ws =
        ka.workspace + static_cast<size_t>(blockIdx.y * gridDim.z + blockIdx.z) * gridDim.x * 16 * kRec;
    for (int idx = threadIdx.x; idx < 16 * kRec; idx += blockDim.x) {
      const int r = idx / kRec, c = idx % kRec;
      float M;
      const float v = merge_key_warps<KS, kRec>(part, r, c > 0 ? c : 1, M);
      ws[(static_cast<size_t>(blockIdx.x) * 16 + r) * kRec + c] = c > 0 ? v : M;
    }
    __shared__ int is_last;
    __shared__ float wts[16][32];  // per row, the weight of each split's partial
    // The barrier orders every thread's partials before thread 0's count, whose release makes
    // them visible with it; in the last block its acquire, then the barrier, orders the other
    // splits' partials before every thread's reads (no fence per thread).
    __syncthreads();
    int* counter = ka.counters + blockIdx.y * gridDim.z + blockIdx.z;
    if (threadIdx.x == 0) is_last = atomic_add_acq_rel(counter, 1) == splits - 1;
    __syncthreads();
    if (!is_last) return;
    const int active = splits;                          // <= gridDim.x <= 32: a lane per split below
    for (int r = warp; r < 16; r += blockDim.x / 32) {  // a warp per row, a lane per split
      float m = -INFINITY, l = 0.f;
      if (lane < active) {
        m = __ldcg(ws + (static_cast<size_t>(lane) * 16 + r) * kRec);
        l = __ldcg(ws + (static_cast<size_t>(lane) * 16 + r) * kRec + 1);
      }
      const float M = warp_max(l > 0.f ? m : -INFINITY);
      const float w = (lane < active && l > 0.f) ? exp2f(m - M) : 0.f;
      const float L = warp_sum(w * l);
      wts[r][lane] = L > 0.f ? w / L : 0.f;
    }
    __syncthreads();
    for (int idx = threadIdx.x; idx < 16 * HD; idx += blockDim.x) {
      const int r = idx / HD, d = idx % HD;
      const int gi = blockIdx.z * 16 + r;
      if (gi >= G) continue;
      float acc = 0.f;
#pragma unroll 8  // independent loads in flight, not one L2 round trip per split
      for (int p = 0; p < active; ++p)
        acc += wts[r][p] * __ldcg(ws + (static_cast<size_t>(p) * 16 + r) * kRec + 2 + d);
      a.out[(static_cast<size_t>(kvh) * G + gi) * HD + d] = __float2bfloat16(acc);
    }
    if (threadIdx.x == 0) *counter = 0;  // ready for the next step (graph replay)
  }
}

template <int HD, bool kDecode>
constexpr size_t smem_bytes() {  // two stages of K and V tiles, one per key warp
  return size_t{2} * 2 * Geometry<HD, kDecode>::KS * kTile * (HD + 8) * sizeof(bf16);
}

template <int HD, bool kDecode>
void launch_mma(const KernelArgs& ka, dim3 grid, cudaStream_t stream) {
  constexpr size_t smem = smem_bytes<HD, kDecode>();
  cudaStreamCaptureStatus capturing = cudaStreamCaptureStatusNone;
  FALCON_CUDA_CHECK(cudaStreamIsCapturing(stream, &capturing));
  if (capturing == cudaStreamCaptureStatusNone)  // inside a capture prepare_attention() did it
    FALCON_CUDA_CHECK(cudaFuncSetAttribute(attention_mma_kernel<HD, kDecode>,
                                           cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           static_cast<int>(smem)));
  launch_kernel(attention_mma_kernel<HD, kDecode>, grid, Geometry<HD, kDecode>::kThreads, smem, stream, ka);
}

// Calls f(std::integral_constant<int, HD>) for a head_dim the tensor-core kernels support.
template <class F>
void with_head_dim(int hd, F&& f) {
  switch (hd) {
    case 32:
      return f(std::integral_constant<int, 32>{});
    case 64:
      return f(std::integral_constant<int, 64>{});
    case 128:
      return f(std::integral_constant<int, 128>{});
    default:
      throw Error(ErrorKind::Other, "attention: no tensor-core kernel for head_dim " + std::to_string(hd));
  }
}

template <int HD>
void prepare_hd() {
  FALCON_CUDA_CHECK(cudaFuncSetAttribute(attention_mma_kernel<HD, true>,
                                         cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         static_cast<int>(smem_bytes<HD, true>())));
  FALCON_CUDA_CHECK(cudaFuncSetAttribute(attention_mma_kernel<HD, false>,
                                         cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         static_cast<int>(smem_bytes<HD, false>())));
}

}  // namespace

bool attention_mma_supported(const AttnShape& s) {
  return (s.head_dim == 32 || s.head_dim == 64 || s.head_dim == 128) && s.cache_cap % kTile == 0 &&
         s.num_kv > 0 && s.num_heads % s.num_kv == 0;
}

#ifdef FALCON_HAVE_WGMMA
// attention_wgmma.cu (built for sm_90a)
void prepare_attention_wgmma();
void launch_attention_prefill_wgmma(const AttnArgs& a, int rows, int pos0, cudaStream_t stream);
#endif

bool attention_wgmma_usable(const AttnShape& s) {
#ifdef FALCON_HAVE_WGMMA
  if (s.head_dim != 64 || !attention_mma_supported(s)) return false;
  static std::atomic<int> cc[kMaxDevicesCached];  // compute capability major * 10 + minor
  const int v = per_device_cached(cc, [](int dev) {
    int major = 0, minor = 0;
    FALCON_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev));
    FALCON_CUDA_CHECK(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, dev));
    return major * 10 + minor;
  });
  return v == 90;  // sm_90a code runs on 9.0 only
#else
  (void)s;
  return false;
#endif
}

void prepare_attention(int head_dim) {
  if (head_dim == 32) prepare_hd<32>();
  if (head_dim == 64) prepare_hd<64>();
#ifdef FALCON_HAVE_WGMMA
  if (head_dim == 64 && attention_wgmma_usable(AttnShape{1, 1, 64, kTile})) prepare_attention_wgmma();
#endif
  if (head_dim == 128) prepare_hd<128>();
}

// attention_generic.cu
void launch_attention_generic(const AttnArgs& a, int rows, int pos0, const int* pos, cudaStream_t stream);

void launch_attention_prefill(const AttnArgs& a, int rows, int pos0, cudaStream_t stream,
                              PrefillAttnKernel kernel) {
  if (rows <= 0) return;
  if (kernel == PrefillAttnKernel::Auto) {
    static const bool mma_asked = [] {
      const char* e = std::getenv("FALCON_PREFILL_ATTN");
      return e && std::string(e) == "mma";
    }();
    kernel =
        !mma_asked && attention_wgmma_usable(a.shape) ? PrefillAttnKernel::Wgmma : PrefillAttnKernel::Mma;
  }
  if (kernel == PrefillAttnKernel::Wgmma) {
    if (!attention_wgmma_usable(a.shape))
      throw Error(ErrorKind::Other,
                  "attention: the wgmma prefill kernel cannot run this shape on this device");
#ifdef FALCON_HAVE_WGMMA
    launch_attention_prefill_wgmma(a, rows, pos0, stream);
#endif
    return;
  }
  if (!attention_mma_supported(a.shape)) {
    launch_attention_generic(a, rows, pos0, nullptr, stream);
    return;
  }
  KernelArgs ka;
  ka.a = a;
  ka.rows = rows;
  ka.pos0 = pos0;
  with_head_dim(a.shape.head_dim, [&](auto hd) {
    constexpr int HD = decltype(hd)::value, kRows = Geometry<HD, false>::kBlockRows;
    launch_mma<HD, false>(ka, dim3(a.shape.num_heads, (rows + kRows - 1) / kRows, 1), stream);
  });
}

DecodePlan plan_decode_attention(const AttnShape& s, int max_keys, int sm_count) {
  DecodePlan p;
  if (!attention_mma_supported(s)) {
    p.fallback = true;
    return p;
  }
  // One 16-head tile per block (groups of more than 16 heads get several blocks, which re-read
  // the KV slice from L2), warps taking alternate key tiles, and at most 32 key splits so that
  // the final combine is one warp-wide step per row.
  const int G = s.num_heads / s.num_kv;
  p.rows_tiles = 1;
  p.row_blocks = (G + 15) / 16;
  p.key_warps = decode_key_warps(s.head_dim);
  const int key_tiles = std::max(1, (max_keys + kTile - 1) / kTile);
  const int max_splits = std::max(1, std::min(32, key_tiles / p.key_warps));
  // Blocks per SM to aim for (waves of one block per SM: the kernel's shared memory allows one).
  // One wave: fewer, fuller splits beat two waves on the H200 (40B decode 47.0 -> 47.7 tok/s at
  // 512 tokens, 44.6 -> 45.7 at 8192; docs/GPU_NOTES.md, run 3). FALCON_DECODE_ATTN_WAVES
  // overrides it for A/B benchmarks.
  int waves = 1;
  if (const char* e = std::getenv("FALCON_DECODE_ATTN_WAVES")) waves = std::max(1, std::min(8, std::atoi(e)));
  const int want = (waves * sm_count + s.num_kv * p.row_blocks - 1) / (s.num_kv * p.row_blocks);
  p.splits = std::max(1, std::min(want, max_splits));
  return p;
}

size_t decode_workspace_bytes(const AttnShape& s, const DecodePlan& p) {
  if (p.fallback) return 0;
  return static_cast<size_t>(s.num_kv) * p.row_blocks * p.splits * 16 * (s.head_dim + 2) * sizeof(float);
}

int decode_counter_count(const AttnShape& s, const DecodePlan& p) {
  return p.fallback ? 0 : s.num_kv * p.row_blocks;
}

void launch_attention_decode(const AttnArgs& a, const int* pos, const DecodePlan& plan, float* workspace,
                             int* counters, cudaStream_t stream) {
  if (plan.fallback) {
    launch_attention_generic(a, 1, 0, pos, stream);
    return;
  }
  KernelArgs ka;
  ka.a = a;
  ka.pos = pos;
  if (plan.rows_tiles != 1 || plan.key_warps != decode_key_warps(a.shape.head_dim))
    throw Error(ErrorKind::Other, "attention: the decode plan was not made by plan_decode_attention");
  ka.workspace = workspace;
  ka.counters = counters;
  with_head_dim(a.shape.head_dim, [&](auto hd) {
    launch_mma<decltype(hd)::value, true>(ka, dim3(plan.splits, a.shape.num_kv, plan.row_blocks), stream);
  });
}

}  // namespace falcon::gpu
