// Device memory faults (issue 12), injected through the CUDA backend's seam (gpu/device_alloc.h):
//  - at load: FALCON_GPU_FAIL_ALLOC=n for every n until the load no longer reaches the n-th
//    allocation. Each failure must be one Error(OutOfMemory) that says what could not be
//    allocated (and that the fault was injected), leave device memory where it was before
//    (cudaMemGetInfo through gpu::list_devices) and pinned host memory too (VmRSS), and a normal
//    load afterwards must give the same logits as before. The first n past the load is the
//    decode step's CUDA graph: the first decode fails, the next one works.
//  - during generation: FALCON_GPU_FAIL_FORWARD=k for each forward of a prompt + decode script.
//    The k-th forward throws Error(OutOfMemory) and leaves the cache as it was before the call;
//    the script then goes on (retrying that forward), or starts again after truncate(0), and the
//    logits equal those of a backend that never failed.
// Models: a small synthetic one of a real shape (rw-1b and 7b with 2 layers; bf16 and int4) and
// fixture checkpoints (sharded bf16; int8 writing and then reading the quantization cache).
// FALCON_ALLOC_FAULTS_QUICK=1 (under compute-sanitizer, tools/gpu_run.sh sanitize): the fixture
// checkpoints only, and no memory-level checks (the sanitizer's own accounting moves them; its
// leak check replaces them).
#include <unistd.h>

#include <fstream>
#include <functional>
#include <memory>

#include "core/common/error.h"
#include "gpu/bench.h"
#include "gpu/cuda_backend.h"
#include "tests/gpu/gpu_test_util.h"

