// Attention family, tensor-core path (head_dim 32, 64 or 128; cache_cap a multiple of 64).
//
// One kernel template serves prefill and decode. A warp owns 16 query rows and runs the
// FlashAttention-2 inner loop on them with mma.sync m16n8k16 (bf16 in, fp32 accumulate):
// S = Q K^T for a 64-key tile, online softmax in fp32 (exp2 with log2(e) folded into the scale),
// O += P V. K/V tiles are staged in shared memory with cp.async, double-buffered, and read with
// ldmatrix (V transposed). RoPE is applied to Q in registers when it is loaded; ALiBi is added
// to the scores; the causal mask compares each row's position with each key's.
//
// Prefill: the 16 rows of a warp are 16 consecutive tokens of one head; 4 warps = 64 tokens.
// Decode: the rows are the query heads of one KV-head group at the same position, so each KV
// tile is read once for the whole group. Blocks split the keys (grid.x), warps of a block take
// alternate tiles (key_warps), each writes an unnormalised partial (m, l, O) and the last block
// of a KV head to finish combines them (so one launch, and a replayable graph node).
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "gpu/cuda_check.h"
#include "gpu/kernels/common.cuh"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {
namespace {

constexpr int kTile = 64;  // keys per tile

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

__device__ __forceinline__ void cp_async16(void* smem, const void* gmem) {
  const uint32_t s = static_cast<uint32_t>(__cvta_generic_to_shared(smem));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(s), "l"(gmem));
}
__device__ __forceinline__ void cp_async_commit() {
  asm volatile("cp.async.commit_group;");
}
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;" ::"n"(N));
}

struct KernelArgs {
  AttnArgs a;
  int rows = 0;                // prefill: tokens
  int pos0 = 0;                // prefill: position of token 0
  const int* pos = nullptr;    // decode: device position of the token
  int rows_tiles = 1;          // 16-row tiles per block
  int key_warps = 1;           // warps taking alternate key tiles
  float* workspace = nullptr;  // decode partials
  int* counters = nullptr;
};

template <int HD, bool kDecode>
__global__ void attention_mma_kernel(KernelArgs ka) {
  constexpr int kStride = HD + 8;  // padded smem row (bf16): 16-byte shift per row, no ldmatrix conflicts
  constexpr int kSlot = kTile * kStride;
  extern __shared__ __align__(16) unsigned char smem_raw[];
  bf16* smem = reinterpret_cast<bf16*>(smem_raw);
  pdl_trigger();
  pdl_wait();
  const AttnArgs& a = ka.a;
  const int RT = ka.rows_tiles, KS = ka.key_warps;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int rt = warp % RT, ks = warp / RT;
  const int G = a.shape.num_heads / a.shape.num_kv;
  const int block_rows = RT * 16;

  // ---- this thread's two rows (g and g + 8 of the warp's tile) ----
  int head[2], qpos[2], tok[2];
  bool valid[2];
  int kvh, key_end;
  const int dpos = kDecode ? *ka.pos : 0;
  if constexpr (kDecode) {
    kvh = blockIdx.y;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int gi = blockIdx.z * block_rows + rt * 16 + g + 8 * h;
      valid[h] = gi < G;
      head[h] = kvh * G + (valid[h] ? gi : 0);
      qpos[h] = dpos;
      tok[h] = 0;
    }
    key_end = dpos + 1;
  } else {
    const int hq = blockIdx.y;
    kvh = hq / G;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      tok[h] = blockIdx.x * block_rows + rt * 16 + g + 8 * h;
      valid[h] = tok[h] < ka.rows;
      head[h] = hq;
      qpos[h] = ka.pos0 + (valid[h] ? tok[h] : 0);
    }
    key_end = ka.pos0 + min(ka.rows, static_cast<int>(blockIdx.x + 1) * block_rows);
  }

  // ---- key tiles of this block ----
  const int tiles_total = (key_end + kTile - 1) / kTile;
  int tile_begin = 0, tile_end = tiles_total;
  if constexpr (kDecode) {
    const int per_split = (tiles_total + gridDim.x - 1) / gridDim.x;
    tile_begin = min(tiles_total, static_cast<int>(blockIdx.x) * per_split);
    tile_end = min(tiles_total, tile_begin + per_split);
  }

  // ---- Q fragments, rotated in fp32 when RoPE is on ----
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
  uint32_t qa[KK][4];
