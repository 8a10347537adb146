#include "core/chat/sampler.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>

#include "core/common/error.h"

namespace falcon {

namespace {

std::string describe_float(float v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

uint64_t fresh_seed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ static_cast<uint64_t>(rd());
}

}  // namespace

std::string SamplingSettings::validate() const {
  auto bad = [](const char* name, const std::string& value, const char* allowed) {
    return std::string("invalid sampling setting ") + name + " = " + value + ": must be " + allowed;
  };
  if (!std::isfinite(temperature) || temperature < 0.0f)
    return bad("temperature", describe_float(temperature), "a finite number >= 0 (0 means greedy)");
  if (top_k < 0) return bad("top_k", std::to_string(top_k), ">= 0 (0 turns it off)");
  if (!std::isfinite(top_p) || top_p <= 0.0f || top_p > 1.0f)
    return bad("top_p", describe_float(top_p), "in (0, 1] (1 turns it off)");
  if (!std::isfinite(min_p) || min_p < 0.0f || min_p > 1.0f)
    return bad("min_p", describe_float(min_p), "in [0, 1] (0 turns it off)");
  if (!std::isfinite(repeat_penalty) || repeat_penalty <= 0.0f)
    return bad("repeat_penalty", describe_float(repeat_penalty), "a finite number > 0 (1 turns it off)");
  if (repeat_last_n < -1)
    return bad("repeat_last_n", std::to_string(repeat_last_n), ">= -1 (-1: whole context, 0: off)");
  if (!std::isfinite(presence_penalty))
    return bad("presence_penalty", describe_float(presence_penalty), "a finite number");
  if (!std::isfinite(frequency_penalty))
    return bad("frequency_penalty", describe_float(frequency_penalty), "a finite number");
  if (max_new_tokens < 0) return bad("max_new_tokens", std::to_string(max_new_tokens), ">= 0");
  for (const auto& s : stop_strings)
    if (s.empty()) return "invalid sampling setting stop_strings: a stop string must not be empty";
  for (const auto& s : turn_markers)
    if (s.empty()) return "invalid sampling setting turn_markers: a turn marker must not be empty";
  return {};
}

Sampler::Sampler(SamplingSettings settings) : settings_(std::move(settings)) {
  const std::string problem = settings_.validate();
  if (!problem.empty()) throw_usage_error(problem);
  rng_.reseed(settings_.seed ? *settings_.seed : fresh_seed());
}

namespace {

// The tokens the penalties look at: the last repeat_last_n of the history (all with -1, none with 0).
std::span<const int32_t> penalty_window(std::span<const int32_t> history, const SamplingSettings& settings) {
  if (settings.repeat_last_n < 0) return history;
  return history.last(std::min(history.size(), static_cast<size_t>(settings.repeat_last_n)));
}

// Calls f(id, count) for each distinct token of the penalty window (ascending id, with its
// number of occurrences there) when a penalty is on; throws for an id outside the vocabulary.
// `window` is scratch for the window's sorted copy.
template <typename F>
void for_each_penalised(std::span<const int32_t> history, const SamplingSettings& settings, size_t vocab,
                        std::vector<int32_t>& window, F f) {
  const std::span<const int32_t> last = penalty_window(history, settings);
  if (last.empty()) return;
  if (settings.repeat_penalty == 1.0f && settings.presence_penalty == 0.0f &&
      settings.frequency_penalty == 0.0f)
    return;
  window.assign(last.begin(), last.end());
  std::sort(window.begin(), window.end());
  for (size_t i = 0; i < window.size();) {
    const int32_t id = window[i];
    if (id < 0 || static_cast<size_t>(id) >= vocab)
      throw_usage_error("token id " + std::to_string(id) + " in the context is outside the vocabulary of " +
                        std::to_string(vocab) + " tokens");
    size_t j = i;
    while (j < window.size() && window[j] == id) ++j;
    f(id, static_cast<float>(j - i));
    i = j;
  }
}

float penalised(float l, float count, const SamplingSettings& settings) {
  if (settings.repeat_penalty != 1.0f)
    l = l > 0.0f ? l / settings.repeat_penalty : l * settings.repeat_penalty;
  return l - (settings.frequency_penalty * count + settings.presence_penalty);
}

}  // namespace

void Sampler::apply_penalties(std::span<float> logits, std::span<const int32_t> history,
                              const SamplingSettings& settings) {
  std::vector<int32_t> window;
  for_each_penalised(history, settings, logits.size(), window, [&](int32_t id, float count) {
    float& l = logits[static_cast<size_t>(id)];
    l = penalised(l, count, settings);
  });
}

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr float kMax = std::numeric_limits<float>::max();
// The passes over the vocabulary run in blocks of kBlock elements, whose fixed trip count lets
// GCC vectorize them at -O2, then a scalar tail. A decode step of a 65,024-token vocabulary
// costs the sampler tens of microseconds instead of hundreds (docs/BENCHMARKS.md, "Sampler").
constexpr size_t kBlock = kLogitBlock;

// NaN can never be chosen; +inf is clamped so that the arithmetic below stays finite.
inline float sanitized(float l) {
  const float c = l > kMax ? kMax : l;  // NaN stays NaN
  return c == c ? c : kNegInf;
}

// A penalised token's logit as the sampler sees it: sanitized before and after the penalties
// (huge penalties can overflow, l / tiny repeat_penalty = inf, or make inf - inf).
inline float penalised_logit(float l, float count, const SamplingSettings& settings) {
  return sanitized(penalised(sanitized(l), count, settings));
}

// Whether the penalties can only lower a logit (as the default settings' do): then a block's
// largest logit before them bounds its largest after them from above.
bool penalties_lower_only(const SamplingSettings& settings) {
  return settings.repeat_penalty >= 1.0f && settings.presence_penalty >= 0.0f &&
         settings.frequency_penalty >= 0.0f;
}

void sanitize_into(std::span<const float> in, float* out) {
  const size_t n = in.size(), whole = n - n % kBlock;
  for (size_t i0 = 0; i0 < whole; i0 += kBlock) {
    float block[kBlock];  // read whole first: out may alias in as far as the compiler knows
    for (size_t j = 0; j < kBlock; ++j) block[j] = in[i0 + j];
    for (size_t j = 0; j < kBlock; ++j) out[i0 + j] = sanitized(block[j]);
  }
  for (size_t i = whole; i < n; ++i) out[i] = sanitized(in[i]);
}

// Reads the logits kBlock at a time as the sampler sees them, without copying the vocabulary:
// the caller's logits in place where no penalty changes a token of the block, else a copy with
// the penalised tokens' logits (`penalised`: the window's tokens, ascending, with their counts;
// their logits are read and penalised here, so a block never read costs nothing), padded with
// -inf past the end. What it returns is not sanitized: NaN and +inf are for the reader to treat
// as -inf and the largest float (a comparison > t is false for NaN, and +inf > t wherever the
// largest float is).
class BlockReader {
 public:
  BlockReader(std::span<const float> logits, std::span<const std::pair<int32_t, float>> penalised,
              const SamplingSettings& settings)
      : logits_(logits), penalised_(penalised), settings_(settings) {}
  // Blocks in ascending order: i0 = 0, kBlock, 2 kBlock, ... (any may be skipped).
  const float* at(size_t i0) {
    const size_t end = i0 + kBlock;
    while (next_ < penalised_.size() && static_cast<size_t>(penalised_[next_].first) < i0) ++next_;
    const bool changed = next_ < penalised_.size() && static_cast<size_t>(penalised_[next_].first) < end;
    if (!changed && end <= logits_.size()) return logits_.data() + i0;
    for (size_t j = 0; j < kBlock; ++j) buf_[j] = i0 + j < logits_.size() ? logits_[i0 + j] : kNegInf;
    for (; next_ < penalised_.size() && static_cast<size_t>(penalised_[next_].first) < end; ++next_) {
      float& l = buf_[static_cast<size_t>(penalised_[next_].first) - i0];
      l = penalised_logit(l, penalised_[next_].second, settings_);
    }
    return buf_;
  }

