// The window invariant (DESIGN.md §4) on the CPU backend: after any sequence of appends,
// evictions and truncations, the next-token logits equal those of a fresh prefill of exactly
// the kept tokens at positions 0..n-1 (max |diff| <= 1e-4 max |ref|). RoPE and ALiBi, MQA,
// GQA and MHA fixtures; windows of 1, 7 and 64 tokens; pinned span empty and longer than
// the window. EvictMode::Shift against the same reference on 1-layer copies of the fixtures, and
// its fallback to recomputing under dynamic RoPE.
#include <QTemporaryDir>
#include <QtTest>
#include <random>

#include "core/common/error.h"
#include "core/model/cpu_backend.h"
#include "model_fixture_util.h"
#include "one_layer_checkpoint.h"

using namespace falcon;
using namespace falcon::testutil;

namespace {

constexpr int kCapacity = 160;

std::unique_ptr<Backend> make(const std::filesystem::path& dir) {
  CpuBackendOptions o;
  o.threads = 2;
  o.cache_capacity = kCapacity;
  return create_cpu_backend(dir, o);
}

// Compares `got` (one row) with a fresh prefill of `kept` on `fresh`.
void expect_fresh(Backend& fresh, const std::vector<int32_t>& kept, const std::vector<float>& got,
                  const QString& what) {
  fresh.truncate(0);
  std::vector<float> ref;
  fresh.forward(kept, false, ref);
  QCOMPARE(got.size(), ref.size());
  const float scale = max_abs(ref.data(), ref.size());
  const float diff = max_abs_diff(got.data(), ref.data(), ref.size());
  QVERIFY2(diff <= 1e-4f * scale,
           qPrintable(QStringLiteral("%1: max|diff| %2, max|ref| %3").arg(what).arg(diff).arg(scale)));
}

// Drives `be` like KvWindow: `pinned` tokens first, then random appends; whenever the recent part
// exceeds `window`, the oldest recent tokens are evicted with `mode`. Every step's logits are
// compared with a fresh prefill of the kept tokens on `fresh`. Returns the evictions made.
int run_window_policy(Backend& be, Backend& fresh, int vocab, int window, int pinned, EvictMode mode) {
  std::mt19937 rng(static_cast<unsigned>(window * 131 + pinned));
  std::uniform_int_distribution<int> tok(0, vocab - 1), chunk(1, 9);
  std::vector<int32_t> kept;
  std::vector<float> logits;
  auto append = [&](int n) {
    std::vector<int32_t> add;
    for (int i = 0; i < n; ++i) add.push_back(tok(rng));
    be.forward(add, false, logits);
    kept.insert(kept.end(), add.begin(), add.end());
  };
  append(pinned > 0 ? pinned : 3);
  int evictions = 0;
  for (int step = 0; step < 20; ++step) {
    append(chunk(rng));
    expect_fresh(fresh, kept, logits, QStringLiteral("step %1 append").arg(step));
    const int recent = static_cast<int>(kept.size()) - pinned;
    if (recent > window) {
      const int drop = recent - window;
      be.evict(pinned, drop, mode);
      kept.erase(kept.begin() + pinned, kept.begin() + pinned + drop);
      ++evictions;
      if (be.cache_size() != static_cast<int>(kept.size())) {
        QTest::qFail("cache size differs from the kept tokens after evict", __FILE__, __LINE__);
        return evictions;
      }
      // The next token's logits after the eviction.
      const int32_t next[] = {tok(rng)};
      be.forward(next, false, logits);
      kept.push_back(next[0]);
      expect_fresh(fresh, kept, logits, QStringLiteral("step %1 after evicting %2").arg(step).arg(drop));
    }
  }
  return evictions;
}

}  // namespace

class TestCpuBackendEvict : public QObject {
  Q_OBJECT

