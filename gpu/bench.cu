// Synthetic-weight benchmarks of CudaBackend and its kernels (see gpu/bench.h).
#include <cuda_profiler_api.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/chat/kv_window.h"
#include "core/chat/sampler.h"
#include "core/common/error.h"
#include "core/model/bench.h"
#include "core/model/synthetic_checkpoint.h"
#include "core/model/weight_format_name.h"
#include "gpu/bench.h"
#include "gpu/blas.h"
#include "gpu/cuda_backend.h"
#include "gpu/cuda_check.h"
#include "gpu/gpu_clocks.h"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {
namespace {

constexpr double kCopyBw = 4.27e12;  // measured device-to-device copy on the H200 (bytes read + written)

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double used_gib() {
  size_t f = 0, t = 0;
  FALCON_CUDA_CHECK(cudaMemGetInfo(&f, &t));
  return (t - f) / 1073741824.0;
}

}  // namespace

BusCeilings measure_bus_ceilings(int device) {
  BusCeilings c;
  FALCON_CUDA_CHECK(cudaSetDevice(device));
  int sms = 0;
  FALCON_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  constexpr size_t kRead = size_t{2} << 30, kCopy = size_t{1} << 30;  // far past the 60 MB L2
  void *buf = nullptr, *dst = nullptr;
  uint32_t* sink = nullptr;
  if (cudaMalloc(&buf, kRead) != cudaSuccess || cudaMalloc(&dst, kCopy) != cudaSuccess ||
      cudaMalloc(&sink, sizeof(uint32_t)) != cudaSuccess) {
    (void)cudaGetLastError();  // too little memory: no ceilings, not an error
    cudaFree(buf), cudaFree(dst), cudaFree(sink);
    return c;
  }
  launch_fill_random_bf16(static_cast<bf16*>(buf), kRead / 2, 7, 1.f, nullptr);
  cudaEvent_t a = nullptr, b = nullptr;
  FALCON_CUDA_CHECK(cudaEventCreate(&a));
  FALCON_CUDA_CHECK(cudaEventCreate(&b));
  auto median_ms = [&](auto&& fn) {
    std::vector<double> t;
    for (int i = 0; i < 12; ++i) {
      FALCON_CUDA_CHECK(cudaEventRecord(a));
      fn();
      FALCON_CUDA_CHECK(cudaEventRecord(b));
      FALCON_CUDA_CHECK(cudaEventSynchronize(b));
      float ms = 0;
      FALCON_CUDA_CHECK(cudaEventElapsedTime(&ms, a, b));
      if (i >= 2) t.push_back(ms);
    }
    return median(t);
  };
  // The read takes ~6 ms in all: a sample at once and every 5 ms (one or two; the NVML queries
  // stay clear of the launches being timed as far as a sampler can).
  ClockSampler clocks(device, 5);
  const double read_ms = median_ms([&] { launch_read_stream(buf, kRead, sink, sms, nullptr); });
  c.read_sm_mhz = clocks.stop().sm_mhz_mean;
  const double copy_ms =
      median_ms([&] { FALCON_CUDA_CHECK(cudaMemcpyAsync(dst, buf, kCopy, cudaMemcpyDeviceToDevice)); });
  c.read_ms = read_ms;
  c.copy_ms = copy_ms;
  c.read_tb_s = kRead / (read_ms * 1e-3) / 1e12;
  c.copy_tb_s = 2.0 * kCopy / (copy_ms * 1e-3) / 1e12;
  cudaEventDestroy(a), cudaEventDestroy(b);
  FALCON_CUDA_CHECK(cudaFree(buf));
  FALCON_CUDA_CHECK(cudaFree(dst));
  FALCON_CUDA_CHECK(cudaFree(sink));
  return c;
}

