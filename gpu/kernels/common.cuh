#pragma once
// Small device helpers shared by the kernel families: bf16 packing, warp/block reductions,
// 16-byte loads, programmatic dependent launch. Header-only, included by the kernels' .cu files only.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "gpu/cuda_check.h"

namespace falcon::gpu {

using bf16 = __nv_bfloat16;

// Host side: query(dev) (a positive int) for the current device, asked once per device and kept
// in `cache` (one static array per caller; 0: not asked yet).
constexpr int kMaxDevicesCached = 64;
template <class Query>
int per_device_cached(std::atomic<int> (&cache)[kMaxDevicesCached], Query query) {
  int dev = 0;
  FALCON_CUDA_CHECK(cudaGetDevice(&dev));
  const bool cached = dev >= 0 && dev < kMaxDevicesCached;
  if (cached && cache[dev].load() > 0) return cache[dev].load();
  const int v = query(dev);
  if (cached) cache[dev].store(v);
  return v;
}

// Host side: blocks of `kernel` (`threads` per block, no dynamic shared memory) the current
// device holds at once, its occupancy times the multiprocessors; queried once per device.
template <class Kernel>
int resident_blocks(Kernel kernel, int threads, std::atomic<int> (&cache)[kMaxDevicesCached]) {
  return per_device_cached(cache, [&](int dev) {
    int sms = 0, blocks = 0;
    FALCON_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
    FALCON_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, kernel, threads, 0));
    return std::max(1, sms * blocks);
  });
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Sum over the whole block; `scratch` holds >= 32 floats. Every thread gets the result.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = (blockDim.x + 31) >> 5;
  v = warp_sum(v);
  __syncthreads();  // scratch may still be read by a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  float t = lane < nwarps ? scratch[lane] : 0.f;
  return warp_sum(t);
}

__device__ __forceinline__ float block_max(float v, float* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = (blockDim.x + 31) >> 5;
  v = warp_max(v);
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  float t = lane < nwarps ? scratch[lane] : -INFINITY;
  return warp_max(t);
}

// Two bf16 in one 32-bit word <-> two floats (low half = first element).
__device__ __forceinline__ float2 bf16x2_to_float2(uint32_t w) {
  float2 f;
  f.x = __uint_as_float(w << 16);
  f.y = __uint_as_float(w & 0xffff0000u);
  return f;
}

__device__ __forceinline__ uint32_t float2_to_bf16x2(float lo, float hi) {
  __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<uint32_t*>(&h);
}

// 16-byte load that streams past L1 (weights are read once per step; keep L1 for activations).
// Not volatile: the loads have no side effects, so the compiler may batch them.
__device__ __forceinline__ uint4 load_stream16(const void* p) {
  uint4 v;
  asm("ld.global.nc.L1::no_allocate.v4.u32 {%0,%1,%2,%3}, [%4];"
      : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
      : "l"(p));
  return v;
}

// An L2 cache policy for data read once per decode step and never again within it: its lines
// are evicted first, so a matrix streaming through L2 does not push out what is read again (x
// chunks, split-K partials, the KV cache, the residual stream). The operand of .L2::cache_hint
// loads and copies.
__device__ __forceinline__ uint64_t l2_evict_first_policy() {
  uint64_t pol;
  asm("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;" : "=l"(pol));
  return pol;
}

__device__ __forceinline__ uint4 load_cached16(const void* p) {
  return __ldg(reinterpret_cast<const uint4*>(p));
}

// 16 bytes through L2 only. For data read before pdl_wait() that an older kernel wrote: L1 is
// not coherent, and may still hold lines of what was there before.
__device__ __forceinline__ uint4 load_l2_16(const void* p) {
  return __ldcg(reinterpret_cast<const uint4*>(p));
}

// Programmatic dependent launch (sm_90+). A kernel launched with launch_kernel() may start while
// its predecessor in the stream is still running: it must call pdl_wait() before it reads anything
// the predecessor writes (or writes anything the predecessor reads). pdl_trigger() lets the next
// kernel start early; calling it first thing is safe because the next kernel waits in turn.
// Before the wait only inputs no earlier kernel writes (weights) may be touched, unless the kernel
// before it triggers only after its own wait (decode attention without a ReadySignal): then what
// the kernels before that one wrote is complete too (GemvArgs::k_ready), or signals it
// (ReadySignal, kernels.h). Elsewhere: no-ops.
__device__ __forceinline__ void pdl_trigger() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

__device__ __forceinline__ void pdl_wait() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

// The ReadySignal handshake (kernels.h): store *serial into *flag with release semantics at GPU
// scope; spin (one thread) until *flag holds *serial, with acquire semantics. serial is read
// through L2: the step's host copy wrote it after older lines may have been cached in L1.
__device__ __forceinline__ void signal_ready(unsigned* flag, const int32_t* serial) {
  const unsigned v = static_cast<unsigned>(__ldcg(serial));
  asm volatile("st.release.gpu.global.u32 [%0], %1;" ::"l"(flag), "r"(v) : "memory");
}