 private:
  std::span<const float> logits_;
  std::span<const std::pair<int32_t, float>> penalised_;
  const SamplingSettings& settings_;
  size_t next_ = 0;
  float buf_[kBlock];
};

// The largest of the kBlock values at p as the sampler sees them (sanitized).
inline float block_max_of(const float* p) {
  float m = kNegInf;
  for (size_t j = 0; j < kBlock; ++j) m = std::max(m, sanitized(p[j]));
  return m;
}

// The largest of w (no NaN in it), -inf when empty.
float max_of(std::span<const float> w) {
  const size_t n = w.size(), whole = n - n % kBlock;
  float lane[kBlock];
  std::fill(lane, lane + kBlock, kNegInf);
  for (size_t i0 = 0; i0 < whole; i0 += kBlock)
    for (size_t j = 0; j < kBlock; ++j) lane[j] = w[i0 + j] > lane[j] ? w[i0 + j] : lane[j];
  float m = kNegInf;
  for (float v : lane) m = std::max(m, v);
  for (size_t i = whole; i < n; ++i) m = std::max(m, w[i]);
  return m;
}

// Whether any of the kBlock values at p exceeds t / reaches t.
inline bool any_above(const float* p, float t) {
  int hit = 0;
  for (size_t j = 0; j < kBlock; ++j) hit |= p[j] > t;
  return hit != 0;
}
template <typename T>
inline bool any_at_least(const T* p, T t) {
  int hit = 0;
  for (size_t j = 0; j < kBlock; ++j) hit |= p[j] >= t;
  return hit != 0;
}

// exp(z) for z in [-708, 0], to about an ulp, in a form GCC vectorizes in a fixed-length loop
// (glibc's exp is a call per value: ~300 us a step over 65,024 tokens with top-k off):
// z = k ln2 + r with |r| <= ln2 / 2, exp(r) by its Taylor polynomial to r^13 (truncation under
// 1e-17 relative), times 2^k made in the exponent bits.
inline double exp_in_range(double z) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // low 20 bits zero: k * kLn2Hi is exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52: t's low bits hold round(z / ln2)
  const double t = z * kLog2e + kRound;
  const double k = t - kRound;
  const double r = (z - k * kLn2Hi) - k * kLn2Lo;
  double p = 1.0 / 6227020800.0;  // 1/13!, then Horner down to 1/0!
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // The low 12 bits of t's bits are k's (two's complement); k + 1023 in [1, 1023] is 2^k's
  // biased exponent.
  return p * std::bit_cast<double>((std::bit_cast<uint64_t>(t) + 1023) << 52);
}

