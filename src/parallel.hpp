#pragma once
// parallel_for: the one threading primitive of recur (internal header).
#include <algorithm>
#include <atomic>
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