namespace falcon::test {
namespace {

constexpr uint64_t kDeviceSlack = 4ull << 20;  // cudaMemGetInfo moves in 2 MiB pages
constexpr int64_t kHostSlack = 48ll << 20;     // the smallest pinned buffer checked is 64 MiB
constexpr double kTol = 1e-3;                  // same kernels, same inputs: only reduction order

namespace fs = std::filesystem;

// Sets an environment variable for the lifetime of the object (the backend reads it when created).
struct ScopedEnv {
  const char* name;
  ScopedEnv(const char* n, long v) : name(n) { ::setenv(n, std::to_string(v).c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
};

uint64_t device_free() {
  return gpu::list_devices().at(0).free_bytes;
}

int64_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  int64_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

std::string mib(double b) {
  return fmt("%.1f MiB", b / 1048576.0);
}

// What a load attempt needs: a fresh backend, its load notices collected.
using Factory = std::function<std::unique_ptr<Backend>(std::vector<std::string>* notices)>;

// A prompt then single-token steps; the logits of every forward, concatenated.
struct Script {
  std::vector<int32_t> prompt;
  std::vector<int32_t> steps;
  int forwards() const { return 1 + static_cast<int>(steps.size()); }
  std::vector<int32_t> call(int i) const {
    return i == 0 ? prompt : std::vector<int32_t>{steps[static_cast<size_t>(i - 1)]};
  }
};

Script make_script(int vocab) {
  Script s;
  for (int i = 0; i < 40; ++i) s.prompt.push_back((5 + 37 * i) % vocab);
  for (int i = 0; i < 6; ++i) s.steps.push_back((11 + 53 * i) % vocab);
  return s;
}

std::vector<float> run_script(Backend& b, const Script& s) {
  std::vector<float> all, l;
  for (int i = 0; i < s.forwards(); ++i) {
    b.forward(s.call(i), false, l);
    all.insert(all.end(), l.begin(), l.end());
  }
  return all;
}

bool same_logits(Checks& ck, const std::vector<float>& got, const std::vector<float>& ref,
                 const std::string& what) {
  const Diff d = diff(got.data(), ref.data(), std::min(got.size(), ref.size()));
  return ck.expect(got.size() == ref.size() && d.finite && d.max_abs <= kTol * d.max_ref,
                   what + fmt(": max|diff| %.3g of max|ref| %.3g", d.max_abs, d.max_ref));
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// A clear out-of-memory error: the kind, "out of ... memory", what was asked, the injection note.
void expect_oom(Checks& ck, const Error* e, const std::string& injected, const std::string& what) {
  if (!ck.expect(e != nullptr, what + ": an Error was thrown")) return;
  const std::string m = e->what();
  ck.expect(e->kind() == ErrorKind::OutOfMemory && contains(m, "out of ") && contains(m, " memory") &&
                contains(m, injected) && m.find('\n') == std::string::npos,
            what + ": one-line OutOfMemory: " + m);
  // A message for users: no source file paths of the build machine.
  ck.expect(!contains(m, ".cpp:") && !contains(m, ".cu:") && !contains(m, ".h:"),
            what + ": no source location in the message: " + m);
}

bool quick() {
  return std::getenv("FALCON_ALLOC_FAULTS_QUICK") != nullptr;
}

// FALCON_GPU_FAIL_ALLOC=1, 2, ... while the n-th allocation is part of the load.
void load_faults(Checks& ck, const std::string& name, const Factory& make, const Script& s,
                 const std::vector<float>& ref, int min_allocs) {
  const bool measure = !quick();
  const uint64_t dev0 = device_free();
  const int64_t rss0 = rss_bytes();
  int load_allocs = -1;
  for (int n = 1; n <= 64 && load_allocs < 0; ++n) {
    const std::string tag = name + " FALCON_GPU_FAIL_ALLOC=" + std::to_string(n);
    const std::string note = "FALCON_GPU_FAIL_ALLOC=" + std::to_string(n);
    std::vector<std::string> notices;
    std::unique_ptr<Backend> b;
    try {
      ScopedEnv env("FALCON_GPU_FAIL_ALLOC", n);
      b = make(&notices);
    } catch (const Error& e) {
      expect_oom(ck, &e, note, tag + " at load");
      const uint64_t dev = device_free();
      if (measure)
        ck.expect(dev + kDeviceSlack >= dev0,
                  tag + ": device memory back to before (" + mib(double(dev0) - double(dev)) + " less free)");
      continue;
    } catch (const std::exception& e) {
      ck.expect(false, tag + ": not an falcon::Error: " + e.what());
      continue;
    }
    std::string uncached;
    for (const std::string& t : notices)
      if (contains(t, "not cached") && contains(t, note)) uncached = t;
    try {
      if (!uncached.empty()) {
        // The fault hit the quantization cache's staging buffer after the model was loaded:
        // only the cache is given up, and the user is told.
        ck.expect(contains(uncached, "out of pinned host memory"), tag + ": load kept, " + uncached);
        same_logits(ck, run_script(*b, s), ref, tag + ": logits as a clean load");
        continue;
      }
      // Loaded: the n-th allocation is the decode graph, made at the first decode step.
      load_allocs = n - 1;
      std::vector<float> l, all;
      b->forward(s.prompt, false, l);
      all = l;
      try {
        b->forward(s.call(1), false, l);
        ck.expect(false, tag + ": the first decode step (its CUDA graph) did not fail");
      } catch (const Error& e) {
        expect_oom(ck, &e, note, tag + " at the first decode step");
        ck.expect(contains(e.what(), "CUDA graph") && b->cache_size() == static_cast<int>(s.prompt.size()),
                  tag + ": names the CUDA graph; cache still holds the prompt only");
      }
      for (int i = 1; i < s.forwards(); ++i) {
        b->forward(s.call(i), false, l);
        all.insert(all.end(), l.begin(), l.end());
      }
      same_logits(ck, all, ref, tag + ": decode retried, logits as a clean backend");
    } catch (const std::exception& e) {
      ck.expect(false, tag + ": after the load: " + e.what());
    }
  }
  ck.expect(load_allocs >= min_allocs, name + ": the load makes " + std::to_string(load_allocs) +
                                           " allocations through the seam (at least " +
                                           std::to_string(min_allocs) + " expected)");
  const uint64_t dev = device_free();
  const int64_t rss = rss_bytes();
  if (measure) {
    ck.expect(dev + kDeviceSlack >= dev0, name + ": no device memory kept after the loop (" +
                                              mib(double(dev0) - double(dev)) + " less free)");
    ck.expect(rss - rss0 <= kHostSlack,
              name + ": no pinned host memory kept (resident memory " + mib(double(rss - rss0)) + " more)");
  }
  try {
    std::vector<std::string> notices;
    auto b = make(&notices);
    same_logits(ck, run_script(*b, s), ref, name + ": a normal load afterwards, logits as before");
  } catch (const std::exception& e) {
    ck.expect(false, name + ": a normal load afterwards failed: " + e.what());
  }
}

// FALCON_GPU_FAIL_FORWARD=k for each forward of the script.
void forward_faults(Checks& ck, const std::string& name, const Factory& make, const Script& s,
                    const std::vector<float>& ref) {
  for (int k = 1; k <= s.forwards(); ++k) {
    for (bool restart : {false, true}) {
      const std::string note = "FALCON_GPU_FAIL_FORWARD=" + std::to_string(k);
      const std::string tag = name + " " + note + (restart ? " then truncate(0)" : " then retry");
      try {
        std::unique_ptr<Backend> b;
        {
          ScopedEnv env("FALCON_GPU_FAIL_FORWARD", k);
          b = make(nullptr);
        }
        std::vector<float> all, l;
        for (int i = 0; i < s.forwards(); ++i) {
          const int before = b->cache_size();
          if (i == k - 1) {
            try {
              b->forward(s.call(i), false, l);
              ck.expect(false, tag + ": forward " + std::to_string(k) + " did not fail");
            } catch (const Error& e) {
              expect_oom(ck, &e, note, tag);
              ck.expect(b->cache_size() == before, tag + ": cache size unchanged by the failed forward");
            }
            if (restart) {
              b->truncate(0);
              all.clear();
              for (int j = 0; j <= i; ++j) {
                b->forward(s.call(j), false, l);
                all.insert(all.end(), l.begin(), l.end());
              }
              continue;
            }
          }
          b->forward(s.call(i), false, l);
          all.insert(all.end(), l.begin(), l.end());
        }
        same_logits(ck, all, ref, tag + ": logits as a backend that never failed");
      } catch (const std::exception& e) {
        ck.expect(false, tag + ": " + e.what());
      }
    }
  }
}

struct Model {
  std::string name;
  Factory make;
  int vocab;
  int min_allocs;  // allocations a load makes at least (arena, cuBLAS handle, 2 pinned, ...)
  bool forward_faults = true;
  std::string expect_notice;  // a load notice the clean load must give ("" = none)
};

void run_model(Checks& ck, const Model& m) {
  const Script s = make_script(m.vocab);
  std::vector<float> ref;
  try {
    std::vector<std::string> notices;
    auto b = m.make(&notices);  // also loads every kernel module before memory is measured
    ref = run_script(*b, s);
    if (!m.expect_notice.empty()) {
      bool seen = false;
      for (const std::string& t : notices) seen |= contains(t, m.expect_notice);
      ck.expect(seen, m.name + ": the clean load says \"" + m.expect_notice + "\"");
    }
  } catch (const std::exception& e) {
    ck.expect(false, m.name + ": clean load and run: " + e.what());
    return;
  }
  load_faults(ck, m.name, m.make, s, ref, m.min_allocs);
  if (m.forward_faults) forward_faults(ck, m.name, m.make, s, ref);
}

ModelConfig two_layers(const char* shape) {
  ModelConfig c = gpu::synthetic_config(shape);
  c.num_layers = 2;
  return c;
}

}  // namespace
}  // namespace falcon::test

int main() {
  using namespace falcon;
  using namespace falcon::test;
  if (no_device()) return 77;
  Checks ck;
  try {
    const fs::path models = fixtures_dir() / "models";
    const fs::path cache = fs::temp_directory_path() / ("falcon_alloc_faults_" + std::to_string(::getpid()));
    std::vector<Model> list;
    if (!quick()) {
      const ModelConfig c = two_layers("rw-1b");  // MHA, ALiBi, sequential blocks, biases
      list.push_back({"synthetic rw-1b x2 bf16",
                      [c](std::vector<std::string>*) {
                        CudaBackendOptions o;
                        o.cache_capacity = 256;
                        o.max_batch_tokens = 16;  // the 40-token prompt in 3 chunks
                        return create_synthetic_cuda_backend(c, 7, o);
                      },
                      c.vocab_size, 4});
    }
    if (!quick()) {
      const ModelConfig c = two_layers("7b");  // MQA, RoPE, parallel blocks
      list.push_back({"synthetic 7b x2 int4+head",
                      [c](std::vector<std::string>*) {
                        CudaBackendOptions o;
                        o.cache_capacity = 256;
                        o.weights = WeightFormat::Int4;
                        o.head_weights = WeightFormat::Int4;
                        return create_synthetic_cuda_backend(c, 8, o);
                      },
                      c.vocab_size, 4, false});
    }
    const fs::path sharded = models / "gqa_2ln_sharded";
    list.push_back({"fixture gqa_2ln_sharded bf16",
                    [sharded](std::vector<std::string>*) {
                      CudaBackendOptions o;
                      o.cache_capacity = 128;
                      return create_cuda_backend(sharded, o);
                    },
                    load_model_config(sharded).vocab_size, 6});
    const fs::path rope = models / "mqa_rope_parallel";
    auto int8 = [rope, cache](bool fresh_cache) {
      return [rope, cache, fresh_cache](std::vector<std::string>* notices) {
        if (fresh_cache) fs::remove_all(cache);
        CudaBackendOptions o;
        o.cache_capacity = 128;
        o.weights = WeightFormat::Int8;
        o.quant_cache_dir = cache;
        o.notice = [notices](const std::string& t) {
          if (notices) notices->push_back(t);
        };
        return create_cuda_backend(rope, o);
      };
    };
    const int rope_vocab = load_model_config(rope).vocab_size;
    // Writing the cache: arena, 2 upload buffers, the cache's staging buffer, cuBLAS, 2 pinned.
    list.push_back(
        {"fixture mqa_rope_parallel int8, cache written", int8(true), rope_vocab, 7, false, "cached in"});
    // Reading the file the last clean load above wrote: its staging buffer instead of the writer's.
    list.push_back({"fixture mqa_rope_parallel int8, cache read", int8(false), rope_vocab, 7, false,
                    "read from the cache"});
    for (const Model& m : list) run_model(ck, m);
    fs::remove_all(cache);
  } catch (const std::exception& e) {
    ck.expect(false, std::string("unexpected: ") + e.what());
  }
  return ck.finish("test_gpu_alloc_faults");
}
