#pragma once
// Logit comparison for the Qt model tests: max |got - ref| <= rel * max |ref| over one block.
// A failure is recorded with the numbers (QVERIFY2 in a helper: the calling test goes on, and
// QTest reports it failed).
#include <QtTest>

#include "model_fixture_util.h"

namespace falcon::testutil {

inline void expect_close(const float* got, const float* ref, std::size_t n, const QString& what,
                         float rel = 1e-4f) {
  const float scale = max_abs(ref, n);
  const float diff = max_abs_diff(got, ref, n);
  QVERIFY2(
      diff <= rel * scale,
      qPrintable(
          QStringLiteral("%1: max|diff| %2 > %3 * max|ref| %4").arg(what).arg(diff).arg(rel).arg(scale)));
}

}  // namespace falcon::testutil
