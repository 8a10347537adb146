// Elementwise family: embedding lookup, bias adds, bias+GELU, RoPE + KV-cache append for
// prefill, the synthetic-weight generator, and the streaming read of the read ceiling.
#include <algorithm>

#include "core/common/error.h"
#include "gpu/cuda_check.h"
#include "gpu/kernels/common.cuh"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {
namespace {

__global__ void embed_kernel(const int32_t* __restrict__ tokens, const bf16* __restrict__ table, int dim,
                             float* __restrict__ x) {
  const bf16* src = table + static_cast<size_t>(tokens[blockIdx.x]) * dim;
  float* dst = x + static_cast<size_t>(blockIdx.x) * dim;
  for (int i = threadIdx.x; i < dim; i += blockDim.x) dst[i] = __bfloat162float(src[i]);
}

__global__ void add_bias_kernel(float* __restrict__ x, int ldx, int dim, const float* __restrict__ bias) {
  float* row = x + static_cast<size_t>(blockIdx.x) * ldx;
  for (int i = threadIdx.x; i < dim; i += blockDim.x) row[i] += bias[i];
}

__global__ void bias_gelu_kernel(bf16* __restrict__ h, int ldh, int n, const float* __restrict__ bias) {
  bf16* row = h + static_cast<size_t>(blockIdx.x) * ldh;
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    float v = __bfloat162float(row[i]) + (bias ? bias[i] : 0.f);
    row[i] = __float2bfloat16(gelu_erf(v));
  }
}

// Same with 16-byte accesses (8 bf16 per thread per step), for aligned rows without bias: the
// prefill's GELU pass over (tokens, ffn) is a pure bandwidth cost.
__global__ void gelu_vec8_kernel(bf16* __restrict__ h, int ldh, int n8) {
  uint4* row = reinterpret_cast<uint4*>(h + static_cast<size_t>(blockIdx.y) * ldh);
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n8; i += gridDim.x * blockDim.x) {
    uint4 v = row[i];
    uint32_t* w = reinterpret_cast<uint32_t*>(&v);
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const float2 f = bf16x2_to_float2(w[j]);
      w[j] = float2_to_bf16x2(gelu_erf(f.x), gelu_erf(f.y));
    }
    row[i] = v;
  }
}

// One block per token. Q: bias in place. K: bias, rotate, store. V: bias, store.
__global__ void rope_append_kernel(bf16* __restrict__ qkv, int ldq, int pos0, AttnShape s,
                                   const float* __restrict__ bias, const float* __restrict__ inv_freq,
                                   bf16* __restrict__ k_cache, bf16* __restrict__ v_cache) {
  const int t = blockIdx.x, pos = pos0 + t, hd = s.head_dim;
  bf16* row = qkv + static_cast<size_t>(t) * ldq;
  const int nq = s.num_heads * hd, nkv = s.num_kv * hd;
  if (bias)
    for (int i = threadIdx.x; i < nq; i += blockDim.x)
      row[i] = __float2bfloat16(__bfloat162float(row[i]) + bias[i]);
  const bf16* k = row + nq;
  const bf16* v = k + nkv;
  const float* kb = bias ? bias + nq : nullptr;
  const float* vb = bias ? bias + nq + nkv : nullptr;
  if (inv_freq) {
    const int half = hd / 2;
    for (int idx = threadIdx.x; idx < s.num_kv * half; idx += blockDim.x) {
      const int h = idx / half, i = idx % half;
      const int e0 = h * hd + i, e1 = e0 + half;
      const float a = __bfloat162float(k[e0]) + (kb ? kb[e0] : 0.f);
      const float b = __bfloat162float(k[e1]) + (kb ? kb[e1] : 0.f);
      float sn, cs;
      sincosf(static_cast<float>(pos) * inv_freq[i], &sn, &cs);
      bf16* dst = k_cache + (static_cast<size_t>(h) * s.cache_cap + pos) * hd;
      dst[i] = __float2bfloat16(a * cs - b * sn);
      dst[i + half] = __float2bfloat16(b * cs + a * sn);
    }
  } else {
    for (int e = threadIdx.x; e < nkv; e += blockDim.x) {
      const int h = e / hd, i = e % hd;
      k_cache[(static_cast<size_t>(h) * s.cache_cap + pos) * hd + i] =
          __float2bfloat16(__bfloat162float(k[e]) + (kb ? kb[e] : 0.f));
    }
  }
  for (int e = threadIdx.x; e < nkv; e += blockDim.x) {
    const int h = e / hd, i = e % hd;
    v_cache[(static_cast<size_t>(h) * s.cache_cap + pos) * hd + i] =
        __float2bfloat16(__bfloat162float(v[e]) + (vb ? vb[e] : 0.f));
  }
}

