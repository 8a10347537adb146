// parse_meminfo / read_host_memory: RAM "in use" as `free` and system monitors count it (total
// minus MemAvailable), which the status bar shows for the CPU backend. The texts below follow
// the kernel's /proc/meminfo format (Documentation/filesystems/proc.rst); the live check reads
// the file here with its own parser.
#include <QtTest>
#include <fstream>
#include <map>
#include <sstream>

#include "core/common/host_memory.h"

using namespace falcon;

namespace {

// /proc/meminfo as a map of key -> kB, read with a parser of its own.
std::map<std::string, uint64_t> meminfo_kb() {
  std::map<std::string, uint64_t> out;
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string key;
    uint64_t kb = 0;
    if (ls >> key >> kb && !key.empty() && key.back() == ':') out[key.substr(0, key.size() - 1)] = kb;
  }
  return out;
}

}  // namespace

class TestHostMemory : public QObject {
  Q_OBJECT

 private slots:
  void used_is_total_minus_available() {
    // A desktop with a large page cache: MemFree is small, MemAvailable is not.
    const auto m = parse_meminfo(
        "MemTotal:       32768000 kB\n"
        "MemFree:         1024000 kB\n"
        "MemAvailable:   24576000 kB\n"
        "Buffers:          512000 kB\n"
        "Cached:         20480000 kB\n"
        "SwapCached:            0 kB\n"
        "HugePages_Total:       0\n");
    QVERIFY(m);
    QCOMPARE(m->total, uint64_t(32768000) * 1024);
    QCOMPARE(m->available, uint64_t(24576000) * 1024);
    QCOMPARE(m->used(), uint64_t(32768000 - 24576000) * 1024);
  }

  void old_kernels_without_mem_available() {
    const auto m = parse_meminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 300 kB\n");
    QVERIFY(m);
    QCOMPARE(m->available, uint64_t(450) * 1024);
    QCOMPARE(m->used(), uint64_t(550) * 1024);
    // SwapCached and Cached are different keys; only the exact one counts.
    const auto n = parse_meminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nSwapCached: 300 kB\n");
    QVERIFY(n);
    QCOMPARE(n->available, uint64_t(100) * 1024);
  }

  void unusable_text_is_no_answer() {
    QVERIFY(!parse_meminfo(""));
    QVERIFY(!parse_meminfo("MemFree: 100 kB\n"));                   // no total
    QVERIFY(!parse_meminfo("MemTotal: 0 kB\nMemAvailable: 0 kB"));  // zero total
    QVERIFY(!parse_meminfo("MemTotal: 1000 kB\n"));                 // nothing about what is free
    QVERIFY(!parse_meminfo("MemTotal: lots kB\nMemAvailable: 10 kB\n"));
    QVERIFY(!parse_meminfo("MemTotal: 1000 MB\nMemAvailable: 10 kB\n"));  // unknown unit
    QVERIFY(!parse_meminfo("MemTotal: 99999999999999999999999 kB\nMemAvailable: 1 kB\n"));
    QVERIFY(!parse_meminfo("MemTotal: 18014398509481984 kB\nMemAvailable: 1 kB\n"));  // bytes overflow
    // More available than total (a racy or odd file) is clamped, never a negative "used".
    const auto m = parse_meminfo("MemTotal: 100 kB\nMemAvailable: 200 kB\n");
    QVERIFY(m);
    QCOMPARE(m->used(), uint64_t(0));
    // No final newline, CRLF is not the kernel's but must not crash either.
    QVERIFY(parse_meminfo("MemTotal: 100 kB\nMemAvailable: 20 kB"));
    (void)parse_meminfo(std::string_view("MemTotal:\0 1 kB\r\n", 18));
  }

  void live_matches_proc_meminfo() {
    const auto before = meminfo_kb();
    const auto m = read_host_memory();
    const auto after = meminfo_kb();
    if (!before.count("MemAvailable")) QSKIP("this kernel has no MemAvailable");
    QVERIFY(m);
    QCOMPARE(m->total, before.at("MemTotal") * 1024);
    const uint64_t lo = std::min(before.at("MemAvailable"), after.at("MemAvailable")) * 1024;
    const uint64_t hi = std::max(before.at("MemAvailable"), after.at("MemAvailable")) * 1024;
    QVERIFY2(
        m->available + (64u << 20) >= lo && m->available <= hi + (64u << 20),
        qPrintable(QStringLiteral("available %1, /proc/meminfo %2..%3").arg(m->available).arg(lo).arg(hi)));
  }
};

QTEST_APPLESS_MAIN(TestHostMemory)
#include "test_host_memory.moc"
