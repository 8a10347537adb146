// CudaBackend against CpuBackend (the fp32 reference) on random checkpoints of every variant
// with head dims 32/64/128, which take the tensor-core attention path (the HF fixtures have
// head_dim 8/16 and take the generic one; test_gpu_fixtures covers those).
// Checks: prefill of odd lengths (1, 7, 63, 65, 1000) with all logits and (1, 7, 65, 513, 514)
// with the last row's only, each then a decode step; a long decode through the
// replayed CUDA graph, the eviction invariant, shift eviction against the CPU's, and 4096-token
// prompts.
// Tolerance everywhere: max |gpu - cpu| <= 2e-2 * max |cpu| over the compared logits.
#include <chrono>
#include <memory>

#include "core/common/error.h"
#include "core/model/cpu_backend.h"
#include "gpu/cuda_backend.h"
#include "tests/gpu/gpu_test_util.h"

namespace falcon::test {
namespace {

constexpr double kTol = 2e-2;
constexpr int kCapacity = 4200;

struct Variant {
  const char* name;
  SynthSpec spec;
  int max_batch = 2048;
  bool long_prompt = false;
  int decode_from = 65;
  int decode_iters = 150;  // each iteration adds 2 tokens
};

struct Pair {
  std::unique_ptr<Backend> cpu, gpu;
};

double elapsed(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Whether the GPU's logits match the CPU's within the tolerance (sizes first: a short span is
// never read past its end); reports unless `report` is off, and then still on a mismatch.
bool agree(Checks& ck, std::span<const float> gpu, const std::vector<float>& cpu, const std::string& what,
           double* worst = nullptr, bool report = true) {
  const bool same_size = gpu.size() == cpu.size();
  const Diff d = same_size ? diff(gpu.data(), cpu.data(), cpu.size()) : Diff{};
  if (worst) *worst = std::max(*worst, d.rel());
  const bool ok = same_size && d.finite && d.max_abs <= kTol * d.max_ref;
  if (report || !ok)
    ck.expect(ok, what +
                      (same_size ? ""
                                 : ": " + std::to_string(gpu.size()) + " logits, not " +
                                       std::to_string(cpu.size())) +
                      fmt(": max|diff| %.3g, max|ref| %.3g, rel %.2e", d.max_abs, d.max_ref, d.rel()));
  return ok;
}

// Same tokens through both; compares the logits.
bool both(Checks& ck, Pair& p, const std::vector<int32_t>& toks, bool all, const std::string& what,
          double* worst = nullptr, bool report = true) {
  std::vector<float> a, b;
  p.cpu->forward(toks, all, a);
  p.gpu->forward(toks, all, b);
  const bool no_maxima = p.gpu->last_block_maxima().empty();
  if (report || !no_maxima) ck.expect(no_maxima, what + ": no block maxima offered after forward()");
  return agree(ck, b, a, what, worst, report);
}

// The same, the GPU's logits through forward_last (a decode loop's way: no copy, the logits
// where the head wrote them): a prefill's last row or a decode step. `cpu` gets the reference's.
bool both_last(Checks& ck, Pair& p, const std::vector<int32_t>& toks, const std::string& what,
               double* worst = nullptr, bool report = true, std::vector<float>* cpu = nullptr) {
  std::vector<float> a, scratch;
  std::vector<float>& ref = cpu ? *cpu : a;
  p.cpu->forward(toks, false, ref);
  const std::span<const float> got = p.gpu->forward_last(toks, scratch);
  bool ok = agree(ck, got, ref, what + " (forward_last)", worst, report);
  // The head's block maxima beside them (Backend::last_block_maxima), bit for bit, where given
  // (always, unless FALCON_LOGITS_DIRECT=0 or FALCON_HEAD_MAXIMA=0); forward() takes them back.
  const std::span<const float> maxima = p.gpu->last_block_maxima();
  const char* direct = std::getenv("FALCON_LOGITS_DIRECT");
  const char* wanted = std::getenv("FALCON_HEAD_MAXIMA");
  const bool expected = !(direct && direct[0] == '0') && !(wanted && wanted[0] == '0');
  std::string why = maxima.empty() ? (expected ? "none offered" : "none, as configured")
                    : maxima.size() == (got.size() + 15) / 16 ? ""
                                                              : std::to_string(maxima.size()) + " maxima";
  const bool maxima_ok =
      maxima.empty() ? !expected
                     : why.empty() && block_maxima_match({got.begin(), got.end()}, maxima.data(), &why);
  if (report || !maxima_ok) ck.expect(maxima_ok, what + " (forward_last): block maxima: " + why);
  return ok && maxima_ok;
}

void run_variant(Checks& ck, const Variant& v, const std::filesystem::path& root) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::filesystem::path dir = root / v.name;
  write_synth_checkpoint(dir, v.spec, 1234);
  const ModelConfig cfg = load_model_config(dir);
  auto reader = std::make_shared<const CheckpointReader>(dir);
  CpuBackendOptions co;
  co.cache_capacity = kCapacity;
  CudaBackendOptions go;
  go.cache_capacity = kCapacity;
  go.max_batch_tokens = v.max_batch;
  uint64_t last_done = 0, total = 0;
  go.progress = [&](uint64_t done, uint64_t tot) {
    last_done = done;
    total = tot;
  };
  Pair p{create_cpu_backend(cfg, reader, co), create_cuda_backend(cfg, reader, go)};
  const std::string n = std::string(v.name) + ": ";
  ck.expect(total > 0 && last_done == total, n + "load progress reached " + std::to_string(last_done) +
                                                 " of " + std::to_string(total) + " bytes");
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> tok(0, v.spec.vocab - 1);
  std::vector<int32_t> prompt(4096);
  for (auto& t : prompt) t = tok(rng);
  auto prefix = [&](int len) { return std::vector<int32_t>(prompt.begin(), prompt.begin() + len); };

  // 1. Fresh prefills of odd lengths, every row's logits.
  for (int len : {1, 7, 63, 65, 1000}) {
    p.cpu->truncate(0);
    p.gpu->truncate(0);
    both(ck, p, prefix(len), true, n + "prefill " + std::to_string(len) + " all logits");
  }
  // 1b. Prefills with the last row's logits only: the last layer then runs attention and the MLP
  // on that row alone (and on none in a chunk before the last), so the decode step after each
  // reads K and V of rows whose block output was never computed. 513 and 514 tokens end the
  // 512-token chunks of the first variant with chunks of 1 and 2 rows.
  for (int len : {1, 7, 65, 513, 514}) {
    p.cpu->truncate(0);
    p.gpu->truncate(0);
    const std::string what = n + "prefill " + std::to_string(len) + " last logits";
    both(ck, p, prefix(len), false, what);
    both(ck, p, std::vector<int32_t>{prompt[static_cast<size_t>(len)]}, false, what + ", then a decode step");
    both_last(ck, p, std::vector<int32_t>{prompt[static_cast<size_t>(len) + 1]}, what + ", a second step");
    both_last(ck, p, prefix(len), what + ", again after it");
  }
  // 2. Long decode (graph replay), tokens chosen greedily by the reference.
  {
    p.cpu->truncate(0);
    p.gpu->truncate(0);
    std::vector<float> a;
    both(ck, p, prefix(v.decode_from), false, n + "prefill " + std::to_string(v.decode_from));
    double worst = 0;
    bool all_ok = true;
    int next = prompt[static_cast<size_t>(v.decode_from)];
    for (int step = 0; step < v.decode_iters; ++step) {
      all_ok &= both(ck, p, std::vector<int32_t>{next}, false, n + "decode step " + std::to_string(step),
                     &worst, false);
      // Advance both by one more token to vary the path, the GPU through forward_last.
      all_ok &= both_last(ck, p, std::vector<int32_t>{next}, n + "decode step " + std::to_string(step) + "b",
                          &worst, false, &a);
      next = argmax(a.data(), v.spec.vocab);
    }
    ck.expect(all_ok && p.gpu->cache_size() == v.decode_from + 2 * v.decode_iters,
              n + std::to_string(2 * v.decode_iters) + " decode steps, worst rel diff " + fmt("%.2e", worst));
  }
  // 3. Eviction invariant: after evictions, logits equal a fresh prefill of the kept tokens.
  {
    p.cpu->truncate(0);
    p.gpu->truncate(0);
    std::vector<int32_t> kept = prefix(300);
    std::vector<float> a, b, fresh;
    p.cpu->forward(kept, false, a);
    p.gpu->forward(kept, false, b);
    p.cpu->evict(10, 50, EvictMode::Exact);
    p.gpu->evict(10, 50, EvictMode::Exact);
    kept.erase(kept.begin() + 10, kept.begin() + 60);
    const std::vector<int32_t> more(prompt.begin() + 300, prompt.begin() + 305);
    both(ck, p, more, false, n + "5 tokens after evict(10, 50)");
    kept.insert(kept.end(), more.begin(), more.end());
    p.cpu->evict(0, 20, EvictMode::Exact);
    p.gpu->evict(0, 20, EvictMode::Exact);
    kept.erase(kept.begin(), kept.begin() + 20);
    const int32_t last = prompt[305];
    p.gpu->forward(std::vector<int32_t>{last}, false, b);
    p.cpu->forward(std::vector<int32_t>{last}, false, a);
    kept.push_back(last);
    ck.expect(p.gpu->cache_size() == static_cast<int>(kept.size()), n + "cache size after evictions");
    p.gpu->truncate(0);
    p.gpu->forward(kept, false, fresh);
    agree(ck, b, fresh, n + "evict invariant (gpu vs fresh gpu prefill of kept tokens)");
    agree(ck, b, a, n + "after evictions gpu vs cpu");
  }
  // 3b. EvictMode::Shift (move K/V, re-rotate keys) against the CPU backend's shift, which
  // test_cpu_backend_evict checks against fresh prefills: evictions of varying size, each
  // followed by a multi-token prefill and a decode step (the replayed graph reads the moved cache).
  {
    p.cpu->truncate(0);
    p.gpu->truncate(0);
    both(ck, p, prefix(300), false, n + "prefill 300 before shifts");
    int at = 300;
    for (int round = 0; round < 6; ++round) {
      const int begin = round % 2 == 0 ? 10 : 0, count = 23 + 17 * round;
      p.cpu->evict(begin, count, EvictMode::Shift);
      p.gpu->evict(begin, count, EvictMode::Shift);
      const std::string what =
          n + "shift evict(" + std::to_string(begin) + ", " + std::to_string(count) + ")";
      both(ck, p, std::vector<int32_t>(prompt.begin() + at, prompt.begin() + at + 3), false,
           what + " + 3 tokens");
      both(ck, p, std::vector<int32_t>{prompt[static_cast<size_t>(at + 3)]}, false, what + " + decode step");
      at += 4 + 40;
      // Grow again so the next round has something to move.
      both(ck, p, std::vector<int32_t>(prompt.begin() + at - 40, prompt.begin() + at), false,
           what + " + 40 tokens", nullptr, false);
    }
    ck.expect(p.gpu->cache_size() == p.cpu->cache_size(), n + "cache sizes equal after shifts");
  }
  // 4. A 4096-token prompt, then a few decode steps.
  if (v.long_prompt) {
    p.cpu->truncate(0);
    p.gpu->truncate(0);
    both(ck, p, prefix(4090), false, n + "prompt of 4090 tokens, last logits");
    for (int i = 0; i < 6; ++i)
      both(ck, p, std::vector<int32_t>{prompt[static_cast<size_t>(4090 + i)]}, false,
           n + "decode at 409" + std::to_string(i));
  }
  std::printf("%s%.1f s\n", n.c_str(), elapsed(t0));
}

}  // namespace
}  // namespace falcon::test

int main() {
  using namespace falcon::test;
  if (no_device()) return 77;
  Checks ck;
  std::vector<Variant> variants;
  {
    Variant v{"mqa_rope_parallel_hd64"};
    v.spec.hidden = 256, v.spec.heads = 4, v.spec.kv_heads = 1;
    v.max_batch = 512;  // long prompts in chunks
    v.long_prompt = true;
    variants.push_back(v);
  }
  {
    Variant v{"gqa_2ln_hd64"};
    v.spec.hidden = 512, v.spec.heads = 8, v.spec.kv_heads = 2, v.spec.new_arch = true, v.spec.ffn = 2048;
    v.long_prompt = true;
    variants.push_back(v);
  }
  {
    Variant v{"gqa_1ln_untied_hd128"};
    v.spec.hidden = 512, v.spec.heads = 4, v.spec.kv_heads = 2, v.spec.new_arch = true,
    v.spec.ln_in_parallel = 1;
    v.spec.tie = false, v.spec.theta = 500042.0;
    variants.push_back(v);
  }
  {
    Variant v{"mha_bias_sequential_alibi_hd64"};
    v.spec.hidden = 256, v.spec.heads = 4, v.spec.kv_heads = 4, v.spec.multi_query = false;
    v.spec.parallel = false, v.spec.bias = true, v.spec.alibi = true;
    variants.push_back(v);
  }
  {
    Variant v{"mqa_36heads_hd32"};
    v.spec.hidden = 1152, v.spec.heads = 36, v.spec.kv_heads = 1;
    variants.push_back(v);
  }
  {
    Variant v{"gqa_g20_alibi_hd32"};
    v.spec.hidden = 1280, v.spec.heads = 40, v.spec.kv_heads = 2, v.spec.new_arch = true, v.spec.alibi = true;
    variants.push_back(v);
  }
  {
    Variant v{"rope_dynamic_hd64"};
    v.spec.hidden = 256, v.spec.heads = 4, v.spec.kv_heads = 1, v.spec.max_pos = 256;
    v.spec.rope_type = "dynamic", v.spec.factor = 2.0;
    v.decode_from = 230;  // the decode crosses max_position_embeddings (each step then replays the cache)
    v.decode_iters = 30;
    variants.push_back(v);
  }
  {
    Variant v{"rope_linear_gqa_hd64"};
    v.spec.hidden = 256, v.spec.heads = 4, v.spec.kv_heads = 2, v.spec.new_arch = true;
    v.spec.rope_type = "linear", v.spec.factor = 4.0;
    variants.push_back(v);
  }
  const std::filesystem::path root = std::filesystem::temp_directory_path() / "falcon_gpu_backend_test";
  const char* only = std::getenv("FALCON_GPU_VARIANT");
  for (const Variant& v : variants) {
    if (only && std::string(only) != v.name) continue;
    try {
      run_variant(ck, v, root);
    } catch (const std::exception& e) {
      ck.expect(false, std::string(v.name) + ": exception: " + e.what());
    }
  }
  std::filesystem::remove_all(root);
  return ck.finish("test_gpu_backend");
}
