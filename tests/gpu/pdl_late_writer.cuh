#pragma once
// For the GEMV tests of GemvArgs::k_ready: predecessor kernels. late_writer_kernel lets the next
// kernel in its stream start at once (programmatic dependent launch), spins for `spin_us`, and
// only then writes x[from, n) from src. A GEMV launched after it that reads those columns before
// its wait reads what was there before (the tests put NaN there); one that waits reads src.
// signal_writer_kernel also holds back x[0, from) until it signals a ReadySignal.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "gpu/kernels/common.cuh"
#include "tests/gpu/gpu_test_util.h"

namespace falcon::test {

// A stream of its own, as the backend's: there (and not on the legacy default stream) a kernel
// starts before its predecessor ends (programmatic dependent launch).
inline cudaStream_t pdl_stream() {
  static cudaStream_t s = [] {
    cudaStream_t st = nullptr;
    FALCON_CUDA_CHECK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
    return st;
  }();
  return s;
}

__device__ __forceinline__ void spin_ns(uint64_t ns) {
  const uint64_t t0 = gpu::global_timer_ns();
  while (gpu::global_timer_ns() - t0 < ns) {
  }
}

__global__ void late_writer_kernel(uint16_t* x, const uint16_t* src, int from, int n, uint64_t wait_ns) {
  gpu::pdl_wait();  // after whatever came before it in the stream
  gpu::pdl_trigger();
  spin_ns(wait_ns);
  for (int i = from + static_cast<int>(threadIdx.x); i < n; i += blockDim.x) x[i] = src[i];
}

// The ReadySignal variant (kernels.h): x is all NaN until this kernel, which lets the next one
// start at once, writes x[0, from) after early_us, signals *flag = *serial, and writes x[from, n)
// after late_us more.
__global__ void signal_writer_kernel(uint16_t* x, const uint16_t* src, int from, int n, unsigned* flag,
                                     const int32_t* serial, uint64_t early_ns, uint64_t late_ns,
                                     bool signal) {
  gpu::pdl_wait();
  gpu::pdl_trigger();
  spin_ns(early_ns);
  for (int i = static_cast<int>(threadIdx.x); i < from; i += blockDim.x) x[i] = src[i];
  __threadfence();
  __syncthreads();
  if (signal && threadIdx.x == 0) gpu::signal_ready(flag, serial);
  spin_ns(late_ns);
  for (int i = from + static_cast<int>(threadIdx.x); i < n; i += blockDim.x) x[i] = src[i];
}

// signal = false: the writer never signals (a GEMV waiting for it must fall back to its end).
inline void launch_signal_writer(uint16_t* x, const uint16_t* src, int from, int n, unsigned* flag,
                                 const int32_t* serial, int early_us, int late_us, cudaStream_t stream,
                                 bool signal = true) {
  gpu::launch_kernel(signal_writer_kernel, 1, 256, 0, stream, x, src, from, n, flag, serial,
                     uint64_t(early_us) * 1000, uint64_t(late_us) * 1000, signal);
}

// Whether a kernel launched after another on `stream` starts while that one still runs (not
// under compute-sanitizer, which serializes launches, or with FALCON_PDL=0). The checks that a
// GEMV reads too early when told a lie need it; without it they cannot be made.
__global__ void overlap_first_kernel(uint64_t* t) {
  gpu::pdl_trigger();
  spin_ns(50000);
  t[0] = gpu::global_timer_ns();
}
__global__ void overlap_second_kernel(uint64_t* t) {
  t[1] = gpu::global_timer_ns();
  gpu::pdl_wait();
}
// Probed once, on pdl_stream().
inline bool launches_overlap() {
  static const bool overlap = [] {
    uint64_t* t = nullptr;
    FALCON_CUDA_CHECK(cudaMalloc(&t, 2 * sizeof(uint64_t)));
    uint64_t h[2] = {0, 0};
    for (int run = 0; run < 2; ++run) {  // the first run loads the kernels (lazy module loading)
      gpu::launch_kernel(overlap_first_kernel, 1, 32, 0, pdl_stream(), t);
      gpu::launch_kernel(overlap_second_kernel, 1, 32, 0, pdl_stream(), t);
      FALCON_CUDA_CHECK(cudaStreamSynchronize(pdl_stream()));
      FALCON_CUDA_CHECK(cudaMemcpy(h, t, sizeof h, cudaMemcpyDeviceToHost));
    }
    FALCON_CUDA_CHECK(cudaFree(t));
    return h[1] < h[0];
  }();
  return overlap;
}

// A GEMV that was told a lie (or not given the signal) read x too early: every row must hold
// the NaN that was there. Where launches do not overlap the check cannot be made: it says skip.
inline void expect_read_early(Checks& ck, const std::vector<float>& got, const std::string& what) {
  if (!launches_overlap()) {
    std::printf("skip %s: launches do not overlap here (compute-sanitizer?)\n", what.c_str());
    return;
  }
  const size_t finite = std::count_if(got.begin(), got.end(), [](float v) { return std::isfinite(v); });
  ck.expect(finite == 0, what + " (" + std::to_string(finite) + " finite rows)");
}

// How long a writer holds x back so that a GEMV streaming `weight_bytes` has read everything it
// reads early before the writer writes, on the slowest card we build for: the bytes at 0.5 TB/s,
// and never less than floor_us. (A fixed 200 us was shorter than Falcon-40B's bf16 down projection,
// 671 MB, takes on an H100, so its last blocks read the written x and the lie went unseen.)
inline int hold_us(size_t weight_bytes, int floor_us) {
  return std::max(floor_us, static_cast<int>(weight_bytes / 500000));
}

inline void launch_late_writer(uint16_t* x, const uint16_t* src, int from, int n, int spin_us,
                               cudaStream_t stream) {
  gpu::launch_kernel(late_writer_kernel, 1, 256, 0, stream, x, src, from, n, uint64_t(spin_us) * 1000);
}

}  // namespace falcon::test
