// Sampler tests: every operation against a straightforward double-precision implementation of
// its definition (written independently here, following HF transformers' formulation: full
// sort, cumulative sums), the RNG against the published xoshiro256** / splitmix64 vectors, and
// the sampled distribution against the expected one with a chi-square goodness-of-fit test.
#include <QtTest>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "core/block_maxima.h"
#include "core/chat/sampler.h"
#include "core/common/error.h"

using namespace falcon;
using falcon::testing::block_maxima_of;

namespace {

// ---- reference implementation (double precision, full sort, HF formulation) --------------
// Returns a probability for every token (0 for filtered ones).
std::vector<double> reference_distribution(const std::vector<float>& logits,
                                           const std::vector<int32_t>& history, const SamplingSettings& s) {
  const size_t v = logits.size();
  std::vector<double> l(logits.begin(), logits.end());
  // Penalties over the last N tokens.
  size_t n = s.repeat_last_n < 0 ? history.size() : std::min(history.size(), size_t(s.repeat_last_n));
  std::map<int32_t, int> counts;
  for (size_t i = history.size() - n; i < history.size(); ++i) counts[history[i]]++;
  for (auto [id, c] : counts) {
    double& x = l[size_t(id)];
    if (x < 0)
      x *= double(s.repeat_penalty);
    else
      x /= double(s.repeat_penalty);
    x -= double(s.frequency_penalty) * c + double(s.presence_penalty) * (c > 0 ? 1 : 0);
  }
  std::vector<double> p(v, 0.0);
  if (s.is_greedy()) {
    p[size_t(std::max_element(l.begin(), l.end()) - l.begin())] = 1.0;
    return p;
  }
  for (auto& x : l) x /= double(s.temperature);
  const double neg_inf = -std::numeric_limits<double>::infinity();
  // top-k: everything below the k-th largest value is -inf.
  if (s.top_k > 0 && size_t(s.top_k) < v) {
    std::vector<double> sorted = l;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    const double kth = sorted[size_t(s.top_k) - 1];
    for (auto& x : l)
      if (x < kth) x = neg_inf;
  }
  auto softmax = [&](const std::vector<double>& x) {
    double m = *std::max_element(x.begin(), x.end()), z = 0;
    std::vector<double> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) z += (out[i] = std::exp(x[i] - m));
    for (auto& o : out) o /= z;
    return out;
  };
  // top-p as HF writes it: ascending sort, remove tokens whose cumulative prob <= 1 - top_p,
  // but always keep the most probable one.
  if (s.top_p < 1.0f) {
    auto probs = softmax(l);
    std::vector<size_t> idx(v);
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return probs[a] < probs[b]; });
    double cum = 0;
    for (size_t r = 0; r < v; ++r) {
      cum += probs[idx[r]];
      if (cum <= 1.0 - double(s.top_p) && r != v - 1) l[idx[r]] = neg_inf;
    }
  }
  if (s.min_p > 0.0f) {
    auto probs = softmax(l);
    const double top = *std::max_element(probs.begin(), probs.end());
    for (size_t i = 0; i < v; ++i)
      if (probs[i] < double(s.min_p) * top) l[i] = neg_inf;
  }
  return softmax(l);
}

SamplingSettings all_off() {
  SamplingSettings s;
  s.temperature = 1.0f;
  s.top_k = 0;
  s.top_p = 1.0f;
  s.min_p = 0.0f;
  s.repeat_penalty = 1.0f;
  s.presence_penalty = 0.0f;
  s.frequency_penalty = 0.0f;
  s.seed = 1234;
  return s;
}

std::vector<float> random_logits(size_t v, uint64_t seed, double scale = 3.0) {
  Rng r(seed);
  std::vector<float> out(v);
  for (auto& x : out) x = float((r.next_double() * 2 - 1) * scale);
  return out;
}

// random_logits with -inf at about a share `minus_inf` of the tokens and NaN at `nan` more.
std::vector<float> logits_with_holes(size_t v, uint64_t seed, Rng& r, double minus_inf, double nan) {
  auto out = random_logits(v, seed, 4.0);
  for (auto& x : out) {
    const double u = r.next_double();
    if (u < minus_inf)
      x = -std::numeric_limits<float>::infinity();
    else if (u < minus_inf + nan)
      x = std::numeric_limits<float>::quiet_NaN();
  }
  return out;
}

// The reference's view of logits: the sampler treats NaN as -inf.
std::vector<float> nan_as_minus_inf(std::vector<float> logits) {
  for (auto& x : logits)
    if (std::isnan(x)) x = -std::numeric_limits<float>::infinity();
  return logits;
}

// "" when every token's probability in `got` is within `tol` of the reference's (absolute), else
// the first token that is not, with both.
QString first_difference(const std::vector<TokenProb>& got, const std::vector<double>& ref, double tol) {
  std::vector<double> dense(ref.size(), 0.0);
  for (const auto& tp : got) dense[size_t(tp.id)] = tp.prob;
  for (size_t i = 0; i < ref.size(); ++i)
    if (!(std::abs(dense[i] - ref[i]) <= tol))
      return QString("token %1: %2 vs %3").arg(i).arg(dense[i]).arg(ref[i]);
  return {};
}

// Regularised upper incomplete gamma Q(a, x), for chi-square p-values: series for x < a + 1,
// Lentz continued fraction otherwise (Numerical Recipes' formulation, written from the math).
double gamma_q(double a, double x) {
  if (x <= 0) return 1.0;
  const double lg = std::lgamma(a);
  if (x < a + 1) {
    double sum = 1.0 / a, term = sum, ap = a;
    for (int i = 0; i < 10000; ++i) {
      ap += 1;
      term *= x / ap;
      sum += term;
      if (std::abs(term) < std::abs(sum) * 1e-15) break;
    }
    return 1.0 - sum * std::exp(-x + a * std::log(x) - lg);
  }
  const double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 10000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1) < 1e-15) break;
  }
  return std::exp(-x + a * std::log(x) - lg) * h;
}

