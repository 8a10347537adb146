#pragma once
// falcon-run's options, exactly the flags of DESIGN.md §5 plus a few additions.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace falcon::cli {

struct CliOptions {
  std::string model_dir;                     // --model DIR
  std::string backend = "auto";              // --backend auto|cpu|cuda
  std::string weights = "bf16";              // --weights bf16|int8|int4
  bool quantize_head = false;                // --quantize-head (the output head in --weights' format too)
  std::optional<std::string> head_weights;   // --head-weights bf16|int8|int4|int6 (the head's own format)
  std::optional<std::string> quant_cache;    // --quant-cache DIR|none (default: XDG data dir)
  std::optional<std::string> prompt;         // --prompt TEXT (raw text, no template)
  std::optional<std::string> chat;           // --chat TEXT (one user turn through the template)
  std::optional<std::string> system;         // --system TEXT
  std::optional<std::string> prompt_tokens;  // --prompt-tokens 5,17,42
  int max_new_tokens = 128;                  // --max-new-tokens N
  bool greedy = false;                       // --greedy
  std::optional<double> temperature, top_p, min_p, repeat_penalty;
  std::optional<int> top_k;
  std::optional<std::uint64_t> seed;
  std::optional<int> window;                // --window N
  std::string evict = "exact";              // --evict exact|shift (KvWindowOptions::evict_mode)
  bool print_tokens = false;                // --print-tokens
  bool ignore_eos = false;                  // --ignore-eos: generate exactly --max-new-tokens
  std::optional<std::string> dump_logits;   // --dump-logits FILE
  std::optional<std::string> tokenize;      // --tokenize TEXT
  std::optional<std::string> detokenize;    // --detokenize 5,17,42
  std::optional<std::string> db;            // --db PATH
  std::optional<std::string> conversation;  // --conversation ID
  bool bench = false;                       // --bench
  std::optional<std::string> synthetic;     // --synthetic 7b|40b|180b|11b|rw-1b
  int threads = 0;                          // --threads N (CPU backend; 0 = all cores)
};

// Parses "5,17,42" (spaces allowed). Throws Error(Usage) naming the bad element.
std::vector<std::int32_t> parse_token_list(const std::string& text, const char* flag);

}  // namespace falcon::cli
