// falcon-run --bench: prefill and decode timings of a loaded backend, as one JSON line.
#include "core/model/bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "app/cli/commands.h"
#include "core/common/error.h"

namespace falcon::cli {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int run_bench(Backend& backend, const CliOptions& o, const std::string& model_label, double load_s) {
  const ModelConfig& c = backend.config();
  // Prompt length for the prefill measurement: the given prompt tokens, else 128 random ids
  // (bounded by the cache so the decode steps still fit).
  std::vector<int32_t> prompt;
  if (o.prompt_tokens) prompt = parse_token_list(*o.prompt_tokens, "--prompt-tokens");
  const int decode_steps = std::max(1, o.max_new_tokens);
  if (prompt.empty()) {
    const int n = std::max(1, std::min(128, backend.cache_capacity() - decode_steps));
    std::mt19937 gen(1234);
    std::uniform_int_distribution<int32_t> pick(0, c.vocab_size - 1);
    for (int i = 0; i < n; ++i) prompt.push_back(pick(gen));
  }
  if (static_cast<int>(prompt.size()) + decode_steps > backend.cache_capacity()) {
    throw Error(ErrorKind::Usage, "--bench: prompt + --max-new-tokens exceeds the cache capacity");
  }

  std::vector<float> logits;
  // Warm-up: one token, then clear, so first-touch page faults stay out of the numbers.
  backend.forward(std::span<const int32_t>(prompt.data(), 1), false, logits);
  backend.truncate(0);

  auto t0 = std::chrono::steady_clock::now();
  backend.forward(prompt, false, logits);
  const double prefill_s = seconds_since(t0);

  int32_t next = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < decode_steps; ++i) {
    backend.forward(std::span<const int32_t>(&next, 1), false, logits);
    next = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  }
  const double decode_s = seconds_since(t0);

  nlohmann::json j;
  j["backend"] = backend.describe();
  const BackendMemory mem = backend.memory();
  const double step_bytes = decode_weight_bytes(
      c, mem,
      head_format(o).value_or(default_head_format(parse_weight_format(o.weights))) != WeightFormat::Bf16);
  j["weights"] = mem.weight_format;
  j["weight_bytes"] = mem.weights_bytes;
  j["kv_cache_bytes"] = mem.cache_bytes;
  j["weight_bytes_per_decode_step"] = step_bytes;
  j["model"] = model_label;
  j["load_ms"] = load_s * 1e3;
  j["prompt_tokens"] = prompt.size();
  j["prefill_ms"] = prefill_s * 1e3;
  j["prefill_tok_s"] = prompt.size() / prefill_s;
  j["decode_tokens"] = decode_steps;
  j["decode_tok_s"] = decode_steps / decode_s;
  j["decode_ms_per_token"] = decode_s * 1e3 / decode_steps;
  j["cache_tokens_at_end"] = backend.cache_size();
  j["decode_weight_GBps"] = step_bytes * decode_steps / decode_s / 1e9;
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

}  // namespace falcon::cli