BenchResult run_gpu_bench(const std::string& shape, const BenchOptions& o) {
  BenchResult r;
  r.shape = shape;
  const ModelConfig c = synthetic_config(shape);
  CudaBackendOptions bo;
  bo.device = o.device;
  bo.cache_capacity = (o.long_context ? 8192 : 2048) + o.decode_steps + 64;
  bo.max_batch_tokens = 2048;
  bo.weights = o.weights;
  bo.head_weights = o.head_weights;
  const double t0 = now_s();
  auto be = create_synthetic_cuda_backend(c, o.seed, bo);
  r.create_s = now_s() - t0;
  r.device = be->describe();
  const BackendMemory mem = be->memory();
  const WeightFormat head = head_format(bo);
  const bool head_quant = head != WeightFormat::Bf16;
  // "+head" when the head has the layers' format, "+head-int8" when another
  r.weights = mem.weight_format + (!head_quant         ? ""
                                   : head == o.weights ? "+head"
                                                       : std::string("+head-") + weight_format_name(head));
  r.weight_gib = mem.weights_bytes / 1073741824.0;
  r.kv_cache_gib = mem.cache_bytes / 1073741824.0;
  r.bytes_per_token = decode_weight_bytes(c, mem, head_quant);
  r.bound_tok_s = kCopyBw / r.bytes_per_token;
  double peak = used_gib();
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> tok(0, c.vocab_size - 1);
  auto tokens = [&](int n) {
    std::vector<int32_t> v(static_cast<size_t>(n));
    for (auto& t : v) t = tok(rng);
    return v;
  };
  std::vector<float> logits;
  auto timed = [&](const std::vector<int32_t>& t) {
    const double s = now_s();
    be->forward(t, false, logits);
    return now_s() - s;
  };
  // Prefill 2048 and TTFT 512: one warm-up each (cuBLAS picks its kernels), then the median of 3.
  std::vector<double> pre, ttft;
  for (int i = 0; i < (o.decode_only ? 0 : 4); ++i) {
    be->truncate(0);
    const double t = timed(tokens(2048));
    if (i) pre.push_back(t);
  }
  for (int i = 0; i < (o.decode_only ? 0 : 4); ++i) {
    be->truncate(0);
    const double t = timed(tokens(512));
    if (i) ttft.push_back(t);
  }
  r.prefill_2048_ms = pre.empty() ? 0 : 1e3 * median(pre);
  r.ttft_512_ms = ttft.empty() ? 0 : 1e3 * median(ttft);
  if (o.profile_prefill > 0) {
    be->truncate(0);
    const std::vector<int32_t> t = tokens(std::min(o.profile_prefill, bo.max_batch_tokens));
    FALCON_CUDA_CHECK(cudaProfilerStart());
    be->forward(t, false, logits);
    FALCON_CUDA_CHECK(cudaProfilerStop());
    return r;
  }
  peak = std::max(peak, used_gib());
  // clocks: the SM clock and power state over the timed steps (ClockSampler), where given.
  // Decode steps take the logits as the app does (Backend::forward_last, no copy);
  // FALCON_BENCH_COPY_LOGITS=1 copies them into a vector (forward()), for A/B runs.
  const char* copy_env = std::getenv("FALCON_BENCH_COPY_LOGITS");
  const bool copy_logits = copy_env && copy_env[0] == '1';
  // Between two timed steps the next token is the argmax of the logits, read whole (~90 us on the
  // GPU machine's host, the GPU idle meanwhile); FALCON_BENCH_GAP=maxima takes it from the head's
  // block maxima as the app's greedy sampler does (a few us), for A/B runs of what that pause is
  // worth to a power-capped step.
  const char* gap_env = std::getenv("FALCON_BENCH_GAP");
  const bool gap_maxima = gap_env && std::string(gap_env) == "maxima";
  SamplingSettings argmax_settings;
  argmax_settings.greedy = true;
  argmax_settings.repeat_last_n = 0;
  Sampler argmax(argmax_settings);
  auto decode_at = [&](int ctx, ClockStats* clocks = nullptr) {
    be->truncate(0);
    for (int done = 0; done < ctx; done += 2048)
      be->forward(tokens(std::min(2048, ctx - done)), false, logits);
    std::vector<double> steps;
    int next = tok(rng);
    std::optional<ClockSampler> sampler;
    for (int i = 0; i < o.decode_steps + 2; ++i) {
      if (i == 2 && clocks) sampler.emplace(o.device);
      const std::vector<int32_t> step{next};
      std::span<const float> last;
      const double s = now_s();
      if (copy_logits) {
        be->forward(step, false, logits);
        last = logits;
      } else {
        last = be->forward_last(step, logits);  // as the app's decode loop (Generator)
      }
      if (i >= 2) steps.push_back(now_s() - s);  // the first step captures the CUDA graph
      next = gap_maxima ? argmax.sample(last, {}, be->last_block_maxima())
                        : static_cast<int>(std::max_element(last.begin(), last.end()) - last.begin());
    }
    if (clocks) *clocks = sampler ? sampler->stop() : summarize_clock_samples({});  // none: not measured
    return 1.0 / median(steps);
  };
  const BusCeilings bus = measure_bus_ceilings(o.device);
  r.read_tb_s = bus.read_tb_s;
  r.copy_tb_s = bus.copy_tb_s;
  r.read_sm_mhz = bus.read_sm_mhz;
  ClockStats clocks;
  r.decode_512_tok_s = decode_at(512, &clocks);
  r.decode_sm_mhz = clocks.sm_mhz_mean;
  r.decode_sm_mhz_min = clocks.sm_mhz_min;
  r.decode_power_w = clocks.power_w_mean;
  r.decode_power_capped = clocks.power_capped_fraction;
  if (o.profile_decode > 0) {
    std::vector<int32_t> next{tok(rng)};
    FALCON_CUDA_CHECK(cudaProfilerStart());
    for (int i = 0; i < o.profile_decode; ++i) {
      be->forward(next, false, logits);
      next[0] = static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    }
    FALCON_CUDA_CHECK(cudaProfilerStop());
    return r;
  }
  // Eviction cost: pinned 64 + window 512 in the cache, drop the oldest 64 recent tokens.
  auto evict_ms = [&](EvictMode mode) {
    std::vector<double> t;
    for (int i = 0; i < 6; ++i) {
      be->truncate(0);
      be->forward(tokens(576), false, logits);
      FALCON_CUDA_CHECK(cudaDeviceSynchronize());
      const double s = now_s();
      be->evict(64, 64, mode);
      FALCON_CUDA_CHECK(cudaDeviceSynchronize());
      if (i) t.push_back(now_s() - s);
    }
    return 1e3 * median(t);
  };
  // The app's decode loop (Generator): the sampler between the steps, reading the logits where
  // the head left them, with or without their block maxima; the two alternate, 4 rounds of 16
  // steps each, so that the card's state does not favour one.
  std::vector<double> sample_s;  // the sampler's time alone, with the maxima
  auto decode_app = [&](bool maxima) {
    SamplingSettings settings;
    settings.seed = 1;
    Sampler sampler(settings);
    std::vector<int32_t> history = tokens(512);
    be->truncate(0);
    be->forward(history, false, logits);
    int32_t next = sampler.sample(logits, history);
    std::vector<double> steps;
    for (int i = 0; i < 18; ++i) {
      history.push_back(next);
      const double s = now_s();
      const std::span<const float> last = be->forward_last(std::span<const int32_t>(&next, 1), logits);
      const double drawn = now_s();
      next = sampler.sample(last, history, maxima ? be->last_block_maxima() : std::span<const float>());
      const double end = now_s();
      if (i >= 2) {
        steps.push_back(end - s);
        if (maxima) sample_s.push_back(end - drawn);
      }
    }
    return steps;
  };
  {
    std::vector<double> with, without;
    for (int round = 0; round < 4; ++round) {
      for (const bool maxima : {round % 2 == 0, round % 2 != 0}) {
        const std::vector<double> t = decode_app(maxima);
        std::vector<double>& into = maxima ? with : without;
        into.insert(into.end(), t.begin(), t.end());
      }
    }
    r.decode_app_tok_s = 1.0 / median(with);
    r.decode_app_nomax_tok_s = 1.0 / median(without);
    r.decode_app_sample_us = 1e6 * median(sample_s);
  }
  if (!o.decode_only) {
    r.evict_exact_ms = evict_ms(EvictMode::Exact);
    r.evict_shift_ms = evict_ms(EvictMode::Shift);
  }
  if (o.long_context) r.decode_8192_tok_s = decode_at(8192);
  r.peak_gib = std::max(peak, used_gib());
  // From idle: each forward after o.idle_ms with nothing running (median of 3), last, so that the
  // timings above keep the state they always had.
  // joules: where given, each run's board energy (median of 3 too).
  auto from_idle_ms = [&](int n, double* joules) {
    std::vector<double> t, e;
    for (int i = 0; i < 3; ++i) {
      be->truncate(0);
      const std::vector<int32_t> ids = tokens(n);
      FALCON_CUDA_CHECK(cudaDeviceSynchronize());
      std::this_thread::sleep_for(std::chrono::milliseconds(o.idle_ms));
      const double e0 = joules ? read_energy_j(o.device) : 0.0;
      t.push_back(timed(ids));
      if (joules) e.push_back(read_energy_j(o.device) - e0);
    }
    if (joules) *joules = median(e);
    return 1e3 * median(t);
  };
  if (!o.decode_only && o.idle_ms > 0) {
    r.idle_ms = o.idle_ms;
    r.ttft_512_idle_ms = from_idle_ms(512, nullptr);
    r.prefill_2048_idle_ms = from_idle_ms(2048, &r.prefill_2048_idle_j);
  }
  r.bound_fraction = r.decode_512_tok_s / r.bound_tok_s;
  if (r.read_tb_s > 0) {
    r.measured_bound_tok_s = r.read_tb_s * 1e12 / r.bytes_per_token;
    r.measured_fraction = r.decode_512_tok_s / r.measured_bound_tok_s;
  }
  return r;
}

