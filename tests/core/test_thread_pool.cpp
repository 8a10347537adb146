// ThreadPool (core/common/thread_pool.h): every index of [0, n) is visited exactly once in at most
// size() disjoint ranges, whatever the pool and n; exceptions from the caller's chunk and from a
// worker's come back to the caller and leave the pool usable; and the three ways a wait can go
// (back-to-back calls answered while polling, calls after the workers went to sleep, a worker
// slower than the caller's poll, which switches the pool to blocking for kBackoff) all give
// complete, correct results, also with more threads than cores and when the pool is destroyed
// while its workers poll or sleep.
#include <QtTest>
#include <atomic>
#include <chrono>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/common/thread_pool.h"

using falcon::ThreadPool;

namespace {

// Runs one parallel_for over n and checks its ranges: disjoint, inside [0, n), covering every
// index exactly once, at most pool.size() of them.
bool covers_once(ThreadPool& pool, int64_t n, QString* why) {
  std::vector<std::atomic<int>> hits(static_cast<size_t>(std::max<int64_t>(n, 1)));
  std::atomic<int> calls{0};
  std::atomic<bool> bad_range{false};
  pool.parallel_for(n, [&](int64_t b, int64_t e) {
    calls.fetch_add(1);
    if (b < 0 || e > n || b >= e) bad_range = true;
    for (int64_t i = b; i < e && i < n && i >= 0; ++i) hits[size_t(i)].fetch_add(1);
  });
  if (bad_range) return *why = "a range outside [0, n) or empty", false;
  for (int64_t i = 0; i < n; ++i)
    if (hits[size_t(i)].load() != 1)
      return *why = QString("index %1 visited %2 times").arg(i).arg(hits[size_t(i)].load()), false;
  if (calls.load() > pool.size())
    return *why = QString("%1 ranges for a pool of %2").arg(calls.load()).arg(pool.size()), false;
  if (n > 0 && calls.load() != std::min<int64_t>(n, pool.size()))
    return *why = QString("%1 ranges, expected %2").arg(calls.load()).arg(std::min<int64_t>(n, pool.size())),
           false;
  return true;
}

int64_t sum_of(ThreadPool& pool, int64_t n) {
  std::atomic<int64_t> sum{0};
  pool.parallel_for(n, [&](int64_t b, int64_t e) {
    int64_t s = 0;
    for (int64_t i = b; i < e; ++i) s += i;
    sum.fetch_add(s);
  });
  return sum.load();
}

void busy_for(std::chrono::microseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
}

}  // namespace

class TestThreadPool : public QObject {
  Q_OBJECT

 private slots:
  void ranges_cover_every_index_once() {
    for (int threads : {1, 2, 3, 5, 8}) {
      ThreadPool pool(threads);
      QCOMPARE(pool.size(), threads);
      for (int64_t n : {0, 1, 2, 3, 4, 7, 8, 9, 100, 1001}) {
        QString why;
        QVERIFY2(covers_once(pool, n, &why),
                 qPrintable(QString("pool of %1, n = %2: %3").arg(threads).arg(n).arg(why)));
      }
    }
  }

  void exceptions_reach_the_caller_and_the_pool_goes_on() {
    ThreadPool pool(3);
    // From the caller's own chunk (the first range) and from a worker's (the last).
    bool caught = false;
    try {
      pool.parallel_for(30, [](int64_t b, int64_t) {
        if (b == 0) throw std::runtime_error("caller chunk");
      });
    } catch (const std::runtime_error& e) {
      caught = QString(e.what()) == "caller chunk";
    }
    QVERIFY2(caught, "the caller's exception is rethrown");
    caught = false;
    try {
      pool.parallel_for(30, [](int64_t, int64_t e) {
        if (e == 30) throw std::runtime_error("worker chunk");
      });
    } catch (const std::runtime_error& e) {
      caught = QString(e.what()) == "worker chunk";
    }
    QVERIFY2(caught, "a worker's exception is rethrown");
    QCOMPARE(sum_of(pool, 1000), int64_t(999 * 1000 / 2));
    // Both at once: one of the two comes back, the pool still works.
    QVERIFY_THROWS_EXCEPTION(
        std::runtime_error, pool.parallel_for(30, [](int64_t, int64_t) { throw std::runtime_error("all"); }));
    QCOMPARE(sum_of(pool, 77), int64_t(76 * 77 / 2));
  }

  void back_to_back_calls() {
    // Tens of thousands of short calls, as a decode makes them: answered while polling.
    ThreadPool pool(2);
    int64_t bad = 0;
    for (int i = 0; i < 20000; ++i) {
      const int64_t n = 1 + i % 64;
      if (sum_of(pool, n) != n * (n - 1) / 2) ++bad;
    }
    QCOMPARE(bad, int64_t(0));
  }

  void calls_after_the_workers_sleep() {
    // A pause longer than the poll: the workers are asleep and each call wakes them.
    ThreadPool pool(3);
    for (int i = 0; i < 20; ++i) {
      std::this_thread::sleep_for(ThreadPool::kSpin * 3);
      QCOMPARE(sum_of(pool, 500 + i), int64_t(499 + i) * (500 + i) / 2);
    }
  }

  void a_worker_slower_than_the_poll() {
    // The last chunk outlasts the caller's poll: the caller sleeps until it is done, and the pool
    // blocks for a while; calls in that while, and after it, are still complete.
    ThreadPool pool(2);
    std::atomic<int> done{0};
    pool.parallel_for(2, [&](int64_t b, int64_t) {
      if (b == 1) busy_for(ThreadPool::kSpin * 4);
      done.fetch_add(1);
    });
    QCOMPARE(done.load(), 2);
    for (int i = 0; i < 200; ++i) QCOMPARE(sum_of(pool, 64), int64_t(63 * 64 / 2));
    std::this_thread::sleep_for(ThreadPool::kBackoff + std::chrono::milliseconds(5));
    for (int i = 0; i < 200; ++i) QCOMPARE(sum_of(pool, 64), int64_t(63 * 64 / 2));
  }

  void more_threads_than_cores() {
    const int threads = 4 * std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    ThreadPool pool(threads);
    for (int i = 0; i < 300; ++i) {
      QString why;
      QVERIFY2(covers_once(pool, 3 * threads + i % 7, &why), qPrintable(why));
    }
  }

  void destroyed_while_polling_or_sleeping() {
    for (int i = 0; i < 50; ++i) {  // right after a call: the workers still poll
      ThreadPool pool(3);
      QCOMPARE(sum_of(pool, 10), int64_t(45));
    }
    {
      ThreadPool pool(3);  // never used: destroyed while its workers poll for a first job
    }
    ThreadPool pool(3);
    QCOMPARE(sum_of(pool, 10), int64_t(45));
    std::this_thread::sleep_for(ThreadPool::kSpin * 3);  // asleep now
  }
};

QTEST_GUILESS_MAIN(TestThreadPool)
#include "test_thread_pool.moc"