#pragma unroll
  for (int kk = 0; kk < KK; ++kk) {
    qa[kk][0] = float2_to_bf16x2(qf[kk][0][0][0], qf[kk][0][0][1]);
    qa[kk][1] = float2_to_bf16x2(qf[kk][1][0][0], qf[kk][1][0][1]);
    qa[kk][2] = float2_to_bf16x2(qf[kk][0][1][0], qf[kk][0][1][1]);
    qa[kk][3] = float2_to_bf16x2(qf[kk][1][1][0], qf[kk][1][1][1]);
  }

  const float scale_log2 = 1.4426950408889634f * rsqrtf(static_cast<float>(HD));
  float slope[2] = {0.f, 0.f};
  if (a.slopes) {
    slope[0] = a.slopes[head[0]];
    slope[1] = a.slopes[head[1]];
  }

  float o[HD / 8][4];
#pragma unroll
  for (int n = 0; n < HD / 8; ++n) o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.f;
  float m_run[2] = {-INFINITY, -INFINITY}, l_run[2] = {0.f, 0.f};

  const bf16* kbase = a.k_cache + static_cast<size_t>(kvh) * a.shape.cache_cap * HD;
  const bf16* vbase = a.v_cache + static_cast<size_t>(kvh) * a.shape.cache_cap * HD;
  const int groups = (tile_end - tile_begin + KS - 1) / KS;

  auto load_group = [&](int it, int stage) {
    constexpr int kChunks = HD / 8;  // 16-byte chunks per row
    const int total = KS * kTile * kChunks;
    for (int c = threadIdx.x; c < total; c += blockDim.x) {
      const int slot = c / (kTile * kChunks), rem = c % (kTile * kChunks), r = rem / kChunks,
                ch = rem % kChunks;
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
    if (tile < tile_end) {
      const bf16* ks_tile = smem + ((stage * 2 + 0) * KS + ks) * kSlot;
      const bf16* vs_tile = smem + ((stage * 2 + 1) * KS + ks) * kSlot;
      // S = Q K^T for 64 keys: 8 n-tiles of 8 keys.
      float s[8][4];
#pragma unroll
      for (int j = 0; j < 8; ++j) s[j][0] = s[j][1] = s[j][2] = s[j][3] = 0.f;
#pragma unroll
      for (int kk = 0; kk < KK; ++kk)
#pragma unroll
        for (int jj = 0; jj < 4; ++jj) {
          uint32_t b[4];
          const int key = (2 * jj + (lane >> 4)) * 8 + (lane & 7);
          ldmatrix_x4(b, ks_tile + key * kStride + kk * 16 + ((lane >> 3) & 1) * 8);
          mma_16816<true>(s[2 * jj], qa[kk][0], qa[kk][1], qa[kk][2], qa[kk][3], b[0], b[1]);
          mma_16816<true>(s[2 * jj + 1], qa[kk][0], qa[kk][1], qa[kk][2], qa[kk][3], b[2], b[3]);
        }
      // Scale, ALiBi, mask; row maxima.
      const int kb = tile * kTile;
      float mx[2] = {-INFINITY, -INFINITY};
#pragma unroll
      for (int j = 0; j < 8; ++j)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int h = e >> 1, key = kb + j * 8 + 2 * t + (e & 1);
          float v = s[j][e];
          if (a.slopes) v += __bfloat162float(__float2bfloat16(slope[h] * static_cast<float>(key)));
          v *= scale_log2;
          if (key > qpos[h] || key >= key_end) v = -INFINITY;
          s[j][e] = v;
          mx[h] = fmaxf(mx[h], v);
        }
      float corr[2], m_use[2];
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        mx[h] = fmaxf(mx[h], __shfl_xor_sync(0xffffffffu, mx[h], 1));
        mx[h] = fmaxf(mx[h], __shfl_xor_sync(0xffffffffu, mx[h], 2));
        const float m_new = fmaxf(m_run[h], mx[h]);
        m_use[h] = m_new == -INFINITY ? 0.f : m_new;
        corr[h] = exp2f(m_run[h] - m_use[h]);
        m_run[h] = m_new;
        l_run[h] *= corr[h];
      }
#pragma unroll
      for (int n = 0; n < HD / 8; ++n) {
        o[n][0] *= corr[0];
        o[n][1] *= corr[0];
        o[n][2] *= corr[1];
        o[n][3] *= corr[1];
      }
#pragma unroll
      for (int j = 0; j < 8; ++j)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const float p = exp2f(s[j][e] - m_use[e >> 1]);
          s[j][e] = p;
          l_run[e >> 1] += p;
        }
        // O += P V: P re-packed as A fragments (16 rows x 16 keys per k-step).
