#pragma once
// A small fixed thread pool for data-parallel loops (the CPU backend's matrix products and
// attention heads). One job at a time: parallel_for blocks until every chunk is done, and the
// calling thread works on a chunk too, so a pool of size 1 runs everything inline.
//
// A decode step makes ~60 short parallel_for calls a few microseconds apart. Waking a sleeping
// thread through a condition variable costs a futex system call on each side, and in a virtual
// machine an interrupt round trip (27% of falcon-mini's decode time went to the kernel's
// pvm_irq_enable). So the workers, and the caller waiting for them, first poll for a while
// (kSpin) before they sleep: back-to-back calls never reach the kernel, and an idle pool still
// sleeps within a fraction of a millisecond. Polling only pays while every thread has a core:
// with more runnable threads than cores (another busy program) a preempted worker keeps the
// caller polling for nothing, and threads that never sleep lose the scheduler's preference for
// waking ones. So when the caller's poll runs out (a worker most likely preempted), the pool
// only blocks for kBackoff, then tries polling again; preempted again soon after, it blocks
// twice as long (up to kBackoffMax). The first back-off is short because a lone hiccup (the
// hypervisor taking a vCPU away, a profiler) also ends a poll: with 50 ms, falcon-mini's decode
// switched context 67k times in 1500 tokens, with 5 ms 1.8k. Measured on this project's 2-core
// VM (falcon-mini, 2 threads, 512 tokens, alternated): decode 693-736 -> 1268-1420 tok/s alone,
// and 601-626 -> 570-627 beside a program that keeps one core busy (polling without the back-off:
// 180-480).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace falcon {

class ThreadPool {
 public:
  // threads <= 0 means std::thread::hardware_concurrency().
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(begin, end) on disjoint contiguous ranges covering [0, n), at most size() of
  // them, in parallel; returns when all are done. The first exception thrown by any chunk is
  // rethrown here. Not reentrant: fn must not call parallel_for on the same pool.
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn);

  // How long a worker polls for the next job, and the caller for the last chunk, before sleeping;
  // and how long the pool only blocks after the caller's poll ran out.
  static constexpr std::chrono::microseconds kSpin{300};
  static constexpr std::chrono::milliseconds kBackoff{5}, kBackoffMax{800};

 private:
  void worker_loop(int index);

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable start_cv_;
  std::condition_variable done_cv_;
  // The job: written by parallel_for before generation_ moves (release), read after (acquire).
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_n_ = 0;
  int job_chunks_ = 0;
  std::atomic<uint64_t> generation_{0};     // moved under mu_, so that sleepers cannot miss it
  std::atomic<int> pending_{0};             // workers not yet done with (or past) the current job
  int sleepers_ = 0;                        // workers asleep on start_cv_ (under mu_)
  bool caller_sleeping_ = false;            // parallel_for asleep on done_cv_ (under mu_)
  std::atomic<bool> stopping_{false};       // set under mu_ (for the sleepers), read polling too
  std::exception_ptr error_;                // under mu_
  std::atomic<int64_t> block_until_us_{0};  // steady clock: no polling before this
  int64_t backoff_us_ = 0, last_backoff_us_ = -(int64_t{1} << 62);  // parallel_for's own
};

}  // namespace falcon
