// falcon-gpu-bench: synthetic-weight benchmarks of the CUDA backend until falcon-run --bench
// --synthetic calls gpu::run_gpu_bench itself.
//   falcon-gpu-bench [--kernels] [--no-long] [--decode-only] [--steps N] [--weights bf16|int8|int4]
//                    [--quant-head] [--profile-prefill N] [--profile-decode N]
//                    [--soak TOKENS [--window W] [--evict exact|shift]] [--load DIR] SHAPE...
//   (--profile-prefill N: after the timings, one N-token prefill inside cudaProfilerStart/Stop, then stop)
//   (--profile-decode N: after the 512-token decode timing, N decode steps inside cudaProfilerStart/Stop,
//   then stop)
//   (--decode-only: the decode timings only, no prefill, TTFT or eviction)
//   (--load DIR: load benchmark from a checkpoint in DIR, written there first if missing)
//   (SHAPE = 7b|40b|180b|11b|rw-1b; options apply to the shapes after them)
// One JSON line per shape on stdout; errors (e.g. out of memory) as {"shape":..., "error":...}.
// Exit status 1 for any error except a shape that does not fit the GPU (OutOfMemory).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/common/error.h"
#include "core/model/evict_mode_name.h"
#include "gpu/bench.h"

int main(int argc, char** argv) {
  falcon::gpu::BenchOptions o;
  bool kernels = false;
  int status = 0, soak = 0, window = 512;
  std::string load_dir;
  falcon::EvictMode mode = falcon::EvictMode::Shift;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--kernels")
      kernels = true;
    else if (a == "--no-long")
      o.long_context = false;
    else if (a == "--decode-only")
      o.decode_only = true;
    else if (a == "--steps" && i + 1 < argc)
      o.decode_steps = std::atoi(argv[++i]);
    else if (a == "--weights" && i + 1 < argc) {
      const std::string w = argv[++i];
      o.weights = w == "int8"   ? falcon::WeightFormat::Int8
                  : w == "int4" ? falcon::WeightFormat::Int4
                                : falcon::WeightFormat::Bf16;
    } else if (a == "--profile-prefill" && i + 1 < argc)
      o.profile_prefill = std::max(1, std::atoi(argv[++i]));
    else if (a == "--profile-decode" && i + 1 < argc)
      o.profile_decode = std::max(1, std::atoi(argv[++i]));
    else if (a == "--quant-head")
      o.quantize_lm_head = true;
    else if (a == "--soak" && i + 1 < argc)
      soak = std::atoi(argv[++i]);
    else if (a == "--load" && i + 1 < argc)
      load_dir = argv[++i];
    else if (a == "--window" && i + 1 < argc)
      window = std::max(1, std::atoi(argv[++i]));
    else if (a == "--evict" && i + 1 < argc) {
      const char* m = argv[++i];
      const auto parsed = falcon::evict_mode_from_name(m);
      if (!parsed) {
        std::fprintf(stderr, "falcon-gpu-bench: --evict takes exact or shift, not '%s'\n", m);
        return 2;
      }
      mode = *parsed;
    } else {
      try {
        if (!load_dir.empty()) {
          std::printf("%s\n", falcon::gpu::run_load_bench(a, load_dir, o).to_json().c_str());
          std::fflush(stdout);
          continue;
        }
        if (soak > 0) {
          if (!falcon::gpu::run_gpu_soak(a, o, soak, window, mode)) status = 1;
          continue;
        }
        std::printf("%s\n", falcon::gpu::run_gpu_bench(a, o).to_json().c_str());
      } catch (const falcon::Error& e) {
        std::printf("{\"shape\":\"%s\",\"error_kind\":%d,\"error\":\"%s\"}\n", a.c_str(),
                    static_cast<int>(e.kind()), e.what());
        // A shape too large for the card (180b on one GPU) is a result, reported above.
        if (e.kind() != falcon::ErrorKind::OutOfMemory) status = 1;
      } catch (const std::exception& e) {
        std::printf("{\"shape\":\"%s\",\"error\":\"%s\"}\n", a.c_str(), e.what());
        status = 1;
      }
      std::fflush(stdout);
    }
  }
  if (kernels) {
    try {
      falcon::gpu::run_kernel_bench(0);
    } catch (const std::exception& e) {
      std::printf("kernel bench failed: %s\n", e.what());
      status = 1;
    }
  }
  return status;
}
