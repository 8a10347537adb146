// Too little GPU memory must be an Error(OutOfMemory) that names the bytes needed and free,
// raised before anything is allocated; never a crash. Falcon-180B in bf16 (~360 GB) cannot fit
// one GPU; a model that fits with a small cache must then still load (the failed attempt left
// nothing behind). The message also says what would fit (a smaller weight format, the largest KV
// cache for these weights), and what it says must hold: the suggested cache loads and runs, and
// Falcon-180B in int4 loads exactly when the message said it fits.
#include <cstdlib>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/model/gpu_oom_report.h"
#include "gpu/bench.h"
#include "gpu/cuda_backend.h"
#include "tests/gpu/gpu_test_util.h"

int main() {
  using namespace falcon;
  using namespace falcon::test;
  if (no_device()) return 77;
  Checks ck;
  // The app words this message in the user's language from the report it reads back: the text a
  // real device produced must read back, and the report must give that text again.
  auto reads_back = [&](const std::string& m, const std::string& what) {
    const auto r = parse_gpu_oom_text(m);
    ck.expect(r && gpu_oom_text(*r) == m, what + ": the app reads the message back whole (" + m + ")");
  };
  try {
    auto b = create_synthetic_cuda_backend(gpu::synthetic_config("180b"), 1);
    ck.expect(false, "180b synthetic backend was created on a single GPU");
  } catch (const Error& e) {
    const std::string m = e.what();
    ck.expect(e.kind() == ErrorKind::OutOfMemory, "180b: ErrorKind::OutOfMemory (" + m + ")");
    reads_back(m, "180b");
    ck.expect(m.find("GiB") != std::string::npos && m.find("free") != std::string::npos,
              "message gives needed and free memory");
    // It names what would fit instead; what it says must hold when tried: the format it says
    // fits loads and runs; when it says none does, int4 is refused as too large.
    ck.expect(m.find("int8 weights would need") != std::string::npos ||
                  m.find("int4 weights would need") != std::string::npos,
              "180b: the message gives a smaller weight format's need");
    const bool fits = m.find(" and fit") != std::string::npos;
    const bool int8 = fits && m.find("int8 weights would need") != std::string::npos;
    CudaBackendOptions o;
    o.weights = int8 ? WeightFormat::Int8 : WeightFormat::Int4;
    const std::string name = int8 ? "180b int8" : "180b int4";
    try {
      auto b = create_synthetic_cuda_backend(gpu::synthetic_config("180b"), 1, o);
      std::vector<float> logits;
      b->forward(std::vector<int32_t>{1, 2, 3}, false, logits);
      ck.expect(fits && logits.size() == 65024,
                name + " loads and runs; the message said it fits: " + (fits ? "yes" : "no"));
    } catch (const Error& e2) {
      if (e2.kind() == ErrorKind::OutOfMemory) reads_back(e2.what(), name);
      ck.expect(!fits && e2.kind() == ErrorKind::OutOfMemory,
                name + " does not fit; the message said it fits: " + (fits ? "yes" : "no") + " (" +
                    e2.what() + ")");
    }
  }
  try {
    CudaBackendOptions o;
    o.cache_capacity = 1 << 24;  // a 16M-token cache of rw-1b needs ~6 TB
    auto b = create_synthetic_cuda_backend(gpu::synthetic_config("rw-1b"), 1, o);
    ck.expect(false, "a 16M-token cache was allocated");
  } catch (const Error& e) {
    const std::string m = e.what();
    ck.expect(e.kind() == ErrorKind::OutOfMemory, "huge cache: OutOfMemory (" + m + ")");
    reads_back(m, "huge cache");
    // "a KV cache of up to N tokens fits": such a backend must then load and run.
    const std::string key = "a KV cache of up to ";
    const size_t at = m.find(key);
    const int n = at == std::string::npos ? 0 : std::atoi(m.c_str() + at + key.size());
    ck.expect(n >= 64 && n % 64 == 0,
              "huge cache: the message gives the largest cache that fits (" + std::to_string(n) + " tokens)");
    if (n >= 64) {
      try {
        CudaBackendOptions o;
        o.cache_capacity = n;
        auto b = create_synthetic_cuda_backend(gpu::synthetic_config("rw-1b"), 1, o);
        std::vector<float> logits;
        b->forward(std::vector<int32_t>{1, 2, 3}, false, logits);
        ck.expect(logits.size() == 50304,
                  "rw-1b with the suggested " + std::to_string(n) + "-token cache loads and runs");
      } catch (const std::exception& e2) {
        ck.expect(false, std::string("the suggested cache does not load: ") + e2.what());
      }
    }
  }
  try {
    CudaBackendOptions o;
    o.cache_capacity = 256;
    auto b = create_synthetic_cuda_backend(gpu::synthetic_config("rw-1b"), 1, o);
    std::vector<float> logits;
    b->forward(std::vector<int32_t>{1, 2, 3}, false, logits);
    bool finite = true;
    for (float v : logits) finite &= std::isfinite(v);
    ck.expect(finite && logits.size() == 50304,
              "rw-1b with a 256-token cache loads and runs after the failures");
    b->forward(std::vector<int32_t>{4}, false, logits);
    try {
      b->forward(std::vector<int32_t>(300, 5), false, logits);
      ck.expect(false, "overflowing the cache was accepted");
    } catch (const Error& e) {
      ck.expect(e.kind() == ErrorKind::Usage && b->cache_size() == 4,
                "cache overflow: Usage error, cache unchanged");
    }
  } catch (const std::exception& e) {
    ck.expect(false, std::string("rw-1b: ") + e.what());
  }
  return ck.finish("test_gpu_oom");
}
