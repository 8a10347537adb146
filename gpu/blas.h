#pragma once
// cuBLAS wrapper for the prefill GEMMs, in the engine's row-major terms.
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

namespace falcon::gpu {

class Blas {
 public:
  // workspace: device memory cuBLAS may use (Hopper kernels want up to 32 MiB); owned by the caller.
  Blas(cudaStream_t stream, void* workspace, size_t workspace_bytes);
  ~Blas();
  Blas(const Blas&) = delete;
  Blas& operator=(const Blas&) = delete;

  // Y (rows, n) = A (rows, k) W^T (+ beta * Y), W (n, k) row-major with row stride ldw, A with
  // stride lda, Y with stride ldy. Y is bf16 (y_f32 = false, beta must be 0) or fp32 (residual
  // adds: beta = 1). fp32 accumulation on the tensor cores.
  void gemm(const __nv_bfloat16* a, int lda, int rows, const __nv_bfloat16* w, int ldw, int n, int k, void* y,
            int ldy, bool y_f32, float beta);

 private:
  cublasHandle_t handle_ = nullptr;
};

}  // namespace falcon::gpu
