// THE window invariant (DESIGN.md §4) through KvWindow on the real CpuBackend: after a random
// sequence of turns, appends (in random pieces) and truncations, with the window evicting as
// it must, the next-token logits equal those of a fresh prefill of exactly the kept tokens at
// positions 0..n-1 (max |diff| <= 1e-4 max |ref|). RoPE and ALiBi, MQA, GQA and MHA fixtures,
// windows 1, 7 and 64, pinned span empty and longer than the window. Then: save the kept ids,
// drop the backend, resume into a new one (re-prefill) and compare the logits.
#include <QtTest>

#include "core/chat/kv_window.h"
#include "core/common/rng.h"
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

// max |got - ref| / max |ref| against a fresh prefill of `kept`.
double relative_diff_to_fresh(Backend& fresh, std::span<const int32_t> kept, const std::vector<float>& got) {
  fresh.truncate(0);
  std::vector<float> ref;
  fresh.forward(kept, false, ref);
  if (got.size() != ref.size()) return 1e9;
  return double(max_abs_diff(got.data(), ref.data(), ref.size())) / double(max_abs(ref.data(), ref.size()));
}

}  // namespace

class TestKvWindowCpu : public QObject {
  Q_OBJECT

 private slots:
  void invariant_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("window");
    QTest::addColumn<int>("pinned");
    // RoPE+MQA, RoPE+GQA, ALiBi+MQA, ALiBi+MHA (classic, biases, sequential).
    for (const char* n :
         {"mqa_rope_parallel", "gqa_2ln_sharded", "alibi_6heads_mqa_parallel", "rw_mha_bias_seq_alibi"})
      for (int w : {1, 7, 64})
        for (int pinned : {0, w + 5})
          QTest::addRow("%s W=%d pinned=%d", n, w, pinned) << QString(n) << w << pinned;
  }

  void invariant() {
    QFETCH(QString, name);
    QFETCH(int, window);
    QFETCH(int, pinned);
    const Fixture f = load_fixture(name.toStdString());
    auto be = make(f);
    auto fresh = make(f);
    Rng r(uint64_t(window * 1000 + pinned) ^ std::hash<std::string>{}(f.name));
    auto random_tokens = [&](int n) {
      std::vector<int32_t> t(static_cast<size_t>(n));
      for (auto& x : t) x = int32_t(r.next_double() * f.vocab);
      return t;
    };
    KvWindow w(KvWindowOptions{.window = window});
    std::vector<float> logits;
    if (pinned > 0) QVERIFY(w.forward(*be, random_tokens(pinned), logits, /*pin=*/true));
    QCOMPARE(w.pinned(), pinned);
    double worst = 0;
    for (int op = 0; op < 24; ++op) {
      const double u = r.next_double();
      if (u < 0.1 && w.recent() > 1) {
        w.truncate(*be, w.pinned() + 1 + int(r.next_double() * (w.recent() - 1)));
        // Truncation leaves no logits for the last kept token: append one to get them.
      }
      if (u < 0.35) w.begin_turn();
      // Mostly short appends (a decode step, a short message), sometimes a long one that
      // exceeds the window and must be cut.
      const int n = r.next_double() < 0.15 ? 1 + int(r.next_double() * 90) : 1 + int(r.next_double() * 6);
      QVERIFY(w.forward(*be, random_tokens(n), logits, false, 1 + int(r.next_double() * 40)));
      QCOMPARE(be->cache_size(), w.size());
      QVERIFY(w.recent() <= window);
      QCOMPARE(w.pinned(), pinned);
      const double d = relative_diff_to_fresh(*fresh, w.tokens(), logits);
      worst = std::max(worst, d);
      QVERIFY2(d <= 1e-4, qPrintable(QString("op %1: relative diff %2 (kept %3, evicted %4)")
                                         .arg(op)
                                         .arg(d)
                                         .arg(w.size())
                                         .arg(w.evicted())));
    }
    QVERIFY(w.evicted() > 0);
    qInfo("evicted %lld tokens in %lld evictions; worst relative diff %.2e", (long long)w.evicted(),
          (long long)w.evictions(), worst);

    // Save, drop the engine state, resume: the same next-token logits.
    const KvWindowState saved = w.state();
    const std::vector<float> before = logits;
    be.reset();
    auto resumed_backend = make(f);
    KvWindow resumed(KvWindowOptions{.window = window});
    std::vector<float> after;
    QVERIFY(resumed.restore(*resumed_backend, saved, after));
    QCOMPARE(resumed_backend->cache_size(), int(saved.tokens.size()));
    QCOMPARE(resumed.pinned(), pinned);
    QCOMPARE(resumed.evicted(), w.evicted());
    QCOMPARE(after.size(), before.size());
    const double d = double(max_abs_diff(after.data(), before.data(), before.size())) /
                     double(max_abs(before.data(), before.size()));
    QVERIFY2(d <= 1e-4, qPrintable(QString("resumed logits differ: relative %1").arg(d)));
    // And the conversation goes on from there exactly as the original would.
    const auto more = random_tokens(3);
    std::vector<float> cont;
    QVERIFY(resumed.forward(*resumed_backend, more, cont));
    QVERIFY(relative_diff_to_fresh(*fresh, resumed.tokens(), cont) <= 1e-4);
  }
};

QTEST_APPLESS_MAIN(TestKvWindowCpu)
#include "test_kv_window_cpu.moc"
