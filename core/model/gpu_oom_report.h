#pragma once
// What the CUDA backend says when a model does not fit the GPU, as data: gpu/oom_message.cpp fills
// it, gpu_oom_text words it in English (the error's message, what falcon-run prints), and
// parse_gpu_oom_text reads such a message back, so that the app, which gets the error through the
// plugin as text, can say the same in the user's language.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace falcon {

struct GpuOomReport {
  std::string device;        // "NVIDIA H100 80GB HBM3"
  uint64_t need = 0;         // bytes the model needs, the CUDA context's margin included
  uint64_t weights = 0;      // of which the weights,
  int64_t cache_tokens = 0;  // a KV cache of this many tokens,
  uint64_t cache = 0;        // taking this,
  uint64_t scratch = 0;      // and scratch with the CUDA margin
  uint64_t free = 0, total = 0;
  // A smaller weight format that fits with this cache ("" when none), and what it needs.
  std::string fit_format;
  uint64_t fit_need = 0;
  // The largest KV cache (tokens, a multiple of 64) that fits with these weights; 0 when none
  // smaller than the one asked for does.
  int64_t fit_cache_tokens = 0;
  // When neither fits: the smallest format's need ("" when the weights are int4 already: then the
  // weights alone do not fit).
  std::string smallest_format;
  uint64_t smallest_need = 0;

  bool operator==(const GpuOomReport&) const = default;
};

std::string gpu_oom_text(const GpuOomReport& r);
// The report behind a gpu_oom_text message (its byte counts to the 0.01 GiB the text gives), or
// nothing for any other text.
std::optional<GpuOomReport> parse_gpu_oom_text(std::string_view text);

}  // namespace falcon
