// The CPU backend's linear layers, attention kernels and GELU (cpu::linear, dots_f32,
// weighted_sum_f32, softmax_row, gelu_inplace) against double-precision references, over shapes that cover
// every tail of the AVX2 forms' row blocks and 8-, 16- and 32-wide steps (and the portable forms
// under FALCON_CPU_FAST=0).
#include <QtTest>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/common/thread_pool.h"
#include "core/model/cpu_ops.h"

using namespace falcon;

class TestCpuOps : public QObject {
  Q_OBJECT

 private slots:
  // dots_f32 / weighted_sum_f32 over rows of a strided cache: every row count 0-9 (the AVX2
  // dots take four rows at a time), widths crossing the 8- and 32-wide steps, a stride wider
  // than the rows (the other KV heads' columns between them).
  void cache_products_match_double_reference() {
    std::mt19937 rng(13);
    std::normal_distribution<float> nd(0.f, 1.5f);
    for (int n : {0, 1, 7, 8, 9, 16, 31, 32, 33, 40, 64, 72, 128}) {
      for (int count = 0; count <= 9; ++count) {
        const std::size_t stride = static_cast<std::size_t>(n) + 5;
        std::vector<float> rows(stride * static_cast<std::size_t>(count) + 1), a(static_cast<std::size_t>(n)),
            w(static_cast<std::size_t>(count));
        for (auto& v : rows) v = nd(rng);
        for (auto& v : a) v = nd(rng);
        for (auto& v : w) v = nd(rng);
        std::vector<float> s(static_cast<std::size_t>(count) + 1, 77.f),
            out(static_cast<std::size_t>(n) + 1, 77.f);
        cpu::dots_f32(a.data(), rows.data(), stride, count, n, s.data());
        cpu::weighted_sum_f32(w.data(), rows.data(), stride, count, n, out.data());
        const QString at = QStringLiteral("n %1, rows %2").arg(n).arg(count);
        for (int j = 0; j < count; ++j) {
          double ref = 0, mag = 0;
          for (int i = 0; i < n; ++i) {
            const double p = static_cast<double>(a[static_cast<std::size_t>(i)]) * rows[j * stride + i];
            ref += p, mag += std::fabs(p);
          }
          QVERIFY2(std::fabs(s[static_cast<std::size_t>(j)] - ref) <= (n + 1) * 0x1p-24 * mag,
                   qPrintable(at + QStringLiteral(": dot of row %1").arg(j)));
        }
        for (int i = 0; i < n; ++i) {
          double ref = 0, mag = 0;
          for (int j = 0; j < count; ++j) {
            const double p = static_cast<double>(w[static_cast<std::size_t>(j)]) * rows[j * stride + i];
            ref += p, mag += std::fabs(p);
          }
          QVERIFY2(std::fabs(out[static_cast<std::size_t>(i)] - ref) <= (count + 1) * 0x1p-23 * mag,
                   qPrintable(at + QStringLiteral(": weighted sum, column %1").arg(i)));
        }
        // Nothing past count / n is written; with no rows the sum is zeros.
        QCOMPARE(s[static_cast<std::size_t>(count)], 77.f);
        QCOMPARE(out[static_cast<std::size_t>(n)], 77.f);
      }
    }
  }