 private slots:
  void window_invariant_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("window");
    QTest::addColumn<int>("pinned");
    for (const char* n : {"mqa_rope_parallel", "gqa_2ln_sharded", "rw_mha_bias_seq_alibi",
                          "alibi_6heads_mqa_parallel", "rope_dynamic"}) {
      for (int w : {1, 7, 64}) {
        for (int pinned : {0, w + 5}) {
          QTest::addRow("%s W=%d pinned=%d", n, w, pinned) << QString(n) << w << pinned;
        }
      }
    }
  }
  // A KvWindow-like policy: a pinned prefix, then appends in random chunks; whenever the
  // recent part exceeds the window, the oldest non-pinned tokens are evicted.
  void window_invariant() {
    QFETCH(QString, name);
    QFETCH(int, window);
    QFETCH(int, pinned);
    const Fixture f = load_fixture(name.toStdString());
    auto be = make(f.dir);
    auto fresh = make(f.dir);
    QVERIFY(run_window_policy(*be, *fresh, f.vocab, window, pinned, EvictMode::Exact) > 0);
  }

  // EvictMode::Shift (move the cache, re-rotate RoPE keys) on 1-layer copies of the fixtures,
  // where a token's K/V depend only on the token and its position: after every eviction the
  // logits must equal a fresh prefill of the kept tokens, as in exact mode.
  void shift_one_layer_equals_fresh_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("window");
    QTest::addColumn<int>("pinned");
    for (const char* n : {"mqa_rope_parallel", "gqa_2ln_sharded", "gqa_1ln_untied", "rw_mha_bias_seq_alibi",
                          "alibi_6heads_mqa_parallel", "rope_linear", "legacy_refinedweb_40b"}) {
      for (int w : {1, 7, 64}) {
        for (int pinned : {0, w + 5})
          QTest::addRow("%s W=%d pinned=%d", n, w, pinned) << QString(n) << w << pinned;
      }
    }
  }
  void shift_one_layer_equals_fresh() {
    QFETCH(QString, name);
    QFETCH(int, window);
    QFETCH(int, pinned);
    const Fixture f = load_fixture(name.toStdString());
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::filesystem::path dir = std::filesystem::path(tmp.path().toStdString()) / "one_layer";
    write_one_layer_checkpoint(f.dir, dir);
    auto be = make(dir);
    auto fresh = make(dir);
    QCOMPARE(be->config().num_layers, 1);
    QVERIFY(run_window_policy(*be, *fresh, f.vocab, window, pinned, EvictMode::Shift) > 0);
  }

  // Under dynamic NTK RoPE past max_position_embeddings (24 in this fixture) the frequencies
  // depend on the length, so Shift must fall back to recomputing: on the 2-layer model it is
  // then still exactly a fresh prefill (a real shift would not be, layer 1 being stale).
  void shift_falls_back_under_dynamic_rope() {
    const Fixture f = load_fixture("rope_dynamic");
    QVERIFY(f.dynamic_rope());
    auto be = make(f.dir);
    auto fresh = make(f.dir);
    QVERIFY(run_window_policy(*be, *fresh, f.vocab, 7, 30, EvictMode::Shift) > 0);
  }

  // The cache went past max_position_embeddings (keys rotated with length-dependent
  // frequencies), was truncated below it (regenerate), then a shift eviction came: it must not
  // re-rotate those keys with the base tables; the result must still be a fresh prefill's.
  void shift_after_truncating_below_the_dynamic_limit() {
    const Fixture f = load_fixture("rope_dynamic");
    auto be = make(f.dir);
    auto fresh = make(f.dir);
    std::vector<int32_t> kept;
    for (int i = 0; i < 30; ++i) kept.push_back(static_cast<int32_t>((i * 37 + 11) % f.vocab));
    std::vector<float> logits;
    be->forward(kept, false, logits);  // 30 > 24 tokens: dynamic frequencies
    be->truncate(20);
    kept.resize(20);
    be->evict(4, 6, EvictMode::Shift);
    kept.erase(kept.begin() + 4, kept.begin() + 10);
    const int32_t next[] = {5};
    be->forward(next, false, logits);
    kept.push_back(5);
    expect_fresh(*fresh, kept, logits, "shift after truncating below max_position_embeddings");
  }

  // Evictions anywhere (not only after a pinned prefix), truncation, and the edge cases.
  void evict_anywhere_and_truncate_data() {
    QTest::addColumn<QString>("name");
    for (const char* n :
         {"gqa_1ln_untied", "rw_mha_bias_seq_alibi", "rope_linear", "legacy_refinedweb_40b"}) {
      QTest::newRow(n) << QString(n);
    }
  }
  void evict_anywhere_and_truncate() {
    QFETCH(QString, name);
    const Fixture f = load_fixture(name.toStdString());
    auto be = make(f.dir);
    auto fresh = make(f.dir);
    std::vector<int32_t> kept(f.full_tokens);
    std::vector<float> logits;
    be->forward(kept, false, logits);
    std::mt19937 rng(7);
    for (int round = 0; round < 6; ++round) {
      const int size = be->cache_size();
      const int begin = std::uniform_int_distribution<int>(0, size - 2)(rng);
      const int count = std::uniform_int_distribution<int>(1, std::min(6, size - begin - 1))(rng);
      be->evict(begin, count, EvictMode::Exact);
      kept.erase(kept.begin() + begin, kept.begin() + begin + count);
      const int32_t next[] = {static_cast<int32_t>(round * 37 % f.vocab)};
      be->forward(next, false, logits);
      kept.push_back(next[0]);
      expect_fresh(*fresh, kept, logits, QStringLiteral("evict(%1, %2)").arg(begin).arg(count));
    }
    // Truncate (regenerate from an earlier point) and continue.
    be->truncate(10);
    kept.resize(10);
    const int32_t more[] = {1, 2, 3};
    be->forward(more, false, logits);
    kept.insert(kept.end(), std::begin(more), std::end(more));
    expect_fresh(*fresh, kept, logits, "truncate(10) + 3 tokens");
    // evict of nothing, and evict of the whole tail (a truncate).
    be->evict(4, 0, EvictMode::Exact);
    QCOMPARE(be->cache_size(), 13);
    be->evict(5, 8, EvictMode::Exact);
    kept.resize(5);
    QCOMPARE(be->cache_size(), 5);
    const int32_t one[] = {9};
    be->forward(one, false, logits);
    kept.push_back(9);
    expect_fresh(*fresh, kept, logits, "tail eviction");
    // Reset and reuse.
    be->truncate(0);
    QCOMPARE(be->cache_size(), 0);
    be->forward(f.prompt, false, logits);
    const std::size_t V = static_cast<std::size_t>(f.vocab);
    QVERIFY(max_abs_diff(logits.data(), f.prompt_logits.data() + (f.prompt.size() - 1) * V, V) <=
            1e-4f * max_abs(f.prompt_logits.data() + (f.prompt.size() - 1) * V, V));
  }

  // The cache really is bounded: a long run with a window never exceeds its capacity.
  void long_run_stays_within_capacity() {
    const Fixture f = load_fixture("mqa_rope_parallel");
    CpuBackendOptions o;
    o.threads = 2;
    o.cache_capacity = 40;
    auto be = create_cpu_backend(f.dir, o);
    std::vector<float> logits;
    be->forward(std::span<const int32_t>(f.prompt.data(), 8), false, logits);  // pinned 8
    int32_t next = 5;
    for (int i = 0; i < 300; ++i) {
      if (be->cache_size() == be->cache_capacity()) be->evict(8, 16, EvictMode::Exact);
      const int32_t tok[] = {next};
      be->forward(tok, false, logits);
      next = argmax(logits.data(), f.vocab);
      QVERIFY(be->cache_size() <= 40);
    }
  }
};

QTEST_APPLESS_MAIN(TestCpuBackendEvict)
#include "test_cpu_backend_evict.moc"
