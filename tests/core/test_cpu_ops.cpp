// The CPU backend's vector kernels that attention uses (cpu::dot_f32, cpu::axpy_f32) against a
// double-precision reference, for every length from 0 to 80: the AVX2 forms step 16 and 8
// values at a time, so this covers their tails (and the portable forms under FALCON_CPU_FAST=0).
#include <QtTest>
#include <cmath>
#include <random>
#include <vector>

#include "core/model/cpu_ops.h"

using namespace falcon;

class TestCpuOps : public QObject {
  Q_OBJECT

 private slots:
  void dot_matches_double_reference() {
    std::mt19937 rng(7);
    std::normal_distribution<float> nd(0.f, 3.f);
    for (int n = 0; n <= 80; ++n) {
      for (int rep = 0; rep < 4; ++rep) {
        // Offset by one float so the loads are unaligned in some cases.
        std::vector<float> a(static_cast<size_t>(n) + 1), b(static_cast<size_t>(n) + 1);
        for (auto& v : a) v = nd(rng);
        for (auto& v : b) v = nd(rng);
        const float* pa = a.data() + rep % 2;
        const float* pb = b.data() + (rep / 2) % 2;
        const int len = n - (rep % 2 || (rep / 2) % 2 ? 1 : 0);
        if (len < 0) continue;
        double ref = 0, mag = 0;
        for (int i = 0; i < len; ++i) {
          ref += static_cast<double>(pa[i]) * pb[i];
          mag += std::fabs(static_cast<double>(pa[i]) * pb[i]);
        }
        const double got = cpu::dot_f32(pa, pb, len);
        // fp32 sums of len products: at most len roundings of 2^-24 of the magnitude.
        const double bound = (len + 1) * 0x1p-24 * mag;
        QVERIFY2(std::fabs(got - ref) <= bound, qPrintable(QStringLiteral("n %1: %2 vs %3 (bound %4)")
                                                               .arg(len)
                                                               .arg(got, 0, 'g', 10)
                                                               .arg(ref, 0, 'g', 10)
                                                               .arg(bound)));
      }
    }
  }

  void axpy_matches_double_reference() {
    std::mt19937 rng(11);
    std::normal_distribution<float> nd(0.f, 2.f);
    for (int n = 0; n <= 80; ++n) {
      std::vector<float> x(static_cast<size_t>(n)), y(static_cast<size_t>(n) + 2, 123.f);
      for (auto& v : x) v = nd(rng);
      for (int i = 0; i < n; ++i) y[static_cast<size_t>(i)] = nd(rng);
      const std::vector<float> y0 = y;
      const float alpha = nd(rng);
      cpu::axpy_f32(alpha, x.data(), y.data(), n);
      for (int i = 0; i < n; ++i) {
        const double ref = static_cast<double>(y0[static_cast<size_t>(i)]) +
                           static_cast<double>(alpha) * x[static_cast<size_t>(i)];
        const double bound =
            0x1p-23 * (std::fabs(y0[static_cast<size_t>(i)]) + std::fabs(alpha * x[static_cast<size_t>(i)]));
        QVERIFY2(std::fabs(y[static_cast<size_t>(i)] - ref) <= bound,
                 qPrintable(QStringLiteral("n %1, i %2").arg(n).arg(i)));
      }
      // Nothing past n is written.
      QCOMPARE(y[static_cast<size_t>(n)], 123.f);
      QCOMPARE(y[static_cast<size_t>(n) + 1], 123.f);
    }
  }
};

QTEST_APPLESS_MAIN(TestCpuOps)
#include "test_cpu_ops.moc"
