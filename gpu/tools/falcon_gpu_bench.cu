// falcon-gpu-bench: synthetic-weight benchmarks of the CUDA backend until falcon-run --bench
// --synthetic calls gpu::run_gpu_bench itself.
//   falcon-gpu-bench [--kernels] [--no-long] [--decode-only] [--steps N] [--weights bf16|int8|int4]
//                    [--quant-head | --head-weights bf16|int8|int4]
//                    [--profile-prefill N] [--profile-decode N] [--idle-ms N | --no-idle]
//                    [--soak TOKENS [--window W] [--evict exact|shift]] [--load DIR] SHAPE...
//   (--profile-prefill N: after the timings, one N-token prefill inside cudaProfilerStart/Stop, then stop)
//   (--profile-decode N: after the 512-token decode timing, N decode steps inside cudaProfilerStart/Stop,
//   then stop)
//   (--decode-only: the decode timings only, no prefill, TTFT or eviction)
//   (--idle-ms N: the prefill and TTFT timings from idle wait N ms before each forward, default 2000;
//   --no-idle leaves them out)
//   (--load DIR: load benchmark from a checkpoint in DIR, written there first if missing)
//   (SHAPE = 7b|40b|180b|11b|rw-1b; options apply to the shapes after them)
// One JSON line per shape on stdout; errors (e.g. out of memory) as {"shape":..., "error":...}.
// Exit status 1 for any error except a shape that does not fit the GPU (OutOfMemory).
#include <cstdio>
#include <string>

#include "core/common/error.h"
#include "core/model/evict_mode_name.h"
#include "core/model/weight_format_name.h"
#include "gpu/bench.h"

int main(int argc, char** argv) {
  falcon::gpu::BenchOptions o;
  bool kernels = false;
  bool head_same = false;  // --quant-head: the head in the layers' format
  int status = 0, soak = 0, window = 512;
  std::string load_dir;
  falcon::EvictMode mode = falcon::EvictMode::Shift;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    // The value after option a, a count (parse_bench_count); false after saying why.
    auto count_arg = [&](int& out) {
      const auto n = falcon::gpu::parse_bench_count(argv[++i]);
      if (!n)
        std::fprintf(stderr, "falcon-gpu-bench: %s takes a whole number from 1 to 1000000, not '%s'\n",
                     a.c_str(), argv[i]);
      else
        out = *n;
      return n.has_value();
    };
    if (a == "--kernels")
      kernels = true;
    else if (a == "--no-long")
      o.long_context = false;
    else if (a == "--decode-only")
      o.decode_only = true;
    else if (a == "--steps" && i + 1 < argc) {
      if (!count_arg(o.decode_steps)) return 2;
    } else if (a == "--weights" && i + 1 < argc) {
      const auto w = falcon::weight_format_from_name(argv[++i]);
      if (!w) {
        std::fprintf(stderr, "falcon-gpu-bench: --weights takes bf16, int8 or int4, not '%s'\n", argv[i]);
        return 2;
      }
      o.weights = *w;
    } else if (a == "--profile-prefill" && i + 1 < argc) {
      if (!count_arg(o.profile_prefill)) return 2;
    } else if (a == "--profile-decode" && i + 1 < argc) {
      if (!count_arg(o.profile_decode)) return 2;
    } else if (a == "--idle-ms" && i + 1 < argc) {
      if (!count_arg(o.idle_ms)) return 2;
    } else if (a == "--no-idle") {
      o.idle_ms = 0;
    } else if (a == "--quant-head") {
      head_same = true;
    } else if (a == "--head-weights" && i + 1 < argc) {
      const auto w = falcon::weight_format_from_name(argv[++i]);
      if (!w) {
        std::fprintf(stderr, "falcon-gpu-bench: --head-weights takes bf16, int8 or int4, not '%s'\n",
                     argv[i]);
        return 2;
      }
      o.head_weights = *w;
      head_same = false;
    } else if (a == "--soak" && i + 1 < argc) {
      if (!count_arg(soak)) return 2;
    } else if (a == "--load" && i + 1 < argc) {
      load_dir = argv[++i];
    } else if (a == "--window" && i + 1 < argc) {
      if (!count_arg(window)) return 2;
    } else if (a == "--evict" && i + 1 < argc) {
      const char* m = argv[++i];
      const auto parsed = falcon::evict_mode_from_name(m);
      if (!parsed) {
        std::fprintf(stderr, "falcon-gpu-bench: --evict takes exact or shift, not '%s'\n", m);
        return 2;
      }
      mode = *parsed;
    } else {
      if (head_same) o.head_weights = o.weights;
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
        std::printf("%s\n", falcon::gpu::bench_error_json(a, e.what(), static_cast<int>(e.kind())).c_str());
        // A shape too large for the card (180b on one GPU) is a result, reported above.
        if (e.kind() != falcon::ErrorKind::OutOfMemory) status = 1;
      } catch (const std::exception& e) {
        std::printf("%s\n", falcon::gpu::bench_error_json(a, e.what()).c_str());
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
