// The window invariant (DESIGN.md §4) on the CPU backend: after any sequence of appends,
// evictions and truncations, the next-token logits equal those of a fresh prefill of exactly
// the kept tokens at positions 0..n-1 (max |diff| <= 1e-4 max |ref|). RoPE and ALiBi, MQA,
// GQA and MHA fixtures; windows of 1, 7 and 64 tokens; pinned span empty and longer than
// the window.
#include <QtTest>
#include <random>

#include "core/common/error.h"
#include "core/model/cpu_backend.h"
#include "model_fixture_util.h"

using namespace falcon;
using namespace falcon::testutil;

namespace {

constexpr int kCapacity = 160;

std::unique_ptr<Backend> make(const Fixture& f) {
  CpuBackendOptions o;
  o.threads = 2;
  o.cache_capacity = kCapacity;
  return create_cpu_backend(f.dir, o);
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
    auto be = make(f);
    auto fresh = make(f);
    std::mt19937 rng(static_cast<unsigned>(window * 131 + pinned));
    std::uniform_int_distribution<int> tok(0, f.vocab - 1), chunk(1, 9);
    std::vector<int32_t> kept;
    std::vector<float> logits;
    auto append = [&](int n) {
      std::vector<int32_t> add;
      for (int i = 0; i < n; ++i) add.push_back(tok(rng));
      be->forward(add, false, logits);
      kept.insert(kept.end(), add.begin(), add.end());
    };
    append(pinned > 0 ? pinned : 3);
    const int pin = pinned;
    int evictions = 0;
    for (int step = 0; step < 20; ++step) {
      append(chunk(rng));
      expect_fresh(*fresh, kept, logits, QStringLiteral("step %1 append").arg(step));
      const int recent = static_cast<int>(kept.size()) - pin;
      if (recent > window) {
        const int drop = recent - window;
        be->evict(pin, drop);
        kept.erase(kept.begin() + pin, kept.begin() + pin + drop);
        ++evictions;
        QCOMPARE(be->cache_size(), static_cast<int>(kept.size()));
        // The next token's logits after the eviction.
        const int32_t next[] = {tok(rng)};
        be->forward(next, false, logits);
        kept.push_back(next[0]);
        expect_fresh(*fresh, kept, logits, QStringLiteral("step %1 after evicting %2").arg(step).arg(drop));
      }
    }
    QVERIFY(evictions > 0);
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
    auto be = make(f);
    auto fresh = make(f);
    std::vector<int32_t> kept(f.full_tokens);
    std::vector<float> logits;
    be->forward(kept, false, logits);
    std::mt19937 rng(7);
    for (int round = 0; round < 6; ++round) {
      const int size = be->cache_size();
      const int begin = std::uniform_int_distribution<int>(0, size - 2)(rng);
      const int count = std::uniform_int_distribution<int>(1, std::min(6, size - begin - 1))(rng);
      be->evict(begin, count);
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
    be->evict(4, 0);
    QCOMPARE(be->cache_size(), 13);
    be->evict(5, 8);
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
      if (be->cache_size() == be->cache_capacity()) be->evict(8, 16);
      const int32_t tok[] = {next};
      be->forward(tok, false, logits);
      next = argmax(logits.data(), f.vocab);
      QVERIFY(be->cache_size() <= 40);
    }
  }
};

QTEST_APPLESS_MAIN(TestCpuBackendEvict)
#include "test_cpu_backend_evict.moc"
