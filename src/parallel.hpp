#pragma once
// parallel_for, the threading primitive of recur, and pipeline(), built on it (internal header).
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace recur::detail {

// Runs f(index, worker) for every index in [0, n) on up to `threads` threads (worker < threads).
// Indices are handed out in increasing order; callers store results by index, so the outcome
// never depends on timing. The first exception thrown by f is rethrown after all threads stop.
template <class F>
void parallel_for(std::size_t n, unsigned threads, F&& f) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](unsigned worker) {
    try {
      for (;;) {
        const std::size_t i = next.fetch_add(1);
        if (i >= n) break;
        f(i, worker);
      }
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next.store(n);
    }
  };
  const unsigned t = static_cast<unsigned>(std::min<std::size_t>(threads, n));
  if (t <= 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(t - 1);
    for (unsigned w = 1; w < t; ++w) pool.emplace_back(work, w);
    work(0);
    for (auto& th : pool) th.join();
  }
  if (error) std::rethrow_exception(error);
}

// Runs produce(k, slot) and then consume(k, slot) for every batch k in [0, n), consume in order of
// k, where slot = k % slots names the buffer batch k is in. With two or more threads, produce runs
// on a second thread up to `slots` batches ahead of consume: a loop that has to stay on one thread
// (consume) then does not wait on gathering what it reads (produce), whose random reads a simple
// loop of its own overlaps far better. With one thread they alternate. produce(k) may use only its
// slot's buffer; the batches are handed over under a mutex, so consume sees all it wrote. The first
// exception thrown by either side stops both and is rethrown.
template <class P, class C>
void pipeline(std::size_t n, unsigned threads, unsigned slots, P&& produce, C&& consume) {
  if (threads < 2 || n < 2 || slots < 2) {
    for (std::size_t k = 0; k < n; ++k) {
      produce(k, static_cast<unsigned>(k % slots));
      consume(k, static_cast<unsigned>(k % slots));
    }
    return;
  }
  std::mutex m;
  std::condition_variable cv;
  std::size_t produced = 0, consumed = 0;
  bool failed = false;
  // Job 0 is handed out first, so the producer always has a thread; the consumer waits for it.
  parallel_for(2, 2, [&](std::size_t job, unsigned) {
    try {
      for (std::size_t k = 0; k < n; ++k) {
        const auto slot = static_cast<unsigned>(k % slots);
        {
          std::unique_lock lock(m);
          cv.wait(lock, [&] { return failed || (job == 0 ? k < consumed + slots : k < produced); });
          if (failed) return;  // the other side threw: parallel_for rethrows its exception
        }
        if (job == 0) produce(k, slot);
        else consume(k, slot);
        {
          std::lock_guard lock(m);
          (job == 0 ? produced : consumed) = k + 1;
        }
        cv.notify_all();
      }
    } catch (...) {
      {
        std::lock_guard lock(m);
        failed = true;
      }
      cv.notify_all();
      throw;
    }
  });
}

// One T per worker of parallel_for, made on the worker's first use (a run on fewer inputs than
// threads makes fewer) and reused for every later index it gets: ICU objects and scratch buffers
// are set up once per thread, not per input.
template <class T>
class PerThread {
 public:
  // At least one slot: parallel_for runs 0 threads as one, on the calling thread.
  PerThread(unsigned threads, std::function<std::unique_ptr<T>()> make)
      : slots_(std::max(threads, 1u)), make_(std::move(make)) {}
  T& operator[](unsigned worker) {
    auto& slot = slots_[worker];
    if (!slot) slot = make_();
    return *slot;
  }

 private:
  std::vector<std::unique_ptr<T>> slots_;
  std::function<std::unique_ptr<T>()> make_;
};

}  // namespace recur::detail
