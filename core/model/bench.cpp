#include "core/model/bench.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <vector>

#include "core/common/error.h"

namespace falcon {

BenchResult bench_backend(Backend& backend, int prefill_tokens, int decode_tokens) {
  if (prefill_tokens < 1 || decode_tokens < 0) throw_usage_error("bench: need >= 1 prompt token");
  if (prefill_tokens + decode_tokens > backend.cache_capacity()) {
    throw_usage_error("bench: " + std::to_string(prefill_tokens + decode_tokens) +
                      " tokens exceed the cache (" + std::to_string(backend.cache_capacity()) + ")");
  }
  const int vocab = backend.config().vocab_size;
  std::vector<int32_t> prompt(static_cast<std::size_t>(prefill_tokens));
  for (int i = 0; i < prefill_tokens; ++i) prompt[static_cast<std::size_t>(i)] = (i * 7919 + 11) % vocab;
  backend.truncate(0);
  using clock = std::chrono::steady_clock;
  std::vector<float> logits;
  BenchResult r;
  auto t0 = clock::now();
  backend.forward(prompt, false, logits);
  auto t1 = clock::now();
  r.prefill_tokens = prefill_tokens;
  r.prefill_seconds = std::chrono::duration<double>(t1 - t0).count();
  r.prefill_tokens_per_second = prefill_tokens / std::max(r.prefill_seconds, 1e-9);
  for (int i = 0; i < decode_tokens; ++i) {
    const int32_t next[] = {
        static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin())};
    backend.forward(next, false, logits);
  }
  auto t2 = clock::now();
  r.decode_tokens = decode_tokens;
  r.decode_seconds = std::chrono::duration<double>(t2 - t1).count();
  r.decode_tokens_per_second = decode_tokens / std::max(r.decode_seconds, 1e-9);
  return r;
}

uint64_t decode_bytes_per_token(const ModelConfig& c, const CheckpointReader& w, int context,
                                int kv_bytes_per_value) {
  uint64_t bytes = 0;
  for (const auto& spec : expected_tensors(c)) {
    if (spec.name == kWordEmbeddings || spec.name == kLmHead || !w.has(spec.name)) continue;
    const TensorView v = w.get(spec.name);
    bytes += v.data.size();
  }
  const TensorView emb = w.get(kWordEmbeddings);
  bytes += emb.data.size() / static_cast<uint64_t>(c.vocab_size);  // one row
  bytes += w.lm_head(c).data.size();                               // the whole head
  bytes += uint64_t{2} * c.num_layers * static_cast<uint64_t>(context) * c.num_kv_heads * c.head_dim *
           static_cast<uint64_t>(kv_bytes_per_value);
  return bytes;
}

double decode_weight_bytes(const ModelConfig& config, const BackendMemory& memory, bool head_quantized) {
  const double table = static_cast<double>(memory.embedding_bytes);
  const bool head_is_table = config.tie_word_embeddings && !head_quantized;
  return static_cast<double>(memory.weights_bytes) - (head_is_table ? 0.0 : table);
}

double resident_memory_mib() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  if (!(in >> pages >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

}  // namespace falcon