// w[i] = exp((l[i] - lmax) * inv_t) for the n logits at l (each <= lmax; n a multiple of kBlock);
// returns their sum. Below exp(-708) = 3.3e-308 (a -inf logit too) the weight is that: no sum of
// weights, the top token's being 1, notices it. The clamp has a loop of its own, or GCC would not
// vectorize.
// Built twice, for AVX2 and for any x86-64, the loader picking one (target_clones): 4 doubles an
// instruction instead of 2, 263 -> ~155 us a token with top-k off. Without FMA, so every machine
// computes the very same weights (a seed gives the same tokens everywhere). Not under
// ThreadSanitizer: GCC instruments the clones' resolver, which the loader runs before TSan's
// runtime is up, so every program linking this crashed at start (the tsan preset's tests too).
#if defined(__SANITIZE_THREAD__)
#define FALCON_AVX2_CLONES
#else
#define FALCON_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#endif
FALCON_AVX2_CLONES double weigh_all(const float* l, size_t n, double lmax, double inv_t, double* w) {
  double sum[kBlock] = {};
  for (size_t i0 = 0; i0 < n; i0 += kBlock) {
    double z[kBlock];
    for (size_t j = 0; j < kBlock; ++j) {
      const double v = (static_cast<double>(l[i0 + j]) - lmax) * inv_t;
      z[j] = v < -708.0 ? -708.0 : v;
    }
    for (size_t j = 0; j < kBlock; ++j) {
      const double e = exp_in_range(z[j]);
      w[i0 + j] = e;
      sum[j] += e;
    }
  }
  double total = 0.0;
  for (const double v : sum) total += v;
  return total;
}

