#pragma once
// A model too large for a 24 GiB GPU, as the CUDA backend reports it (core/model/gpu_oom_report.h):
// the numbers the tests that word or read such a report start from.
#include <string>

#include "core/model/gpu_oom_report.h"

namespace falcon::test {

inline GpuOomReport sample_gpu_oom_report(std::string device = "NVIDIA GeForce RTX 4090") {
  GpuOomReport r;
  r.device = std::move(device);
  r.need = 80ull << 30;
  r.weights = 77ull << 30;
  r.cache_tokens = 2048;
  r.cache = 1ull << 30;
  r.scratch = 2ull << 30;
  r.free = 23ull << 30;
  r.total = 24ull << 30;
  return r;
}

}  // namespace falcon::test
