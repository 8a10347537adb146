#pragma once
// Token sampling: penalties, temperature, top-k, top-p, min-p, greedy, with a seeded RNG.
//
// Order of operations (the same as Hugging Face transformers' generate(): logits processors
// first, then the warpers in the order temperature, top-k, top-p, min-p):
//   1. penalties on the raw logits, over the last `repeat_last_n` tokens of the context:
//      a. repetition (HF / CTRL paper): for each distinct token t in that window,
//         l[t] = l[t] > 0 ? l[t] / repeat_penalty : l[t] * repeat_penalty
//      b. presence and frequency (OpenAI / llama.cpp): with c[t] = occurrences of t in the window,
//         l[t] -= frequency_penalty * c[t] + presence_penalty * (c[t] > 0)
//   2. greedy (temperature == 0 or greedy): argmax of the penalised logits (lowest id on ties);
//      the steps below are skipped.
//   3. temperature: l /= T
//   4. top-k: keep the k largest logits (k = 0: off). Ties at the k-th value are broken by id.
//   5. top-p: softmax over what is left, sort by probability, keep the smallest prefix whose
//      mass reaches top_p (a token is kept when the mass strictly before it is < top_p; at
//      least one token always stays). top_p = 1: off.
//   6. min-p: keep tokens whose probability is >= min_p * (largest probability); off at 0.
//      Since it is a ratio, it does not matter that the survivors are renormalised first.
//   7. draw from the softmax of the survivors with the RNG (one uniform double per token).
// Temperature before top-k/top-p matters only for top-p (and min-p), as in HF.
//
// Cost for a 65024-token vocabulary: O(V) passes plus a heap for top-k; top-p without top-k
// finds its survivors by a quickselect on mass. Given each block's largest logit (the CUDA
// backend's head writes them beside the logits), greedy and top-k read only the blocks that can
// hold their tokens: a few dozen of the vocabulary's 4,064 (docs/BENCHMARKS.md, "Sampler").
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/common/rng.h"
#include "core/model/backend.h"

namespace falcon {

struct SamplingSettings {
  float temperature = 0.8f;        // 0 means greedy
  int top_k = 40;                  // 0: off
  float top_p = 0.95f;             // in (0, 1]; 1: off
  float min_p = 0.05f;             // in [0, 1]; 0: off
  float repeat_penalty = 1.1f;     // > 0; 1: off. > 1 discourages repeats
  int repeat_last_n = 64;          // window for all three penalties; 0: penalties off, -1: whole context
  float presence_penalty = 0.0f;   // subtracted once from every token seen in the window
  float frequency_penalty = 0.0f;  // subtracted per occurrence in the window
  std::optional<uint64_t> seed;    // unset: seeded from std::random_device
  bool greedy = false;             // argmax, same as temperature == 0
  int max_new_tokens = 512;        // >= 0
  std::vector<std::string> stop_strings;  // generation ends before any of these; never shown
  // Role labels such as "User:" (ChatTemplate::turn_markers): generation ends before one at a
  // line start or right after a sentence's . ! or ? (the punctuation is kept), never mid-sentence.
  std::vector<std::string> turn_markers;

  bool is_greedy() const { return greedy || temperature == 0.0f; }
  // Empty when valid, else one sentence naming the field, its value and the allowed range.
  std::string validate() const;
};

// One surviving candidate of the final distribution.
struct TokenProb {
  int32_t id = 0;
  double prob = 0.0;
};

class Sampler {
 public:
  // Throws Error(Usage) with validate()'s message when the settings are invalid.
  explicit Sampler(SamplingSettings settings);

  const SamplingSettings& settings() const { return settings_; }

  // Picks the next token from `logits` (vocab_size floats) given the context so far
  // (`history`, oldest first: prompt and generated tokens). Consumes one RNG draw unless greedy.
  // Throws Error(Usage) on an empty vocabulary or a history id outside it; NaN logits are
  // treated as -inf (never chosen) and if no logit is finite the lowest id wins.
  // `block_max`, when given (Backend::last_block_maxima), holds for each block of kLogitBlock
  // logits (ids [16 b, 16 b + 16) and the vocabulary's end) the largest as fmaxf finds it: NaN
  // ignored, NaN or -inf where all are. The result is the same with or without it; with it, greedy and
  // top-k skip the blocks that cannot hold their tokens. Ignored when its size is not the number
  // of blocks.
  int32_t sample(std::span<const float> logits, std::span<const int32_t> history,
                 std::span<const float> block_max = {});

  // The distribution the next sample() draws from, most probable first (greedy: one token
  // with probability 1). Does not touch the RNG; for tests and a UI "alternatives" view.
  std::vector<TokenProb> distribution(std::span<const float> logits, std::span<const int32_t> history,
                                      std::span<const float> block_max = {});

  // Step 1 alone: the penalised logits, for tests and --dump-logits style tools.
  static void apply_penalties(std::span<float> logits, std::span<const int32_t> history,
                              const SamplingSettings& settings);

  Rng& rng() { return rng_; }

 private:
  // Runs steps 1-6 into candidates_ (ids and probabilities, sorted by probability descending).
  void build_candidates(std::span<const float> logits, std::span<const int32_t> history,
                        std::span<const float> block_max = {});
  // bmax_ from block_max: sanitized, padded with -inf to whole groups of 16 blocks, each block
  // that holds a penalised token recomputed after the penalties; or, where they only lower
  // logits, left pending: its given maximum (only an upper bound now) goes to pending_ and bmax_
  // reads -inf there until resolve_pending.
  void block_maxima(std::span<const float> logits, std::span<const float> block_max);
  // Reads the pending blocks whose upper bound reaches `floor` and puts their maxima in bmax_
  // (the others keep -inf: no token of theirs reaches floor); returns the largest of those read.
  float resolve_pending(std::span<const float> logits, float floor);

  SamplingSettings settings_;
  Rng rng_;
  // Scratch reused between calls so that a decode step allocates nothing.
  std::vector<std::pair<int32_t, float>> penalised_;  // the penalty window's tokens (ascending), their counts
  std::vector<std::pair<size_t, float>> pending_;     // penalised blocks not read yet, their upper bounds
  std::vector<int32_t> window_;                       // the penalty window, sorted
  std::vector<float> work_;                           // (vocab) penalised logits, when top-k is off
  std::vector<float> bmax_;                           // (blocks) each block's largest, as sampled
  std::vector<float> kth_;                            // top-k's largest block maxima (2k at most)
  std::vector<size_t> visit_;                         // top-k's blocks to read (maxima >= floor)
  std::vector<double> weights_;                       // (vocab) exp((logit - max) / T), when top-k is off
  struct Candidate {
    // Left unset by default: resizing a vector of them to the vocabulary writes nothing.
    Candidate() {}  // NOLINT(modernize-use-equals-default): = default would zero them in resize()
    Candidate(double w, float l, int32_t i) : weight(w), logit(l), id(i) {}
    double weight;  // exp((logit - max) / T), filled after top-k
    float logit;    // penalised logit
    int32_t id;
  };
  std::vector<Candidate> order_;  // (vocab) candidates
  std::vector<TokenProb> candidates_;
};

}  // namespace falcon
