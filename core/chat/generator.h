#pragma once
// Generator: the generation loop shared by the app's worker thread and falcon-run.
//
//   prefill the request's tokens through the KvWindow, in pieces (cancel checked between them)
//   loop: sample -> on_token -> StreamDecoder (valid UTF-8, stop strings held back) -> on_text
//         -> forward the token (the window evicts first when the budget would be exceeded)
//   until eos / a stop string / max_new_tokens / cancel / an error.
//
// What ends up in the cache (so that the next turn continues from exactly the shown reply):
//  - every generated token whose text was shown is forwarded, the last one included;
//  - eos is not forwarded (the chat template writes the turn separator itself);
//  - on a stop string, the token that completed it is not forwarded and the tokens whose text
//    was held back as a possible stop-string start are removed from the cache again.
// Callbacks follow GPT4All's style: each returns "continue?"; false stops like cancel.
#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/chat/chat_template.h"
#include "core/chat/kv_window.h"
#include "core/chat/sampler.h"
#include "core/common/chat_types.h"
#include "core/common/error.h"
#include "core/model/backend.h"
#include "core/tokenizer/tokenizer.h"

namespace falcon {

// What to feed before generating. For a new conversation this is the whole rendered chat with
// the system prompt pinned; for a follow-up turn, the new message plus the generation prompt.
struct GenerationRequest {
  std::vector<int32_t> tokens;
  int pin = 0;                   // tokens[0, pin) join the pinned span (needs an unpinned-empty window)
  std::vector<int> turn_starts;  // indexes into tokens where a turn begins (eviction cuts there)

  // From a rendered chat: pins the system prompt when `pin_system`, one turn per segment.
  static GenerationRequest from_chat(const ChatTokens& chat, bool pin_system = true);
};

struct GenerationCallbacks {
  std::function<bool(std::string_view piece)> on_text;  // valid UTF-8, never a stop string
  std::function<bool(int32_t id)> on_token;             // every sampled id, before its text
  // Every logits row the backend computes, in order: one per prefilled request token (the
  // prefill then asks the backend for all rows), then one per forwarded generated token.
  // Row i predicts the token after the i-th token fed. For --dump-logits and tests.
  std::function<void(std::span<const float> row)> on_logits;
};

// Timings and counts of one generate() call (the store keeps its own per-message
// GenerationStats, filled from these).
struct GenerationMetrics {
  int prompt_tokens = 0;     // tokens prefilled by this call
  int generated_tokens = 0;  // tokens sampled (eos and a stop-completing token included)
  double ttft_ms = 0;        // from the call's start to the first sampled token
  double prefill_ms = 0;     // prefilling the request
  double decode_ms = 0;      // from the first sampled token to the end
  double prefill_tokens_per_s = 0;
  double decode_tokens_per_s = 0;  // decode forwards per second of decode_ms
  int decode_steps = 0;            // single-token forwards
  int64_t evictions = 0;           // window evictions during this call
};

struct GenerationResult {
  StopReason reason = StopReason::None;  // Eos, StopString, Length, Cancelled or Error
  std::string text;                      // everything shown through on_text
  std::vector<int32_t> tokens;           // the reply's tokens now in the cache
  std::string error;                     // with StopReason::Error: what went wrong
  ErrorKind error_kind = ErrorKind::Other;
  int prompt_tokens_done = 0;  // < request size when cancelled during prefill
  GenerationMetrics stats;
};

struct GeneratorOptions {
  int prefill_piece = 256;  // tokens per prefill forward; cancel is checked between pieces
  bool ignore_eos = false;  // eos is forwarded like any token (reference runs of exactly N tokens)
};

class Generator {
 public:
  // All three must outlive the generator; the window must mirror `backend`'s cache.
  Generator(Backend& backend, const Tokenizer& tokenizer, KvWindow& window, GeneratorOptions options = {});

  // Runs one request. `sampler` carries the settings (max_new_tokens, stop strings) and its RNG
  // position across calls. Errors are caught and reported as StopReason::Error (the window and
  // the cache stay consistent: only completed forwards are recorded).
  GenerationResult generate(const GenerationRequest& request, Sampler& sampler,
                            const GenerationCallbacks& callbacks = {},
                            const std::atomic<bool>* cancel = nullptr);

 private:
  bool is_eos(int32_t id) const;
  // After a stop string: how many of the forwarded reply tokens produce only shown text.
  size_t shown_token_count(std::span<const int32_t> forwarded, const std::string& shown) const;

  Backend& backend_;
  const Tokenizer& tokenizer_;
  KvWindow& window_;
  GeneratorOptions options_;
  std::vector<float> logits_;  // (vocab) last row
  std::vector<float> rows_;    // (piece, vocab) all rows of a prefill piece, with on_logits
};

}  // namespace falcon
