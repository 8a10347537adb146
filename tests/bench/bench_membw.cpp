// Memory bandwidth of this machine (a plain copy, the bound for batch-1 decode) and, given a
// model folder, the bytes a decode step reads and the CPU backend's measured speed.
//   bench_membw [MODEL_DIR [THREADS [PREFILL DECODE]]]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <thread>
#include <vector>

#include "core/common/thread_pool.h"
#include "core/model/bench.h"
#include "core/model/cpu_backend.h"

using namespace falcon;

namespace {

// Best of several passes of a parallel memcpy over 256 MiB: bytes read + written per second.
double copy_bandwidth_gbs(int threads) {
  const std::size_t n = std::size_t{256} << 20;
  std::vector<char> src(n, 1), dst(n, 0);
  ThreadPool pool(threads);
  double best = 0;
  for (int pass = 0; pass < 6; ++pass) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.parallel_for(static_cast<int64_t>(n), [&](int64_t b, int64_t e) {
      std::memcpy(dst.data() + b, src.data() + b, static_cast<std::size_t>(e - b));
    });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, 2.0 * static_cast<double>(n) / s / 1e9);
  }
  if (dst[n / 2] != 1) std::puts("copy failed");
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
  const double gbs = copy_bandwidth_gbs(threads);
  std::printf("{\"copy_bandwidth_GBps\": %.2f, \"threads\": %d", gbs,
              threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency()));
  if (argc > 1) {
    try {
      const int prefill = argc > 4 ? std::atoi(argv[3]) : 64;
      const int decode = argc > 4 ? std::atoi(argv[4]) : 64;
      const ModelConfig config = load_model_config(argv[1]);
      auto weights = std::make_shared<const CheckpointReader>(argv[1]);
      CpuBackendOptions o;
      o.threads = threads;
      o.cache_capacity = prefill + decode;
      auto backend = create_cpu_backend(config, weights, o);
      const uint64_t bytes = decode_bytes_per_token(config, *weights, prefill + decode / 2);
      const BenchResult r = bench_backend(*backend, prefill, decode);
      std::printf(
          ", \"model\": \"%s\", \"decode_bytes_per_token\": %llu, \"decode_bound_tokens_per_s\": %.1f, "
          "\"prefill_tokens_per_s\": %.1f, \"decode_tokens_per_s\": %.1f",
          argv[1], static_cast<unsigned long long>(bytes), gbs * 1e9 / static_cast<double>(bytes),
          r.prefill_tokens_per_second, r.decode_tokens_per_second);
    } catch (const std::exception& e) {
      std::printf("}\n");
      std::fprintf(stderr, "bench_membw: %s\n", e.what());
      return 1;
    }
  }
  std::printf("}\n");
  return 0;
}