// Pearson chi-square p-value of `counts` against `expected_probs` (bins with p = 0 must be empty,
// otherwise the p-value is 0).
double chi_square_p(const std::vector<long>& counts, const std::vector<double>& expected_probs) {
  long total = std::accumulate(counts.begin(), counts.end(), 0L);
  double chi2 = 0;
  int bins = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (expected_probs[i] == 0.0) {
      if (counts[i] != 0) return 0.0;
      continue;
    }
    const double e = expected_probs[i] * double(total);
    chi2 += (double(counts[i]) - e) * (double(counts[i]) - e) / e;
    ++bins;
  }
  return gamma_q((bins - 1) / 2.0, chi2 / 2.0);
}

}  // namespace

class TestSampler : public QObject {
  Q_OBJECT

 private:
  // Compares Sampler::distribution() with the reference for the given case.
  void expect_matches_reference(const std::vector<float>& logits, const std::vector<int32_t>& history,
                                const SamplingSettings& s) {
    const auto ref = reference_distribution(logits, history, s);
    Sampler sampler(s);
    const auto got = sampler.distribution(logits, history);
    std::vector<double> dense(logits.size(), 0.0);
    for (const auto& tp : got) dense[size_t(tp.id)] = tp.prob;
    for (size_t i = 0; i < logits.size(); ++i) {
      if (std::abs(dense[i] - ref[i]) > 1e-6 * std::max(1.0, ref[i]))
        QFAIL(qPrintable(QString("token %1: got p=%2, reference p=%3 (T=%4 k=%5 p=%6 min_p=%7)")
                             .arg(i)
                             .arg(dense[i], 0, 'g', 10)
                             .arg(ref[i], 0, 'g', 10)
                             .arg(s.temperature)
                             .arg(s.top_k)
                             .arg(s.top_p)
                             .arg(s.min_p)));
    }
    // Sorted most probable first.
    for (size_t i = 1; i < got.size(); ++i) QVERIFY(got[i - 1].prob >= got[i].prob);
  }

 private slots:
  void rngMatchesPublishedVectors() {
    // splitmix64 from seed 0 (Vigna's reference): the seeding of our state.
    Rng seeded(0);
    QCOMPARE(seeded.state()[0], 0xE220A8397B1DCDAFULL);
    QCOMPARE(seeded.state()[1], 0x6E789E6AA1B965F4ULL);
    QCOMPARE(seeded.state()[2], 0x06C45D188009454FULL);
    // xoshiro256** from state {1, 2, 3, 4} (rand_xoshiro's reference test).
    Rng r;
    r.set_state({1, 2, 3, 4});
    const uint64_t expected[] = {11520ULL,
                                 0ULL,
                                 1509978240ULL,
                                 1215971899390074240ULL,
                                 1216172134540287360ULL,
                                 607988272756665600ULL,
                                 16172922978634559625ULL,
                                 8476171486693032832ULL,
                                 10595114339597558777ULL,
                                 2904607092377533576ULL};
    for (uint64_t e : expected) QCOMPARE(r.next_u64(), e);
    // seed_from_u64(42) in rand_xoshiro seeds through splitmix64 exactly as we do.
    Rng r42(42);
    QCOMPARE(r42.next_u64(), 1546998764402558742ULL);
    QCOMPARE(r42.next_u64(), 6990951692964543102ULL);
  }

  void rngDoublesAreUniform() {
    Rng r(7);
    const int n = 200000, bins = 20;
    std::vector<long> counts(bins, 0);
    for (int i = 0; i < n; ++i) {
      const double u = r.next_double();
      QVERIFY(u >= 0.0 && u < 1.0);
      counts[size_t(u * bins)]++;
    }
    QVERIFY(chi_square_p(counts, std::vector<double>(bins, 1.0 / bins)) > 1e-4);
  }

  void validateRejectsInvalidSettings() {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    struct Case {
      const char* field;
      std::function<void(SamplingSettings&)> set;
    };
    const std::vector<Case> cases = {
        {"temperature", [](SamplingSettings& s) { s.temperature = -0.1f; }},
        {"temperature", [&](SamplingSettings& s) { s.temperature = nan; }},
        {"temperature", [](SamplingSettings& s) { s.temperature = std::numeric_limits<float>::infinity(); }},
        {"top_k", [](SamplingSettings& s) { s.top_k = -1; }},
        {"top_p", [](SamplingSettings& s) { s.top_p = 0.0f; }},
        {"top_p", [](SamplingSettings& s) { s.top_p = 1.5f; }},
        {"top_p", [&](SamplingSettings& s) { s.top_p = nan; }},
        {"min_p", [](SamplingSettings& s) { s.min_p = -0.01f; }},
        {"min_p", [](SamplingSettings& s) { s.min_p = 1.01f; }},
        {"repeat_penalty", [](SamplingSettings& s) { s.repeat_penalty = 0.0f; }},
        {"repeat_penalty", [](SamplingSettings& s) { s.repeat_penalty = -1.0f; }},
        {"repeat_penalty", [&](SamplingSettings& s) { s.repeat_penalty = nan; }},
        {"repeat_last_n", [](SamplingSettings& s) { s.repeat_last_n = -2; }},
        {"presence_penalty", [&](SamplingSettings& s) { s.presence_penalty = nan; }},
        {"frequency_penalty", [&](SamplingSettings& s) { s.frequency_penalty = nan; }},
        {"max_new_tokens", [](SamplingSettings& s) { s.max_new_tokens = -5; }},
        {"stop_strings",
         [](SamplingSettings& s) {
           s.stop_strings = {"ok", ""};
         }},
    };
    QVERIFY(SamplingSettings{}.validate().empty());
    for (const auto& c : cases) {
      SamplingSettings s;
      c.set(s);
      const std::string msg = s.validate();
      QVERIFY2(msg.find(c.field) != std::string::npos, msg.c_str());
      try {
        Sampler sampler(s);
        QFAIL("Sampler accepted invalid settings");
      } catch (const Error& e) {
        QCOMPARE(e.kind(), ErrorKind::Usage);
        QCOMPARE(std::string(e.what()), msg);
      }
    }
    // Edge values that are valid.
    SamplingSettings edge;
    edge.temperature = 0.0f;
    edge.top_p = 1.0f;
    edge.min_p = 1.0f;
    edge.repeat_last_n = -1;
    edge.presence_penalty = -2.0f;
    QVERIFY(edge.validate().empty());
  }

