#include "core/chat/kv_window.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/common/error.h"

namespace falcon {

KvWindow::KvWindow(KvWindowOptions options) : options_(options) {
  if (options_.window < 1)
    throw_usage_error("KV window size " + std::to_string(options_.window) + " is invalid: it must be >= 1");
  if (options_.chunk < 0)
    throw_usage_error("KV window eviction chunk " + std::to_string(options_.chunk) +
                      " is invalid: it must be >= 0");
  if (options_.turn_slack < -1)
    throw_usage_error("KV window turn slack " + std::to_string(options_.turn_slack) +
                      " is invalid: it must be >= -1");
  if (options_.sink_tokens < 0)
    throw_usage_error("KV window sink tokens " + std::to_string(options_.sink_tokens) +
                      " is invalid: it must be >= 0");
  chunk_ = options_.chunk > 0 ? std::min(options_.chunk, options_.window) : std::max(1, options_.window / 8);
  slack_ = options_.turn_slack >= 0 ? options_.turn_slack : options_.window / 4;
}

void KvWindow::begin_turn() {
  turn_pending_ = true;
}

void KvWindow::check_in_sync(const Backend& backend) const {
  if (backend.cache_size() != size())
    throw Error(ErrorKind::Other, "internal error: the KV cache holds " +
                                      std::to_string(backend.cache_size()) +
                                      " tokens but the window expects " + std::to_string(size()) +
                                      "; reset the conversation's context");
}

int KvWindow::prepare(Backend& backend, int n, bool pin) {
  check_in_sync(backend);
  if (n <= 0) return 0;
  const int capacity = backend.cache_capacity();
  const int sinks_left = recent() == 0 ? options_.sink_tokens - sinks_taken_ : 0;
  if (pin || sinks_left > 0) {
    // Pinned tokens are limited by the cache only; sink tokens are forwarded as their own piece
    // so that the window budget below always sees the final pinned span.
    if (pin && recent() > 0)
      throw_usage_error("internal error: pinned tokens must come before the conversation's other tokens");
    const int room = capacity - size();
    if (room <= 0)
      throw_usage_error("the system prompt (" + std::to_string(size()) +
                        " tokens) fills the model's whole context of " + std::to_string(capacity) +
                        " tokens; shorten the system prompt");
    return std::min({n, room, pin ? n : sinks_left});
  }
  // Recent tokens: at most `window` behind the pinned span, and never past the cache.
  const int recent_budget = std::min(options_.window, capacity - pinned_);
  if (recent_budget <= 0)
    throw_usage_error("the system prompt (" + std::to_string(pinned_) +
                      " tokens) leaves no room in the model's context of " + std::to_string(capacity) +
                      " tokens; shorten the system prompt");
  const int take = std::min(n, recent_budget);
  const int room = recent_budget - recent();
  if (take > room) evict(backend, choose_eviction(take - room));
  return take;
}

int KvWindow::choose_eviction(int must) const {
  const int r = recent();
  const int preferred = std::min(r, std::max(must, chunk_));
  const int reach = std::min(r, preferred + slack_);
  // A turn boundary at relative offset b means dropping exactly b tokens ends on a whole turn.
  int best = -1;
  auto consider = [&](int b) {
    if (b < must || b > reach) return;
    if (best < 0 || std::abs(b - preferred) < std::abs(best - preferred)) best = b;
  };
  for (int start : turn_starts_) consider(start - pinned_);
  if (turn_pending_) consider(r);  // the incoming tokens begin a turn: dropping all is whole turns
  return best >= 0 ? best : preferred;
}

void KvWindow::evict(Backend& backend, int count) {
  if (count <= 0) return;
  backend.evict(pinned_, count, options_.evict_mode);
  tokens_.erase(tokens_.begin() + pinned_, tokens_.begin() + pinned_ + count);
  // Boundaries shift down; one that lands on the pinned edge (or below) is no longer useful.
  std::vector<int> kept;
  kept.reserve(turn_starts_.size());
  for (int start : turn_starts_)
    if (start - count > pinned_) kept.push_back(start - count);
  turn_starts_ = std::move(kept);
  evicted_ += count;
  ++evictions_;
}

void KvWindow::commit(std::span<const int32_t> tokens, bool pin) {
  if (tokens.empty()) return;
  const int first = size();
  tokens_.insert(tokens_.end(), tokens.begin(), tokens.end());
  const int k = static_cast<int>(tokens.size());
  if (pin) {
    if (first != pinned_)
      throw_usage_error("internal error: pinned tokens must come before the conversation's other tokens");
    pinned_ += k;
    turn_pending_ = false;
    return;
  }
  if (first == pinned_ && sinks_taken_ < options_.sink_tokens) {
    const int take = std::min(k, options_.sink_tokens - sinks_taken_);
    pinned_ += take;
    sinks_taken_ += take;
  }
  if (turn_pending_) {
    if (first > pinned_) turn_starts_.push_back(first);
    turn_pending_ = false;
  }
}

bool KvWindow::forward(Backend& backend, std::span<const int32_t> tokens, std::vector<float>& logits,
                       bool pin, int piece, const std::atomic<bool>* cancel) {
  piece = std::max(1, piece);
  size_t pos = 0;
  while (pos < tokens.size()) {
    if (cancel && cancel->load(std::memory_order_relaxed)) return false;
    const int want = static_cast<int>(std::min(tokens.size() - pos, static_cast<size_t>(piece)));
    const int take = prepare(backend, want, pin);
    const auto part = tokens.subspan(pos, static_cast<size_t>(take));
    backend.forward(part, false, logits);
    commit(part, pin);
    pos += static_cast<size_t>(take);
  }
  return true;
}

void KvWindow::reset(Backend& backend) {
  backend.truncate(0);
  tokens_.clear();
  pinned_ = 0;
  sinks_taken_ = 0;
  evicted_ = 0;
  evictions_ = 0;
  turn_starts_.clear();
  turn_pending_ = false;
}

void KvWindow::truncate(Backend& backend, int n) {
  check_in_sync(backend);
  if (n < 0 || n > size())
    throw_usage_error("cannot keep " + std::to_string(n) + " tokens of a context of " +
                      std::to_string(size()));
  backend.truncate(n);
  tokens_.resize(static_cast<size_t>(n));
  if (n < pinned_) {
    const int system = pinned_ - sinks_taken_;
    pinned_ = n;
    sinks_taken_ = std::max(0, n - system);
  }
  std::erase_if(turn_starts_, [&](int start) { return start >= n || start <= pinned_; });
}

KvWindowState KvWindow::state() const {
  KvWindowState s;
  s.tokens = tokens_;
  s.pinned = pinned_;
  s.evicted = evicted_;
  s.turn_starts = turn_starts_;
  s.sinks_taken = sinks_taken_;
  return s;
}

bool KvWindow::restore(Backend& backend, const KvWindowState& s, std::vector<float>& logits, int piece,
                       const std::atomic<bool>* cancel) {
  const int n = static_cast<int>(s.tokens.size());
  if (s.pinned < 0 || s.pinned > n)
    throw_usage_error("saved context is inconsistent: " + std::to_string(s.pinned) + " pinned tokens of " +
                      std::to_string(n));
  if (s.sinks_taken < 0 || s.sinks_taken > s.pinned || s.evicted < 0)
    throw_usage_error("saved context is inconsistent: bad sink or eviction counts");
  const int vocab = backend.config().vocab_size;
  for (int32_t id : s.tokens)
    if (id < 0 || id >= vocab)
      throw_usage_error("saved context holds token id " + std::to_string(id) +
                        ", outside this model's vocabulary of " + std::to_string(vocab) +
                        "; was it saved with another model?");

  reset(backend);
  const auto all = std::span<const int32_t>(s.tokens);
  if (!forward(backend, all.first(static_cast<size_t>(s.pinned)), logits, true, piece, cancel)) return false;
  sinks_taken_ = options_.sink_tokens;  // the recent part is never pinned as sinks on the way in
  // Turn starts are eviction hints only: ones at or before the pinned edge, past the end or
  // out of order are dropped rather than refused. They are final indexes; eviction on the way
  // in shifts them.
  turn_starts_.clear();
  for (int start : s.turn_starts)
    if (start > s.pinned && start < n && (turn_starts_.empty() || start > turn_starts_.back()))
      turn_starts_.push_back(start);
  evicted_ = s.evicted;
  const bool done =
      forward(backend, all.subspan(static_cast<size_t>(s.pinned)), logits, false, piece, cancel);
  sinks_taken_ = s.sinks_taken;
  std::erase_if(turn_starts_, [&](int start) { return start >= size(); });
  return done;
}

}  // namespace falcon
