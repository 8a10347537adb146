#pragma once
// GPU benchmarks with random weights of the real Falcon shapes (no checkpoint needed), for
// `falcon-run --bench --synthetic SHAPE` and tools/gpu_bench.sh. No CUDA headers here.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/model/backend.h"
#include "core/model/model_config.h"
#include "core/model/synthetic_checkpoint.h"

namespace falcon::gpu {

using falcon::synthetic_config;  // core/model/synthetic_checkpoint.h

struct BenchOptions {
  int device = 0;
  int decode_steps = 64;     // timed decode steps at each cache size (median reported)
  bool long_context = true;  // also decode with 8192 tokens in the cache
  bool decode_only = false;  // skip the prefill, TTFT and eviction timings (decode A/Bs)
  // The prefill and TTFT timings again at the end, each run after this long with the GPU idle
  // (a chat's prompt comes after the user has read and typed; the back-to-back timings run on a
  // card the previous prefills pushed to its power cap).
  int idle_ms = 2000;
  uint64_t seed = 42;
  WeightFormat weights = WeightFormat::Bf16;
  std::optional<WeightFormat> head_weights;  // the lm_head's format; unset: default_head_format(weights)
  // > 0: after the prefill timings, one prefill of this many tokens between cudaProfilerStart/Stop
  // (for `ncu --profile-from-start off`), and nothing else.
  int profile_prefill = 0;
  // > 0: after the 512-token decode timing, this many decode steps (CUDA graph replays) between
  // cudaProfilerStart/Stop, and nothing else: every kernel of a decode step, for ncu.
  int profile_decode = 0;
};

struct BenchResult {
  std::string shape, device, weights;  // weights: bf16 | int8 | int4, + "+head" (the head in that format too)
                                       // or "+head-int8" (another)
  double weight_gib = 0, kv_cache_gib = 0;  // what the backend allocated for them
  double bytes_per_token = 0;  // weight bytes one decode step reads (all but the embedding table)
  double create_s = 0;         // allocation + on-device weight generation
  double prefill_2048_ms = 0;  // one forward of 2048 tokens (last logits)
  double ttft_512_ms = 0;      // forward of a 512-token prompt until its logits are on the host
  // The same two, each after BenchOptions::idle_ms with the GPU idle (median of 3; 0 when not run).
  double prefill_2048_idle_ms = 0, ttft_512_idle_ms = 0, idle_ms = 0;
  // The board's energy over that from-idle 2048-token prefill (NVML's counter, median of 3; NaN
  // without it): at the power cap a prefill's time follows its energy (docs/GPU_NOTES.md run 26).
  double prefill_2048_idle_j = 0;
  double decode_512_tok_s = 0;   // batch-1 decode with 512 tokens in the cache
  double decode_8192_tok_s = 0;  // ... with 8192 tokens in the cache (0 when not run)
  // Decode at 512 as the app's generator runs it: each step's token drawn by the sampler with its
  // default settings (top-k 40, top-p, min-p, repetition penalty) between the steps, timed from
  // the step's launch to the token; with the head's block maxima (app) and without (every
  // logit read: app_nomax).
  double decode_app_tok_s = 0, decode_app_nomax_tok_s = 0;
  // Of decode_app's time per token, the sampler's alone (with the maxima; median, us): what the
  // app adds to the step on this host's CPU.
  double decode_app_sample_us = 0;
  double bound_tok_s = 0;     // 4.27 TB/s / bytes_per_token
  double bound_fraction = 0;  // decode_512_tok_s / bound_tok_s
  // This device's ceilings, measured in the same run just before the decode timing
  // (measure_bus_ceilings; 0 when the buffers did not fit), and the decode against the read one:
  // H200s of the same kind differ by several percent, so the fixed 4.27 TB/s alone cannot say
  // whether a machine or a change made a decode faster.
  double read_tb_s = 0, copy_tb_s = 0;
  double read_sm_mhz = 0;           // the SM clock while the read ceiling was timed (NaN: no NVML)
  double measured_bound_tok_s = 0;  // read_tb_s / bytes_per_token
  double measured_fraction = 0;     // decode_512_tok_s / measured_bound_tok_s
  // The SM clock (mean, lowest), board power and share of the time at the software power cap
  // over the 512-token decode's timed steps (ClockSampler, NVML); NaN (null in JSON) without NVML.
  double decode_sm_mhz = 0, decode_sm_mhz_min = 0, decode_power_w = 0, decode_power_capped = 0;
  double peak_gib = 0;  // device memory in use at the peak (cudaMemGetInfo)
  // One eviction as KvWindow makes it at window 512, chunk 64, behind a 64-token pinned span
  // (448 tokens move), exact (recompute) and shift (move + re-rotate); median ms.
  double evict_exact_ms = 0, evict_shift_ms = 0;
  std::string to_json() const;
};

// The memory bus as this device delivers it now: a streaming read of 2 GiB with 16-byte loads
// (launch_read_stream; what a decode GEMV can reach) and a 1 GiB device-to-device copy (bytes
// read + written), in TB/s, median of 10 after 2 warm-ups. Zeros when 3 GiB cannot be
// allocated; never throws for that.
struct BusCeilings {
  double read_tb_s = 0, copy_tb_s = 0;
  double read_ms = 0, copy_ms = 0;  // the median times behind them
  // The mean SM clock while the read was timed (ClockSampler; NaN without NVML, 0 when the
  // buffers did not fit): a card at its power cap reads slower, so the ceiling says its clock.
  double read_sm_mhz = 0;
};
BusCeilings measure_bus_ceilings(int device = 0);

// Builds a synthetic CudaBackend of `shape` and times it. Throws Error(OutOfMemory) with the
// numbers when the shape does not fit (e.g. 180b on one 141 GB GPU).
BenchResult run_gpu_bench(const std::string& shape, const BenchOptions& options = {});

// Endless-chat soak: a 64-token pinned prompt, then `tokens` greedy decode steps through a
// KvWindow of `window` recent tokens (chunked eviction in `mode`). Prints one JSON line every
// tokens/20 steps: tokens so far, evictions, device memory in use, host RSS, ms per token over
// the interval and the slowest step. Returns false if device memory or RSS grew after warm-up.
bool run_gpu_soak(const std::string& shape, const BenchOptions& options, int tokens, int window,
                  EvictMode mode);

// Loading a checkpoint from disk (issue 5: load throughput from the page cache, and the time from
// start to the first token including loading). Uses the checkpoint in `dir` (HF format) or, when
// dir has no config.json, first writes a synthetic one of `shape` there
// (write_synthetic_checkpoint, 4 GiB shards). Then, in this process: reads every file once
// (so the page cache is warm, as on a second start), creates the CUDA context, loads with
// create_cuda_backend (parse, map, pinned staging, device copies; quantization with --weights),
// and runs the first token (a 16-token prompt, logits on the host).
struct LoadBenchResult {
  std::string shape, weights;
  double checkpoint_gib = 0;          // safetensors bytes on disk
  double write_s = 0;                 // writing the synthetic checkpoint (0 when it existed)
  double page_cache_read_gb_s = 0;    // reading the files once after writing (already cached)
  double cuda_init_s = 0;             // cudaFree(0): context creation
  double load_s = 0;                  // create_cuda_backend
  double load_gb_s = 0;               // checkpoint bytes / load_s
  double first_token_ms = 0;          // 16-token prompt to logits on the host
  double start_to_first_token_s = 0;  // cuda_init_s + load_s + first_token_ms
  std::string to_json() const;
};
LoadBenchResult run_load_bench(const std::string& shape, const std::filesystem::path& dir,
                               const BenchOptions& options = {});

// falcon-gpu-bench's line for a shape that failed: {"shape", "error_kind" (ErrorKind as a
// number, absent when error_kind < 0), "error"}, the message escaped as JSON needs.
std::string bench_error_json(const std::string& shape, const std::string& message, int error_kind = -1);

// A falcon-gpu-bench count option, strictly: a whole decimal number from 1 to 1,000,000 and
// nothing else ("", "0", "-3", "+5", "12x", "1e3" are refused: nullopt), so the tool can say so
// instead of running a different benchmark than asked (atoi made "--steps x" 0 steps: an
// infinite rate). Weights are spelled as everywhere: weight_format_from_name.
std::optional<int> parse_bench_count(std::string_view text);

// Per-kernel microbenchmarks (copy and GEMM ceilings, GEMV, attention, LayerNorm) as a
// Markdown table with achieved GB/s or TFLOP/s.
std::string run_kernel_bench(int device = 0);

}  // namespace falcon::gpu