// Thousands of warps may wait at once on one address: they back off (256 ns doubling to 2 us)
// so that their polls do not crowd the L2 slice that holds it. The signal comes within
// microseconds in the decode step; should it not have come after 2 ms, the thread waits for the
// previous kernel to end instead (pdl_wait(); the signal's writer, or a kernel after it, ends only
// once what it vouches for is complete), so a missing signal costs time, never a hang.
__device__ __forceinline__ uint64_t global_timer_ns() {
  uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

__device__ __forceinline__ void wait_ready(const unsigned* flag, const int32_t* serial) {
  const unsigned want = static_cast<unsigned>(__ldcg(serial));
  const uint64_t t0 = global_timer_ns();
  for (unsigned ns = 256;; ns = min(2 * ns, 2048u)) {
    unsigned v;
    asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(flag) : "memory");
    if (v == want) return;
    if (global_timer_ns() - t0 > 2000000) {
      pdl_wait();
      return;
    }
    __nanosleep(ns);
  }
}

// Hint: start moving the line holding p from HBM into L2 (weights, before pdl_wait()).
__device__ __forceinline__ void prefetch_l2(const void* p) {
  asm volatile("prefetch.global.L2 [%0];" ::"l"(p));
}

// Hint: start moving bytes [p, p + n) from HBM into L2 with one instruction (sm_90+: the bulk
// copy engine; elsewhere nothing). p 16-byte aligned, n a multiple of 16.
__device__ __forceinline__ void prefetch_l2_bulk(const void* p, uint32_t n) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;" ::"l"(p), "r"(n) : "memory");
#endif
}

// Host: programmatic dependent launch is used on sm_90+ devices, on explicit streams (the legacy
// default stream keeps its plain semantics), unless FALCON_PDL=0 (for A/B benchmarks).
inline bool pdl_enabled(cudaStream_t stream) {
  static const bool supported = [] {
    const char* e = std::getenv("FALCON_PDL");
    if (e && e[0] == '0') return false;
    int dev = 0, major = 0;
    if (cudaGetDevice(&dev) != cudaSuccess ||
        cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev) != cudaSuccess)
      return false;
    return major >= 9;
  }();
  return supported && stream != nullptr;
}

// kernel<<<grid, block, smem, stream>>>(args...), with programmatic dependent launch where
// pdl_enabled(); the kernel must then follow the rules above. Throws on a bad launch.
template <class... KArgs, class... Args>
void launch_kernel(void (*kernel)(KArgs...), dim3 grid, dim3 block, size_t smem, cudaStream_t stream,
                   Args&&... args) {
  cudaLaunchAttribute attr{};
  attr.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attr.val.programmaticStreamSerializationAllowed = 1;
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = grid;
  cfg.blockDim = block;
  cfg.dynamicSmemBytes = smem;
  cfg.stream = stream;
  cfg.attrs = &attr;
  cfg.numAttrs = pdl_enabled(stream) ? 1 : 0;
  FALCON_CUDA_CHECK(cudaLaunchKernelEx(&cfg, kernel, std::forward<Args>(args)...));
}

// *p += v with acquire-release semantics at GPU scope; returns the old value. The release
// publishes what this thread wrote before (and, through a barrier before it, what the other
// threads of that barrier wrote); the acquire orders what it (then, through a barrier, they)
// reads after. One ordered atomic in place of __threadfence() + atomicAdd + __threadfence().
__device__ __forceinline__ int atomic_add_acq_rel(int* p, int v) {
  int old;
  asm volatile("atom.acq_rel.gpu.global.add.s32 %0, [%1], %2;" : "=r"(old) : "l"(p), "r"(v) : "memory");
  return old;
}

// d += A b for one mma.sync m16n8k16 with fp32 accumulation. A: four registers of bf16 pairs
// (kBf16) or fp16 pairs, b: two registers of the same type (register layouts: PTX ISA).
#define FALCON_MMA_16816(T)                        \
  "mma.sync.aligned.m16n8k16.row.col.f32." T "." T \
  ".f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "   \
  "{%0,%1,%2,%3};"
template <bool kBf16>
__device__ __forceinline__ void mma_16816(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                                          uint32_t b0, uint32_t b1) {
  if constexpr (kBf16)
    asm volatile(FALCON_MMA_16816("bf16")
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  else
    asm volatile(FALCON_MMA_16816("f16")
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}
#undef FALCON_MMA_16816

// Exact (erf) GELU, as Falcon uses.
__device__ __forceinline__ float gelu_erf(float x) {
  return 0.5f * x * (1.f + erff(x * 0.70710678118654752f));
}

}  // namespace falcon::gpu
