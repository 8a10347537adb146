// Time the sampler takes per token on a Falcon-sized vocabulary (65,024), one thread:
//   bench_sampler [SAMPLES]
// Prints one JSON line per case {case, vocab, us_per_token}: greedy, the default settings
// (top-k 40, top-p 0.95, min-p 0.05, repetition penalty over 64 tokens), the same with top-k
// off, and with top-p off too ("min-p only": top-k 0, top-p 1, min-p 0.05), on logits drawn
// like a model's (normal, sd 2.5: a few tokens stand out) and flat ones (uniform in [-5, 5]:
// min-p and top-p keep thousands). The app pays this once per token on top of the backend's
// step (docs/BENCHMARKS.md, "Sampler"). The "cold" cases time each token after a sweep of 64 MB
// and with the logits (and maxima) flushed from every cache level, as the app finds them: just
// written by the GPU into pinned memory, or by the CPU backend's head before its other work. The "block
// maxima" cases hand the sampler each block's largest logit as well, as the CUDA backend's head writes them
// (Backend::last_block_maxima), so that greedy and top-k read only the blocks that can hold
// their tokens.
#include <algorithm>
#include <chrono>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/block_maxima.h"
#include "core/chat/sampler.h"

namespace {

// Evicts [p, p + bytes) from every cache level, as a device's write into pinned memory does.
void flush(const void* p, size_t bytes) {
#if defined(__x86_64__)
  const auto* c = static_cast<const char*>(p);
  for (size_t i = 0; i < bytes; i += 64) _mm_clflush(c + i);
  if (bytes) _mm_clflush(c + bytes - 1);
  _mm_mfence();
#else
  (void)p, (void)bytes;
#endif
}

double us_per_token(falcon::Sampler& sampler, std::vector<float>& logits, const std::vector<int32_t>& history,
                    int samples, bool cold, bool with_maxima) {
  std::vector<float> maxima;
  if (with_maxima) maxima = falcon::testing::block_maxima_of(logits);
  volatile int32_t sink = 0;
  for (int i = 0; i < 20; ++i) sink = sampler.sample(logits, history, maxima);  // warm the scratch buffers
  static std::vector<unsigned char> sweep(size_t{64} << 20);
  double total_us = 0.0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < samples; ++i) {
    const size_t changed = static_cast<size_t>(i) % logits.size();
    logits[changed] += 1e-3f;  // not the very same input each time
    if (with_maxima)
      maxima[changed / falcon::kLogitBlock] =
          std::max(maxima[changed / falcon::kLogitBlock], logits[changed]);
    if (cold) {
      for (size_t k = 0; k < sweep.size(); k += 64) ++sweep[k];
      // The sweep leaves the logits in a large last-level cache (the GPU machine's host has
      // 300 MB); the GPU's writes never do: flushed from every level.
      flush(logits.data(), logits.size() * sizeof(float));
      flush(maxima.data(), maxima.size() * sizeof(float));
      t0 = std::chrono::steady_clock::now();
    }
    sink = sampler.sample(logits, history, maxima);
    if (cold)
      total_us += std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  }
  (void)sink;
  if (!cold)
    total_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  return total_us / samples;
}

}  // namespace

int main(int argc, char** argv) {
  const int samples = argc > 1 ? std::max(1, std::atoi(argv[1])) : 2000;
  constexpr size_t kVocab = 65024;
  std::mt19937 gen(1);
  std::vector<int32_t> history(600);
  std::uniform_int_distribution<int32_t> id(0, kVocab - 1);
  for (auto& h : history) h = id(gen);
  for (const std::string shape : {"model-like", "flat"}) {
    std::vector<float> logits(kVocab);
    std::normal_distribution<float> normal(0.0f, 2.5f);
    std::uniform_real_distribution<float> flat(-5.0f, 5.0f);
    for (auto& l : logits) l = shape == "flat" ? flat(gen) : normal(gen);
    for (const std::string name : {"greedy", "default", "top-k off", "min-p only", "greedy, cold",
                                   "default, cold", "greedy, block maxima", "default, block maxima",
                                   "greedy, cold, block maxima", "default, cold, block maxima"}) {
      const bool cold = name.find(", cold") != std::string::npos;
      const bool with_maxima = name.ends_with(", block maxima");
      if (cold && shape == "flat") continue;
      falcon::SamplingSettings s;
      s.seed = 1;
      s.greedy = name.starts_with("greedy");
      if (name == "top-k off" || name == "min-p only") s.top_k = 0;
      if (name == "min-p only") s.top_p = 1.0f;
      falcon::Sampler sampler(s);
      std::printf(
          "{\"case\": \"%s, %s\", \"vocab\": %zu, \"us_per_token\": %.1f}\n", shape.c_str(), name.c_str(),
          kVocab,
          us_per_token(sampler, logits, history, cold ? samples / 4 + 1 : samples, cold, with_maxima));
    }
  }
  return 0;
}
