// KvWindow logic against a fake backend whose cache is a plain list of ids: the window must
// mirror the cache exactly, keep the pinned span, keep at most `window` recent tokens, evict
// only the oldest recent ones, in chunks, preferring turn boundaries.
#include <QtTest>
#include <atomic>

#include "core/chat/kv_window.h"
#include "core/common/error.h"
#include "core/common/rng.h"
#include "core/fake_backend.h"

using namespace falcon;
using falcon::testing::FakeBackend;

namespace {

std::vector<int32_t> iota_tokens(int n, int32_t first) {
  std::vector<int32_t> t(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) t[size_t(i)] = first + i;
  return t;
}

std::vector<int32_t> as_vector(std::span<const int32_t> s) {
  return {s.begin(), s.end()};
}

}  // namespace

class TestKvWindow : public QObject {
  Q_OBJECT

 private slots:
  void rejectsInvalidOptions() {
    QVERIFY_THROWS_EXCEPTION(Error, KvWindow(KvWindowOptions{.window = 0}));
    QVERIFY_THROWS_EXCEPTION(Error, KvWindow(KvWindowOptions{.window = 8, .chunk = -1}));
    QVERIFY_THROWS_EXCEPTION(Error, KvWindow(KvWindowOptions{.window = 8, .turn_slack = -2}));
    QVERIFY_THROWS_EXCEPTION(Error, KvWindow(KvWindowOptions{.window = 8, .sink_tokens = -1}));
    KvWindow w(KvWindowOptions{.window = 512});
    QCOMPARE(w.chunk(), 64);
    KvWindow one(KvWindowOptions{.window = 1});
    QCOMPARE(one.chunk(), 1);
  }

  void decodeKeepsPinnedAndRecentInChunks() {
    FakeBackend b(1000, 1000);
    KvWindow w(KvWindowOptions{.window = 8, .chunk = 3, .turn_slack = 0});
    std::vector<float> logits;
    const auto system = iota_tokens(5, 900);
    QVERIFY(w.forward(b, system, logits, /*pin=*/true));
    QCOMPARE(w.pinned(), 5);
    std::vector<int32_t> stream;
    for (int i = 0; i < 40; ++i) {
      const int32_t t = int32_t(i);
      stream.push_back(t);
      QVERIFY(w.forward(b, std::span<const int32_t>(&t, 1), logits));
      QCOMPARE(b.cache, as_vector(w.tokens()));
      QCOMPARE(w.pinned(), 5);
      QVERIFY(w.recent() <= 8);
      QCOMPARE(int64_t(w.size()) + w.evicted(), int64_t(5 + stream.size()));
      // The pinned span is untouched and the recent part is the newest tokens, in order.
      QCOMPARE(std::vector<int32_t>(w.tokens().begin(), w.tokens().begin() + 5), system);
      QCOMPARE(std::vector<int32_t>(w.tokens().begin() + 5, w.tokens().end()),
               std::vector<int32_t>(stream.end() - w.recent(), stream.end()));
    }
    // Chunks: every eviction dropped exactly 3 tokens right after the pinned span.
    QVERIFY(!b.evict_calls.empty());
    for (auto [begin, count] : b.evict_calls) {
      QCOMPARE(begin, 5);
      QCOMPARE(count, 3);
    }
    QCOMPARE(w.evictions(), int64_t(b.evict_calls.size()));
    // The default is the exact eviction (the window invariant).
    for (EvictMode m : b.evict_modes) QVERIFY(m == EvictMode::Exact);
  }

  // The window asks the backend for the mode it was configured with, on every eviction.
  void evictModeReachesTheBackend() {
    FakeBackend b(1000, 1000);
    KvWindow w(KvWindowOptions{.window = 8, .chunk = 3, .evict_mode = EvictMode::Shift});
    std::vector<float> logits;
    QVERIFY(w.forward(b, iota_tokens(4, 900), logits, /*pin=*/true));
    for (int32_t t = 0; t < 30; ++t) QVERIFY(w.forward(b, std::span<const int32_t>(&t, 1), logits));
    QVERIFY(b.evict_modes.size() >= 5);
    for (EvictMode m : b.evict_modes) QVERIFY(m == EvictMode::Shift);
    QCOMPARE(b.cache, as_vector(w.tokens()));
  }