  void penaltiesMatchDefinition() {
    const std::vector<float> logits = {2.0f, -1.0f, 0.5f, 0.0f, -3.0f, 1.5f, 4.0f, -0.25f};
    const std::vector<int32_t> history = {6, 0, 1, 1, 4, 3, 6, 6, 2};
    for (int last_n : {-1, 0, 1, 4, 9, 100}) {
      SamplingSettings s = all_off();
      s.repeat_penalty = 1.3f;
      s.presence_penalty = 0.4f;
      s.frequency_penalty = 0.15f;
      s.repeat_last_n = last_n;
      std::vector<float> got = logits;
      Sampler::apply_penalties(got, history, s);
      // Independent per-token formula (counts by a linear scan, not by sorting).
      const size_t n = last_n < 0 ? history.size() : std::min(history.size(), size_t(last_n));
      for (size_t t = 0; t < logits.size(); ++t) {
        int c = 0;
        for (size_t i = history.size() - n; i < history.size(); ++i) c += history[i] == int32_t(t);
        double x = logits[t];
        if (c > 0) {
          x = x > 0 ? x / 1.3 : x * 1.3;
          x -= 0.15 * c + 0.4;
        }
        QVERIFY2(std::abs(got[t] - x) < 1e-6, qPrintable(QString("last_n %1 token %2").arg(last_n).arg(t)));
      }
    }
    // Out-of-vocabulary context ids are an error, not a crash.
    SamplingSettings s = all_off();
    s.repeat_penalty = 1.2f;
    std::vector<float> l = logits;
    QVERIFY_THROWS_EXCEPTION(Error, Sampler::apply_penalties(l, std::vector<int32_t>{3, 99}, s));
  }

  void eachOperationMatchesReference() {
    const std::vector<float> logits = {1.0f, 3.0f, -2.0f, 2.5f, 0.0f, 2.9f, -0.5f, 1.7f, 0.3f, -4.0f};
    const std::vector<int32_t> history = {1, 3, 3, 8};
    auto with = [](auto f) {
      SamplingSettings s = all_off();
      f(s);
      return s;
    };
    expect_matches_reference(logits, history, all_off());  // plain softmax
    expect_matches_reference(logits, history, with([](auto& s) { s.temperature = 0.5f; }));
    expect_matches_reference(logits, history, with([](auto& s) { s.temperature = 2.0f; }));
    for (int k : {1, 2, 3, 9, 10, 11})
      expect_matches_reference(logits, history, with([k](auto& s) { s.top_k = k; }));
    for (float p : {0.05f, 0.3f, 0.5f, 0.8f, 0.95f, 0.999f})
      expect_matches_reference(logits, history, with([p](auto& s) { s.top_p = p; }));
    for (float m : {0.01f, 0.1f, 0.5f, 0.9f, 1.0f})
      expect_matches_reference(logits, history, with([m](auto& s) { s.min_p = m; }));
    expect_matches_reference(logits, history, with([](auto& s) {
                               s.repeat_penalty = 1.5f;
                               s.presence_penalty = 0.3f;
                               s.frequency_penalty = 0.2f;
                             }));
    // Everything together.
    expect_matches_reference(logits, history, with([](auto& s) {
                               s.temperature = 0.7f;
                               s.top_k = 6;
                               s.top_p = 0.9f;
                               s.min_p = 0.05f;
                               s.repeat_penalty = 1.2f;
                               s.frequency_penalty = 0.1f;
                             }));
  }

  void randomCasesMatchReference() {
    // Many random settings on random logits, including the real vocabulary size (this exercises
    // the growing partial sort of top-p without top-k).
    Rng r(99);
    for (int round = 0; round < 60; ++round) {
      const size_t v = round % 10 == 0 ? 65024 : 50 + size_t(r.next_double() * 2000);
      const auto logits = random_logits(v, 1000 + uint64_t(round), 1.0 + 8 * r.next_double());
      std::vector<int32_t> history(size_t(r.next_double() * 200));
      for (auto& h : history) h = int32_t(r.next_double() * double(v));
      SamplingSettings s = all_off();
      s.temperature = float(0.2 + 1.5 * r.next_double());
      s.top_k = r.next_double() < 0.5 ? 0 : 1 + int(r.next_double() * 100);
      s.top_p = r.next_double() < 0.3 ? 1.0f : float(0.05 + 0.94 * r.next_double());
      s.min_p = r.next_double() < 0.4 ? 0.0f : float(0.3 * r.next_double());
      s.repeat_penalty = float(1.0 + r.next_double());
      s.repeat_last_n = int(r.next_double() * 128) - 1;
      s.presence_penalty = float(r.next_double() - 0.5);
      s.frequency_penalty = float(r.next_double() * 0.5);
      expect_matches_reference(logits, history, s);
      if (QTest::currentTestFailed()) return;
    }
  }

