// The out-of-memory message of CudaBackend: host code (sizes from layout_model, no device), so
// that test_gpu_plans checks what it claims in CI.
#include <algorithm>
#include <cstdio>
#include <string>

#include "core/model/weight_format_name.h"
#include "gpu/cuda_model.h"

namespace falcon::gpu {

std::string out_of_memory_message(const LayoutInputs& in, const DeviceModel& plan, uint64_t need,
                                  uint64_t free_b, uint64_t total_b) {
  const auto needs = [&](WeightFormat w, int capacity) {
    const Dims d = make_dims(in.config, capacity, in.max_batch_tokens, w, in.head);
    return layout_model(in.config, d, in.attn_ws_bytes, in.attn_counters, nullptr, nullptr) +
           kCudaContextMargin;
  };
  const uint64_t scratch = need - plan.weight_bytes - plan.cache_bytes;
  std::string m = "not enough GPU memory on " + in.device + ": the model needs " +
                  gib_text(need + kCudaContextMargin) + " (weights " + gib_text(plan.weight_bytes) +
                  ", a KV cache of " + std::to_string(plan.d.capacity) + " tokens " +
                  gib_text(plan.cache_bytes) + ", scratch and CUDA " +
                  gib_text(scratch + kCudaContextMargin) + ") but only " + gib_text(free_b) + " of " +
                  gib_text(total_b) + " are free";
  // Smaller formats, largest first: the first that fits with this cache.
  const auto bits = [](WeightFormat w) {
    return w == WeightFormat::Bf16 ? 16 : w == WeightFormat::Int8 ? 8 : 4;
  };
  std::string format_hint, smallest_hint;
  for (WeightFormat w : {WeightFormat::Int8, WeightFormat::Int4}) {
    if (bits(w) >= bits(in.weights)) continue;
    const uint64_t n = needs(w, plan.d.capacity);
    smallest_hint = std::string(weight_format_name(w)) + " weights would need " + gib_text(n);
    if (n <= free_b) {
      format_hint = smallest_hint + " and fit";
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
  const bool cache_fits = tokens >= 64 && tokens < plan.d.capacity;
  if (!format_hint.empty()) m += "; " + format_hint;
  if (cache_fits) m += "; with these weights a KV cache of up to " + std::to_string(tokens) + " tokens fits";
  if (format_hint.empty() && !cache_fits)
    m += smallest_hint.empty() ? "; the weights alone do not fit" : "; even " + smallest_hint;
  return m + " (or use the CPU backend)";
}

}  // namespace falcon::gpu
