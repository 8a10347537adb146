// Per-kernel microbenchmarks on the real model shapes, against the measured ceilings
// (device copy bandwidth, cuBLAS bf16 GEMM rate). Timed with CUDA events, median of 20 after
// 3 warm-ups; inputs large enough (or rotated) to stay out of the 60 MB L2; random data.
#include <cublasLt.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "gpu/bench.h"
#include "gpu/blas.h"
#include "gpu/cuda_check.h"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {
namespace {

struct Timer {
  cudaEvent_t a = nullptr, b = nullptr;
  Timer() {
    FALCON_CUDA_CHECK(cudaEventCreate(&a));
    FALCON_CUDA_CHECK(cudaEventCreate(&b));
  }
  ~Timer() {
    cudaEventDestroy(a);
    cudaEventDestroy(b);
  }
  // Median milliseconds of fn(i) over reps (i = repetition index, for rotating buffers).
  double ms(const std::function<void(int)>& fn, int reps = 20) {
    for (int i = 0; i < 3; ++i) fn(i);
    std::vector<double> t;
    for (int i = 0; i < reps; ++i) {
      FALCON_CUDA_CHECK(cudaEventRecord(a));
      fn(i);
      FALCON_CUDA_CHECK(cudaEventRecord(b));
      FALCON_CUDA_CHECK(cudaEventSynchronize(b));
      float m = 0;
      FALCON_CUDA_CHECK(cudaEventElapsedTime(&m, a, b));
      t.push_back(m);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
  }
};

template <class T>
T* alloc(size_t n, uint64_t seed) {
  T* p = nullptr;
  FALCON_CUDA_CHECK(cudaMalloc(&p, n * sizeof(T)));
  if constexpr (sizeof(T) == 2)
    launch_fill_random_bf16(reinterpret_cast<bf16*>(p), n, seed, 0.5f, nullptr);
  else if constexpr (sizeof(T) == 4)
    launch_fill_random_f32(reinterpret_cast<float*>(p), n, seed, 0.f, 0.5f, nullptr);
  return p;
}

// Falcon-40B's prefill GEMMs (2048 tokens), cuBLAS's default against every algorithm cuBLASLt's
// heuristic offers, each timed after half a second of running, so at the clock the power cap
// leaves (the prefill runs capped: docs/GPU_NOTES.md, run 6). Prints one row per algorithm.
void gemm_algo_bench(Timer& tm, Blas& blas,
                     const std::function<void(const std::string&, const std::string&, double, double,
                                              const char*, double)>& row) {
  auto sustained_ms = [&](const std::function<void()>& fn) {
    const double one = tm.ms([&](int) { fn(); }, 3);
    const int warm = std::max(1, static_cast<int>(500.0 / std::max(one, 1e-3)));
    for (int i = 0; i < warm; ++i) fn();
    return tm.ms([&](int) { fn(); }, 10);
  };
  // The GEMMs a prefill runs (40B: two LayerNorms, so QKV and fc1 apart; 7B: one merged up
  // projection); the down projections add into the fp32 residual (beta = 1).
  struct Shape {
    const char* name;
    int rows, nn, k;
    bool f32;
  };
  for (const Shape& sh :
       {Shape{"40B qkv", 2048, 9216, 8192, false}, Shape{"40B fc1", 2048, 32768, 8192, false},
        Shape{"40B down", 2048, 8192, 40960, true}, Shape{"40B qkv", 512, 9216, 8192, false},
        Shape{"40B fc1", 512, 32768, 8192, false}, Shape{"40B down", 512, 8192, 40960, true},
        Shape{"7B qkv+fc1", 2048, 4672 + 18176, 4544, false}, Shape{"7B down", 2048, 4544, 22720, true}}) {
    const char* name = sh.name;
    const int rows = sh.rows, nn = sh.nn, k = sh.k;
    bf16* wt = alloc<bf16>(size_t(nn) * k, 4);
    bf16* in = alloc<bf16>(size_t(rows) * k, 5);
    void* o = nullptr;
    FALCON_CUDA_CHECK(cudaMalloc(&o, size_t(rows) * nn * (sh.f32 ? 4 : 2)));
    FALCON_CUDA_CHECK(cudaMemset(o, 0, size_t(rows) * nn * (sh.f32 ? 4 : 2)));
    const float beta = sh.f32 ? 1.f : 0.f;
    const std::string shape = std::to_string(rows) + "x" + std::to_string(nn) + "x" + std::to_string(k);
    const double flop = 2.0 * rows * nn * k;
    const double d = sustained_ms([&] { blas.gemm(in, k, rows, wt, k, nn, k, o, nn, sh.f32, beta); });
    row(std::string("cuBLAS default, sustained, ") + name, shape, d, flop / (d * 1e-3) / 1e12, "TFLOP/s",
        776);
    cublasLtMatmulAlgo_t cand[16];
    const int found = blas.candidates(k, rows, k, nn, k, nn, sh.f32, cand, 16);
    for (int i = 0; i < found; ++i) {
      bool ok = true;
      const double t = sustained_ms(
          [&] { ok = ok && blas.gemm_with(cand[i], in, k, rows, wt, k, nn, k, o, nn, sh.f32, beta); });
      if (ok)
        row("cuBLASLt heuristic #" + std::to_string(i) + ", sustained, " + name, shape, t,
            flop / (t * 1e-3) / 1e12, "TFLOP/s", 776);
    }
    cudaFree(wt), cudaFree(in), cudaFree(o);
  }
}

}  // namespace

std::string run_kernel_bench(int device) {
  FALCON_CUDA_CHECK(cudaSetDevice(device));
  cudaDeviceProp prop{};
  FALCON_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  std::string out =
      "| kernel | shape | time | achieved | ceiling | % |\n| --- | --- | --- | --- | --- | --- |\n";
  auto row = [&](const std::string& k, const std::string& shape, double ms, double achieved, const char* unit,
                 double ceiling) {
    char b[512];
    std::snprintf(b, sizeof b, "| %s | %s | %.3f ms | %.1f %s | %.0f %s | %.0f%% |\n", k.c_str(),
                  shape.c_str(), ms, achieved, unit, ceiling, unit, 100 * achieved / ceiling);
    out += b;
    std::printf("%s", b);
    std::fflush(stdout);
  };
  Timer tm;
  // Ceilings measured here, now: the same measurement falcon-gpu-bench makes before its decode
  // timing (measure_bus_ceilings), so the two report one number for one machine.
  const BusCeilings bus = measure_bus_ceilings(device);
  if (bus.read_tb_s > 0) {
    row("cudaMemcpy D2D (copy ceiling; bytes read + written)", "1 GiB", bus.copy_ms, bus.copy_tb_s * 1e3,
        "GB/s", 4270);
    row("streaming read, 16-byte loads (read ceiling)", "2 GiB", bus.read_ms, bus.read_tb_s * 1e3, "GB/s",
        4270);
  }
  // FALCON_KERNEL_BENCH_GEMV_ONLY=1: the copy ceiling and the bf16 GEMVs only (knob sweeps).
  const char* only = std::getenv("FALCON_KERNEL_BENCH_GEMV_ONLY");
  const bool gemv_only = only && only[0] == '1';
  // FALCON_KERNEL_BENCH_ATTN_ONLY=1: the ceilings and the attention kernels only.
  const char* attn = std::getenv("FALCON_KERNEL_BENCH_ATTN_ONLY");
  const bool attn_only = attn && attn[0] == '1';
  void* ws_blas = nullptr;
  FALCON_CUDA_CHECK(cudaMalloc(&ws_blas, 32 << 20));
  Blas blas(nullptr, ws_blas, 32 << 20);
  // FALCON_KERNEL_BENCH_GEMM_ALGOS=1: only the sustained prefill GEMM algorithm sweep.
  if (const char* ga = std::getenv("FALCON_KERNEL_BENCH_GEMM_ALGOS"); ga && ga[0] == '1') {
    gemm_algo_bench(tm, blas, row);
    cudaFree(ws_blas);
    return out;
  }
  if (!gemv_only && !attn_only) {
    const int n = 8192;
    bf16* a = alloc<bf16>(size_t(n) * n, 1);
    bf16* w = alloc<bf16>(size_t(n) * n, 2);
    bf16* y = alloc<bf16>(size_t(n) * n, 3);
    const double ms = tm.ms([&](int) { blas.gemm(a, n, n, w, n, n, n, y, n, false, 0.f); }, 10);
    row("cuBLAS bf16 GEMM (ceiling)", "8192^3", ms, 2.0 * n * n * n / (ms * 1e-3) / 1e12, "TFLOP/s", 776);
    // Falcon-40B prefill shapes: 2048 tokens through QKV (9216), fc1 (32768) and merged down (40960 -> 8192).
    for (auto [name, nn, k] :
         {std::tuple{"40B qkv", 9216, 8192}, {"40B fc1", 32768, 8192}, {"40B down", 8192, 40960}}) {
      bf16* wt = alloc<bf16>(size_t(nn) * k, 4);
      bf16* in = alloc<bf16>(size_t(2048) * k, 5);
      bf16* o = alloc<bf16>(size_t(2048) * nn, 6);
      const double t = tm.ms([&](int) { blas.gemm(in, k, 2048, wt, k, nn, k, o, nn, false, 0.f); }, 10);
      row(std::string("cuBLAS prefill ") + name, "2048x" + std::to_string(nn) + "x" + std::to_string(k), t,
          2.0 * 2048 * nn * k / (t * 1e-3) / 1e12, "TFLOP/s", 776);
      cudaFree(wt), cudaFree(in), cudaFree(o);
    }
    cudaFree(a), cudaFree(w), cudaFree(y);
  }
  // Decode GEMVs (weights streamed once per call; each matrix is far larger than L2). Timed two
  // ways: one launch between events on the default stream (launch and event overhead included),
  // and "in a run": several copies of the matrix launched back to back on a stream of their own,
  // with programmatic dependent launch as in the decode step, total time / launches.
  cudaStream_t gs = nullptr;
  FALCON_CUDA_CHECK(cudaStreamCreateWithFlags(&gs, cudaStreamNonBlocking));
  for (auto [name, n, k] : {std::tuple{"40B qkv+fc1 (QkvUp shape, Store)", 9216 + 32768, 8192},
                            {"40B fc2+dense (Residual)", 8192, 40960},
                            {"7B qkv+fc1", 4672 + 18176, 4544},
                            {"7B fc2+dense", 4544, 22720},
                            {"lm_head 65024x8192", 65024, 8192}}) {
    if (attn_only) break;
    const size_t bytes = size_t(n) * k * 2;
    const int copies = static_cast<int>(std::max<size_t>(2, std::min<size_t>(8, (size_t(3) << 30) / bytes)));
    std::vector<bf16*> ws;
    for (int c = 0; c < copies; ++c) ws.push_back(alloc<bf16>(size_t(n) * k, 7 + c));
    bf16* w = ws[0];
    bf16* x = alloc<bf16>(k, 8);
    float* y = alloc<float>(n, 9);
    GemvArgs g;
    g.w = w, g.n_rows = n, g.k = k, g.ldw = k, g.xa = x, g.out_f32 = y;
    // Split-K scratch as the backend gives it; FALCON_GEMV_SPLIT=N forces N segments (1: none).
    const GemvSplit bsp = gemv_bf16_split(n);
    FALCON_CUDA_CHECK(cudaMalloc(&g.split_ws, bsp.floats * 4));
    FALCON_CUDA_CHECK(cudaMalloc(&g.split_counters, bsp.counters * 4));
    FALCON_CUDA_CHECK(cudaMemset(g.split_counters, 0, bsp.counters * 4));
    if (const char* e = std::getenv("FALCON_GEMV_SPLIT")) g.k_segments = std::atoi(e);
    const bool res = std::string(name).find("Residual") != std::string::npos;
    const GemvEpilogue epi = res ? GemvEpilogue::Residual : GemvEpilogue::Store;
    const double ms = tm.ms([&](int) { launch_gemv(epi, g, nullptr); });
    row(std::string("GEMV ") + name, std::to_string(n) + "x" + std::to_string(k), ms,
        2.0 * n * k / (ms * 1e-3) / 1e9, "GB/s", 4270);
    // In a run: events on the GEMVs' own stream, 16 launches between them (launch(r) runs copy
    // r % copies, so no launch finds its weights in L2), median of 5.
    auto in_run_ms = [&](const std::function<void(int)>& launch) {
      std::vector<double> runs;
      for (int rep = 0; rep < 6; ++rep) {
        FALCON_CUDA_CHECK(cudaEventRecord(tm.a, gs));
        for (int r = 0; r < 16; ++r) launch(r % copies);
        FALCON_CUDA_CHECK(cudaEventRecord(tm.b, gs));
        FALCON_CUDA_CHECK(cudaEventSynchronize(tm.b));
        float m = 0;
        FALCON_CUDA_CHECK(cudaEventElapsedTime(&m, tm.a, tm.b));
        if (rep) runs.push_back(m / 16.0);  // the first run warms up
      }
      std::sort(runs.begin(), runs.end());
      return runs[runs.size() / 2];
    };
    const double run_ms = in_run_ms([&](int c) {
      GemvArgs gr = g;
      gr.w = ws[c];
      launch_gemv(epi, gr, gs);
    });
    row(std::string("GEMV in a run, ") + name, std::to_string(n) + "x" + std::to_string(k), run_ms,
        2.0 * n * k / (run_ms * 1e-3) / 1e9, "GB/s", 4270);
    if (gemv_only) {
      for (bf16* p : ws) cudaFree(p);
      cudaFree(x), cudaFree(y), cudaFree(g.split_ws), cudaFree(g.split_counters);
      continue;
    }
    // The same shape quantized: bytes = weights + scales (+ the int4 row table), read once.
    for (const char* fmt : {"int8", "int6", "int4"}) {
      const QuantFormat f = fmt[3] == '8'   ? QuantFormat::Int8
                            : fmt[3] == '6' ? QuantFormat::Int6
                                            : QuantFormat::Int4;
      // One quantized copy per bf16 copy, for the run.
      std::vector<QuantMatrix> qs;
      for (int c = 0; c < copies; ++c) {
        QuantMatrix qc = plan_quant(f, n, k, n, 0);
        FALCON_CUDA_CHECK(cudaMalloc(&qc.data, qc.data_bytes()));
        if (qc.per_row()) {
          FALCON_CUDA_CHECK(cudaMalloc(&qc.scales, qc.scale_bytes()));
        } else {
          FALCON_CUDA_CHECK(cudaMalloc(&qc.gscales, qc.scale_bytes()));
          FALCON_CUDA_CHECK(cudaMalloc(&qc.row_of, qc.table_bytes()));
          const std::vector<int32_t> t = int4_row_table(qc);
          FALCON_CUDA_CHECK(cudaMemcpy(qc.row_of, t.data(), t.size() * 4, cudaMemcpyHostToDevice));
        }
        launch_quantize(ws[c], k, qc, nullptr);
        qs.push_back(qc);
      }
      const QuantMatrix& q = qs[0];
      const GemvSplit sp = gemv_quant_split(q);
      GemvArgs gq = g;
      FALCON_CUDA_CHECK(cudaMalloc(&gq.split_ws, std::max<uint64_t>(sp.floats, 1) * 4));
      FALCON_CUDA_CHECK(cudaMalloc(&gq.split_counters, std::max(sp.counters, 1) * 4));
      FALCON_CUDA_CHECK(cudaMemset(gq.split_counters, 0, std::max(sp.counters, 1) * 4));
      const double qms = tm.ms([&](int) {
        launch_gemv_quant(res ? GemvEpilogue::Residual : GemvEpilogue::Store, gq, q, nullptr);
      });
      row(std::string("GEMV ") + fmt + " " + name, std::to_string(n) + "x" + std::to_string(k), qms,
          q.bytes() / (qms * 1e-3) / 1e9, "GB/s", 4270);
      const double qrun = in_run_ms([&](int c) {
        launch_gemv_quant(res ? GemvEpilogue::Residual : GemvEpilogue::Store, gq, qs[c], gs);
      });
      row(std::string("GEMV in a run, ") + fmt + " " + name, std::to_string(n) + "x" + std::to_string(k),
          qrun, q.bytes() / (qrun * 1e-3) / 1e9, "GB/s", 4270);
      for (QuantMatrix& qc : qs)
        cudaFree(qc.data), cudaFree(qc.scales), cudaFree(qc.gscales), cudaFree(qc.row_of);
      cudaFree(gq.split_ws), cudaFree(gq.split_counters);
    }
    for (bf16* p : ws) cudaFree(p);
    cudaFree(x), cudaFree(y), cudaFree(g.split_ws), cudaFree(g.split_counters);
  }
  FALCON_CUDA_CHECK(cudaStreamDestroy(gs));
  if (gemv_only) {
    cudaFree(ws_blas);
    return out;
  }
  // Attention, Falcon-40B geometry (128 heads, 8 KV heads, head_dim 64).
  {
    const int H = 128, KV = 8, HD = 64, T = 2048, cap = 8192 + 64, layers = 8;
    std::vector<bf16*> kc, vc;
    for (int l = 0; l < layers; ++l) {
      kc.push_back(alloc<bf16>(size_t(KV) * cap * HD, 10 + l));
      vc.push_back(alloc<bf16>(size_t(KV) * cap * HD, 20 + l));
    }
    bf16* q = alloc<bf16>(size_t(T) * H * HD, 30);
    bf16* o = alloc<bf16>(size_t(T) * H * HD, 31);
    float* inv = alloc<float>(HD / 2, 32);
    AttnArgs a;
    a.shape = {H, KV, HD, cap};
    a.q = q, a.ldq = H * HD, a.out = o, a.ldo = H * HD, a.inv_freq = inv;
    std::vector<std::pair<PrefillAttnKernel, const char*>> kinds{{PrefillAttnKernel::Mma, "mma.sync"}};
    if (attention_wgmma_usable(a.shape)) kinds.push_back({PrefillAttnKernel::Wgmma, "wgmma"});
    for (const auto& [kind, kname] : kinds) {
      const double ms = tm.ms([&](int i) {
        a.k_cache = kc[i % layers], a.v_cache = vc[i % layers];
        launch_attention_prefill(a, T, 0, nullptr, kind);
      });
      row(std::string("attention prefill (causal, ") + kname + ")", "40B heads, 2048 tokens", ms,
          4.0 * HD * H * (double(T) * T / 2) / (ms * 1e-3) / 1e12, "TFLOP/s", 776);
    }
    const DecodePlan plan = plan_decode_attention(a.shape, cap, prop.multiProcessorCount);
    float* wsp = nullptr;
    int* cnt = nullptr;
    FALCON_CUDA_CHECK(cudaMalloc(&wsp, decode_workspace_bytes(a.shape, plan)));
    FALCON_CUDA_CHECK(cudaMalloc(&cnt, decode_counter_count(a.shape, plan) * sizeof(int)));
    FALCON_CUDA_CHECK(cudaMemset(cnt, 0, decode_counter_count(a.shape, plan) * sizeof(int)));
    int* pos = nullptr;
    FALCON_CUDA_CHECK(cudaMalloc(&pos, sizeof(int)));
    for (int n : {512, 8192}) {
      const int p = n - 1;
      FALCON_CUDA_CHECK(cudaMemcpy(pos, &p, sizeof(int), cudaMemcpyHostToDevice));
      const double t = tm.ms([&](int i) {
        a.k_cache = kc[i % layers], a.v_cache = vc[i % layers];
        launch_attention_decode(a, pos, plan, wsp, cnt, nullptr);
      });
      row("attention decode (split-K)", "40B heads, cache " + std::to_string(n), t,
          2.0 * KV * n * HD * 2 / (t * 1e-3) / 1e9, "GB/s", 4270);
    }
    for (int l = 0; l < layers; ++l) cudaFree(kc[l]), cudaFree(vc[l]);
    cudaFree(q), cudaFree(o), cudaFree(inv), cudaFree(wsp), cudaFree(cnt), cudaFree(pos);
  }
  {
    const int dim = 8192;
    float* x = alloc<float>(dim * 2048, 40);
    float* g = alloc<float>(dim, 41);
    bf16* o1 = alloc<bf16>(size_t(dim) * 2048, 42);
    bf16* o2 = alloc<bf16>(size_t(dim) * 2048, 43);
    const double t1 =
        tm.ms([&](int) { launch_layernorm(x, dim, 1, dim, 1e-5f, g, g, o1, g, g, o2, dim, nullptr); });
    row("layernorm x2 (decode row)", "1x8192", t1, (4.0 + 4) * dim / (t1 * 1e-3) / 1e9, "GB/s", 4270);
    const double t2 =
        tm.ms([&](int) { launch_layernorm(x, dim, 2048, dim, 1e-5f, g, g, o1, g, g, o2, dim, nullptr); });
    row("layernorm x2 (prefill)", "2048x8192", t2, (4.0 + 4) * dim * 2048 / (t2 * 1e-3) / 1e9, "GB/s", 4270);
    cudaFree(x), cudaFree(g), cudaFree(o1), cudaFree(o2);
  }
  cudaFree(ws_blas);
  return out;
}

}  // namespace falcon::gpu
