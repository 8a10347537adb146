#include "gpu/blas.h"

#include <algorithm>
#include <vector>

#include "gpu/cuda_check.h"

namespace falcon::gpu {

// Column-major view used throughout: Y^T (n, rows) = W (n, k) * A^T (k, rows); W^T is what cuBLAS
// sees in memory, hence OP_T on it ("TN", cuBLAS's fastest layout).
struct Blas::Lt {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t lw = nullptr, la = nullptr, ly = nullptr;
  Lt(int lda, int rows, int ldw, int n, int k, int ldy, bool y_f32) {
    const cublasOperation_t opt = CUBLAS_OP_T, opn = CUBLAS_OP_N;
    try {
      FALCON_CUBLAS_CHECK(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
      FALCON_CUBLAS_CHECK(
          cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &opt, sizeof opt));
      FALCON_CUBLAS_CHECK(
          cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &opn, sizeof opn));
      FALCON_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&lw, CUDA_R_16BF, k, n, ldw));
      FALCON_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&la, CUDA_R_16BF, k, rows, lda));
      FALCON_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&ly, y_f32 ? CUDA_R_32F : CUDA_R_16BF, n, rows, ldy));
    } catch (...) {
      release();
      throw;
    }
  }
  ~Lt() { release(); }
  Lt(const Lt&) = delete;
  Lt& operator=(const Lt&) = delete;
  void release() {
    if (ly) cublasLtMatrixLayoutDestroy(ly);
    if (la) cublasLtMatrixLayoutDestroy(la);
    if (lw) cublasLtMatrixLayoutDestroy(lw);
    if (desc) cublasLtMatmulDescDestroy(desc);
    ly = la = lw = nullptr;
    desc = nullptr;
  }
};

Blas::Blas(cudaStream_t stream, void* workspace, size_t workspace_bytes)
    : stream_(stream), workspace_(workspace), workspace_bytes_(workspace ? workspace_bytes : 0) {
  FALCON_CUBLAS_CHECK(cublasCreate(&handle_));
  try {
    FALCON_CUBLAS_CHECK(cublasSetStream(handle_, stream));
    if (workspace) FALCON_CUBLAS_CHECK(cublasSetWorkspace(handle_, workspace, workspace_bytes));
    FALCON_CUBLAS_CHECK(cublasLtCreate(&lt_));
  } catch (...) {
    cublasDestroy(handle_);
    throw;
  }
}

Blas::~Blas() {
  if (lt_) cublasLtDestroy(lt_);
  if (handle_) cublasDestroy(handle_);
}

Blas::Key Blas::key_of(int lda, int rows, int ldw, int n, int k, int ldy, bool y_f32, float beta) {
  int bucket = 1;
  while (bucket < rows && bucket < (1 << 30)) bucket <<= 1;
  return Key{n, k, bucket, lda, ldw, ldy, y_f32, beta != 0.f};
}

void Blas::gemm_default(const __nv_bfloat16* a, int lda, int rows, const __nv_bfloat16* w, int ldw, int n,
                        int k, void* y, int ldy, bool y_f32, float beta) {
  const float alpha = 1.f;
  FALCON_CUBLAS_CHECK(cublasGemmEx(handle_, CUBLAS_OP_T, CUBLAS_OP_N, n, rows, k, &alpha, w, CUDA_R_16BF, ldw,
                                   a, CUDA_R_16BF, lda, &beta, y, y_f32 ? CUDA_R_32F : CUDA_R_16BF, ldy,
                                   CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

void Blas::gemm(const __nv_bfloat16* a, int lda, int rows, const __nv_bfloat16* w, int ldw, int n, int k,
                void* y, int ldy, bool y_f32, float beta) {
  if (rows <= 0 || n <= 0) return;
  if (!tuned_.empty()) {
    // The algorithm was timed at the bucket's row count; gemm_with checks it supports this one.
    const auto it = tuned_.find(key_of(lda, rows, ldw, n, k, ldy, y_f32, beta));
    if (it != tuned_.end() && gemm_with(it->second, a, lda, rows, w, ldw, n, k, y, ldy, y_f32, beta)) return;
  }
  gemm_default(a, lda, rows, w, ldw, n, k, y, ldy, y_f32, beta);
}

int Blas::candidates(int lda, int rows, int ldw, int n, int k, int ldy, bool y_f32, cublasLtMatmulAlgo_t* out,
                     int max) {
  if (rows <= 0 || n <= 0 || max <= 0) return 0;
  const Lt lt(lda, rows, ldw, n, k, ldy, y_f32);
  cublasLtMatmulPreference_t pref = nullptr;
  FALCON_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref));
  std::vector<cublasLtMatmulHeuristicResult_t> cand(max);
  int found = 0;
  const uint64_t ws = workspace_bytes_;
  cublasStatus_t s =
      cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws);
  if (s == CUBLAS_STATUS_SUCCESS)
    s = cublasLtMatmulAlgoGetHeuristic(lt_, lt.desc, lt.lw, lt.la, lt.ly, lt.ly, pref, max, cand.data(),
                                       &found);
  cublasLtMatmulPreferenceDestroy(pref);
  if (s != CUBLAS_STATUS_SUCCESS) return 0;  // no candidates
  int kept = 0;
  for (int i = 0; i < found; ++i)
    if (cand[i].state == CUBLAS_STATUS_SUCCESS && cand[i].workspaceSize <= workspace_bytes_)
      out[kept++] = cand[i].algo;
  return kept;
}