// Rearranges c so that its first `return` elements are top-p's survivors: the most probable
// (first in the strict order `higher`) while the mass strictly before each is below target, and at
// least one. Their order is not sorted: a quickselect on mass, O(n) expected, where sorting cost
// O(n log n): with top-k off, flat logits leave top-p tens of thousands of candidates (1.5 ms a
// token on 65,024 before; docs/BENCHMARKS.md, "Sampler"). The pivot is the median of three; a
// range that takes too many rounds is sorted instead, so the worst case stays O(n log n).
template <typename C, typename Higher>
size_t top_p_prefix(std::vector<C>& c, double target, Higher higher) {
  constexpr size_t kSmall = 32;
  size_t lo = 0, hi = c.size();  // c[0, lo) kept, each above every later one; the cut lies in [lo, hi]
  double before = 0.0;           // mass of c[0, lo)
  int rounds = 2 * std::bit_width(c.size()) + 4;
  while (hi - lo > kSmall && before < target && rounds-- > 0) {
    // The median of c[lo], c[mid], c[hi - 1] is the pivot.
    const size_t mid = lo + (hi - lo) / 2, last = hi - 1;
    if (higher(c[mid], c[lo])) std::swap(c[mid], c[lo]);
    if (higher(c[last], c[lo])) std::swap(c[last], c[lo]);
    if (higher(c[mid], c[last])) std::swap(c[mid], c[last]);
    const C pivot = c[last];
    const size_t above = static_cast<size_t>(std::partition(c.begin() + static_cast<std::ptrdiff_t>(lo),
                                                            c.begin() + static_cast<std::ptrdiff_t>(last),
                                                            [&](const C& x) { return higher(x, pivot); }) -
                                             c.begin());
    std::swap(c[above], c[last]);
    double up = 0.0;  // the mass above the pivot
    for (size_t i = lo; i < above; ++i) up += c[i].weight;
    if (before + up >= target) {
      hi = above;  // the pivot has that mass before it: it and everything under it go
    } else {
      before += up + pivot.weight;  // the pivot and everything above it stay
      lo = above + 1;
    }
  }
  if (lo > 0 && before >= target) return lo;  // the last pivot kept was the last survivor
  std::sort(c.begin() + static_cast<std::ptrdiff_t>(lo), c.begin() + static_cast<std::ptrdiff_t>(hi), higher);
  size_t keep = lo;
  while (keep < hi && (keep == 0 || before < target)) before += c[keep++].weight;
  return keep;
}

}  // namespace

void Sampler::block_maxima(std::span<const float> logits, std::span<const float> block_max) {
  const size_t blocks = block_max.size(), padded = (blocks + kBlock - 1) / kBlock * kBlock;
  bmax_.resize(padded);
  sanitize_into(block_max, bmax_.data());
  std::fill(bmax_.begin() + static_cast<std::ptrdiff_t>(blocks), bmax_.end(), kNegInf);
  pending_.clear();
  const bool lower_only = penalties_lower_only(settings_);
  BlockReader reader(logits, penalised_, settings_);
  for (size_t i = 0; i < penalised_.size();) {
    const size_t b = static_cast<size_t>(penalised_[i].first) / kBlock;
    if (lower_only) {
      pending_.emplace_back(b, bmax_[b]);
      bmax_[b] = kNegInf;
    } else {
      bmax_[b] = block_max_of(reader.at(b * kBlock));
    }
    while (i < penalised_.size() && static_cast<size_t>(penalised_[i].first) / kBlock == b) ++i;
  }
}

float Sampler::resolve_pending(std::span<const float> logits, float floor) {
  float m = kNegInf;
  BlockReader reader(logits, penalised_, settings_);
  for (const auto& [b, upper] : pending_) {
    if (!(upper >= floor)) continue;
    bmax_[b] = block_max_of(reader.at(b * kBlock));
    m = std::max(m, bmax_[b]);
  }
  return m;
}

