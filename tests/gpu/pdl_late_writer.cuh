#pragma once
// For the GEMV tests of GemvArgs::k_ready: a predecessor kernel that lets the next kernel in its
// stream start at once (programmatic dependent launch), spins for `spin_us`, and only then writes
// x[from, n) from src. A GEMV launched after it that reads those columns before its wait reads
// what was there before (the tests put NaN there); one that waits reads src.
#include <cuda_runtime.h>

#include <cstdint>

#include "gpu/kernels/common.cuh"

namespace falcon::test {

__device__ __forceinline__ uint64_t global_ns() {
  uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

__global__ void late_writer_kernel(uint16_t* x, const uint16_t* src, int from, int n, uint64_t spin_ns) {
  gpu::pdl_wait();  // after whatever came before it in the stream
  gpu::pdl_trigger();
  const uint64_t t0 = global_ns();
  while (global_ns() - t0 < spin_ns) {
  }
  for (int i = from + static_cast<int>(threadIdx.x); i < n; i += blockDim.x) x[i] = src[i];
}

inline void launch_late_writer(uint16_t* x, const uint16_t* src, int from, int n, int spin_us,
                               cudaStream_t stream) {
  gpu::launch_kernel(late_writer_kernel, 1, 256, 0, stream, x, src, from, n, uint64_t(spin_us) * 1000);
}

}  // namespace falcon::test
