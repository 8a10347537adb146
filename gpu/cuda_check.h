#pragma once
// Turns CUDA and cuBLAS status codes into falcon::Error with the failing call's text.
// Out-of-memory becomes ErrorKind::OutOfMemory ("out of GPU memory in <call>; <advice>") so
// callers can fall back or report it.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <string>

#include "core/common/error.h"

namespace falcon::gpu {

// What the user can do, after every out-of-GPU-memory message.
inline constexpr const char* kOutOfMemoryAdvice =
    "; close other programs that use the GPU, or use a shorter context, int8/int4 weights or the CPU "
    "backend";

[[noreturn]] void throw_cuda_error(cudaError_t status, const char* what, const char* file, int line);
[[noreturn]] void throw_cublas_error(cublasStatus_t status, const char* what, const char* file, int line);

}  // namespace falcon::gpu

#define FALCON_CUDA_CHECK(call)                                                   \
  do {                                                                            \
    cudaError_t falcon_status_ = (call);                                          \
    if (falcon_status_ != cudaSuccess)                                            \
      ::falcon::gpu::throw_cuda_error(falcon_status_, #call, __FILE__, __LINE__); \
  } while (0)

#define FALCON_CUBLAS_CHECK(call)                                                   \
  do {                                                                              \
    cublasStatus_t falcon_status_ = (call);                                         \
    if (falcon_status_ != CUBLAS_STATUS_SUCCESS)                                    \
      ::falcon::gpu::throw_cublas_error(falcon_status_, #call, __FILE__, __LINE__); \
  } while (0)

// After a kernel launch: reports a bad launch configuration at once, with the kernel's name.
#define FALCON_CHECK_LAUNCH(name) FALCON_CUDA_CHECK(cudaGetLastError())