void Sampler::build_candidates(std::span<const float> logits, std::span<const int32_t> history,
                               std::span<const float> block_max) {
  const size_t vocab = logits.size();
  if (vocab == 0) throw_usage_error("cannot sample from an empty vocabulary");

  // The penalties change the window's tokens only. Greedy and top-k read the caller's logits
  // through them (BlockReader, which penalises a token's logit when it reads its block); top-k
  // off, which weighs every token, works on a sanitized copy.
  penalised_.clear();
  for_each_penalised(history, settings_, vocab, window_,
                     [&](int32_t id, float count) { penalised_.emplace_back(id, count); });

  candidates_.clear();
  const size_t top_k = static_cast<size_t>(settings_.top_k);
  const bool use_top_k = top_k > 0 && top_k < vocab;
  // With the blocks' maxima (after the penalties, in bmax_), greedy and top-k visit only the
  // blocks that can hold their tokens. Where the penalties only lower logits, a penalised
  // block is read only if its maximum before them reaches what the other blocks already offer
  // (resolve_pending): most of the window's tokens are never read.
  const bool maxima =
      block_max.size() == (vocab + kBlock - 1) / kBlock && (settings_.is_greedy() || use_top_k);
  if (maxima) block_maxima(logits, block_max);
  if (settings_.is_greedy()) {
    // The lowest id among the largest (id 0 when nothing is finite): a vectorized max, then the
    // first block that holds it.
    float best = kNegInf;
    if (maxima) {
      best = max_of(bmax_);
      if (!pending_.empty()) best = std::max(best, resolve_pending(logits, best));
    } else {
      float lane[kBlock];
      std::fill(lane, lane + kBlock, kNegInf);
      BlockReader blocks(logits, penalised_, settings_);
      for (size_t i0 = 0; i0 < vocab; i0 += kBlock) {
        const float* p = blocks.at(i0);
        for (size_t j = 0; j < kBlock; ++j) lane[j] = p[j] > lane[j] ? p[j] : lane[j];  // NaN never wins
      }
      for (const float v : lane) best = std::max(best, v);
      best = sanitized(best);
    }
    size_t id = 0;
    if (best != kNegInf) {
      // The first block that holds `best`: by its maximum, or by reading the blocks. (Maxima
      // that do not match the logits would be the backend's bug; the search still stops at the
      // vocabulary's end, and then takes the lowest id that holds the maxima's largest.)
      size_t i0 = 0;
      if (maxima) {
        size_t b = 0;
        while (!any_at_least(bmax_.data() + b, best)) b += kBlock;
        while (bmax_[b] != best) ++b;
        i0 = b * kBlock;
      }
      BlockReader again(logits, penalised_, settings_);
      const float* p = again.at(i0);
      while (!any_at_least(p, best) && i0 + kBlock < vocab) p = again.at(i0 += kBlock);
      size_t j = 0;
      while (j + 1 < kBlock && sanitized(p[j]) != best) ++j;
      id = std::min(i0 + j, vocab - 1);
    }
    candidates_.push_back({static_cast<int32_t>(id), 1.0});
    return;
  }

  // A strict total order (logit descending, then id) so that every run keeps the same set.
  const auto higher = [](const Candidate& a, const Candidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  };
  order_.clear();
  if (use_top_k) {
    // Top-k (temperature is monotone, so the set is the same before or after it): one pass
    // collecting the tokens above `bar` in order_; whenever it holds 2k, the k best stay
    // (nth_element) and bar becomes the k-th's logit. -inf until then (so -inf never enters);
    // after, the k kept tokens' ids are below every token still to come (blocks are read in
    // ascending order), so a tie with the bar never enters either. Most blocks have no token
    // above the bar. (A min-heap of k took a sift per token that entered: 2-3 times slower.)
    float bar = kNegInf;
    const size_t cap = 2 * top_k;
    order_.reserve(cap);
    const auto keep_best = [&] {
      std::nth_element(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(top_k - 1), order_.end(),
                       higher);
      order_.resize(top_k);
      bar = order_.back().logit;
    };
    BlockReader blocks(logits, penalised_, settings_);
    const auto visit = [&](size_t i0, const float* p) {
      for (size_t j = 0; j < kBlock; ++j) {
        const float l = sanitized(p[j]);
        if (!(l > bar)) continue;
        order_.emplace_back(0.0, l, static_cast<int32_t>(i0 + j));
        if (order_.size() == cap) keep_best();
      }
    };
    if (maxima) {
      // The k largest block maxima are k tokens at least `floor` each, so no token of a block
      // whose largest is below it is among the k best; the bar skips more as order_ fills. The
      // k largest maxima are found the same way, in kth_.
      float floor = kNegInf, kth = kNegInf;
      kth_.clear();
      kth_.reserve(cap);
      const auto keep_kth = [&] {
        std::nth_element(kth_.begin(), kth_.begin() + static_cast<std::ptrdiff_t>(top_k - 1), kth_.end(),
                         std::greater<float>());
        kth_.resize(top_k);
        kth = kth_.back();
      };
      for (size_t b0 = 0; b0 < bmax_.size(); b0 += kBlock) {
        if (!any_above(bmax_.data() + b0, kth)) continue;
        for (size_t j = 0; j < kBlock; ++j) {
          const float v = bmax_[b0 + j];
          if (!(v > kth)) continue;
          kth_.push_back(v);
          if (kth_.size() == cap) keep_kth();
        }
      }
      if (kth_.size() >= top_k) {
        keep_kth();
        floor = kth;
      }
      // (The pending penalised blocks read -inf above, so the floor holds without them; those
      // that may reach it are read now, the others hold no token of the k best.)
      if (!pending_.empty()) resolve_pending(logits, floor);
      // The blocks to read, listed first and asked of memory all at once: where the app samples,
      // the GPU has just written them (in no cache), and one miss after another cost a few
      // dozen memory latencies.
      visit_.clear();
      for (size_t b0 = 0; b0 < bmax_.size(); b0 += kBlock) {
        const float* m = bmax_.data() + b0;
        if (!any_at_least(m, floor)) continue;
        for (size_t j = 0; j < kBlock; ++j)
          if (m[j] >= floor && (b0 + j) * kBlock < vocab) visit_.push_back(b0 + j);
      }
      for (const size_t b : visit_) __builtin_prefetch(logits.data() + b * kBlock);
      for (const size_t b : visit_)
        if (bmax_[b] > bar) visit(b * kBlock, blocks.at(b * kBlock));
    } else {
      for (size_t i0 = 0; i0 < vocab; i0 += kBlock) {
        const float* p = blocks.at(i0);
        if (any_above(p, bar)) visit(i0, p);
      }
    }
    if (order_.size() > top_k) keep_best();
    std::sort(order_.begin(), order_.end(), higher);
  }
  if (!use_top_k) {
    work_.resize(vocab);
    sanitize_into(logits, work_.data());
    for (const auto& [id, count] : penalised_)
      work_[static_cast<size_t>(id)] = penalised_logit(work_[static_cast<size_t>(id)], count, settings_);
  }
  const float lmax = use_top_k ? (order_.empty() ? kNegInf : order_.front().logit) : max_of(work_);
  if (lmax == kNegInf) {  // nothing is possible: fall back to the lowest id, as greedy would
    candidates_.push_back({0, 1.0});
    return;
  }
  // Top-k's most probable token, which every filter keeps (for the fallback at the end).
  const int32_t top_k_first = use_top_k ? order_.front().id : 0;
  const double inv_t = 1.0 / static_cast<double>(settings_.temperature);
  bool sorted = use_top_k;
  double total = 0.0;  // sum of weights exp((l - lmax) / T) over the top-k survivors (top-p's)
  if (use_top_k) {
    for (auto& c : order_) total += (c.weight = std::exp((static_cast<double>(c.logit) - lmax) * inv_t));
  } else {
    // Every finite token is a candidate, weighed in blocks (a -inf logit weighs 0). When min-p
    // is on, tokens that it will surely drop are not listed (they still count in top-p's
    // total); the exact test follows below.
    // (The vocabulary padded to whole blocks with -inf, which weigh nothing that counts.)
    const size_t padded = (vocab + kBlock - 1) / kBlock * kBlock;
    work_.resize(padded, kNegInf);
    weights_.resize(padded);
    const bool min_p = settings_.min_p > 0.0f;
    const double cut = static_cast<double>(settings_.min_p) * (1.0 - 1e-6);
    // Each token is written and the end moves on past the listed ones: no branch a token (on
    // flat logits whether one is listed is a coin toss).
    order_.resize(padded);
    size_t listed = 0;
    const auto list_block = [&](size_t i0) {
      for (size_t i = i0; i < i0 + kBlock; ++i) {
        order_[listed] = {weights_[i], work_[i], static_cast<int32_t>(i)};
        listed += min_p ? weights_[i] >= cut : work_[i] != kNegInf;
      }
    };
    if (min_p && settings_.top_p >= 1.0f) {
      // Min-p without top-p needs no total: only blocks with a logit that may pass min-p are
      // weighed, found by comparing logits with the weight cut's logit, lowered so that rounding
      // cannot hide a token that passes (the exact test is on the weight). A model's logits leave
      // a handful of blocks: 163-180 -> 35-39 us a token (docs/BENCHMARKS.md, "Sampler").
      const double at = lmax + std::log(cut) / inv_t;
      const float floor = std::nextafter(static_cast<float>(at - 1e-6 * (std::fabs(at) + 1.0)),
                                         -std::numeric_limits<float>::infinity());
      const auto may_pass = [&](size_t i0) { return any_at_least(work_.data() + i0, floor); };
      for (size_t i0 = 0; i0 < padded;) {
        if (!may_pass(i0)) {
          i0 += kBlock;
          continue;
        }
        size_t i1 = i0 + kBlock;  // a run of such blocks, weighed in one call
        while (i1 < padded && may_pass(i1)) i1 += kBlock;
        weigh_all(work_.data() + i0, i1 - i0, lmax, inv_t, weights_.data() + i0);
        for (; i0 < i1; i0 += kBlock) list_block(i0);
      }
    } else {
      total = weigh_all(work_.data(), padded, lmax, inv_t, weights_.data());
      for (size_t i0 = 0; i0 < padded; i0 += kBlock)
        if (!min_p || any_at_least(weights_.data() + i0, cut)) list_block(i0);
    }
    order_.resize(listed);
  }

  // Min-p: probability ratio to the top token, i.e. weight >= min_p (the top weight is 1).
  // Applying it before top-p gives the same survivors (both keep a most-probable prefix) and
  // leaves top-p far fewer tokens to sort; top-p still measures mass against `total`.
  if (settings_.min_p > 0.0f) {
    const double threshold = static_cast<double>(settings_.min_p);
    std::erase_if(order_, [&](const Candidate& c) { return c.weight < threshold; });  // in order
  }

  // Top-p: keep the most probable tokens while the mass strictly before each is below top_p of
  // `total` (so at least one stays). Top-k's survivors are sorted already; otherwise a
  // quickselect on mass finds them without sorting (top_p_prefix).
  if (settings_.top_p < 1.0f) {
    const double target = static_cast<double>(settings_.top_p) * total;
    size_t keep = 0;
    if (sorted) {
      double before = 0.0;
      while (keep < order_.size() && (keep == 0 || before < target)) before += order_[keep++].weight;
    } else {
      keep = top_p_prefix(order_, target, higher);
    }
    order_.resize(keep);
  }

  candidates_.reserve(order_.size());
  for (const auto& c : order_) candidates_.push_back({c.id, c.weight});
  if (candidates_.empty())  // cannot happen (the top token always survives); never sample from nothing
    candidates_.push_back(
        {use_top_k ? top_k_first
                   : static_cast<int32_t>(std::find(work_.begin(), work_.end(), lmax) - work_.begin()),
         1.0});
}

int32_t Sampler::sample(std::span<const float> logits, std::span<const int32_t> history,
                        std::span<const float> block_max) {
  build_candidates(logits, history, block_max);
  if (candidates_.size() == 1) return candidates_[0].id;
  double total = 0.0;
  for (const auto& c : candidates_) total += c.prob;
  // Inverse CDF over the candidates in their (deterministic) order.
  const double u = rng_.next_double() * total;
  double acc = 0.0;
  for (const auto& c : candidates_) {
    acc += c.prob;
    if (u < acc) return c.id;
  }
  return candidates_.back().id;  // u rounded up to the total
}

std::vector<TokenProb> Sampler::distribution(std::span<const float> logits, std::span<const int32_t> history,
                                             std::span<const float> block_max) {
  build_candidates(logits, history, block_max);
  std::vector<TokenProb> out = candidates_;
  double total = 0.0;
  for (const auto& c : out) total += c.prob;
  for (auto& c : out) c.prob /= total;
  std::sort(out.begin(), out.end(), [](const TokenProb& a, const TokenProb& b) {
    return a.prob > b.prob || (a.prob == b.prob && a.id < b.id);
  });
  return out;
}

}  // namespace falcon