bool run_gpu_soak(const std::string& shape, const BenchOptions& o, int tokens, int window, EvictMode mode) {
  const ModelConfig c = synthetic_config(shape);
  constexpr int kPinned = 64;
  CudaBackendOptions bo;
  bo.device = o.device;
  bo.cache_capacity = kPinned + window + 64;
  bo.weights = o.weights;
  bo.head_weights = o.head_weights;
  auto be = create_synthetic_cuda_backend(c, o.seed, bo);
  KvWindowOptions wo;
  wo.window = window;
  wo.evict_mode = mode;
  KvWindow win(wo);
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> tok(0, c.vocab_size - 1);
  std::vector<int32_t> pinned(kPinned);
  for (auto& t : pinned) t = tok(rng);
  std::vector<float> logits;
  win.forward(*be, pinned, logits, true);
  const int every = std::max(1, tokens / 20);
  double dev0 = 0, rss0 = 0, dev_max = 0, rss_max = 0, t_int = now_s(), slowest = 0;
  bool flat = true;
  for (int i = 1; i <= tokens; ++i) {
    // Greedy on random weights settles into loops; a random token every 16 steps keeps the
    // text (and so the attention pattern) moving.
    const int32_t next =
        i % 16 == 0 ? tok(rng)
                    : static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    const double s = now_s();
    win.forward(*be, std::span<const int32_t>(&next, 1), logits);
    slowest = std::max(slowest, now_s() - s);
    if (i % every == 0 || i == tokens) {
      const double dev = used_gib(), rss = resident_memory_mib();
      if (i == every) dev0 = dev, rss0 = rss;  // after warm-up: graph captured, window full soon
      dev_max = std::max(dev_max, dev);
      rss_max = std::max(rss_max, rss);
      const double t = now_s();
      std::printf(
          "{\"soak\":\"%s\",\"mode\":\"%s\",\"window\":%d,\"tokens\":%d,\"evictions\":%lld,\"kept\":%d,"
          "\"device_used_gib\":%.3f,\"rss_mib\":%.1f,\"ms_per_token\":%.2f,\"slowest_step_ms\":%.2f}\n",
          shape.c_str(), mode == EvictMode::Shift ? "shift" : "exact", window, i,
          static_cast<long long>(win.evictions()), win.size(), dev, rss, 1e3 * (t - t_int) / every,
          1e3 * slowest);
      std::fflush(stdout);
      t_int = t;
      slowest = 0;
    }
  }
  // Flat: device memory may not move at all (one allocation); RSS within 2% of the warm level.
  if (dev_max > dev0 + 1.0 / 1024) flat = false;
  if (rss_max > rss0 * 1.02) flat = false;
  std::printf("{\"soak_result\":\"%s\",\"device_growth_mib\":%.1f,\"rss_growth_pct\":%.2f}\n",
              flat ? "flat" : "GREW", (dev_max - dev0) * 1024,
              rss0 > 0 ? 100 * (rss_max - rss0) / rss0 : 0.0);
  return flat;
}