  void evictionPrefersTurnBoundaries() {
    FakeBackend b(1000, 1000);
    KvWindow w(KvWindowOptions{.window = 20, .chunk = 4, .turn_slack = 6});
    std::vector<float> logits;
    // Turns of 7, 7 and 6 tokens fill the window exactly.
    int32_t next = 0;
    for (int len : {7, 7, 6}) {
      w.begin_turn();
      const auto turn = iota_tokens(len, next);
      next += len;
      QVERIFY(w.forward(b, turn, logits));
    }
    QCOMPARE(w.recent(), 20);
    QCOMPARE(w.turn_starts().size(), size_t(2));  // the first turn starts at the pinned edge
    // One more token: must drop >= 1, prefers 4, may reach 10: the boundary at 7 is the whole
    // first turn.
    const int32_t t = next++;
    QVERIFY(w.forward(b, std::span<const int32_t>(&t, 1), logits));
    QCOMPARE(b.evict_calls.back(), std::make_pair(0, 7));
    QCOMPARE(w.tokens()[0], 7);
    QCOMPARE(b.cache, as_vector(w.tokens()));
    // Without a boundary within reach, the cut is exactly the chunk.
    KvWindow plain(KvWindowOptions{.window = 20, .chunk = 4, .turn_slack = 2});
    FakeBackend b2(1000, 1000);
    QVERIFY(plain.forward(b2, iota_tokens(20, 0), logits));
    plain.begin_turn();
    QVERIFY(plain.forward(b2, iota_tokens(10, 20), logits, false, /*piece=*/1));
    QCOMPARE(b2.evict_calls.front(), std::make_pair(0, 4));
  }

  void turnLongerThanWindowIsCut() {
    for (int window : {1, 7, 64}) {
      FakeBackend b(100000, 100000);
      KvWindow w(KvWindowOptions{.window = window});
      std::vector<float> logits;
      QVERIFY(w.forward(b, iota_tokens(3, 5000), logits, true));
      w.begin_turn();
      const auto turn = iota_tokens(500, 0);
      QVERIFY(w.forward(b, turn, logits));
      QCOMPARE(b.cache, as_vector(w.tokens()));
      QVERIFY(w.recent() <= window);
      QVERIFY(w.recent() >= 1);
      QCOMPARE(w.tokens().back(), 499);
      QCOMPARE(b.forwarded_tokens, 503);  // every token was run, none refused
    }
  }

  void pinnedEmptyAndLongerThanWindow() {
    std::vector<float> logits;
    {
      FakeBackend b(1000, 1000);
      KvWindow w(KvWindowOptions{.window = 4});
      QVERIFY(w.forward(b, iota_tokens(30, 0), logits));
      QCOMPARE(w.pinned(), 0);
      QVERIFY(w.recent() <= 4);
      QCOMPARE(b.cache, as_vector(w.tokens()));
    }
    {
      FakeBackend b(1000, 1000);
      KvWindow w(KvWindowOptions{.window = 4});
      QVERIFY(w.forward(b, iota_tokens(30, 500), logits, true));
      for (int i = 0; i < 50; ++i) {
        const int32_t t = i;
        QVERIFY(w.forward(b, std::span<const int32_t>(&t, 1), logits));
        QCOMPARE(w.pinned(), 30);
        QVERIFY(w.recent() <= 4);
      }
      QCOMPARE(b.cache, as_vector(w.tokens()));
    }
  }

  void sinkTokensArePinned() {
    FakeBackend b(1000, 1000);
    KvWindow w(KvWindowOptions{.window = 4, .sink_tokens = 2});
    std::vector<float> logits;
    QVERIFY(w.forward(b, iota_tokens(3, 900), logits, true));
    QVERIFY(w.forward(b, iota_tokens(20, 0), logits));
    QCOMPARE(w.pinned(), 5);
    QCOMPARE(w.tokens()[3], 0);
    QCOMPARE(w.tokens()[4], 1);
    QCOMPARE(w.tokens().back(), 19);
    QVERIFY(w.recent() <= 4);
  }

