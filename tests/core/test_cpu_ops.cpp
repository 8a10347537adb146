// The CPU backend's attention kernels (cpu::dots_f32, cpu::weighted_sum_f32) against
// double-precision sums, over lengths that cover every tail of the AVX2 forms' 4-row, 8-, 16-
// and 32-wide steps (and the portable forms under FALCON_CPU_FAST=0).
#include <QtTest>
#include <cmath>
#include <random>
#include <vector>

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
};

QTEST_APPLESS_MAIN(TestCpuOps)
#include "test_cpu_ops.moc"