  // cpu::linear (fp32 and bf16 weights, with and without bias) against double sums of the same
  // (bf16-exact) weights: row counts 1-5 (the prefill kernel takes two input rows and four weight
  // rows at a time; decode reads bf16 directly at one or two), output counts 1-9, widths around the
  // 8- and 16-wide steps, and a product large enough to run on the pool's threads.
  void linear_matches_double_reference() {
    std::mt19937 rng(17);
    std::normal_distribution<float> nd(0.f, 1.f);
    ThreadPool pool(2);
    struct Shape {
      int rows, out, in;
    };
    std::vector<Shape> shapes;
    for (int rows : {1, 2, 3, 4, 5})
      for (int out : {1, 3, 4, 5, 8, 9})
        for (int in : {7, 8, 16, 33}) shapes.push_back({rows, out, in});
    shapes.push_back({7, 203, 384});  // over the pool's threshold
    // The prefill's panel product (AVX2, three rows or more): six-row blocks and their tails,
    // 16-feature panels and a partial one, columns in blocks of 512 with a tail off the 8-wide
    // transpose (1100 = 512 + 512 + 76).
    for (int rows : {6, 12, 13}) shapes.push_back({rows, 37, 1100});
    shapes.push_back({11, 16, 520});
    for (const Shape& sh : shapes) {
      // fp32 also two bytes off its alignment in the "file": converted, not read in place.
      for (const int form : {0, 1, 2}) {
        const bool bf16 = form == 1, unaligned = form == 2;
        for (const bool with_bias : {false, true}) {
          const std::size_t nw = static_cast<std::size_t>(sh.out) * sh.in;
          std::vector<float> wf(nw);
          for (auto& v : wf) v = cpu::round_to_bf16(nd(rng));  // exact in both dtypes
          const std::size_t off = unaligned ? 2 : 0;
          std::vector<std::byte> bytes(nw * (bf16 ? 2 : 4) + off);
          for (std::size_t i = 0; i < nw; ++i) {
            if (bf16) {
              uint32_t u;
              std::memcpy(&u, &wf[i], 4);
              const uint16_t h = static_cast<uint16_t>(u >> 16);
              std::memcpy(bytes.data() + 2 * i, &h, 2);
            } else {
              std::memcpy(bytes.data() + off + 4 * i, &wf[i], 4);
            }
          }
          cpu::Linear L;
          L.weight.dtype = bf16 ? DType::BF16 : DType::F32;
          L.weight.shape = {sh.out, sh.in};
          L.weight.data = std::span<const std::byte>(bytes.data() + off, bytes.size() - off);
          L.out_features = sh.out;
          L.in_features = sh.in;
          if (with_bias)
            for (int o = 0; o < sh.out; ++o) L.bias.push_back(nd(rng));
          std::vector<float> x(static_cast<std::size_t>(sh.rows) * sh.in),
              y(static_cast<std::size_t>(sh.rows) * sh.out);
          for (auto& v : x) v = nd(rng);
          cpu::linear(pool, x.data(), sh.rows, L, y.data());
          for (int r = 0; r < sh.rows; ++r)
            for (int o = 0; o < sh.out; ++o) {
              double ref = with_bias ? L.bias[static_cast<std::size_t>(o)] : 0.0, mag = std::fabs(ref);
              for (int i = 0; i < sh.in; ++i) {
                const double p = static_cast<double>(x[static_cast<std::size_t>(r) * sh.in + i]) *
                                 wf[static_cast<std::size_t>(o) * sh.in + i];
                ref += p, mag += std::fabs(p);
              }
              const float got = y[static_cast<std::size_t>(r) * sh.out + o];
              QVERIFY2(std::fabs(got - ref) <= (sh.in + 2) * 0x1p-24 * mag,
                       qPrintable(QStringLiteral("%1x%2x%3 %4%5: y[%6][%7] %8 vs %9")
                                      .arg(sh.rows)
                                      .arg(sh.out)
                                      .arg(sh.in)
                                      .arg(bf16        ? "bf16"
                                           : unaligned ? "f32 unaligned"
                                                       : "f32")
                                      .arg(with_bias ? " bias" : "")
                                      .arg(r)
                                      .arg(o)
                                      .arg(got)
                                      .arg(ref)));
            }
        }
      }
    }
  }

