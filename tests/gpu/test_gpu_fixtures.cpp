// CudaBackend on every HF fixture (tests/fixtures/models/*): logits against the float32
// references from transformers, the greedy continuation, and the CPU backend.
//  - prompt logits (one forward of the prompt, every row) and full logits (prompt + greedy
//    continuation in one forward): max |diff| <= 2e-2 * max |ref|;
//  - the 24-token greedy continuation, decoded one token at a time through the KV cache and
//    the CUDA graph, equals the reference wherever the reference's top-1 margin (from
//    full_logits.bin) exceeds that error bound; below it a different token is allowed and the
//    comparison stops there (the sequences legitimately diverge);
//  - the same forward on CpuBackend agrees within the same bound;
//  - with int8 and int4 weights (each with its default head) on both backends, the same: both
//    quantize to the same values (docs/QUANTIZATION.md), so what is left is the GPU's bf16
//    activations against the CPU's fp32.
#include <nlohmann/json.hpp>

#include "core/model/cpu_backend.h"
#include "core/model/weight_format_name.h"
#include "gpu/cuda_backend.h"
#include "tests/gpu/gpu_test_util.h"

namespace falcon::test {
namespace {

constexpr double kTol = 2e-2;

// Two backends from an empty cache: the prompt's logits (every row), then the continuation one
// token at a time, each within kTol of the first's largest logit.
struct Agreement {
  bool ok = true;
  double worst = 0;  // largest relative difference
};

Agreement agreement(Backend& ref, Backend& other, const std::vector<int32_t>& prompt,
                    const std::vector<int32_t>& continuation) {
  Agreement ag;
  std::vector<float> a, b;
  auto step = [&] {
    const Diff d = diff(b.data(), a.data(), a.size());
    ag.ok &= d.finite && d.max_abs <= kTol * d.max_ref;
    ag.worst = std::max(ag.worst, d.rel());
  };
  ref.forward(prompt, true, a);
  other.forward(prompt, true, b);
  step();
  for (int32_t t : continuation) {
    ref.forward(std::vector<int32_t>{t}, false, a);
    other.forward(std::vector<int32_t>{t}, false, b);
    step();
  }
  return ag;
}

void run_fixture(Checks& ck, const std::filesystem::path& dir) {
  const std::string n = dir.filename().string() + ": ";
  std::ifstream rf(dir / "reference.json");
  const nlohmann::json ref = nlohmann::json::parse(rf);
  const int V = ref.at("vocab_size").get<int>();
  const std::vector<int32_t> prompt = ref.at("prompt").get<std::vector<int32_t>>();
  const std::vector<int32_t> greedy = ref.at("greedy").get<std::vector<int32_t>>();
  const std::vector<int32_t> full = ref.at("full_tokens").get<std::vector<int32_t>>();
  const std::vector<float> prompt_ref = read_f32(dir / ref.at("prompt_logits").at("file").get<std::string>());
  const std::vector<float> full_ref = read_f32(dir / ref.at("full_logits").at("file").get<std::string>());
  ck.expect(prompt_ref.size() == prompt.size() * V && full_ref.size() == full.size() * V,
            n + "reference files sized");

  // The default capacity (max_position_embeddings x RoPE factor) can be shorter than the
  // reference sequence (rope_dynamic: 24 x 2 < 56); HF itself runs past it.
  const int capacity = static_cast<int>(full.size()) + 8;
  CudaBackendOptions go;
  go.cache_capacity = capacity;
  auto gpu = create_cuda_backend(dir, go);
  std::vector<float> out;
  gpu->forward(prompt, true, out);
  Diff d = diff(out.data(), prompt_ref.data(), prompt_ref.size());
  ck.expect(d.finite && d.max_abs <= kTol * d.max_ref,
            n + "prompt logits vs HF" +
                fmt(": max|diff| %.3g, max|ref| %.3g, rel %.2e", d.max_abs, d.max_ref, d.rel()));
  gpu->truncate(0);
  gpu->forward(full, true, out);
  const Diff dfull = diff(out.data(), full_ref.data(), full_ref.size());
  ck.expect(dfull.finite && dfull.max_abs <= kTol * dfull.max_ref,
            n + "full logits vs HF" +
                fmt(": max|diff| %.3g, max|ref| %.3g, rel %.2e", dfull.max_abs, dfull.max_ref, dfull.rel()));

  // Greedy continuation through the cache (prefill, then one token per forward). The reference
  // top-1 margin of step i is row prompt_len - 1 + i of full_logits, except under dynamic NTK
  // RoPE: there HF's one-shot forward of the whole sequence uses the frequencies of all 56
  // tokens for every row, so the rows are not the no-cache steps' logits; the CPU backend (the
  // fp32 reference, checked against these greedy tokens in tests/core) gives that step's margin.
  const ModelConfig cfg = load_model_config(dir);
  const bool dynamic = cfg.rope_scaling == RopeScaling::Dynamic;
  CpuBackendOptions co;
  co.cache_capacity = capacity;
  auto cpu = create_cpu_backend(dir, co);
  const double bound = kTol * dfull.max_ref;
  gpu->truncate(0);
  gpu->forward(prompt, false, out);
  std::vector<float> cpu_out;
  if (dynamic) cpu->forward(prompt, false, cpu_out);
  int matched = 0;
  bool ok = true;
  std::string note = "all 24 match";
  for (size_t i = 0; i < greedy.size(); ++i) {
    const int mine = argmax(out.data(), V);
    const float* row = dynamic ? cpu_out.data() : full_ref.data() + (prompt.size() - 1 + i) * V;
    std::vector<float> sorted(row, row + V);
    std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<float>());
    const double margin = sorted[0] - sorted[1];
    if (mine != greedy[i]) {
      if (margin > bound) ok = false;
      note = "token " + std::to_string(i) + " differs (" + std::to_string(mine) + " vs " +
             std::to_string(greedy[i]) + (dynamic ? ", CPU-reference margin " : ", reference margin ") +
             fmt("%.3g", margin) + (margin > bound ? " above" : " below") + " the bound " +
             fmt("%.3g)", bound);
      break;
    }
    ++matched;
    gpu->forward(std::vector<int32_t>{greedy[i]}, false, out);
    if (dynamic) cpu->forward(std::vector<int32_t>{greedy[i]}, false, cpu_out);
  }
  ck.expect(ok, n + "greedy continuation: " + std::to_string(matched) + " tokens match; " + note);