// One block per (moved row, KV head), one thread per head_dim element: V is copied, K copied or
// (RoPE, first half of the threads) re-rotated pair by pair. Source and destination rows differ.
__global__ void kv_shift_kernel(bf16* __restrict__ k_cache, bf16* __restrict__ v_cache, int cap, int hd,
                                int src0, int dst0, const float* __restrict__ inv_freq) {
  const int src = src0 + blockIdx.x, dst = dst0 + blockIdx.x, i = threadIdx.x;
  const size_t from = (static_cast<size_t>(blockIdx.y) * cap + src) * hd;
  const size_t to = (static_cast<size_t>(blockIdx.y) * cap + dst) * hd;
  v_cache[to + i] = v_cache[from + i];
  if (!inv_freq) {
    k_cache[to + i] = k_cache[from + i];
    return;
  }
  const int half = hd / 2;
  if (i >= half) return;
  const float x = __bfloat162float(k_cache[from + i]), y = __bfloat162float(k_cache[from + i + half]);
  float s0, c0, s1, c1;
  sincosf(static_cast<float>(src) * inv_freq[i], &s0, &c0);
  sincosf(static_cast<float>(dst) * inv_freq[i], &s1, &c1);
  const float a = x * c0 + y * s0, b = y * c0 - x * s0;  // back to the unrotated pair
  k_cache[to + i] = __float2bfloat16(a * c1 - b * s1);
  k_cache[to + i + half] = __float2bfloat16(b * c1 + a * s1);
}

__device__ __forceinline__ uint64_t splitmix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Uniform in [-1, 1) from the top 24 bits of the hash of (seed, index).
__device__ __forceinline__ float hash_uniform(uint64_t seed, uint64_t i) {
  return static_cast<float>(splitmix64(seed * 0x100000001b3ull ^ i) >> 40) * (2.f / 16777216.f) - 1.f;
}

__global__ void fill_bf16_kernel(bf16* __restrict__ p, uint64_t n, uint64_t seed, float scale) {
  for (uint64_t i = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<uint64_t>(gridDim.x) * blockDim.x)
    p[i] = __float2bfloat16(scale * hash_uniform(seed, i));
}

__global__ void fill_f32_kernel(float* __restrict__ p, uint64_t n, uint64_t seed, float offset, float scale) {
  for (uint64_t i = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<uint64_t>(gridDim.x) * blockDim.x)
    p[i] = offset + scale * hash_uniform(seed, i);
}

// XOR of every 32-bit word of p (bytes a multiple of 16, p 16-byte aligned) into *sink: a
// streaming read of the whole buffer, kUnroll 16-byte loads per thread in flight, for the
// device's read ceiling (what a decode GEMV can reach). The XOR makes the loads observable and
// the result independent of the order the blocks run in.
constexpr int kReadUnroll = 4;
__global__ void read_stream_kernel(const uint4* __restrict__ p, uint64_t n16, uint32_t* __restrict__ sink) {
  __shared__ uint32_t block_x;
  if (threadIdx.x == 0) block_x = 0;
  __syncthreads();
  uint32_t x = 0;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; i < n16;
       i += stride * kReadUnroll) {
    uint4 v[kReadUnroll];
#pragma unroll
    for (int u = 0; u < kReadUnroll; ++u)
      v[u] = i + u * stride < n16 ? load_stream16(p + i + u * stride) : make_uint4(0, 0, 0, 0);
#pragma unroll
    for (int u = 0; u < kReadUnroll; ++u) x ^= v[u].x ^ v[u].y ^ v[u].z ^ v[u].w;
  }
  x = __reduce_xor_sync(0xffffffffu, x);
  if ((threadIdx.x & 31) == 0) atomicXor(&block_x, x);
  __syncthreads();
  if (threadIdx.x == 0) atomicXor(sink, block_x);
}

int threads_for(int n) {
  return std::min(256, std::max(32, (n + 31) / 32 * 32));
}

}  // namespace

