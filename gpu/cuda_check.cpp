#include "gpu/cuda_check.h"

namespace falcon::gpu {

void throw_cuda_error(cudaError_t status, const char* what, const char* file, int line) {
  const std::string where = std::string(what) + " (" + file + ":" + std::to_string(line) + ")";
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // not a sticky error: clear it so the context stays usable
    throw Error(ErrorKind::OutOfMemory, "out of GPU memory in " + where + kOutOfMemoryAdvice);
  }
  throw Error(ErrorKind::Other, std::string("CUDA error: ") + cudaGetErrorString(status) + " in " + where);
}

void throw_cublas_error(cublasStatus_t status, const char* what, const char* file, int line) {
  const std::string where = std::string(what) + " (" + file + ":" + std::to_string(line) + ")";
  if (status == CUBLAS_STATUS_ALLOC_FAILED)
    throw Error(ErrorKind::OutOfMemory,
                "out of GPU memory: cuBLAS could not allocate in " + where + kOutOfMemoryAdvice);
  throw Error(ErrorKind::Other, std::string("cuBLAS error ") + cublasGetStatusName(status) + " in " + where);
}

}  // namespace falcon::gpu
