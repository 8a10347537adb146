// The CPU backend in bf16, int8 and int4 on random weights of a released model's shape: load
// (+ quantization) time, memory, prefill and decode speed, one JSON line per format.
//   bench_cpu_weights SHAPE DIR [THREADS [PREFILL DECODE [FORMATS]]]
// SHAPE: 7b, 40b, 180b, 11b, rw-1b. DIR gets the synthetic checkpoint (bf16, written once: a
// DIR that has a config.json is reused as it is). FORMATS: e.g. "int8,int4" (default: all three).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

#include "core/model/bench.h"
#include "core/model/cpu_backend.h"
#include "core/model/synthetic_checkpoint.h"
#include "core/model/weight_format_name.h"

using namespace falcon;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_cpu_weights SHAPE DIR [THREADS [PREFILL DECODE [FORMATS]]]\n");
    return 2;
  }
  try {
    const std::string shape = argv[1];
    const std::filesystem::path dir = argv[2];
    const int threads = argc > 3 ? std::atoi(argv[3]) : 0;
    const int prefill = argc > 5 ? std::atoi(argv[4]) : 32;
    const int decode = argc > 5 ? std::atoi(argv[5]) : 32;
    if (!std::filesystem::exists(dir / "config.json")) {
      std::fprintf(stderr, "writing the %s checkpoint to %s\n", shape.c_str(), dir.c_str());
      write_synthetic_checkpoint(dir, synthetic_config(shape), uint64_t{4} << 30, 42);
    }
    const std::string formats = argc > 6 ? argv[6] : "bf16,int8,int4";
    for (WeightFormat w : {WeightFormat::Bf16, WeightFormat::Int8, WeightFormat::Int4}) {
      if (("," + formats + ",").find(std::string(",") + weight_format_name(w) + ",") == std::string::npos)
        continue;
      CpuBackendOptions o;
      o.threads = threads;
      o.cache_capacity = prefill + decode;
      o.weights = w;
      const auto t0 = std::chrono::steady_clock::now();
      auto backend = create_cpu_backend(dir, o);
      const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const BackendMemory mem = backend->memory();
      const BenchResult r = bench_backend(*backend, prefill, decode);
      std::printf(
          "{\"shape\": \"%s\", \"weights\": \"%s\", \"head\": \"%s\", \"threads\": %d, \"load_s\": %.2f, "
          "\"weights_GiB\": %.3f, \"rss_MiB\": %.0f, \"prefill_tokens\": %d, \"prefill_tokens_per_s\": %.1f, "
          "\"decode_tokens_per_s\": %.3f}\n",
          shape.c_str(), weight_format_name(w), weight_format_name(default_head_format(w)), threads, load_s,
          static_cast<double>(mem.weights_bytes) / (1u << 30), resident_memory_mib(), prefill,
          r.prefill_tokens_per_second, r.decode_tokens_per_second);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_cpu_weights: %s\n", e.what());
    return 1;
  }
  return 0;
}