bool Blas::gemm_with(const cublasLtMatmulAlgo_t& algo, const __nv_bfloat16* a, int lda, int rows,
                     const __nv_bfloat16* w, int ldw, int n, int k, void* y, int ldy, bool y_f32,
                     float beta) {
  const Lt lt(lda, rows, ldw, n, k, ldy, y_f32);
  cublasLtMatmulHeuristicResult_t check{};
  if (cublasLtMatmulAlgoCheck(lt_, lt.desc, lt.lw, lt.la, lt.ly, lt.ly, &algo, &check) !=
          CUBLAS_STATUS_SUCCESS ||
      check.workspaceSize > workspace_bytes_)
    return false;
  const float alpha = 1.f;
  return cublasLtMatmul(lt_, lt.desc, &alpha, w, lt.lw, a, lt.la, &beta, y, lt.ly, y, lt.ly, &algo,
                        workspace_, workspace_bytes_, stream_) == CUBLAS_STATUS_SUCCESS;
}

double Blas::tune(const __nv_bfloat16* a, int lda, int rows, const __nv_bfloat16* w, int ldw, int n, int k,
                  void* y, int ldy, bool y_f32, float beta, int force) {
  if (rows <= 0 || n <= 0) return 1.0;
  const Key key = key_of(lda, rows, ldw, n, k, ldy, y_f32, beta);
  tuned_.erase(key);
  cublasLtMatmulAlgo_t cand[8];
  const int found = candidates(lda, rows, ldw, n, k, ldy, y_f32, cand, 8);

  cudaEvent_t ev[2] = {nullptr, nullptr};
  FALCON_CUDA_CHECK(cudaEventCreate(&ev[0]));
  const auto destroy = [&] {
    for (cudaEvent_t e : ev)
      if (e) cudaEventDestroy(e);
  };
  // The median of kRuns timed runs after one warm-up; a candidate that fails to launch is skipped.
  constexpr int kRuns = 5;
  const auto time_ms = [&](auto&& run) -> double {
    if (!run()) return -1;
    std::vector<float> t;
    for (int i = 0; i < kRuns; ++i) {
      FALCON_CUDA_CHECK(cudaEventRecord(ev[0], stream_));
      if (!run()) return -1;
      FALCON_CUDA_CHECK(cudaEventRecord(ev[1], stream_));
      FALCON_CUDA_CHECK(cudaEventSynchronize(ev[1]));
      float ms = 0;
      FALCON_CUDA_CHECK(cudaEventElapsedTime(&ms, ev[0], ev[1]));
      t.push_back(ms);
    }
    std::nth_element(t.begin(), t.begin() + kRuns / 2, t.end());
    return t[kRuns / 2];
  };
  constexpr double kClearWin = 0.97;
  double base = 0, best = 0;
  try {
    FALCON_CUDA_CHECK(cudaEventCreate(&ev[1]));
    base = time_ms([&] {
      gemm_default(a, lda, rows, w, ldw, n, k, y, ldy, y_f32, beta);
      return true;
    });
    best = base;
    for (int i = 0; i < found; ++i) {
      const double t =
          time_ms([&] { return gemm_with(cand[i], a, lda, rows, w, ldw, n, k, y, ldy, y_f32, beta); });
      // Only a clear win replaces the default. These are short runs at whatever clock the GPU
      // is at; a prefill runs at the power cap, where near ties rank differently (measured on
      // the H200: a candidate 1.4% ahead here was 2% behind in Falcon-40B's 2048-token prefill).
      if (t > 0 && (force >= 0 ? i == force : t < best && t < kClearWin * base)) {
        best = t;
        tuned_[key] = cand[i];
      }
    }
  } catch (...) {
    destroy();
    throw;
  }
  destroy();
  return base > 0 ? best / base : 1.0;
}

}  // namespace falcon::gpu