LoadBenchResult run_load_bench(const std::string& shape, const std::filesystem::path& dir,
                               const BenchOptions& o) {
  namespace fs = std::filesystem;
  LoadBenchResult r;
  r.shape = shape;
  r.weights = weight_format_name(o.weights);
  if (!fs::exists(dir / "config.json")) {
    const double t = now_s();
    write_synthetic_checkpoint(dir, synthetic_config(shape), uint64_t{4} << 30, o.seed);
    r.write_s = now_s() - t;
  }
  // Read every shard once: after a write (or an earlier run) they are in the page cache, and
  // this measures how fast the cache itself hands them out.
  uint64_t bytes = 0;
  std::vector<char> buf(size_t{64} << 20);
  const double t_read = now_s();
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".safetensors") continue;
    std::ifstream in(e.path(), std::ios::binary);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
      bytes += static_cast<uint64_t>(in.gcount());
  }
  r.page_cache_read_gb_s = bytes / std::max(1e-9, now_s() - t_read) / 1e9;
  r.checkpoint_gib = bytes / 1073741824.0;

  const double t0 = now_s();
  FALCON_CUDA_CHECK(cudaSetDevice(o.device));
  FALCON_CUDA_CHECK(cudaFree(nullptr));
  const double t1 = now_s();
  CudaBackendOptions bo;
  bo.device = o.device;
  bo.cache_capacity = 2048;
  bo.weights = o.weights;
  bo.head_weights = o.head_weights;
  auto be = create_cuda_backend(dir, bo);
  const double t2 = now_s();
  std::vector<int32_t> prompt(16);
  for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = static_cast<int32_t>(11 + 37 * i);
  std::vector<float> logits;
  be->forward(prompt, false, logits);
  const double t3 = now_s();
  r.cuda_init_s = t1 - t0;
  r.load_s = t2 - t1;
  r.load_gb_s = bytes / std::max(1e-9, r.load_s) / 1e9;
  r.first_token_ms = (t3 - t2) * 1e3;
  r.start_to_first_token_s = t3 - t0;
  return r;
}

}  // namespace falcon::gpu
