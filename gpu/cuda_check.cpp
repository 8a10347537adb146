#include "gpu/cuda_check.h"

namespace falcon::gpu {

void throw_cuda_error(cudaError_t status, const char* what, const char* file, int line) {
  std::string message = std::string("CUDA error: ") + cudaGetErrorString(status) + " in " + what + " (" +
                        file + ":" + std::to_string(line) + ")";
  const bool oom = status == cudaErrorMemoryAllocation;
  if (oom) cudaGetLastError();  // clear the sticky-free error so the context stays usable
  throw Error(oom ? ErrorKind::OutOfMemory : ErrorKind::Other, message);
}

void throw_cublas_error(cublasStatus_t status, const char* what, const char* file, int line) {
  std::string message = std::string("cuBLAS error ") + cublasGetStatusName(status) + " in " + what + " (" +
                        file + ":" + std::to_string(line) + ")";
  throw Error(status == CUBLAS_STATUS_ALLOC_FAILED ? ErrorKind::OutOfMemory : ErrorKind::Other, message);
}

}  // namespace falcon::gpu
