#pragma once
// A Backend that runs no model: its cache is a list of token ids and its logits are scripted
// (or a function of the cache), so that window and generator logic can be tested exactly.
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/model/backend.h"

namespace falcon::testing {

class FakeBackend : public Backend {
 public:
  FakeBackend(int vocab, int capacity) : capacity_(capacity) { config_.vocab_size = vocab; }

  const ModelConfig& config() const override { return config_; }
  ModelConfig& mutable_config() { return config_; }
  std::string describe() const override { return "fake"; }
  int cache_size() const override { return static_cast<int>(cache.size()); }
  int cache_capacity() const override { return capacity_; }

  void forward(std::span<const int32_t> tokens, bool all_logits, std::vector<float>& logits) override {
    if (fail_after_forwards >= 0 && forwards >= fail_after_forwards)
      throw Error(ErrorKind::OutOfMemory, "fake backend: out of memory");
    if (cache_size() + static_cast<int>(tokens.size()) > capacity_)
      throw Error(ErrorKind::Usage, "fake backend: cache overflow");
    const size_t rows = all_logits ? tokens.size() : 1;
    logits.assign(rows * static_cast<size_t>(config_.vocab_size), 0.0f);
    for (size_t r = 0; r < rows; ++r) {
      cache.push_back(tokens[r]);
      if (!all_logits)
        for (size_t i = r + 1; i < tokens.size(); ++i) cache.push_back(tokens[i]);
      std::span<float> row(logits.data() + r * static_cast<size_t>(config_.vocab_size),
                           static_cast<size_t>(config_.vocab_size));
      if (logits_fn) logits_fn(cache, row);
    }
    ++forwards;
    forwarded_tokens += static_cast<int>(tokens.size());
    if (on_forward) on_forward(static_cast<int>(tokens.size()));
  }

  void evict(int begin, int count, EvictMode mode) override {
    if (begin < 0 || count < 0 || begin + count > cache_size())
      throw std::logic_error("fake backend: bad evict");
    cache.erase(cache.begin() + begin, cache.begin() + begin + count);
    evict_calls.push_back({begin, count});
    evict_modes.push_back(mode);
  }

  void truncate(int n) override {
    if (n < 0 || n > cache_size()) throw std::logic_error("fake backend: bad truncate");
    cache.resize(static_cast<size_t>(n));
  }

  std::vector<int32_t> cache;
  std::vector<std::pair<int, int>> evict_calls;
  std::vector<EvictMode> evict_modes;  // the mode of each evict call
  // Fills one row of logits from the cache content (after the row's token was appended).
  std::function<void(const std::vector<int32_t>&, std::span<float>)> logits_fn;
  std::function<void(int)> on_forward;  // called after each forward with its token count
  int forwards = 0;
  int forwarded_tokens = 0;
  int fail_after_forwards = -1;  // >= 0: forward number N (0-based) throws

 private:
  ModelConfig config_;
  int capacity_;
};

}  // namespace falcon::testing
