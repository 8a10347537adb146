// The CUDA backend's out-of-memory report: its English words (what falcon-run prints) read back
// into the same report, so the app can say it in the user's language; anything else is no report.
#include <QtTest>

#include "core/model/gpu_oom_report.h"
#include "tests/core/gpu_oom_report_sample.h"

using namespace falcon;

class TestGpuOomReport : public QObject {
  Q_OBJECT

  static GpuOomReport base() {
    return test::sample_gpu_oom_report("NVIDIA GeForce RTX 4090: laptop (test)");  // a colon in the name
  }

 private slots:
  void every_shape_reads_back() {
    GpuOomReport fit_format = base();
    fit_format.fit_format = "int4";
    fit_format.fit_need = 22ull << 30;
    GpuOomReport fit_cache = base();
    fit_cache.fit_cache_tokens = 1024;
    GpuOomReport both = fit_format;
    both.fit_cache_tokens = 64;
    GpuOomReport even = base();
    even.smallest_format = "int4";
    even.smallest_need = 25ull << 30;
    GpuOomReport nothing = base();
    for (const GpuOomReport& r : {fit_format, fit_cache, both, even, nothing}) {
      const std::string text = gpu_oom_text(r);
      const auto back = parse_gpu_oom_text(text);
      QVERIFY2(back.has_value(), text.c_str());
      QCOMPARE(*back, r);  // whole GiB counts survive the 0.01 GiB of the text exactly
    }
    QCOMPARE(
        gpu_oom_text(nothing),
        std::string(
            "not enough GPU memory on NVIDIA GeForce RTX 4090: laptop (test): the model needs 80.00 GiB "
            "(weights 77.00 GiB, a KV cache of 2048 tokens 1.00 GiB, scratch and CUDA 2.00 GiB) but only "
            "23.00 GiB of 24.00 GiB are free; the weights alone do not fit (or use the CPU backend)"));
  }

  void other_texts_are_no_report() {
    const std::string good = gpu_oom_text(base());
    for (const std::string& text :
         {std::string(), std::string("out of memory"), good + " ", "x" + good,
          good.substr(0, good.size() - 1), std::string("not enough GPU memory on : the model needs 1 GiB")}) {
      QVERIFY2(!parse_gpu_oom_text(text), text.c_str());
    }
    std::string huge = good;
    huge.replace(huge.find("2048"), 4, "99999999999999999999999");
    QVERIFY(!parse_gpu_oom_text(huge));  // a number out of range
  }
};

QTEST_APPLESS_MAIN(TestGpuOomReport)
#include "test_gpu_oom_report.moc"
