#include "core/chat/sampler.h"

#include <algorithm>
#include <cmath>
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

void Sampler::apply_penalties(std::span<float> logits, std::span<const int32_t> history,
                              const SamplingSettings& settings) {
  const int64_t vocab = static_cast<int64_t>(logits.size());
  if (settings.repeat_last_n == 0 || history.empty()) return;
  const bool repetition = settings.repeat_penalty != 1.0f;
  if (!repetition && settings.presence_penalty == 0.0f && settings.frequency_penalty == 0.0f) return;

  const size_t n = settings.repeat_last_n < 0
                       ? history.size()
                       : std::min(history.size(), static_cast<size_t>(settings.repeat_last_n));
  std::vector<int32_t> window(history.end() - static_cast<std::ptrdiff_t>(n), history.end());
  std::sort(window.begin(), window.end());
  for (size_t i = 0; i < window.size();) {
    const int32_t id = window[i];
    if (id < 0 || id >= vocab)
      throw_usage_error("token id " + std::to_string(id) + " in the context is outside the vocabulary of " +
                        std::to_string(vocab) + " tokens");
    size_t j = i;
    while (j < window.size() && window[j] == id) ++j;
    const auto count = static_cast<float>(j - i);
    float& l = logits[static_cast<size_t>(id)];
    if (repetition) l = l > 0.0f ? l / settings.repeat_penalty : l * settings.repeat_penalty;
    l -= settings.frequency_penalty * count + settings.presence_penalty;
    i = j;
  }
}

void Sampler::build_candidates(std::span<const float> logits, std::span<const int32_t> history) {
  const size_t vocab = logits.size();
  if (vocab == 0) throw_usage_error("cannot sample from an empty vocabulary");
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  constexpr float kMax = std::numeric_limits<float>::max();

  // NaN can never be chosen; +inf is clamped so that the arithmetic below stays finite.
  work_.resize(vocab);
  for (size_t i = 0; i < vocab; ++i) {
    const float l = logits[i];
    work_[i] = std::isnan(l) ? kNegInf : std::min(l, kMax);
  }
  apply_penalties(work_, history, settings_);
  // Huge penalties can overflow (l / tiny repeat_penalty = inf) or make inf - inf: keep the
  // same conventions as for the input.
  for (float& l : work_) l = std::isnan(l) ? kNegInf : std::min(l, kMax);

  candidates_.clear();
  if (settings_.is_greedy()) {
    size_t best = 0;
    for (size_t i = 1; i < vocab; ++i)
      if (work_[i] > work_[best]) best = i;
    candidates_.push_back({static_cast<int32_t>(best), 1.0});
    return;
  }

  float lmax = kNegInf;
  for (float l : work_) lmax = std::max(lmax, l);
  if (lmax == kNegInf) {  // nothing is possible: fall back to the lowest id, as greedy would
    candidates_.push_back({0, 1.0});
    return;
  }
  const double inv_t = 1.0 / static_cast<double>(settings_.temperature);
  // A strict total order (logit descending, then id) so that every run keeps the same set.
  const auto higher = [](const Candidate& a, const Candidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  };
  bool sorted = false;
  double total = 0.0;  // sum of weights exp((l - lmax) / T) over the top-k survivors

  order_.clear();
  const size_t top_k = static_cast<size_t>(settings_.top_k);
  if (top_k > 0 && top_k < vocab) {
    // Top-k (temperature is monotone, so the set is the same before or after it): one pass
    // keeping a min-heap of the best k; most tokens cost one comparison with the heap's root.
    for (size_t i = 0; i < vocab; ++i) {
      const Candidate c{0.0, work_[i], static_cast<int32_t>(i)};
      if (c.logit == kNegInf) continue;
      if (order_.size() < top_k) {
        order_.push_back(c);
        std::push_heap(order_.begin(), order_.end(), higher);
      } else if (higher(c, order_.front())) {
        std::pop_heap(order_.begin(), order_.end(), higher);
        order_.back() = c;
        std::push_heap(order_.begin(), order_.end(), higher);
      }
    }
    std::sort(order_.begin(), order_.end(), higher);
    sorted = true;
    for (auto& c : order_) total += (c.weight = std::exp((static_cast<double>(c.logit) - lmax) * inv_t));
  } else {
    // Every finite token is a candidate. When min-p is on, tokens that it will surely drop are
    // skipped here already (they still count in top-p's total); the exact test follows below.
    const double log_min_p = settings_.min_p > 0.0f ? std::log(static_cast<double>(settings_.min_p)) - 1e-6
                                                    : -std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < vocab; ++i) {
      if (work_[i] == kNegInf) continue;
      const double z = (static_cast<double>(work_[i]) - lmax) * inv_t;
      const double w = std::exp(z);
      total += w;
      if (z >= log_min_p) order_.push_back({w, work_[i], static_cast<int32_t>(i)});
    }
  }

  // Min-p: probability ratio to the top token, i.e. weight >= min_p (the top weight is 1).
  // Applying it before top-p gives the same survivors (both keep a most-probable prefix) and
  // leaves top-p far fewer tokens to sort; top-p still measures mass against `total`.
  if (settings_.min_p > 0.0f) {
    const double threshold = static_cast<double>(settings_.min_p);
    auto end = std::stable_partition(order_.begin(), order_.end(),
                                     [&](const Candidate& c) { return c.weight >= threshold; });
    order_.erase(end, order_.end());
  }

  // Top-p over the top-k survivors: sort a growing prefix until it holds the mass.
  if (settings_.top_p < 1.0f) {
    const size_t n = order_.size();
    const double target = static_cast<double>(settings_.top_p) * total;
    size_t m = sorted ? n : std::min<size_t>(64, n);
    for (;;) {
      if (!sorted) {
        // nth_element + sort of the prefix: O(V + m log m), cheaper than a heap-based partial_sort.
        const auto mid = order_.begin() + static_cast<std::ptrdiff_t>(m);
        if (m < n) std::nth_element(order_.begin(), mid - 1, order_.end(), higher);
        std::sort(order_.begin(), mid, higher);
      }
      double mass = 0.0;
      for (size_t i = 0; i < m; ++i) mass += order_[i].weight;
      if (mass >= target || m == n) break;
      m = std::min(n, m * 4);
    }
    // Keep token j when the mass strictly before it is < top_p (so at least one stays).
    double before = 0.0;
    size_t keep = 0;
    while (keep < m && (keep == 0 || before < target)) before += order_[keep++].weight;
    order_.resize(keep);
  }

  candidates_.reserve(order_.size());
  for (const auto& c : order_) candidates_.push_back({c.id, c.weight});
  if (candidates_.empty()) {  // cannot happen (the top token always survives); never sample from nothing
    const auto best = std::max_element(work_.begin(), work_.end());
    candidates_.push_back({static_cast<int32_t>(best - work_.begin()), 1.0});
  }
}

int32_t Sampler::sample(std::span<const float> logits, std::span<const int32_t> history) {
  build_candidates(logits, history);
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

std::vector<TokenProb> Sampler::distribution(std::span<const float> logits,
                                             std::span<const int32_t> history) {
  build_candidates(logits, history);
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