#pragma unroll
      for (int kk2 = 0; kk2 < 4; ++kk2) {
        uint32_t pa[4];
        pa[0] = float2_to_bf16x2(s[2 * kk2][0], s[2 * kk2][1]);
        pa[1] = float2_to_bf16x2(s[2 * kk2][2], s[2 * kk2][3]);
        pa[2] = float2_to_bf16x2(s[2 * kk2 + 1][0], s[2 * kk2 + 1][1]);
        pa[3] = float2_to_bf16x2(s[2 * kk2 + 1][2], s[2 * kk2 + 1][3]);
#pragma unroll
        for (int nn = 0; nn < HD / 16; ++nn) {
          uint32_t b[4];
          const int key = kk2 * 16 + (lane & 7) + ((lane >> 3) & 1) * 8;
          ldmatrix_x4_trans(b, vs_tile + key * kStride + (2 * nn + (lane >> 4)) * 8);
          mma_16816<true>(o[2 * nn], pa[0], pa[1], pa[2], pa[3], b[0], b[1]);
          mma_16816<true>(o[2 * nn + 1], pa[0], pa[1], pa[2], pa[3], b[2], b[3]);
        }
      }
    }
    __syncthreads();  // the stage is refilled by the next iteration's loads
  }

  // Row sums over the quad of threads sharing a row.
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    l_run[h] += __shfl_xor_sync(0xffffffffu, l_run[h], 1);
    l_run[h] += __shfl_xor_sync(0xffffffffu, l_run[h], 2);
  }

  if constexpr (!kDecode) {
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      if (!valid[h]) continue;
      const float inv = l_run[h] > 0.f ? 1.f / l_run[h] : 0.f;
      bf16* op = a.out + static_cast<size_t>(tok[h]) * a.ldo + head[h] * HD + 2 * t;
#pragma unroll
      for (int n = 0; n < HD / 8; ++n)
        *reinterpret_cast<uint32_t*>(op + n * 8) = float2_to_bf16x2(o[n][2 * h] * inv, o[n][2 * h + 1] * inv);
    }
    return;
  } else {
    // ---- decode (one 16-row tile per block): merge the block's key warps in shared memory,
    // write one partial (m, l, O unnormalised) per block, and let the last block of this KV
    // head combine the partials of all splits. Records are [m, l, O[HD]].
    constexpr int kRec = HD + 2;
    float* part = reinterpret_cast<float*>(smem_raw);  // (KS, 16, kRec): the tile buffers are free now
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      float* r = part + (ks * 16 + g + 8 * h) * kRec;
      if (t == 0) {
        r[0] = m_run[h];
        r[1] = l_run[h];
      }
#pragma unroll
      for (int n = 0; n < HD / 8; ++n) {
        r[2 + n * 8 + 2 * t] = o[n][2 * h];
        r[3 + n * 8 + 2 * t] = o[n][2 * h + 1];
      }
    }
    __syncthreads();
    float* ws =
        ka.workspace + static_cast<size_t>(blockIdx.y * gridDim.z + blockIdx.z) * gridDim.x * 16 * kRec;
    if (tile_begin < tile_end) {
      for (int idx = threadIdx.x; idx < 16 * kRec; idx += blockDim.x) {
        const int r = idx / kRec, c = idx % kRec;
        float M = -INFINITY;
        for (int k = 0; k < KS; ++k)
          if (part[(k * 16 + r) * kRec + 1] > 0.f) M = fmaxf(M, part[(k * 16 + r) * kRec]);
        float v = M;
        if (c > 0) {
          v = 0.f;
          for (int k = 0; k < KS; ++k) {
            const float* pk = part + (k * 16 + r) * kRec;
            if (pk[1] > 0.f) v += exp2f(pk[0] - M) * pk[c];
          }
        }
        ws[(static_cast<size_t>(blockIdx.x) * 16 + r) * kRec + c] = v;
      }
    }
    __shared__ int is_last;
    __shared__ float wts[16][32];  // per row, the weight of each split's partial
    __threadfence();
    __syncthreads();
    int* counter = ka.counters + blockIdx.y * gridDim.z + blockIdx.z;
    if (threadIdx.x == 0) is_last = atomicAdd(counter, 1) == static_cast<int>(gridDim.x) - 1;
    __syncthreads();
    if (!is_last) return;
    __threadfence();
    // Splits that had tiles: per_split tiles each, the first `active` (<= 32) splits.
    const int per_split = (tiles_total + gridDim.x - 1) / gridDim.x;
    const int active = per_split > 0 ? (tiles_total + per_split - 1) / per_split : 0;
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
      for (int p = 0; p < active; ++p)
        acc += wts[r][p] * __ldcg(ws + (static_cast<size_t>(p) * 16 + r) * kRec + 2 + d);
      a.out[(static_cast<size_t>(kvh) * G + gi) * HD + d] = __float2bfloat16(acc);
    }
    if (threadIdx.x == 0) *counter = 0;  // ready for the next step (graph replay)
  }
}

