#pragma once
// KvWindow ("Hydra window", DESIGN.md §4): which tokens the KV cache keeps.
//
// The cache holds [pinned][recent]:
//  - pinned: the conversation's system prompt (all its tokens, bos included) plus, optionally,
//    the first `sink_tokens` conversation tokens after it (attention sinks). Never evicted.
//  - recent: at most `window` tokens behind the pinned span. Before a forward that would
//    push the recent part past `window`, the oldest recent tokens are dropped (Backend::evict
//    keeps positions contiguous; in the default exact mode the next logits equal a fresh
//    prefill of the kept tokens, see KvWindowOptions::evict_mode).
// Eviction happens in chunks (at least `chunk` tokens at a time, so not on every token) and
// prefers turn boundaries: among the boundaries that free enough room, it cuts at the one
// closest to the chunk size, within `turn_slack` extra tokens. A turn longer than the whole
// window is cut, never refused.
//
// The window mirrors the backend's cache exactly: tokens() is what the cache holds, in order.
// Every change goes through this class (prepare/commit around Backend::forward, or forward()),
// so the two never disagree; a mismatch is reported as an error rather than silently fixed.
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "core/model/backend.h"

namespace falcon {

struct KvWindowOptions {
  int window = 512;     // recent tokens kept behind the pinned span (>= 1)
  int chunk = 0;        // fewest tokens one eviction drops; 0 = max(1, window / 8)
  int turn_slack = -1;  // extra tokens an eviction may drop to end on a turn boundary; -1 = window / 4
  int sink_tokens = 0;  // first conversation tokens after the system prompt that are pinned too
  // Exact keeps the window invariant (the next logits equal a fresh prefill of the kept tokens)
  // at the price of re-prefilling the recent part at each eviction; Shift only moves the cache
  // and re-rotates keys (see EvictMode in core/model/backend.h).
  EvictMode evict_mode = EvictMode::Exact;
};

// What the store persists to resume a conversation (DESIGN.md §4: token ids only).
struct KvWindowState {
  std::vector<int32_t> tokens;   // the kept context, exactly as in the cache
  int pinned = 0;                // tokens[0, pinned) are pinned
  int64_t evicted = 0;           // tokens dropped so far over the conversation's life
  std::vector<int> turn_starts;  // indexes into tokens where a turn begins (after pinned)
  int sinks_taken = 0;           // how many of the sink tokens are already pinned
};

class KvWindow {
 public:
  // Throws Error(Usage) for window < 1, chunk < 0, sink_tokens < 0 or turn_slack < -1.
  explicit KvWindow(KvWindowOptions options = {});

  const KvWindowOptions& options() const { return options_; }
  int chunk() const { return chunk_; }

  // Counts for the UI's context map.
  int pinned() const { return pinned_; }
  int recent() const { return size() - pinned_; }
  int64_t evicted() const { return evicted_; }
  int size() const { return static_cast<int>(tokens_.size()); }
  // Evictions performed (each one Backend::evict call), for stats and tests.
  int64_t evictions() const { return evictions_; }

  // The kept context, exactly the ids in the cache, oldest first.
  std::span<const int32_t> tokens() const { return tokens_; }
  // Kept-token indexes where turns begin (inside the recent part), ascending.
  std::span<const int> turn_starts() const { return turn_starts_; }

  // Marks the next appended token as the start of a turn: eviction prefers to cut there.
  void begin_turn();

  // --- driving a forward pass ---------------------------------------------------------------
  // Makes room for up to `n` tokens that are about to be forwarded as the recent part, evicting
  // through `backend` when needed. Returns how many may be forwarded now: n, or fewer when n
  // is larger than the free room (the caller forwards them, commits, and asks again).
  // Throws Error(Usage) when the backend's cache cannot hold the pinned span plus one token,
  // and Error(Other) when the backend's cache no longer matches this window.
  // With `pin`, the tokens will join the pinned span: only the backend's capacity limits them.
  int prepare(Backend& backend, int n, bool pin = false);
  // Records tokens that the backend has just appended. With `pin`, they join the pinned span
  // (only allowed while nothing unpinned is kept: the system prompt comes first).
  void commit(std::span<const int32_t> tokens, bool pin = false);

  // Convenience: prepare/forward/commit in pieces of at most `piece` tokens. `logits` receives
  // the last token's row. Pinned tokens must fit the cache. Returns false (having committed
  // what it forwarded) when `cancel` becomes true between pieces.
  bool forward(Backend& backend, std::span<const int32_t> tokens, std::vector<float>& logits,
               bool pin = false, int piece = 256, const std::atomic<bool>* cancel = nullptr);

  // --- state changes ------------------------------------------------------------------------
  // Empties the window and the backend's cache (new conversation).
  void reset(Backend& backend);
  // Keeps the first n kept tokens (regenerate/edit); n < pinned() unpins the rest.
  void truncate(Backend& backend, int n);

  // The state to persist, and resuming from it: the backend's cache is cleared and the kept
  // tokens are prefilled again (pinned part first), so the next logits are the same as before.
  // Returns false when `cancel` stopped the prefill; the window then holds what was prefilled.
  // Throws Error(Usage) for an inconsistent state (pinned outside [0, size], ids outside the
  // vocabulary); turn starts that make no sense are dropped (they are only eviction hints).
  KvWindowState state() const;
  bool restore(Backend& backend, const KvWindowState& state, std::vector<float>& logits, int piece = 256,
               const std::atomic<bool>* cancel = nullptr);

 private:
  // Drops `count` recent tokens starting right after the pinned span, in the backend too.
  void evict(Backend& backend, int count);
  // How many recent tokens to drop so that `need` more fit: at least `must`, ideally `chunk_`,
  // landing on a turn boundary when one is within reach.
  int choose_eviction(int must) const;
  void check_in_sync(const Backend& backend) const;

  KvWindowOptions options_;
  int chunk_ = 1;
  int slack_ = 0;
  std::vector<int32_t> tokens_;   // (size) the cache's ids
  int pinned_ = 0;                // tokens_[0, pinned_) never evicted
  int sinks_taken_ = 0;           // sink tokens pinned so far (<= options_.sink_tokens)
  int64_t evicted_ = 0;           // tokens dropped over the conversation's life
  int64_t evictions_ = 0;         // evict calls
  std::vector<int> turn_starts_;  // ascending indexes in [pinned_, size()]
  bool turn_pending_ = false;     // begin_turn() called, applies to the next committed token
};

}  // namespace falcon
