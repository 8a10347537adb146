#pragma once
// cuBLAS wrapper for the prefill GEMMs, in the engine's row-major terms, with an optional
// autotuning pass: for a GEMM shape, time cuBLAS's default against the algorithms cuBLASLt's
// heuristic offers and remember the fastest for every later call of that shape.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <map>
#include <tuple>

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
  // adds: beta = 1). fp32 accumulation on the tensor cores. Runs the algorithm tune() chose for
  // this shape and row bucket, if any, else cuBLAS's default.
  void gemm(const __nv_bfloat16* a, int lda, int rows, const __nv_bfloat16* w, int ldw, int n, int k, void* y,
            int ldy, bool y_f32, float beta);

  // Times this GEMM with cuBLAS's default and with each cuBLASLt heuristic candidate (a few runs
  // each, after one warm-up; Y is overwritten, and with beta = 1 accumulates, so the buffers must
  // be scratch) and remembers the fastest, if it beats the default by 3% or more, for the row bucket of
  // `rows` (calls with rows in (bucket / 2, bucket], bucket = the power of two >= rows). Synchronizes the
  // stream. Returns the kept candidate's time over cuBLAS's default time (1 when the default stays). force >=
  // 0 (tests): keep candidates()[force] whatever the times, if it exists and runs.
  double tune(const __nv_bfloat16* a, int lda, int rows, const __nv_bfloat16* w, int ldw, int n, int k,
              void* y, int ldy, bool y_f32, float beta, int force = -1);
  int tuned_shapes() const { return static_cast<int>(tuned_.size()); }

  // The algorithms cuBLASLt's heuristic offers for this GEMM (best guess first; those needing more
  // workspace than this Blas has are left out), at most max of them into out; returns how many.
  // With gemm_with, one GEMM with one of them: false when it does not launch for this shape. For
  // tune() and for benchmarks. (An array, not a std::vector: nvcc 13's front end fails on
  // std::vector<cublasLtMatmulAlgo_t> in the .cu files that include this.)
  int candidates(int lda, int rows, int ldw, int n, int k, int ldy, bool y_f32, cublasLtMatmulAlgo_t* out,
                 int max);
  bool gemm_with(const cublasLtMatmulAlgo_t& algo, const __nv_bfloat16* a, int lda, int rows,
                 const __nv_bfloat16* w, int ldw, int n, int k, void* y, int ldy, bool y_f32, float beta);

 private:
  struct Key {
    int n, k, bucket, lda, ldw, ldy;
    bool y_f32, accumulate;
    // (Not a defaulted operator<=>: nvcc 13's front end fails on it.)
    bool operator<(const Key& o) const {
      return std::tie(n, k, bucket, lda, ldw, ldy, y_f32, accumulate) <
             std::tie(o.n, o.k, o.bucket, o.lda, o.ldw, o.ldy, o.y_f32, o.accumulate);
    }
  };
  struct Lt;  // the cuBLASLt descriptors of one call (blas.cpp)
  static Key key_of(int lda, int rows, int ldw, int n, int k, int ldy, bool y_f32, float beta);
  void gemm_default(const __nv_bfloat16* a, int lda, int rows, const __nv_bfloat16* w, int ldw, int n, int k,
                    void* y, int ldy, bool y_f32, float beta);

  cudaStream_t stream_ = nullptr;
  void* workspace_ = nullptr;
  size_t workspace_bytes_ = 0;
  cublasHandle_t handle_ = nullptr;
  cublasLtHandle_t lt_ = nullptr;
  std::map<Key, cublasLtMatmulAlgo_t> tuned_;  // shapes where a cuBLASLt algorithm beat the default
};

}  // namespace falcon::gpu