size_t smem_bytes(int hd, int key_warps) {
  return static_cast<size_t>(2) * 2 * key_warps * kTile * (hd + 8) * sizeof(bf16);
}

template <int HD, bool kDecode>
void launch_mma(const KernelArgs& ka, dim3 grid, cudaStream_t stream) {
  const size_t smem = smem_bytes(HD, ka.key_warps);
  cudaStreamCaptureStatus capturing = cudaStreamCaptureStatusNone;
  FALCON_CUDA_CHECK(cudaStreamIsCapturing(stream, &capturing));
  if (capturing == cudaStreamCaptureStatusNone)  // inside a capture prepare_attention() did it
    FALCON_CUDA_CHECK(cudaFuncSetAttribute(attention_mma_kernel<HD, kDecode>,
                                           cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           static_cast<int>(smem)));
  launch_kernel(attention_mma_kernel<HD, kDecode>, grid, ka.rows_tiles * ka.key_warps * 32, smem, stream, ka);
}

template <bool kDecode>
void launch_mma_hd(int hd, const KernelArgs& ka, dim3 grid, cudaStream_t stream) {
  switch (hd) {
    case 32:
      launch_mma<32, kDecode>(ka, grid, stream);
      break;
    case 64:
      launch_mma<64, kDecode>(ka, grid, stream);
      break;
    case 128:
      launch_mma<128, kDecode>(ka, grid, stream);
      break;
    default:
      throw Error(ErrorKind::Other, "attention: no tensor-core kernel for head_dim " + std::to_string(hd));
  }
}

template <int HD>
void prepare_hd() {
  const int smem = static_cast<int>(smem_bytes(HD, std::max(1, std::min(4, 256 / HD))));
  FALCON_CUDA_CHECK(cudaFuncSetAttribute(attention_mma_kernel<HD, true>,
                                         cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  FALCON_CUDA_CHECK(cudaFuncSetAttribute(attention_mma_kernel<HD, false>,
                                         cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
}

}  // namespace

void prepare_attention(int head_dim) {
  if (head_dim == 32) prepare_hd<32>();
  if (head_dim == 64) prepare_hd<64>();
  if (head_dim == 128) prepare_hd<128>();
}

// attention_generic.cu
void launch_attention_generic(const AttnArgs& a, int rows, int pos0, const int* pos, cudaStream_t stream);

bool attention_mma_supported(const AttnShape& s) {
  return (s.head_dim == 32 || s.head_dim == 64 || s.head_dim == 128) && s.cache_cap % kTile == 0 &&
         s.num_kv > 0 && s.num_heads % s.num_kv == 0;
}

void launch_attention_prefill(const AttnArgs& a, int rows, int pos0, cudaStream_t stream) {
  if (rows <= 0) return;
  if (!attention_mma_supported(a.shape)) {
    launch_attention_generic(a, rows, pos0, nullptr, stream);
    return;
  }
  KernelArgs ka;
  ka.a = a;
  ka.rows = rows;
  ka.pos0 = pos0;
  ka.rows_tiles = 4;
  ka.key_warps = 1;
  const dim3 grid((rows + 63) / 64, a.shape.num_heads, 1);
  launch_mma_hd<false>(a.shape.head_dim, ka, grid, stream);
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
  p.key_warps = std::max(1, std::min(4, 256 / s.head_dim));
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
  ka.rows_tiles = plan.rows_tiles;
  ka.key_warps = plan.key_warps;
  ka.workspace = workspace;
  ka.counters = counters;
  const dim3 grid(plan.splits, a.shape.num_kv, plan.row_blocks);
  launch_mma_hd<true>(a.shape.head_dim, ka, grid, stream);
}

}  // namespace falcon::gpu
