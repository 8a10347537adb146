#include "core/common/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace falcon {

namespace {

// Chunk c of `chunks` equal parts of [0, n).
void chunk_range(int64_t n, int chunks, int c, int64_t& b, int64_t& e) {
  b = n * c / chunks;
  e = n * (c + 1) / chunks;
}

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Polls done() until it holds (true) or `budget` has passed (false). The clock is read every 64
// polls: a pause is tens of cycles, a clock read more.
template <class Done>
bool spin_until(Done done, std::chrono::microseconds budget) {
  const auto until = std::chrono::steady_clock::now() + budget;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= until) return done();
  }
}

template <class D>
int64_t us(D d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  int n = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
  n = std::max(1, n);
  workers_.reserve(static_cast<std::size_t>(n - 1));
  for (int i = 1; i < n; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_.store(true, std::memory_order_release);
  }
  start_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const int chunks = static_cast<int>(std::min<int64_t>(n, size()));
  if (chunks == 1) {
    fn(0, n);
    return;
  }
  // Every worker finishes (or skips) each job, so pending_ counts all of them: a worker with no
  // chunk only acknowledges the generation.
  job_ = &fn;
  job_n_ = n;
  job_chunks_ = chunks;
  pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    error_ = nullptr;
    generation_.fetch_add(1, std::memory_order_release);
    wake = sleepers_ > 0;
  }
  if (wake) start_cv_.notify_all();
  std::exception_ptr mine;
  try {
    int64_t b, e;
    chunk_range(n, chunks, 0, b, e);
    fn(b, e);
  } catch (...) {
    mine = std::current_exception();
  }
  auto done = [this] { return pending_.load(std::memory_order_acquire) == 0; };
  std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
  const bool spin = now_us() >= block_until_us_.load(std::memory_order_relaxed);
  if (spin && spin_until(done, ThreadPool::kSpin)) {
    lock.lock();
  } else {
    // A worker that has not finished within the spin was most likely preempted: the machine has
    // more runnable threads than cores, where polling only takes time from the preempted thread
    // and makes this pool's threads lose the scheduler's wake-up preference. Block for a while.
    // Preempted again soon after the last back-off ended: the contention lasts, block twice as
    // long (up to kBackoffMax); after a quiet while, start again from kBackoff.
    if (spin) {
      const int64_t now = now_us();
      backoff_us_ = now - last_backoff_us_ < 4 * backoff_us_ ? std::min(2 * backoff_us_, us(kBackoffMax))
                                                             : us(kBackoff);
      last_backoff_us_ = now;
      block_until_us_.store(now + backoff_us_, std::memory_order_relaxed);
    }
    lock.lock();
    caller_sleeping_ = true;
    done_cv_.wait(lock, done);
    caller_sleeping_ = false;
  }
  job_ = nullptr;
  std::exception_ptr err = mine ? mine : error_;
  error_ = nullptr;
  lock.unlock();
  if (err) std::rethrow_exception(err);
}

void ThreadPool::worker_loop(int index) {
  uint64_t seen = 0;
  for (;;) {
    auto started = [&] {
      return generation_.load(std::memory_order_acquire) != seen || stopping_.load(std::memory_order_acquire);
    };
    const bool spin = now_us() >= block_until_us_.load(std::memory_order_relaxed);
    if (!spin || !spin_until(started, ThreadPool::kSpin)) {
      std::unique_lock<std::mutex> lock(mu_);
      ++sleepers_;
      start_cv_.wait(lock, [&] {
        return stopping_.load(std::memory_order_relaxed) ||
               generation_.load(std::memory_order_relaxed) != seen;
      });
      --sleepers_;
    }
    if (stopping_.load(std::memory_order_acquire)) return;
    seen = generation_.load(std::memory_order_acquire);
    const int64_t n = job_n_;
    const int chunks = job_chunks_;
    std::exception_ptr err;
    if (index < chunks) {  // fewer chunks than threads: nothing for this one
      try {
        int64_t b, e;
        chunk_range(n, chunks, index, b, e);
        (*job_)(b, e);
      } catch (...) {
        err = std::current_exception();
      }
    }
    if (err) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = err;
    }
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mu_);
      if (caller_sleeping_) done_cv_.notify_one();
    }
  }
}

}  // namespace falcon
