#include "gpu/cuda_check.h"

namespace falcon::gpu {

namespace {

// Where a CUDA/cuBLAS error that is a bug came from, relative to the source tree ("gpu/x.cu:12"),
// not the build machine's absolute path.
std::string location(const char* what, const char* file, int line) {
  std::string f = file;
  const size_t at = f.rfind("/gpu/");
  if (at != std::string::npos) f.erase(0, at + 1);
  return std::string(what) + " (" + f + ":" + std::to_string(line) + ")";
}

}  // namespace

// Out of memory is the user's situation, not a bug: the message names the step and what to do,
// without a source location.
void throw_cuda_error(cudaError_t status, const char* what, const char* file, int line) {
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // not a sticky error: clear it so the context stays usable
    throw Error(ErrorKind::OutOfMemory, std::string("out of GPU memory in ") + what + kOutOfMemoryAdvice);
  }
  const std::string where = location(what, file, line);
  throw Error(ErrorKind::Other, std::string("CUDA error: ") + cudaGetErrorString(status) + " in " + where);
}

void throw_cublas_error(cublasStatus_t status, const char* what, const char* file, int line) {
  if (status == CUBLAS_STATUS_ALLOC_FAILED)
    throw Error(ErrorKind::OutOfMemory,
                std::string("out of GPU memory: cuBLAS could not allocate in ") + what + kOutOfMemoryAdvice);
  const std::string where = location(what, file, line);
  throw Error(ErrorKind::Other, std::string("cuBLAS error ") + cublasGetStatusName(status) + " in " + where);
}

}  // namespace falcon::gpu
