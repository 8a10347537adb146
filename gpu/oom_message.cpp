// The out-of-memory message of CudaBackend: host code (sizes from layout_model, no device), so
// that test_gpu_plans checks what it claims in CI.
#include <algorithm>
#include <cstdio>
#include <string>

#include "core/model/gpu_oom_report.h"
#include "core/model/weight_format_name.h"
#include "gpu/cuda_model.h"

namespace falcon::gpu {

std::string out_of_memory_message(const LayoutInputs& in, const DeviceModel& plan, uint64_t need,
                                  uint64_t free_b, uint64_t total_b) {
  const auto needs = [&](WeightFormat w, int capacity) {
    const Dims d = make_dims(in.config, capacity, in.max_batch_tokens, w, in.head_for(w));
    return layout_model(in.config, d, in.attn_ws_bytes, in.attn_counters, nullptr, nullptr) +
           kCudaContextMargin;
  };
  GpuOomReport r;
  r.device = in.device;
  r.need = need + kCudaContextMargin;
  r.weights = plan.weight_bytes;
  r.cache_tokens = plan.d.capacity;
  r.cache = plan.cache_bytes;
  r.scratch = need - plan.weight_bytes - plan.cache_bytes + kCudaContextMargin;
  r.free = free_b;
  r.total = total_b;
  // Smaller formats, largest first: the first that fits with this cache.
  const auto bits = [](WeightFormat w) {
    return w == WeightFormat::Bf16 ? 16 : w == WeightFormat::Int8 ? 8 : 4;
  };
  for (WeightFormat w : {WeightFormat::Int8, WeightFormat::Int4}) {
    if (bits(w) >= bits(in.weights)) continue;
    const uint64_t n = needs(w, plan.d.capacity);
    r.smallest_format = weight_format_name(w);
    r.smallest_need = n;
    if (n <= free_b) {
      r.fit_format = r.smallest_format;
      r.fit_need = n;
      break;
    }
  }
  // The largest cache: estimated from the bytes per cached token, then stepped down to one that fits.
  const uint64_t per_token = plan.d.cap > 0 ? plan.cache_bytes / static_cast<uint64_t>(plan.d.cap) : 0;
  const uint64_t fixed = need + kCudaContextMargin - plan.cache_bytes;
  int tokens = 0;
  if (per_token > 0 && free_b > fixed) {
    const uint64_t est = (free_b - fixed) / per_token / 64 * 64;
    tokens = static_cast<int>(std::min<uint64_t>(est, static_cast<uint64_t>(plan.d.capacity)));
    while (tokens >= 64 && needs(in.weights, tokens) > free_b) tokens -= 64;
  }
  if (tokens >= 64 && tokens < plan.d.capacity) r.fit_cache_tokens = tokens;
  return gpu_oom_text(r);
}

}  // namespace falcon::gpu