  void blockEdgesMatchReference() {
    // The sampler's passes run in blocks of 16 tokens and a tail: vocabularies around those
    // sizes, NaN / -inf / +inf scattered over them, every filter alone and together.
    const float inf = std::numeric_limits<float>::infinity();
    Rng r(7);
    for (size_t v : {1, 2, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 1000, 4096, 4097}) {
      for (int round = 0; round < 4; ++round) {
        const auto logits = logits_with_holes(v, 500 + v * 8 + size_t(round), r, 0.1, 0.05);
        std::vector<int32_t> history(size_t(r.next_double() * 40));
        for (auto& h : history) h = int32_t(r.next_double() * double(v));
        SamplingSettings s = all_off();
        s.temperature = float(0.3 + r.next_double());
        s.top_k = round == 0 ? 0 : 1 + int(r.next_double() * 40);
        s.top_p = round < 2 ? 1.0f : 0.8f;
        s.min_p = round == 3 ? 0.05f : 0.0f;
        s.repeat_penalty = 1.3f;
        s.repeat_last_n = 16;
        const auto ref_logits = nan_as_minus_inf(logits);
        if (std::all_of(ref_logits.begin(), ref_logits.end(), [&](float x) { return x == -inf; })) continue;
        const auto ref = reference_distribution(ref_logits, history, s);
        Sampler sampler(s);
        // 1e-6: the penalties are float here, double there.
        const QString diff = first_difference(sampler.distribution(logits, history), ref, 1e-6);
        QVERIFY2(diff.isEmpty(), qPrintable(QString("vocab %1 round %2 %3").arg(v).arg(round).arg(diff)));
      }
      // Greedy: the lowest id among the largest, wherever the block boundaries fall; id 0 when
      // nothing is finite.
      SamplingSettings g = all_off();
      g.greedy = true;
      Sampler greedy(g);
      std::vector<float> flat(v, -inf);
      QCOMPARE(greedy.sample(flat, {}), 0);
      for (size_t a = 0; a < v; a += 7) {
        std::vector<float> two(v, 1.0f);
        const size_t b = std::min(v - 1, a + 17);
        two[a] = two[b] = 2.0f;
        QCOMPARE(greedy.sample(two, {}), int32_t(a));
      }
    }
  }

  void penalisedTokensReadInPlaceOfTheLogits() {
    // Greedy and top-k do not copy the logits: they read the caller's in blocks of 16, with the
    // penalised tokens' new logits put in their place. Penalised tokens at the first and last
    // places of blocks, in the tail, on the unpenalised argmax (the top must move elsewhere), and
    // raised above everything by a negative presence penalty; NaN and -inf among them. Against the
    // reference; and a context id outside the vocabulary is an error on these paths too.
    const float inf = std::numeric_limits<float>::infinity();
    Rng r(31);
    for (size_t v : {1, 2, 15, 16, 17, 31, 33, 64, 65, 1000, 4097}) {
      for (int round = 0; round < 6; ++round) {
        const auto logits = logits_with_holes(v, 7000 + v * 8 + size_t(round), r, 0.08, 0.04);
        const auto ref_logits = nan_as_minus_inf(logits);
        if (std::all_of(ref_logits.begin(), ref_logits.end(), [&](float x) { return x == -inf; })) continue;
        const auto top = int32_t(std::max_element(ref_logits.begin(), ref_logits.end()) - ref_logits.begin());
        std::vector<int32_t> history;
        for (size_t id :
             {size_t(0), size_t(15), size_t(16), size_t(17), size_t(31), size_t(32), v - 1, v - 2, v / 2})
          if (id < v && r.next_double() < 0.7) history.push_back(int32_t(id));
        history.push_back(top);  // the argmax is always penalised
        history.push_back(top);
        for (int extra = 0; extra < 8; ++extra) history.push_back(int32_t(r.next_double() * double(v)));
        SamplingSettings s = all_off();
        s.repeat_last_n = -1;
        if (round % 3 == 0) s.repeat_penalty = 3.0f;
        if (round % 3 == 1) s.presence_penalty = -20.0f;  // every penalised token rises above the rest
        if (round % 3 == 2) s.frequency_penalty = 2.5f;
        for (const int k : {0, 1, 3, 20}) {  // 0: greedy
          SamplingSettings c = s;
          if (k == 0)
            c.greedy = true;
          else
            c.top_k = k;
          const auto ref = reference_distribution(ref_logits, history, c);
          Sampler sampler(c);
          const QString diff = first_difference(sampler.distribution(logits, history), ref, 1e-6);
          QVERIFY2(diff.isEmpty(),
                   qPrintable(QString("vocab %1 round %2 k %3 %4").arg(v).arg(round).arg(k).arg(diff)));
          auto outside = history;
          outside.push_back(int32_t(v));
          QVERIFY_THROWS_EXCEPTION(Error, sampler.sample(logits, outside));
        }
      }
    }
  }

