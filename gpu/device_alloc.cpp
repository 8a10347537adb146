// The CUDA backend's allocations and their test-only fault seam (see device_alloc.h).
#include "gpu/device_alloc.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "core/common/error.h"
#include "gpu/cuda_check.h"

namespace falcon::gpu {
namespace {

// A positive count from the environment, else 0 (no fault).
long env_count(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return 0;
  char* end = nullptr;
  errno = 0;
  const long n = std::strtol(v, &end, 10);
  return errno == 0 && end && *end == '\0' && n > 0 ? n : 0;
}

std::string size_text(size_t b) {
  char buf[48];
  if (b >= (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(b) / 1073741824.0);
  else
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / 1048576.0);
  return buf;
}

}  // namespace

FaultInjection FaultInjection::from_environment() {
  return FaultInjection(env_count("FALCON_GPU_FAIL_ALLOC"), env_count("FALCON_GPU_FAIL_FORWARD"));
}

std::string FaultInjection::alloc_note() const {
  return " (injected by FALCON_GPU_FAIL_ALLOC=" + std::to_string(fail_alloc_) + ", a test setting)";
}

std::string FaultInjection::forward_note() const {
  return " (injected by FALCON_GPU_FAIL_FORWARD=" + std::to_string(fail_forward_) + ", a test setting)";
}

void throw_out_of_memory(size_t bytes, const std::string& what, bool device, const std::string& note) {
  const std::string amount = bytes ? size_text(bytes) + " for " : "memory for ";
  std::string m;
  if (device) {
    m = "out of GPU memory: could not allocate " + amount + what;
    size_t free_b = 0, total_b = 0;
    if (cudaMemGetInfo(&free_b, &total_b) == cudaSuccess)
      m += " (" + size_text(free_b) + " of " + size_text(total_b) + " free)";
    else
      cudaGetLastError();  // the query is only for the message
    m += kOutOfMemoryAdvice;
  } else {
    m = "out of pinned host memory: could not allocate " + amount + what +
        "; close other programs or use the CPU backend";
  }
  throw Error(ErrorKind::OutOfMemory, m + note);
}

template <MemoryKind K>
OwnedBuffer<K> alloc_owned(size_t bytes, const std::string& what, FaultInjection* faults) {
  constexpr bool device = K == MemoryKind::Device;
  if (faults && faults->next_alloc_fails()) throw_out_of_memory(bytes, what, device, faults->alloc_note());
  OwnedBuffer<K> b;
  const cudaError_t st = device ? cudaMalloc(&b.p_, bytes) : cudaMallocHost(&b.p_, bytes);
  if (st == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // not sticky: clear it so the context stays usable
    throw_out_of_memory(bytes, what, device);
  }
  if (st != cudaSuccess) throw_cuda_error(st, device ? "cudaMalloc" : "cudaMallocHost", __FILE__, __LINE__);
  b.bytes_ = bytes;
  return b;
}

template DeviceBuffer alloc_owned<MemoryKind::Device>(size_t, const std::string&, FaultInjection*);
template PinnedBuffer alloc_owned<MemoryKind::Pinned>(size_t, const std::string&, FaultInjection*);

DeviceBuffer alloc_device(size_t bytes, const std::string& what, FaultInjection* faults) {
  return alloc_owned<MemoryKind::Device>(bytes, what, faults);
}

PinnedBuffer alloc_pinned(size_t bytes, const std::string& what, FaultInjection* faults) {
  return alloc_owned<MemoryKind::Pinned>(bytes, what, faults);
}

void expect_library_alloc(const std::string& what, FaultInjection* faults) {
  if (faults && faults->next_alloc_fails()) throw_out_of_memory(0, what, true, faults->alloc_note());
}

void throw_injected_launch_failure(bool gemm, const char* call, const FaultInjection& faults, bool* armed) {
  *armed = false;
  try {
    if (gemm) throw_cublas_error(CUBLAS_STATUS_ALLOC_FAILED, call, __FILE__, __LINE__);
    throw_cuda_error(cudaErrorMemoryAllocation, call, __FILE__, __LINE__);
  } catch (const Error& e) {
    throw Error(e.kind(), e.what() + faults.forward_note());
  }
}

}  // namespace falcon::gpu