  // Against the CPU backend: the prompt, then the continuation one token at a time.
  cpu->truncate(0);
  gpu->truncate(0);
  const Agreement ag = agreement(*cpu, *gpu, prompt, greedy);
  ck.expect(ag.ok, n + "vs CPU backend (prompt + 24 decode steps), worst rel " + fmt("%.2e", ag.worst));
}

// The quantized GPU backend against the quantized CPU backend: the prompt, then the greedy
// continuation one token at a time.
// head: the output head's format (unset: the backends' default for f).
void run_quantized_vs_cpu(Checks& ck, const std::filesystem::path& dir, WeightFormat f,
                          std::optional<WeightFormat> head = std::nullopt) {
  const std::string n = dir.filename().string() + " " + weight_format_name(f) +
                        (head ? std::string("+head-") + weight_format_name(*head) : std::string()) + ": ";
  std::ifstream rf(dir / "reference.json");
  const nlohmann::json ref = nlohmann::json::parse(rf);
  const std::vector<int32_t> prompt = ref.at("prompt").get<std::vector<int32_t>>();
  const std::vector<int32_t> greedy = ref.at("greedy").get<std::vector<int32_t>>();
  const int capacity = static_cast<int>(prompt.size() + greedy.size()) + 8;
  CudaBackendOptions go;
  go.cache_capacity = capacity;
  go.weights = f;
  go.head_weights = head;
  CpuBackendOptions co;
  co.cache_capacity = capacity;
  co.weights = f;
  co.head_weights = head;
  auto gpu = create_cuda_backend(dir, go);
  auto cpu = create_cpu_backend(dir, co);
  const Agreement ag = agreement(*cpu, *gpu, prompt, greedy);
  ck.expect(ag.ok, n + "vs the CPU backend's " + weight_format_name(f) +
                       " (prompt + decode steps), worst rel " + fmt("%.2e", ag.worst));
}

}  // namespace
}  // namespace falcon::test

int main() {
  using namespace falcon::test;
  if (no_device()) return 77;
  Checks ck;
  const auto root = fixtures_dir() / "models";
  std::vector<std::filesystem::path> dirs;
  if (std::filesystem::exists(root))
    for (const auto& e : std::filesystem::directory_iterator(root))
      if (std::filesystem::exists(e.path() / "reference.json")) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  ck.expect(!dirs.empty(), "fixtures found under " + root.string());
  for (const auto& d : dirs) {
    try {
      run_fixture(ck, d);
      for (falcon::WeightFormat f : {falcon::WeightFormat::Int8, falcon::WeightFormat::Int4})
        run_quantized_vs_cpu(ck, d, f);
      // The int4 layers' other heads (the default is int6): the int8 and int4 heads.
      for (falcon::WeightFormat h : {falcon::WeightFormat::Int8, falcon::WeightFormat::Int4})
        run_quantized_vs_cpu(ck, d, falcon::WeightFormat::Int4, h);
    } catch (const std::exception& e) {
      ck.expect(false, d.filename().string() + ": exception: " + e.what());
    }
  }
  return ck.finish("test_gpu_fixtures");
}