  void blockMaximaGiveTheSameTokens() {
    // With each block's largest logit (as the CUDA backend hands them over) greedy and top-k read
    // only the blocks that can hold their tokens: the distribution is the reference's, and a
    // seeded sampler draws the very same tokens with and without them. Penalised tokens (whose
    // blocks' maxima the penalties change; among them some of the largest), NaN, -inf, +inf, ties across
    // blocks, vocabularies that end inside a block, k from 1 to more than the blocks.
    const float inf = std::numeric_limits<float>::infinity();
    Rng r(77);
    for (size_t v : {1, 2, 15, 16, 17, 33, 100, 1000, 4097, 65024}) {
      for (int round = 0; round < 8; ++round) {
        auto logits = logits_with_holes(v, 9000 + v * 8 + size_t(round), r, round == 7 ? 0.97 : 0.05, 0.03);
        if (round % 4 == 1)  // few distinct values: ties everywhere, the k-th among them
          for (auto& x : logits) x = std::isfinite(x) ? std::round(x) : x;
        if (round == 2 && v > 5) logits[v / 3] = inf, logits[v - 1] = inf;
        if (round == 3) std::fill(logits.begin(), logits.end(), -inf);
        std::vector<int32_t> history;
        for (int extra = 0; extra < 12; ++extra) history.push_back(int32_t(r.next_double() * double(v)));
        {  // about half of the 12 largest tokens too: penalised blocks that hold the k best
          std::vector<int32_t> ids(v);
          std::iota(ids.begin(), ids.end(), 0);
          const auto seen = nan_as_minus_inf(logits);
          const size_t top = std::min<size_t>(12, v);
          std::partial_sort(ids.begin(), ids.begin() + std::ptrdiff_t(top), ids.end(),
                            [&](int32_t a, int32_t b) { return seen[size_t(a)] > seen[size_t(b)]; });
          for (size_t i = 0; i < top; ++i)
            if (r.next_double() < 0.5) history.push_back(ids[i]);
        }
        auto maxima = block_maxima_of(logits);
        if (round % 2)  // a block of NaN only as the quantized GEMVs give it: -inf
          for (auto& m : maxima) m = std::isnan(m) ? -inf : m;
        for (const int k : {0, 1, 3, 40, 300}) {  // 0: greedy
          SamplingSettings c;
          c.repeat_last_n = -1;
          c.repeat_penalty = round % 2 ? 1.3f : 1.0f;
          if (round == 5) c.presence_penalty = -30.0f;  // the penalised tokens rise above the rest
          // Penalties that only lower logits leave a penalised block unread unless its maximum
          // before them reaches what the other blocks offer: a slight one (the penalised top
          // tokens stay on top, so their blocks must be read), a larger one, both kinds.
          if (round == 4) c.presence_penalty = 0.5f;
          if (round == 6) c.frequency_penalty = 0.001f;
          if (round == 7) c.presence_penalty = 1e-6f;
          if (k == 0)
            c.greedy = true;
          else
            c.top_k = k;
          c.seed = 5 + uint64_t(round);
          Sampler with(c), without(c);
          const QString what = QString("vocab %1 round %2 k %3").arg(v).arg(round).arg(k);
          // Exactly the candidates of the sampler reading every block; against the reference
          // too where no tie sits at the k-th place (the reference keeps every such tie, the
          // sampler the lowest ids: topKKeepsTheLowestIdsOnTies).
          const auto got = with.distribution(logits, history, maxima);
          const auto all = without.distribution(logits, history);
          QCOMPARE(got.size(), all.size());
          for (size_t i = 0; i < got.size(); ++i) {
            QVERIFY2(got[i].id == all[i].id, qPrintable(what));
            QVERIFY2(got[i].prob == all[i].prob, qPrintable(what));
          }
          const auto seen = nan_as_minus_inf(logits);
          const bool ties = round % 4 == 1 || round == 2;
          if (!ties && std::any_of(seen.begin(), seen.end(), [&](float x) { return x > -inf; })) {
            const auto ref = reference_distribution(seen, history, c);
            const QString diff = first_difference(got, ref, 1e-6);
            QVERIFY2(diff.isEmpty(), qPrintable(what + ": " + diff));
          }
          for (int draw = 0; draw < 20; ++draw)
            QVERIFY2(with.sample(logits, history, maxima) == without.sample(logits, history),
                     qPrintable(what));
        }
      }
    }
  }

  void blockMaximaAreWhatTheSamplerReads() {
    // The maxima are trusted: a block whose stated largest is below the rest is not read, so the
    // token it holds is never drawn (how a backend's bug would show; what makes the path fast).
    // Maxima of the wrong length are ignored; garbage ones never crash or leave the vocabulary.
    std::vector<float> logits = random_logits(1000, 3);
    logits[517] = 50.0f;  // block 32's
    auto maxima = block_maxima_of(logits);
    SamplingSettings g = all_off();
    g.greedy = true;
    Sampler greedy(g);
    QCOMPARE(greedy.sample(logits, {}, maxima), 517);
    maxima[32] = -10.0f;
    const int32_t other = greedy.sample(logits, {}, maxima);
    QVERIFY(other / int32_t(kLogitBlock) != 32);
    QCOMPARE(other, greedy.sample(logits, {}, block_maxima_of([&] {
                                    auto l = logits;
                                    for (size_t i = 32 * kLogitBlock; i < 33 * kLogitBlock; ++i)
                                      l[i] = -100.0f;
                                    return l;
                                  }())));
    SamplingSettings k = all_off();
    k.top_k = 5;
    Sampler top_k(k);
    for (const auto& c : top_k.distribution(logits, {}, maxima)) QVERIFY(c.id / int32_t(kLogitBlock) != 32);
    maxima.pop_back();  // the wrong length: read every block
    QCOMPARE(greedy.sample(logits, {}, maxima), 517);
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    for (const float junk : {nan, inf, -inf, 1e30f, -1e30f, 0.0f}) {
      const std::vector<float> bad(block_maxima_of(logits).size(), junk);
      for (Sampler* s : {&greedy, &top_k}) {
        const int32_t t = s->sample(logits, {}, bad);
        QVERIFY(t >= 0 && t < int32_t(logits.size()));
      }
    }
  }

