#pragma once
// Internal to falcon_gpu: every allocation the CUDA backend makes (its device arena, pinned
// host buffers, the weight-upload and quantization-cache staging buffers, the cuBLAS handle and
// the decode graph) goes through here, so that
//  - running out of memory always gives one Error(OutOfMemory) that says what could not be
//    allocated, how much, what is free and what to try;
//  - the buffers are owned (RAII): when a later step of a load fails, nothing stays allocated;
//  - a test can make exactly one of them fail (FaultInjection below).
#include <cuda_runtime.h>

#include <cstddef>
#include <string>

namespace falcon::gpu {

// Test-only fault injection, read from the environment once when a backend is created (each
// backend counts for itself; no global state). docs/RELIABILITY.md ("GPU memory faults").
//   FALCON_GPU_FAIL_ALLOC=n    the n-th allocation (1-based, counted in the order the backend
//                              makes them, load first, then the decode graph at the first decode
//                              step) fails as if the device or pinned host memory were exhausted;
//   FALCON_GPU_FAIL_FORWARD=k  the k-th forward() (1-based; evict() counts as it calls forward)
//                              fails at its launch step with the out-of-memory error cuBLAS (for
//                              a prompt) or the graph launch (for one token) would report.
// Unset, empty, 0 or not a number: no fault; each check is then an integer compare.
// The message of an injected fault ends with "(injected by FALCON_GPU_FAIL_...=n, a test setting)".
class FaultInjection {
 public:
  FaultInjection() = default;
  FaultInjection(long fail_alloc, long fail_forward) : fail_alloc_(fail_alloc), fail_forward_(fail_forward) {}
  static FaultInjection from_environment();

  // Counts one allocation; true when it is the one to fail.
  bool next_alloc_fails() noexcept { return ++allocs_ == fail_alloc_; }  // never for 0: counts start at 1
  // Counts one forward(); true when it is the one to fail.
  bool next_forward_fails() noexcept { return ++forwards_ == fail_forward_; }
  std::string alloc_note() const;    // " (injected by FALCON_GPU_FAIL_ALLOC=n, a test setting)"
  std::string forward_note() const;  // same for FALCON_GPU_FAIL_FORWARD

 private:
  long fail_alloc_ = 0, fail_forward_ = 0;
  long allocs_ = 0, forwards_ = 0;
};

// Throws Error(OutOfMemory): "out of GPU memory: could not allocate 1.50 GiB for <what> (0.20 GiB
// of 139.80 GiB free); ..." (device) or "out of pinned host memory: ..." (device = false), with
// what to try. `note` is appended (the injection note, or the failing call).
[[noreturn]] void throw_out_of_memory(size_t bytes, const std::string& what, bool device,
                                      const std::string& note = {});

enum class MemoryKind { Device, Pinned };

// Memory owned by this object and freed by its destructor: device memory (cudaMalloc) or
// page-locked host memory (cudaMallocHost, for asynchronous copies; the caller makes sure no copy
// still reads or writes it when it goes: synchronize the stream first).
template <MemoryKind kKind>
class OwnedBuffer {
 public:
  OwnedBuffer() = default;
  ~OwnedBuffer() { reset(); }
  OwnedBuffer(OwnedBuffer&& o) noexcept : p_(o.p_), bytes_(o.bytes_) {
    o.p_ = nullptr;
    o.bytes_ = 0;
  }
  OwnedBuffer& operator=(OwnedBuffer&& o) noexcept {
    if (this != &o) {
      reset();
      p_ = o.p_;
      bytes_ = o.bytes_;
      o.p_ = nullptr;
      o.bytes_ = 0;
    }
    return *this;
  }
  OwnedBuffer(const OwnedBuffer&) = delete;
  OwnedBuffer& operator=(const OwnedBuffer&) = delete;
  void* get() const { return p_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(p_);
  }
  size_t bytes() const { return bytes_; }
  void reset() noexcept {
    if (p_) {
      if constexpr (kKind == MemoryKind::Device)
        cudaFree(p_);
      else
        cudaFreeHost(p_);
    }
    p_ = nullptr;
    bytes_ = 0;
  }

 private:
  template <MemoryKind K>
  friend OwnedBuffer<K> alloc_owned(size_t, const std::string&, FaultInjection*);
  void* p_ = nullptr;
  size_t bytes_ = 0;
};

using DeviceBuffer = OwnedBuffer<MemoryKind::Device>;
using PinnedBuffer = OwnedBuffer<MemoryKind::Pinned>;

// The one allocation path of both kinds (alloc_device / alloc_pinned below).
template <MemoryKind K>
OwnedBuffer<K> alloc_owned(size_t bytes, const std::string& what, FaultInjection* faults);

// `what` names the use in the user's terms ("the model (weights, KV cache, scratch)"). faults may
// be null (no injection). Out of memory → throw_out_of_memory; any other CUDA error → Error(Other).
DeviceBuffer alloc_device(size_t bytes, const std::string& what, FaultInjection* faults);
PinnedBuffer alloc_pinned(size_t bytes, const std::string& what, FaultInjection* faults);

// For memory a library allocates for us (the cuBLAS handle, a CUDA graph's executable): counts
// it as an allocation and throws as above when it is the injected one. Call it just before.
void expect_library_alloc(const std::string& what, FaultInjection* faults);

// FALCON_GPU_FAIL_FORWARD: throws the out-of-memory error the launch step `call` would report
// (cuBLAS's for a GEMM, else the CUDA runtime's) with the injection note; clears *armed first.
// Where it is called, the step's kernels before it are queued (a prefill chunk's K/V written)
// and the cache is not yet counted as grown, as with a real failure there.
[[noreturn]] void throw_injected_launch_failure(bool gemm, const char* call, const FaultInjection& faults,
                                                bool* armed);

}  // namespace falcon::gpu
