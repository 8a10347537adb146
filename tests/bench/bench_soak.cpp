// The "endless chat" soak of issue 6: a conversation of many turns on the CPU backend with a
// pinned system prompt and a small Hydra window, generating until `tokens` tokens were produced.
// Every `report_every` tokens it prints one JSON line: tokens so far, the time per token over
// that stretch, resident memory (/proc/self/statm) and the window's counts. At the end, one
// summary line compares the stretches after warm-up with the first of them; the exit status is
// 1 when resident memory grew by 2% or more (issue 6's "flat"), 2 when the run was too short.
//
//   bench_soak [MODEL_DIR] [--tokens N] [--window W] [--turn T] [--report-every R] [--threads K]
//              [--evict exact|shift]
//
// Turns are what a chat app does (each reply ends, the next user message comes), so the result
// text of a reply is dropped when it ends, as the app hands it to the store.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/chat/chat_template.h"
#include "core/chat/generator.h"
#include "core/chat/kv_window.h"
#include "core/chat/sampler.h"
#include "core/model/bench.h"
#include "core/model/cpu_backend.h"
#include "core/model/evict_mode_name.h"
#include "core/tokenizer/tokenizer.h"

using namespace falcon;

namespace {

struct Stretch {
  int64_t tokens = 0;
  double ms_per_token = 0, rss = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string model = "resources/models/falcon-mini";
  int64_t total = 1000000;
  int window = 256, turn = 400, threads = 0;
  int64_t report_every = 10000;
  EvictMode mode = EvictMode::Exact;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : "0"; };
    if (a == "--tokens")
      total = std::atoll(next());
    else if (a == "--window")
      window = std::atoi(next());
    else if (a == "--turn")
      turn = std::atoi(next());
    else if (a == "--report-every")
      report_every = std::atoll(next());
    else if (a == "--threads")
      threads = std::atoi(next());
    else if (a == "--evict") {
      const char* m = next();
      const auto parsed = evict_mode_from_name(m);
      if (!parsed) {
        std::fprintf(stderr, "bench_soak: --evict takes exact or shift, not '%s'\n", m);
        return 2;
      }
      mode = *parsed;
    } else
      model = a;
  }
  try {
    const ModelConfig config = load_model_config(model);
    auto weights = std::make_shared<const CheckpointReader>(model);
    auto tokenizer = load_tokenizer(model);
    const ChatTemplate tmpl = ChatTemplate::falcon_instruct();
    const std::vector<ChatMessage> opening = {
        {Role::System, "You are Falcon, a helpful assistant. The secret word is heliotrope."},
        {Role::User, "Tell me a story."}};
    const ChatTokens first = tmpl.tokenize(*tokenizer, opening, true);
    CpuBackendOptions o;
    o.threads = threads;
    o.cache_capacity = static_cast<int>(first.tokens.size()) + window + 64;
    auto backend = create_cpu_backend(config, weights, o);
    KvWindowOptions wo;
    wo.window = window;
    wo.evict_mode = mode;
    KvWindow kv(wo);
    GeneratorOptions go;
    go.ignore_eos = true;
    Generator gen(*backend, *tokenizer, kv, go);
    SamplingSettings ss;
    ss.seed = 7;
    ss.max_new_tokens = turn;
    Sampler sampler(ss);
    // Every later turn: "\nUser: Go on." then the generation prompt, after the reply in the cache.
    ChatTokens follow;
    follow.tokens = tmpl.tokenize_message(*tokenizer, ChatMessage{Role::User, "Go on."}, 2);
    const size_t user_end = follow.tokens.size();
    for (int32_t t : tmpl.tokenize_generation_prompt(*tokenizer, 3)) follow.tokens.push_back(t);
    follow.segments = {{Role::User, 0, user_end, false},
                       {Role::Assistant, user_end, follow.tokens.size(), true}};

    int64_t produced = 0, mark = 0;
    auto t_mark = std::chrono::steady_clock::now();
    std::vector<Stretch> stretches;
    GenerationCallbacks cb;
    cb.on_token = [&](int32_t) {
      ++produced;
      if (produced - mark >= report_every) {
        const auto now = std::chrono::steady_clock::now();
        Stretch s;
        s.tokens = produced;
        s.ms_per_token =
            std::chrono::duration<double, std::milli>(now - t_mark).count() / double(produced - mark);
        s.rss = resident_memory_mib();
        stretches.push_back(s);
        std::printf(
            "{\"tokens\": %lld, \"ms_per_token\": %.3f, \"rss_mib\": %.2f, \"pinned\": %d, \"recent\": %d, "
            "\"evicted\": %lld, \"evictions\": %lld}\n",
            static_cast<long long>(produced), s.ms_per_token, s.rss, kv.pinned(), kv.recent(),
            static_cast<long long>(kv.evicted()), static_cast<long long>(kv.evictions()));
        std::fflush(stdout);
        mark = produced;
        t_mark = now;
      }
      return produced < total;
    };
    GenerationRequest req = GenerationRequest::from_chat(first, true);
    while (produced < total) {
      const GenerationResult r = gen.generate(req, sampler, cb);
      if (r.reason == StopReason::Error) {
        std::fprintf(stderr, "generation failed: %s\n", r.error.c_str());
        return 1;
      }
      req = GenerationRequest::from_chat(follow, false);
    }
    // The criterion, decided here rather than by eye: resident memory after warm-up
    // (from the second stretch on) may not exceed that stretch's level by 2% or more.
    if (stretches.size() < 3) {
      std::fprintf(stderr,
                   "bench_soak: %zu stretches are too few to judge; give --tokens >= 3 x --report-every\n",
                   stretches.size());
      return 2;
    }
    const Stretch& warm = stretches[1];
    const Stretch& last = stretches.back();
    double rss_max = warm.rss;
    for (size_t i = 1; i < stretches.size(); ++i) rss_max = std::max(rss_max, stretches[i].rss);
    const bool flat = rss_max < warm.rss * 1.02;
    std::printf(
        "{\"summary\": true, \"soak_result\": \"%s\", \"tokens\": %lld, \"window\": %d, \"threads\": %d, "
        "\"rss_warm_mib\": %.2f, \"rss_max_mib\": %.2f, \"rss_last_mib\": %.2f, \"rss_growth_pct\": %.2f, "
        "\"ms_per_token_warm\": %.3f, \"ms_per_token_last\": %.3f}\n",
        flat ? "flat" : "GREW", static_cast<long long>(produced), window, threads, warm.rss, rss_max,
        last.rss, 100.0 * (rss_max / warm.rss - 1.0), warm.ms_per_token, last.ms_per_token);
    if (!flat) return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_soak: %s\n", e.what());
    return 1;
  }
  return 0;
}
