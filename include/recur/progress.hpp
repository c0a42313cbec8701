#pragma once
/// \file progress.hpp
/// What every long run shares: the thread count, progress callbacks and their ticker, warnings,
/// and stage clocks.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace recur {

/// What a progress callback is told.
struct Progress {
  const char* stage = "";      ///< "reading", "candidates", "verifying", "clustering", "writing"
  std::uint64_t done = 0;      ///< units done (bytes while reading, pairs while verifying, ...)
  std::uint64_t total = 0;     ///< units in all, 0 when unknown
};

/// Called about four times a second from a helper thread while the run goes on.
using ProgressFn = std::function<void(const Progress&)>;
/// Called once per warning (a file skipped, an encoding guessed), from the calling thread, in
/// input order.
using WarnFn = std::function<void(const std::string&)>;

/// The number of threads `threads` means (0 = hardware concurrency, at least 1).
unsigned effective_threads(unsigned threads) noexcept;

/// Counters a run's stages advance and its ticker reads: the stage name, and units done out of a
/// total. While the stage is "reading", units are bytes of input.
struct ProgressCounters {
  std::atomic<const char*> stage{"reading"};
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> total{0};

  /// Starts a stage of `total` units (0 when unknown).
  void begin(const char* name, std::uint64_t units = 0) {
    done = 0;
    total = units;
    stage = name;
  }
  Progress sample() const { return {stage.load(), done.load(), total.load()}; }
};

/// Calls `progress` with `counters.sample()` four times a second on a helper thread until
/// destroyed; does nothing when `progress` is empty.
class Ticker {
 public:
  Ticker(const ProgressFn& progress, const ProgressCounters& counters);
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool finished_ = false;
  std::thread thread_;
};

/// Wall-clock times of a run's stages, in the order they were marked: the "seconds" object of
/// every report.
class StageClock {
 public:
  using Clock = std::chrono::steady_clock;
  StageClock() : start_(Clock::now()), last_(start_) {}

  /// Ends stage `name` now: it took the time since the previous mark (or the start).
  void mark(std::string name);
  /// Adds a time measured elsewhere (e.g. summed over threads), in this position of the order.
  void add(std::string name, double seconds) { seconds_.emplace_back(std::move(name), seconds); }
  /// Seconds since the start.
  double elapsed() const { return seconds_between(start_, Clock::now()); }
  /// Seconds since the last mark.
  double since_mark() const { return seconds_between(last_, Clock::now()); }
  /// The stages, then "total".
  std::vector<std::pair<std::string, double>> finish();

  static double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  }

 private:
  Clock::time_point start_, last_;
  std::vector<std::pair<std::string, double>> seconds_;
};

}  // namespace recur
