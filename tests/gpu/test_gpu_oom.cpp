// Too little GPU memory must be an Error(OutOfMemory) that names the bytes needed and free,
// raised before anything is allocated; never a crash. Falcon-180B in bf16 (~360 GB) cannot fit
// one GPU; a model that fits with a small cache must then still load (the failed attempt left
// nothing behind).
#include "core/common/error.h"
#include "gpu/bench.h"
#include "gpu/cuda_backend.h"
#include "tests/gpu/gpu_test_util.h"

int main() {
  using namespace falcon;
  using namespace falcon::test;
  if (no_device()) return 77;
  Checks ck;
  try {
    auto b = create_synthetic_cuda_backend(gpu::synthetic_config("180b"), 1);
    ck.expect(false, "180b synthetic backend was created on a single GPU");
  } catch (const Error& e) {
    const std::string m = e.what();
    ck.expect(e.kind() == ErrorKind::OutOfMemory, "180b: ErrorKind::OutOfMemory (" + m + ")");
    ck.expect(m.find("GiB") != std::string::npos && m.find("free") != std::string::npos,
              "message gives needed and free memory");
  }
  try {
    CudaBackendOptions o;
    o.cache_capacity = 1 << 24;  // a 16M-token cache of rw-1b needs ~6 TB
    auto b = create_synthetic_cuda_backend(gpu::synthetic_config("rw-1b"), 1, o);
    ck.expect(false, "a 16M-token cache was allocated");
  } catch (const Error& e) {
    ck.expect(e.kind() == ErrorKind::OutOfMemory, std::string("huge cache: OutOfMemory (") + e.what() + ")");
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