  void weightsAreAccurateOverTheWholeRange() {
    // Top-k off: every token's weight exp((l - max) / T) is computed; here (l - max) / T spans
    // 0 down to -1000, and each probability must match a double-precision softmax (std::exp)
    // to ~1e-12 relatively wherever it is a normal number.
    const size_t v = 4099;
    std::vector<float> logits(v);
    for (size_t i = 0; i < v; ++i) logits[i] = -float(i) * (1000.0f / float(v - 1));
    SamplingSettings s = all_off();
    s.temperature = 1.0f;
    const auto ref = reference_distribution(logits, {}, s);
    Sampler sampler(s);
    const auto got = sampler.distribution(logits, {});
    std::vector<double> dense(v, 0.0);
    for (const auto& tp : got) dense[size_t(tp.id)] = tp.prob;
    for (size_t i = 0; i < v; ++i) {
      const double err = std::abs(dense[i] - ref[i]);
      if (ref[i] >= std::numeric_limits<double>::min())
        QVERIFY2(err <= 1e-12 * ref[i],
                 qPrintable(
                     QString("token %1: %2 vs %3").arg(i).arg(dense[i], 0, 'g', 17).arg(ref[i], 0, 'g', 17)));
      else
        QVERIFY2(err <= 1e-300, qPrintable(QString("token %1: %2 vs %3").arg(i).arg(dense[i]).arg(ref[i])));
    }
  }

  void topKKeepsTheLowestIdsOnTies() {
    // Top-k is strict: of tokens tied at the k-th logit, the lowest ids stay (the sampler's
    // total order), also when the ties fall in different blocks of its scan.
    const size_t v = 200;
    for (int k : {1, 3, 5, 17, 40}) {
      std::vector<float> logits(v);
      for (size_t i = 0; i < v; ++i) logits[i] = float((i * 37) % 5);  // values 0..4, many ties
      SamplingSettings s = all_off();
      s.top_k = k;
      Sampler sampler(s);
      const auto got = sampler.distribution(logits, {});
      std::vector<size_t> ids(v);
      std::iota(ids.begin(), ids.end(), size_t{0});
      std::stable_sort(ids.begin(), ids.end(), [&](size_t a, size_t b) { return logits[a] > logits[b]; });
      std::vector<int32_t> want(ids.begin(), ids.begin() + k), have;
      for (const auto& tp : got) have.push_back(tp.id);
      std::sort(want.begin(), want.end());
      std::sort(have.begin(), have.end());
      QCOMPARE(have, want);
    }
  }

  void topPWithoutTopKKeepsTheSortedPrefix() {
    // With top-k off, top-p finds its survivors by a quickselect on mass rather than a sort. Its
    // set must be the sorted one's: in the sampler's strict order (logit descending, then id),
    // every token whose mass strictly before it is below top_p of the whole. Reference here: a
    // full sort. Vocabularies where thousands survive; logits on a coarse grid (ties at the cut,
    // where the lowest ids stay), and orders that defeat a median-of-three pivot (sorted, reverse,
    // organ pipe, sawtooth, all equal).
    const size_t v = 20000;
    std::vector<std::pair<std::string, std::vector<float>>> cases;
    cases.emplace_back("flat", random_logits(v, 5, 2.0));
    auto grid = random_logits(v, 6, 3.0);
    for (auto& l : grid) l = std::round(l * 4.0f) / 4.0f;  // 25 values, ~800 tokens each
    cases.emplace_back("grid", grid);
    std::vector<float> up(v), pipe(v), saw(v);
    for (size_t i = 0; i < v; ++i) {
      up[i] = float(i) * 1e-3f;
      pipe[i] = float(std::min(i, v - 1 - i)) * 1e-3f;
      saw[i] = float(i % 97) * 0.05f;
    }
    cases.emplace_back("ascending", up);
    cases.emplace_back("descending", std::vector<float>(up.rbegin(), up.rend()));
    cases.emplace_back("organ pipe", pipe);
    cases.emplace_back("sawtooth", saw);
    cases.emplace_back("all equal", std::vector<float>(v, 1.5f));
    for (const auto& [name, logits] : cases)
      for (const float top_p : {0.013f, 0.37f, 0.71f, 0.9f, 0.995f})
        for (const float min_p : {0.0f, 0.3f}) {
          SamplingSettings s = all_off();
          s.top_p = top_p;
          s.min_p = min_p;
          s.temperature = 1.3f;
          std::vector<size_t> ids(v);
          std::iota(ids.begin(), ids.end(), size_t{0});
          std::stable_sort(ids.begin(), ids.end(), [&](size_t a, size_t b) { return logits[a] > logits[b]; });
          const double top = logits[ids[0]];
          std::vector<double> w(v);
          double total = 0;
          for (size_t i = 0; i < v; ++i)
            total += (w[i] = std::exp((double(logits[i]) - top) / s.temperature));
          std::vector<int32_t> want;
          double before = 0;
          for (const size_t i : ids) {
            if (!want.empty() && before >= double(top_p) * total) break;
            before += w[i];
            if (w[i] >= double(min_p)) want.push_back(int32_t(i));
          }
          Sampler sampler(s);
          const auto got = sampler.distribution(logits, {});
          std::vector<int32_t> have;
          double kept = 0;
          for (const auto& tp : got) have.push_back(tp.id);
          for (const int32_t id : want) kept += w[size_t(id)];
          std::sort(want.begin(), want.end());
          std::sort(have.begin(), have.end());
          const QString what = QString("%1, top_p %2, min_p %3: %4 kept, want %5")
                                   .arg(QString::fromStdString(name))
                                   .arg(top_p)
                                   .arg(min_p)
                                   .arg(have.size())
                                   .arg(want.size());
          QVERIFY2(have == want, qPrintable(what));
          for (const auto& tp : got)
            QVERIFY2(std::abs(tp.prob - w[size_t(tp.id)] / kept) <= 1e-9, qPrintable(what));
        }
  }