  void capacityLimits() {
    std::vector<float> logits;
    {  // window larger than what the cache leaves: the cache wins
      FakeBackend b(1000, 10);
      KvWindow w(KvWindowOptions{.window = 8});
      QVERIFY(w.forward(b, iota_tokens(6, 900), logits, true));
      QVERIFY(w.forward(b, iota_tokens(30, 0), logits));
      QVERIFY(w.recent() <= 4);
      QCOMPARE(b.cache, as_vector(w.tokens()));
    }
    {  // a system prompt that fills the cache leaves no room: a clear error, no crash
      FakeBackend b(1000, 10);
      KvWindow w(KvWindowOptions{.window = 8});
      QVERIFY(w.forward(b, iota_tokens(10, 900), logits, true));
      const int32_t t = 1;
      QVERIFY_THROWS_EXCEPTION(Error, w.forward(b, std::span<const int32_t>(&t, 1), logits));
      FakeBackend b2(1000, 10);
      KvWindow w2(KvWindowOptions{.window = 8});
      QVERIFY_THROWS_EXCEPTION(Error, w2.forward(b2, iota_tokens(11, 900), logits, true));
    }
  }

  void detectsBackendOutOfSync() {
    FakeBackend b(1000, 100);
    KvWindow w(KvWindowOptions{.window = 8});
    std::vector<float> logits;
    QVERIFY(w.forward(b, iota_tokens(5, 0), logits));
    b.cache.push_back(7);  // someone ran the backend behind the window's back
    try {
      w.prepare(b, 1);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.kind(), ErrorKind::Other);
    }
  }

  void cancelBetweenPieces() {
    FakeBackend b(1000, 1000);
    KvWindow w(KvWindowOptions{.window = 100});
    std::atomic<bool> cancel{false};
    b.on_forward = [&](int) { cancel = true; };
    std::vector<float> logits;
    QVERIFY(!w.forward(b, iota_tokens(50, 0), logits, false, 16, &cancel));
    QCOMPARE(w.size(), 16);
    QCOMPARE(b.cache, as_vector(w.tokens()));
  }

  void truncateAndReset() {
    FakeBackend b(1000, 1000);
    KvWindow w(KvWindowOptions{.window = 10});
    std::vector<float> logits;
    QVERIFY(w.forward(b, iota_tokens(4, 900), logits, true));
    w.begin_turn();
    QVERIFY(w.forward(b, iota_tokens(6, 0), logits));
    w.begin_turn();
    QVERIFY(w.forward(b, iota_tokens(3, 100), logits));
    QCOMPARE(w.turn_starts().size(), size_t(1));
    w.truncate(b, 10);
    QCOMPARE(w.size(), 10);
    QCOMPARE(w.turn_starts().size(), size_t(0));
    QCOMPARE(b.cache, as_vector(w.tokens()));
    w.truncate(b, 2);
    QCOMPARE(w.pinned(), 2);
    QVERIFY_THROWS_EXCEPTION(Error, w.truncate(b, 3));
    w.reset(b);
    QCOMPARE(w.size(), 0);
    QCOMPARE(b.cache_size(), 0);
  }

  void stateRoundTrip() {
    FakeBackend b(1000, 1000);
    KvWindow w(KvWindowOptions{.window = 12, .chunk = 2});
    std::vector<float> logits;
    QVERIFY(w.forward(b, iota_tokens(4, 900), logits, true));
    for (int turn = 0; turn < 6; ++turn) {
      w.begin_turn();
      QVERIFY(w.forward(b, iota_tokens(5, turn * 10), logits));
    }
    const KvWindowState saved = w.state();
    FakeBackend fresh(1000, 1000);
    KvWindow resumed(KvWindowOptions{.window = 12, .chunk = 2});
    QVERIFY(resumed.restore(fresh, saved, logits));
    QCOMPARE(fresh.cache, saved.tokens);
    QCOMPARE(resumed.pinned(), w.pinned());
    QCOMPARE(resumed.evicted(), w.evicted());
    QCOMPARE(as_vector(resumed.tokens()), as_vector(w.tokens()));
    QCOMPARE(std::vector<int>(resumed.turn_starts().begin(), resumed.turn_starts().end()), saved.turn_starts);
    // Inconsistent states are refused with a message.
    KvWindowState bad = saved;
    bad.pinned = int(bad.tokens.size()) + 1;
    QVERIFY_THROWS_EXCEPTION(Error, resumed.restore(fresh, bad, logits));
    bad = saved;
    bad.tokens.push_back(5000);  // outside the vocabulary
    QVERIFY_THROWS_EXCEPTION(Error, resumed.restore(fresh, bad, logits));
    // Nonsense turn starts are only hints: dropped, not refused.
    KvWindowState odd = saved;
    odd.turn_starts = {1, saved.pinned, 9, 7, int(saved.tokens.size()) + 3};
    QVERIFY(resumed.restore(fresh, odd, logits));
    QCOMPARE(std::vector<int>(resumed.turn_starts().begin(), resumed.turn_starts().end()),
             std::vector<int>{9});
    QCOMPARE(fresh.cache, saved.tokens);
  }

  void restoreIntoSmallerWindowKeepsNewest() {
    FakeBackend b(1000, 1000);
    KvWindow w(KvWindowOptions{.window = 12});
    std::vector<float> logits;
    QVERIFY(w.forward(b, iota_tokens(3, 900), logits, true));
    QVERIFY(w.forward(b, iota_tokens(12, 0), logits));
    const KvWindowState saved = w.state();
    FakeBackend fresh(1000, 1000);
    KvWindow smaller(KvWindowOptions{.window = 5});
    QVERIFY(smaller.restore(fresh, saved, logits));
    QCOMPARE(smaller.pinned(), 3);
    QVERIFY(smaller.recent() <= 5);
    QCOMPARE(smaller.tokens().back(), 11);
    QCOMPARE(smaller.evicted(), saved.evicted + (12 - smaller.recent()));
    QCOMPARE(fresh.cache, as_vector(smaller.tokens()));
  }

  // Random operations: the window always mirrors the cache, and what it keeps is the pinned
  // span followed by the newest tokens of the unpinned stream.
  void randomOperationsKeepInvariants() {
    Rng r(2026);
    for (int round = 0; round < 300; ++round) {
      const int window = 1 + int(r.next_double() * 40);
      const int pinned_len = r.next_double() < 0.3 ? 0 : int(r.next_double() * 60);
      const KvWindowOptions opt{
          .window = window, .chunk = int(r.next_double() * 8), .turn_slack = int(r.next_double() * 10) - 1};
      const int capacity = pinned_len + 1 + int(r.next_double() * 80);
      FakeBackend b(100000, capacity);
      KvWindow w(opt);
      std::vector<float> logits;
      const auto system = iota_tokens(pinned_len, 90000);
      QVERIFY(w.forward(b, system, logits, true));
      std::vector<int32_t> stream;  // unpinned tokens in order (truncate cuts its end)
      int64_t dropped = 0;          // tokens of `stream` evicted from its front
      int32_t next = 0;
      for (int op = 0; op < 40; ++op) {
        const double u = r.next_double();
        if (u < 0.2) {
          w.begin_turn();
        } else if (u < 0.25 && w.recent() > 0) {
          const int keep = w.pinned() + int(r.next_double() * w.recent());
          w.truncate(b, keep);
          stream.resize(size_t(keep - w.pinned() + dropped));
        } else {
          const int n = 1 + int(r.next_double() * (r.next_double() < 0.2 ? 100 : 5));
          const auto toks = iota_tokens(n, next);
          next += n;
          const int64_t before = w.evicted();
          QVERIFY(w.forward(b, toks, logits, false, 1 + int(r.next_double() * 20)));
          stream.insert(stream.end(), toks.begin(), toks.end());
          dropped += w.evicted() - before;
        }
        QCOMPARE(b.cache, as_vector(w.tokens()));
        QCOMPARE(w.pinned(), pinned_len);
        QVERIFY(w.recent() <= window);
        std::vector<int32_t> expect = system;
        expect.insert(expect.end(), stream.begin() + dropped, stream.end());
        QCOMPARE(as_vector(w.tokens()), expect);
        if (QTest::currentTestFailed()) return;
      }
    }
  }
};

QTEST_APPLESS_MAIN(TestKvWindow)
#include "test_kv_window.moc"