void launch_embed(const int32_t* tokens, int rows, const bf16* table, int dim, float* x,
                  cudaStream_t stream) {
  if (rows <= 0) return;
  embed_kernel<<<rows, threads_for(dim), 0, stream>>>(tokens, table, dim, x);
  FALCON_CHECK_LAUNCH("embed_kernel");
}

void launch_add_bias(float* x, int ldx, int rows, int dim, const float* bias, cudaStream_t stream) {
  if (rows <= 0) return;
  add_bias_kernel<<<rows, threads_for(dim), 0, stream>>>(x, ldx, dim, bias);
  FALCON_CHECK_LAUNCH("add_bias_kernel");
}

void launch_bias_gelu(bf16* h, int ldh, int rows, int n, const float* bias, cudaStream_t stream) {
  if (rows <= 0) return;
  if (!bias && n % 8 == 0 && ldh % 8 == 0 && reinterpret_cast<uintptr_t>(h) % 16 == 0) {
    const int n8 = n / 8, threads = 256;
    const dim3 grid(std::min(8, (n8 + threads - 1) / threads), rows);
    gelu_vec8_kernel<<<grid, threads, 0, stream>>>(h, ldh, n8);
    FALCON_CHECK_LAUNCH("gelu_vec8_kernel");
    return;
  }
  bias_gelu_kernel<<<rows, threads_for(n), 0, stream>>>(h, ldh, n, bias);
  FALCON_CHECK_LAUNCH("bias_gelu_kernel");
}

void launch_kv_shift(bf16* k_cache, bf16* v_cache, const AttnShape& s, int begin, int count, int moved,
                     const float* inv_freq, cudaStream_t stream) {
  if (count <= 0 || moved <= 0) return;
  for (int r0 = 0; r0 < moved; r0 += count) {
    const int rows = std::min(count, moved - r0);
    kv_shift_kernel<<<dim3(rows, s.num_kv), s.head_dim, 0, stream>>>(
        k_cache, v_cache, s.cache_cap, s.head_dim, begin + count + r0, begin + r0, inv_freq);
    FALCON_CHECK_LAUNCH("kv_shift_kernel");
  }
}

void launch_rope_append(bf16* qkv, int ldq, int rows, int pos0, const AttnShape& s, const float* bias,
                        const float* inv_freq, bf16* k_cache, bf16* v_cache, cudaStream_t stream) {
  if (rows <= 0) return;
  rope_append_kernel<<<rows, threads_for(s.num_kv * s.head_dim), 0, stream>>>(qkv, ldq, pos0, s, bias,
                                                                              inv_freq, k_cache, v_cache);
  FALCON_CHECK_LAUNCH("rope_append_kernel");
}

void launch_fill_random_bf16(bf16* p, uint64_t n, uint64_t seed, float scale, cudaStream_t stream) {
  if (n == 0) return;
  const unsigned blocks = static_cast<unsigned>(std::min<uint64_t>((n + 255) / 256, 132ull * 64));
  fill_bf16_kernel<<<blocks, 256, 0, stream>>>(p, n, seed, scale);
  FALCON_CHECK_LAUNCH("fill_bf16_kernel");
}

void launch_fill_random_f32(float* p, uint64_t n, uint64_t seed, float offset, float scale,
                            cudaStream_t stream) {
  if (n == 0) return;
  const unsigned blocks = static_cast<unsigned>(std::min<uint64_t>((n + 255) / 256, 132ull * 64));
  fill_f32_kernel<<<blocks, 256, 0, stream>>>(p, n, seed, offset, scale);
  FALCON_CHECK_LAUNCH("fill_f32_kernel");
}

void launch_read_stream(const void* p, uint64_t bytes, uint32_t* sink, int sm_count, cudaStream_t stream) {
  if (bytes < 16) return;
  if (reinterpret_cast<uintptr_t>(p) % 16 != 0 || bytes % 16 != 0)
    throw_usage_error("read_stream: the buffer must be 16-byte aligned and a multiple of 16 bytes");
  const unsigned blocks = static_cast<unsigned>(std::max(1, sm_count) * 8);
  read_stream_kernel<<<blocks, 256, 0, stream>>>(static_cast<const uint4*>(p), bytes / 16, sink);
  FALCON_CHECK_LAUNCH("read_stream_kernel");
}

}  // namespace falcon::gpu