  void minPAloneKeepsEveryTokenAtItsBoundary() {
    // Min-p without top-p weighs only the blocks holding a logit that may pass it, found by a
    // logit bound. That bound must never hide a token whose weight passes: logits a few float
    // ulps either side of the boundary (top logit + T ln min_p), at small and large magnitudes,
    // in blocks of their own among far lower ones, against the definition (weight >= min_p).
    for (const float top : {0.0f, 7.5f, -30.0f, 1e4f, -2e5f})
      for (const float t : {0.05f, 1.0f, 3.7f})
        for (const float min_p : {0.01f, 0.05f, 0.5f, 0.999f}) {
          const double at = double(top) + double(t) * std::log(double(min_p));
          std::vector<float> logits(4096, top - 1e3f * std::max(1.0f, std::fabs(top)));
          logits[0] = top;
          float b = float(at);
          for (int k = 0; k < 30; ++k) b = std::nextafter(b, -INFINITY);
          for (size_t i = 100; i < 100 + 60 * 17; i += 17) {  // one a block, 60 ulps
            logits[i] = b;
            b = std::nextafter(b, INFINITY);
          }
          SamplingSettings s = all_off();
          s.temperature = t;
          s.min_p = min_p;
          Sampler sampler(s);
          std::vector<char> kept(logits.size(), 0);
          for (const auto& tp : sampler.distribution(logits, {})) kept[size_t(tp.id)] = 1;
          // (Where T ln min_p is within 30 ulps of 0, the ulps above the boundary pass `top`.)
          const double lmax = *std::max_element(logits.begin(), logits.end());
          for (size_t i = 0; i < logits.size(); ++i) {
            const double w = std::exp((double(logits[i]) - lmax) / double(t));
            if (std::fabs(w - double(min_p)) <= 1e-12 * double(min_p)) continue;  // too close to call
            const bool want = w >= double(min_p);
            QVERIFY2(bool(kept[i]) == want,
                     qPrintable(QString("top %1, T %2, min_p %3: token %4 (logit %5, weight %6) %7")
                                    .arg(top)
                                    .arg(t)
                                    .arg(min_p)
                                    .arg(i)
                                    .arg(double(logits[i]), 0, 'g', 10)
                                    .arg(w, 0, 'g', 10)
                                    .arg(want ? "dropped" : "kept")));
          }
        }
  }

  void greedyIsArgmaxLowestIdOnTies() {
    SamplingSettings s = all_off();
    s.temperature = 0.0f;
    Sampler sampler(s);
    const std::vector<float> logits = {1.0f, 5.0f, 2.0f, 5.0f};
    QCOMPARE(sampler.sample(logits, {}), 1);
    // The penalty on token 1 makes token 3 the argmax.
    s.repeat_penalty = 1.5f;
    Sampler penalised(s);
    QCOMPARE(penalised.sample(logits, std::vector<int32_t>{1}), 3);
    // greedy flag with a temperature set is greedy too, and consumes no randomness.
    SamplingSettings g = all_off();
    g.greedy = true;
    Sampler flagged(g);
    const auto before = flagged.rng().state();
    QCOMPARE(flagged.sample(logits, {}), 1);
    QVERIFY(flagged.rng().state() == before);
  }

  void nanAndInfAreHandled() {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    Sampler sampler(all_off());
    const std::vector<float> logits = {nan, 0.0f, -inf, nan, 0.0f};
    for (int i = 0; i < 200; ++i) {
      const int32_t t = sampler.sample(logits, {});
      QVERIFY(t == 1 || t == 4);
    }
    const std::vector<float> all_bad = {nan, -inf, nan};
    QCOMPARE(sampler.sample(all_bad, {}), 0);
    QVERIFY_THROWS_EXCEPTION(Error, sampler.sample(std::vector<float>{}, {}));
    const std::vector<float> plus_inf = {0.0f, inf, 1.0f};
    QCOMPARE(sampler.sample(plus_inf, {}), 1);
  }

  void extremeSettingsNeverMisbehave() {
    // Valid but extreme settings on awkward logits: always a finite-logit token, never a crash.
    const float inf = std::numeric_limits<float>::infinity();
    std::vector<float> logits = random_logits(5000, 11, 50.0);
    logits[7] = -inf;
    logits[8] = std::numeric_limits<float>::quiet_NaN();
    logits[9] = 3.0e38f;
    logits[10] = -3.0e38f;
    std::vector<int32_t> history = {9, 9, 9, 10, 1, 2, 3};
    Rng r(5);
    for (int i = 0; i < 300; ++i) {
      SamplingSettings s;
      s.seed = uint64_t(i);
      const float temps[] = {1e-30f, 1e-6f, 0.01f, 1.0f, 100.0f, 1e30f};
      s.temperature = temps[i % 6];
      s.top_k = int(r.next_double() * 3) == 0 ? 0 : 1 + int(r.next_double() * 6000);
      s.top_p = r.next_double() < 0.5 ? 1.0f : std::max(1e-7f, float(r.next_double()));
      s.min_p = r.next_double() < 0.5 ? 0.0f : float(r.next_double());
      s.repeat_penalty = r.next_double() < 0.5 ? 1e-6f : 1e6f;
      s.repeat_last_n = -1;
      s.presence_penalty = float((r.next_double() - 0.5) * 1e30);
      s.frequency_penalty = float((r.next_double() - 0.5) * 1e30);
      Sampler sampler(s);
      const int32_t t = sampler.sample(logits, history);
      QVERIFY(t >= 0 && t < int32_t(logits.size()));
      QVERIFY2(t != 7 && t != 8, qPrintable(QString("case %1 picked an impossible token %2").arg(i).arg(t)));
      double total = 0;
      for (const auto& c : sampler.distribution(logits, history)) {
        QVERIFY(std::isfinite(c.prob) && c.prob >= 0);
        total += c.prob;
      }
      QVERIFY(std::abs(total - 1.0) < 1e-9);
    }
  }

