// falcon-run: the Qt-free command line front end of the engine (DESIGN.md §5).
// Exit status: 0 ok, 2 usage, 3 model/tokenizer cannot be loaded, 4 out of memory, 1 other.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "app/cli/cli_options.h"
#include "app/cli/commands.h"
#include "app/cli/number_checks.h"
#include "app/engine/install_paths.h"
#include "app/engine/open_model.h"
#include "core/common/error.h"
#include "core/common/version.h"

namespace {

// --weights / --head-weights: the engine's own parse, its message (int6 named as a head format).
CLI::Validator format_check(falcon::WeightFormat (*parse)(const std::string&)) {
  return CLI::Validator(
      [parse](std::string& s) -> std::string {
        try {
          parse(s);
          return {};
        } catch (const falcon::Error& e) {
          return e.what();
        }
      },
      "");
}

int run(int argc, char** argv) {
  using falcon::cli::CliOptions;
  CliOptions o;
  CLI::App app{"falcon-run: run Falcon language models from the command line"};
  using falcon::cli::real_number;
  using falcon::cli::whole_number;
  constexpr std::int64_t kIntMax = 2147483647;
  app.set_version_flag(
      "--version", [] { return falcon::cli::version_text(); }, "Print version and build features");
  app.add_option("--model", o.model_dir,
                 "Checkpoint folder (config.json + safetensors + tokenizer), or the name of a bundled "
                 "model (falcon-mini)");
  app.add_option("--backend", o.backend, "auto|cpu|cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  app.add_option("--weights", o.weights,
                 "bf16|int8|int4 (int8/int4: quantized at load, on the GPU or the CPU; int6 is for "
                 "--head-weights only)")
      ->check(format_check(falcon::parse_weight_format));
  app.add_flag("--quantize-head", o.quantize_head, "The output head in --weights' format too");
  app.add_option("--head-weights", o.head_weights,
                 "bf16|int8|int4|int6: the output head's own format (int6: 6-bit codes, the size of "
                 "int8 on the CPU; default int6 with --weights int4, else bf16)")
      ->check(format_check(falcon::parse_head_format));
  app.add_option("--quant-cache", o.quant_cache,
                 "Folder for quantized weights between runs, or 'none' "
                 "(default: $XDG_DATA_HOME/falcon-chat/quant-cache)");
  app.add_option("--prompt", o.prompt, "Raw text through the model's tokenizer, no template");
  app.add_option("--chat", o.chat, "One user turn through the chat template");
  app.add_option("--system", o.system, "System prompt for --chat (pinned in the KV window)");
  app.add_option("--prompt-tokens", o.prompt_tokens, "Token ids instead of text, e.g. 5,17,42");
  app.add_option("--max-new-tokens", o.max_new_tokens, "Tokens to generate")->check(whole_number(0, kIntMax));
  app.add_flag("--greedy", o.greedy,
               "Always pick the most likely token (--temperature, --top-k, --top-p and --min-p then have no "
               "effect)");
  app.add_option("--temperature", o.temperature, "Sampling temperature (0 = greedy)")->check(real_number());
  app.add_option("--top-k", o.top_k, "Keep the K most likely tokens (0 = off)")
      ->check(whole_number(0, kIntMax));
  app.add_option("--top-p", o.top_p, "Nucleus sampling mass in (0, 1]")->check(real_number());
  app.add_option("--min-p", o.min_p, "Drop tokens below min-p x the top probability")->check(real_number());
  app.add_option("--repeat-penalty", o.repeat_penalty, "Repetition penalty (1 = off)")->check(real_number());
  app.add_option("--seed", o.seed, "Random seed for sampling")->check(falcon::cli::unsigned_whole_number());
  app.add_option("--window", o.window, "Recent-token window behind the pinned system prompt")
      ->check(whole_number(1, kIntMax));
  app.add_option("--evict", o.evict,
                 "How the window drops old tokens: exact (recompute the rest, logits as a fresh prompt) "
                 "or shift (move the cache and re-rotate keys: far cheaper, approximate)")
      ->check(CLI::IsMember({"exact", "shift"}));
  app.add_flag("--ignore-eos", o.ignore_eos,
               "Keep generating after end-of-sequence (exactly --max-new-tokens)");
  app.add_flag("--print-tokens", o.print_tokens, "Print the generated ids on one stdout line");
  app.add_option("--dump-logits", o.dump_logits, "Write float32 logits, vocab_size per row, to FILE");
  app.add_option("--tokenize", o.tokenize, "Print the ids of TEXT and exit");
  app.add_option("--detokenize", o.detokenize, "Print the text of ids 5,17,42 and exit");
  app.add_option("--db", o.db, "Conversation database (SQLite)");
  app.add_option("--conversation", o.conversation, "Conversation id in --db to continue");
  app.add_flag("--bench", o.bench, "Print timings as one JSON line");
  app.add_option("--synthetic", o.synthetic,
                 "Random weights of a real shape: 7b|40b|180b|11b|rw-1b (benchmarks)")
      ->check(CLI::IsMember({"7b", "40b", "180b", "11b", "rw-1b"}));
  app.add_option("--threads", o.threads, "CPU threads (0 = all cores)")->check(whole_number(0, 4096));

  app.footer("Bundled models: " + falcon::bundled_models_dir().string());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help/version or the usage error
    return code == 0 ? 0 : 2;
  }
  o.model_dir = falcon::resolve_model_dir(o.model_dir).string();
  return falcon::cli::execute(o);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const falcon::Error& e) {
    std::fprintf(stderr, "falcon-run: %s\n", e.what());
    switch (e.kind()) {
      case falcon::ErrorKind::Usage:
        return 2;
      case falcon::ErrorKind::Load:
        return 3;
      case falcon::ErrorKind::OutOfMemory:
        return 4;
      default:
        return 1;
    }
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "falcon-run: out of host memory\n");
    return 4;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "falcon-run: %s\n", e.what());
    return 1;
  }
}