  // GELU on the pool's threads: every element transformed exactly once (not skipped at a split,
  // not applied twice), checked against x * Phi(x) at points where it is known to 16 digits.
  void gelu_on_the_pool_transforms_every_element_once() {
    ThreadPool pool(3);
    const double xs[] = {1.0, -1.0, 2.0, 0.5, -3.0, 0.0};
    const double gelu[] = {0.8413447460685429,  -0.15865525393145707,  1.9544997361036416,
                           0.34573123063700656, -0.004049694094890284, 0.0};
    for (const int64_t n : {int64_t{1}, int64_t{4095}, int64_t{4096}, int64_t{10007}}) {
      std::vector<float> v(static_cast<std::size_t>(n) + 1, 42.f);
      for (int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<float>(xs[i % 6]);
      cpu::gelu_inplace(pool, v.data(), n);
      for (int64_t i = 0; i < n; ++i) {
        const double want = gelu[i % 6];
        QVERIFY2(
            std::fabs(v[static_cast<std::size_t>(i)] - want) <= 1e-7 * std::fabs(want) + 1e-12,
            qPrintable(
                QStringLiteral("n %1, element %2: %3").arg(n).arg(i).arg(v[static_cast<std::size_t>(i)])));
      }
      QCOMPARE(v[static_cast<std::size_t>(n)], 42.f);
    }
  }

  // The several-query forms (attention's prefill, three queries a pass) give each query exactly
  // what the one-query forms give it: 1-7 queries (every grouping into threes, twos and ones),
  // the row counts and widths of the test above. Bit for bit, as each query's sums keep their
  // order.
  void several_queries_match_one_query_forms() {
    std::mt19937 rng(17);
    std::normal_distribution<float> nd(0.f, 1.5f);
    for (int nq = 1; nq <= 7; ++nq) {
      for (int n : {1, 8, 9, 31, 32, 33, 64, 72}) {
        for (int count : {0, 1, 3, 4, 5, 9, 13}) {
          const std::size_t stride = static_cast<std::size_t>(n) + 3;
          std::vector<float> rows(stride * static_cast<std::size_t>(count) + 1);
          for (auto& v : rows) v = nd(rng);
          std::vector<std::vector<float>> a(nq), w(nq), s(nq), out(nq);
          std::vector<const float*> ap, wp;
          std::vector<float*> sp, op;
          for (int q = 0; q < nq; ++q) {
            a[q].resize(static_cast<std::size_t>(n));
            w[q].resize(static_cast<std::size_t>(count));
            for (auto& v : a[q]) v = nd(rng);
            for (auto& v : w[q]) v = nd(rng);
            s[q].assign(static_cast<std::size_t>(count), 77.f);
            out[q].assign(static_cast<std::size_t>(n), 77.f);
            ap.push_back(a[q].data()), wp.push_back(w[q].data()), sp.push_back(s[q].data()),
                op.push_back(out[q].data());
          }
          cpu::dots_f32(ap.data(), nq, rows.data(), stride, count, n, sp.data());
          cpu::weighted_sum_f32(wp.data(), nq, rows.data(), stride, count, n, op.data());
          for (int q = 0; q < nq; ++q) {
            std::vector<float> s1(static_cast<std::size_t>(count)), o1(static_cast<std::size_t>(n));
            cpu::dots_f32(a[q].data(), rows.data(), stride, count, n, s1.data());
            cpu::weighted_sum_f32(w[q].data(), rows.data(), stride, count, n, o1.data());
            const QString at =
                QStringLiteral("%1 queries, n %2, rows %3, query %4").arg(nq).arg(n).arg(count).arg(q);
            // (memcmp of no bytes still wants valid pointers: an empty vector's data() may be null)
            QVERIFY2(s1.empty() || std::memcmp(s1.data(), s[q].data(), s1.size() * sizeof(float)) == 0,
                     qPrintable("dots " + at));
            QVERIFY2(std::memcmp(o1.data(), out[q].data(), o1.size() * sizeof(float)) == 0,
                     qPrintable("weighted sums " + at));
          }
        }
      }
    }
  }

  // softmax_row against the softmax in double of the same scaled (and biased) scores: lengths
  // 1-40 (every tail of the 8-wide passes and the 4-wide exponentials) and 1000, with and without
  // a bias, scores spread over +-40 after scaling (exponentials down to e^-80, which underflow
  // nothing in float but below 1e-35). The float steps before the exponential (the product, the
  // bias, the difference from the maximum) each round by at most 2^-24 of a value no larger than
  // |x| + |max| + |bias|, which moves the exponential by that much relative: each probability
  // within 1.2e-7 (|x| + |max| + |bias|) + 1e-6 of its reference relative, plus 1e-30, and the
  // row sums to 1 within 1e-6.
  void softmax_row_matches_double_reference() {
    std::mt19937 rng(41);
    std::uniform_real_distribution<float> ud(-1.f, 1.f);
    std::vector<int> lengths;
    for (int n = 1; n <= 40; ++n) lengths.push_back(n);
    lengths.push_back(1000);
    for (const int n : lengths) {
      for (const bool with_bias : {false, true}) {
        std::vector<float> s(static_cast<std::size_t>(n) + 1, 77.f), b(static_cast<std::size_t>(n));
        const float scale = 0.125f;
        for (int j = 0; j < n; ++j) {
          s[j] = ud(rng) * (with_bias ? 200.f : 320.f);
          b[j] = ud(rng) * 15.f;
        }
        std::vector<double> x(static_cast<std::size_t>(n));
        double mx = -1e300;
        for (int j = 0; j < n; ++j) {
          x[j] = double(s[j]) * scale + (with_bias ? double(b[j]) : 0.0);
          mx = std::max(mx, x[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; ++j) sum += std::exp(x[j] - mx);
        cpu::softmax_row(s.data(), n, scale, with_bias ? b.data() : nullptr);
        double total = 0;
        for (int j = 0; j < n; ++j) {
          const double ref = std::exp(x[j] - mx) / sum;
          total += s[j];
          const double arg = std::fabs(x[j]) + std::fabs(mx) + (with_bias ? std::fabs(double(b[j])) : 0.0);
          QVERIFY2(std::fabs(s[j] - ref) <= (1.2e-7 * arg + 1e-6) * ref + 1e-30,
                   qPrintable(QStringLiteral("n %1 bias %2, p[%3] = %4, want %5")
                                  .arg(n)
                                  .arg(with_bias)
                                  .arg(j)
                                  .arg(double(s[j]), 0, 'g', 9)
                                  .arg(ref, 0, 'g', 9)));
        }
        QVERIFY2(std::fabs(total - 1.0) <= 1e-6,
                 qPrintable(QStringLiteral("n %1: sum %2").arg(n).arg(total)));
        QCOMPARE(s[static_cast<std::size_t>(n)], 77.f);
      }
    }
    // A NaN score (a broken model) makes the whole row NaN in both forms, as the scalar exp's NaN
    // spreads through the sum; it is never silently dropped as a zero probability. At every
    // position of a 21-score row (the 8-wide passes and the tail).
    for (int at = 0; at < 21; ++at) {
      std::vector<float> s(21);
      for (int j = 0; j < 21; ++j) s[static_cast<std::size_t>(j)] = 0.1f * static_cast<float>(j % 7);
      s[static_cast<std::size_t>(at)] = std::numeric_limits<float>::quiet_NaN();
      cpu::softmax_row(s.data(), 21, 1.f, nullptr);
      for (int j = 0; j < 21; ++j)
        QVERIFY2(
            std::isnan(s[static_cast<std::size_t>(j)]),
            qPrintable(
                QStringLiteral("NaN at %1: p[%2] = %3").arg(at).arg(j).arg(s[static_cast<std::size_t>(j)])));
    }
  }

  // GELU over a sweep against x Phi(x) = 0.5 x erfc(-x / sqrt(2)) in long double (glibc's erfcl,
  // 64-bit mantissa, no cancellation in the negative tail; independent of both forms, the AVX2
  // polynomials and the portable double erf). A result must be the reference rounded to float,
  // or that rounding of a value within 1.2e-16 |x| of it (the portable form's 1 + erf(x / sqrt(2)) in double
  // cancels: in the negative tail, where x Phi(x) is tiny, its absolute error is up to |x| 2^-53; the AVX2
  // form is 0 past |x| = 8.48), or the reference sits within 1e-12 of a rounding midpoint (either neighbour).
  // Where Phi(x) >= 1e-8 at least 99.99% must be exact. Steps of 1/4096 over
  // [-12, 12], random floats across every exponent from 1e-40 to 1e4, both signs, and the
  // special values; lengths that leave every tail of the 4-wide steps, split over the pool.
  void gelu_is_the_rounded_reference_over_a_sweep() {
    std::vector<float> xs;
    for (int k = -12 * 4096; k <= 12 * 4096; ++k) xs.push_back(static_cast<float>(k) / 4096.f);
    std::mt19937 rng(29);
    std::uniform_real_distribution<double> ex(-40.0, 4.0), mant(1.0, 10.0);
    for (int i = 0; i < 100000; ++i) {
      const double v = mant(rng) * std::pow(10.0, ex(rng));
      xs.push_back(static_cast<float>(i % 2 ? -v : v));
    }
    ThreadPool pool(3);
    int64_t exact = 0, checked = 0;  // where Phi(x) >= 1e-8
    for (const int64_t cut : {int64_t{0}, int64_t{1}, int64_t{2}, int64_t{3}}) {
      std::vector<float> v(xs.begin(), xs.end() - cut);
      cpu::gelu_inplace(pool, v.data(), static_cast<int64_t>(v.size()));
      for (std::size_t i = 0; i < v.size(); ++i) {
        const long double x = xs[i];
        const long double ref = 0.5L * x * std::erfc(-x * 0.70710678118654752440084436210484904L);
        const float want = static_cast<float>(ref);
        const bool counted = std::fabs(ref) >= 1e-8L * std::fabs(x);
        checked += counted;
        if (v[i] == want) {
          exact += counted;
          continue;
        }
        const long double up = std::nextafter(want, std::numeric_limits<float>::infinity()),
                          down = std::nextafter(want, -std::numeric_limits<float>::infinity());
        const long double mid = ref > want ? (want + up) / 2 : (want + down) / 2;
        const bool near_tie = std::fabs(ref - mid) <= 1e-12L * std::fabs(ref);
        const bool cancelled = std::fabs(v[i] - ref) <= (up - want) / 2 + 1.2e-16L * std::fabs(x);
        QVERIFY2(near_tie || cancelled, qPrintable(QStringLiteral("gelu(%1) = %2, want %3")
                                                       .arg(static_cast<double>(xs[i]), 0, 'g', 9)
                                                       .arg(static_cast<double>(v[i]), 0, 'g', 9)
                                                       .arg(static_cast<double>(want), 0, 'g', 9)));
      }
    }
    QVERIFY2(exact >= checked - checked / 10000,
             qPrintable(QStringLiteral("%1 of %2 exact").arg(exact).arg(checked)));
    // Special values: NaN stays NaN, +inf stays +inf, -inf gives NaN (-inf x 0), as the formula does.
    std::vector<float> sp{std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(), 0.f, -0.f};
    cpu::gelu_inplace(pool, sp.data(), static_cast<int64_t>(sp.size()));
    QVERIFY(std::isnan(sp[0]));
    QCOMPARE(sp[1], std::numeric_limits<float>::infinity());
    QVERIFY(std::isnan(sp[2]));
    QCOMPARE(sp[3], 0.f);
    QVERIFY(sp[4] == 0.f && std::signbit(sp[4]));
  }
};

QTEST_APPLESS_MAIN(TestCpuOps)
#include "test_cpu_ops.moc"
