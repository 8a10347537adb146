#include "gpu/blas.h"
#include "gpu/cuda_check.h"

namespace falcon::gpu {

Blas::Blas(cudaStream_t stream, void* workspace, size_t workspace_bytes) {
  FALCON_CUBLAS_CHECK(cublasCreate(&handle_));
  try {
    FALCON_CUBLAS_CHECK(cublasSetStream(handle_, stream));
    if (workspace) FALCON_CUBLAS_CHECK(cublasSetWorkspace(handle_, workspace, workspace_bytes));
  } catch (...) {
    cublasDestroy(handle_);
    throw;
  }
}

Blas::~Blas() {
  if (handle_) cublasDestroy(handle_);
}

void Blas::gemm(const __nv_bfloat16* a, int lda, int rows, const __nv_bfloat16* w, int ldw, int n, int k,
                void* y, int ldy, bool y_f32, float beta) {
  if (rows <= 0 || n <= 0) return;
  // Column-major view: Y^T (n, rows) = W (n, k) * A^T (k, rows); W^T is what cuBLAS sees in
  // memory, hence OP_T on it ("TN", cuBLAS's fastest layout).
  const float alpha = 1.f;
  FALCON_CUBLAS_CHECK(cublasGemmEx(handle_, CUBLAS_OP_T, CUBLAS_OP_N, n, rows, k, &alpha, w, CUDA_R_16BF, ldw,
                                   a, CUDA_R_16BF, lda, &beta, y, y_f32 ? CUDA_R_32F : CUDA_R_16BF, ldy,
                                   CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

}  // namespace falcon::gpu