  void sameSeedSameSequence() {
    const auto logits = random_logits(65024, 5, 4.0);
    SamplingSettings s;  // defaults: T 0.8, top-k 40, top-p 0.95, min-p 0.05
    s.seed = 2024;
    Sampler a(s), b(s);
    s.seed = 2025;
    Sampler c(s);
    std::vector<int32_t> ha, hb, hc;
    for (int i = 0; i < 200; ++i) {
      ha.push_back(a.sample(logits, ha));
      hb.push_back(b.sample(logits, hb));
      hc.push_back(c.sample(logits, hc));
    }
    QVERIFY(ha == hb);
    QVERIFY(ha != hc);
  }

  // The sampled frequencies fit the expected distribution; the same test rejects a slightly
  // different distribution, so it has the power to fail.
  void chiSquareGoodnessOfFit() {
    const std::vector<float> logits = {1.0f,  3.0f, -2.0f, 2.5f,  0.0f, 2.9f,
                                       -0.5f, 1.7f, 0.3f,  -4.0f, 2.2f, 1.1f};
    const std::vector<int32_t> history = {1, 5, 5};
    SamplingSettings s = all_off();
    s.temperature = 0.9f;
    s.top_k = 9;
    s.top_p = 0.97f;
    s.min_p = 0.02f;
    s.repeat_penalty = 1.1f;
    s.seed = 31337;
    const auto expected = reference_distribution(logits, history, s);
    int filtered = 0;
    for (double p : expected) filtered += p == 0.0;
    QVERIFY2(filtered >= 3, "the case should exercise the filters");

    Sampler sampler(s);
    const int draws = 200000;
    std::vector<long> counts(logits.size(), 0);
    for (int i = 0; i < draws; ++i) counts[size_t(sampler.sample(logits, history))]++;
    const double p_value = chi_square_p(counts, expected);
    qInfo("chi-square p-value against the true distribution: %.4f", p_value);
    QVERIFY2(p_value > 1e-4, qPrintable(QString("p = %1").arg(p_value)));

    // A wrong hypothesis: temperature 0.95 instead of 0.9.
    SamplingSettings wrong = s;
    wrong.temperature = 0.95f;
    const double p_wrong = chi_square_p(counts, reference_distribution(logits, history, wrong));
    qInfo("chi-square p-value against a wrong distribution: %.3g", p_wrong);
    QVERIFY2(p_wrong < 1e-4, qPrintable(QString("p = %1").arg(p_wrong)));
  }

  void chiSquareLargeVocabulary() {
    // The real vocabulary size with top-p only (the growing partial sort) and min-p: bins are
    // the 30 most probable tokens plus "everything else".
    // Shaped like a language model's output: a long flat tail and a few hundred plausible tokens.
    auto logits = random_logits(65024, 77, 6.0);
    for (auto& l : logits) l -= 6.0f;
    for (size_t i = 0; i < logits.size(); i += 250) logits[i] += 9.0f;
    SamplingSettings s = all_off();
    s.temperature = 0.8f;
    s.top_p = 0.9f;
    s.seed = 4242;
    const auto expected = reference_distribution(logits, {}, s);
    std::vector<size_t> idx(expected.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return expected[a] > expected[b]; });
    const size_t top = 30;
    std::vector<long> rank_of(expected.size(), long(top));
    for (size_t r = 0; r < top; ++r) rank_of[idx[r]] = long(r);
    std::vector<double> binned(top + 1, 0.0);
    for (size_t t = 0; t < expected.size(); ++t) binned[size_t(rank_of[t])] += expected[t];
    Sampler sampler(s);
    std::vector<long> counts(top + 1, 0);
    for (int i = 0; i < 10000; ++i) {
      const int32_t t = sampler.sample(logits, {});
      QVERIFY(expected[size_t(t)] > 0.0);
      counts[size_t(rank_of[size_t(t)])]++;
    }
    const double p_value = chi_square_p(counts, binned);
    QVERIFY2(p_value > 1e-4, qPrintable(QString("p = %1").arg(p_value)));
  }

  void speedOnRealVocabulary() {
    // Not a benchmark, a guard against an accidental full sort or allocation storm per token.
    const auto logits = random_logits(65024, 3, 5.0);
    std::vector<int32_t> history(512);
    for (size_t i = 0; i < history.size(); ++i) history[i] = int32_t(i * 97 % 65024);
    for (int top_k : {40, 0}) {
      SamplingSettings s;
      s.seed = 1;
      s.top_k = top_k;
      Sampler sampler(s);
      const int n = 200;
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < n; ++i) sampler.sample(logits, history);
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / n;
      qInfo("top_k %d: %.3f ms per token (vocab 65024)", top_k, ms);
      QVERIFY2(ms < 50.0, qPrintable(QString("%1 ms per token").arg(ms)));
    }
  }
};

QTEST_APPLESS_MAIN(TestSampler)
#include "test_sampler.moc"
