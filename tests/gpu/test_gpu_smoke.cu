// GPU smoke test: proves that this build runs on the machine's GPU at all. Prints the device,
// runs a trivial kernel and a cuBLAS bf16 GEMM and checks both against the CPU.
// Exit 0 = pass, 1 = fail, 77 = skipped (no CUDA device).
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu/cuda_check.h"
#include "gpu/device_info.h"

namespace {

// out[i] = a * in[i] + i, so an unwritten or misplaced element cannot pass.
__global__ void saxpy_index(const float* in, float* out, float a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = a * in[i] + static_cast<float>(i);
}

int run() {
  auto devices = falcon::gpu::list_devices();
  if (devices.empty()) {
    std::printf("SKIPPED: %s\n", falcon::gpu::no_device_reason().c_str());
    return 77;
  }
  for (const auto& d : devices)
    std::printf("device %d: %s, compute capability %d.%d, %d SMs, %.1f GiB total, %.1f GiB free\n", d.index,
                d.name.c_str(), d.cc_major, d.cc_minor, d.multiprocessors, d.total_bytes / 1073741824.0,
                d.free_bytes / 1073741824.0);
  int driver = 0, runtime = 0;
  FALCON_CUDA_CHECK(cudaDriverGetVersion(&driver));
  FALCON_CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
  std::printf("driver API %d, runtime %d\n", driver, runtime);

  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> uni(-1.f, 1.f);

  // 1. Trivial kernel, output poisoned with NaN first.
  const int n = 1 << 20;
  std::vector<float> in(n), out(n);
  for (auto& v : in) v = uni(rng);
  float *d_in = nullptr, *d_out = nullptr;
  FALCON_CUDA_CHECK(cudaMalloc(&d_in, n * sizeof(float)));
  FALCON_CUDA_CHECK(cudaMalloc(&d_out, n * sizeof(float)));
  FALCON_CUDA_CHECK(cudaMemcpy(d_in, in.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  FALCON_CUDA_CHECK(cudaMemset(d_out, 0xff, n * sizeof(float)));
  saxpy_index<<<(n + 255) / 256, 256>>>(d_in, d_out, 3.f, n);
  FALCON_CHECK_LAUNCH("saxpy_index");
  FALCON_CUDA_CHECK(cudaMemcpy(out.data(), d_out, n * sizeof(float), cudaMemcpyDeviceToHost));
  int bad = 0;
  for (int i = 0; i < n; ++i)
    if (!(std::fabs(out[i] - (3.f * in[i] + i)) <= 1e-3f * (1.f + i))) ++bad;
  std::printf("trivial kernel: %d of %d elements wrong -> %s\n", bad, n, bad ? "FAIL" : "ok");

  // 2. cuBLAS bf16 GEMM with fp32 accumulation: C(m,n) = A(m,k) * B(k,n), column-major.
  const int m = 384, nn = 256, k = 1000;
  std::vector<__nv_bfloat16> a(size_t(m) * k), b(size_t(k) * nn);
  std::vector<float> af(a.size()), bf(b.size());
  for (size_t i = 0; i < a.size(); ++i) a[i] = __float2bfloat16(uni(rng)), af[i] = __bfloat162float(a[i]);
  for (size_t i = 0; i < b.size(); ++i) b[i] = __float2bfloat16(uni(rng)), bf[i] = __bfloat162float(b[i]);
  __nv_bfloat16 *d_a = nullptr, *d_b = nullptr;
  float* d_c = nullptr;
  FALCON_CUDA_CHECK(cudaMalloc(&d_a, a.size() * 2));
  FALCON_CUDA_CHECK(cudaMalloc(&d_b, b.size() * 2));
  FALCON_CUDA_CHECK(cudaMalloc(&d_c, size_t(m) * nn * 4));
  FALCON_CUDA_CHECK(cudaMemcpy(d_a, a.data(), a.size() * 2, cudaMemcpyHostToDevice));
  FALCON_CUDA_CHECK(cudaMemcpy(d_b, b.data(), b.size() * 2, cudaMemcpyHostToDevice));
  FALCON_CUDA_CHECK(cudaMemset(d_c, 0xff, size_t(m) * nn * 4));
  cublasHandle_t h = nullptr;
  FALCON_CUBLAS_CHECK(cublasCreate(&h));
  const float alpha = 1.f, beta = 0.f;
  FALCON_CUBLAS_CHECK(cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, m, nn, k, &alpha, d_a, CUDA_R_16BF, m, d_b,
                                   CUDA_R_16BF, k, &beta, d_c, CUDA_R_32F, m, CUBLAS_COMPUTE_32F,
                                   CUBLAS_GEMM_DEFAULT));
  std::vector<float> c(size_t(m) * nn);
  FALCON_CUDA_CHECK(cudaMemcpy(c.data(), d_c, c.size() * 4, cudaMemcpyDeviceToHost));
  double num = 0, den = 0;
  for (int j = 0; j < nn; ++j)
    for (int i = 0; i < m; ++i) {
      double ref = 0;
      for (int p = 0; p < k; ++p) ref += double(af[size_t(p) * m + i]) * bf[size_t(j) * k + p];
      double d = c[size_t(j) * m + i] - ref;
      num += d * d;
      den += ref * ref;
    }
  const double rel = std::sqrt(num / den);
  const bool gemm_ok = rel < 1e-4;  // inputs are exact bf16; only fp32 accumulation order differs
  std::printf("cuBLAS bf16 GEMM %dx%dx%d: relative L2 error vs CPU float64 %.2e -> %s\n", m, nn, k, rel,
              gemm_ok ? "ok" : "FAIL");
  cublasDestroy(h);
  cudaFree(d_a);
  cudaFree(d_b);
  cudaFree(d_c);
  cudaFree(d_in);
  cudaFree(d_out);
  return (bad == 0 && gemm_ok) ? 0 : 1;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    std::printf("FAIL: %s\n", e.what());
    return 1;
  }
}
