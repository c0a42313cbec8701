// Threads, progress and stage clocks.
#include "recur/progress.hpp"

namespace recur {

unsigned effective_threads(unsigned threads) noexcept {
  if (threads > 0) return threads;
  const unsigned hc = std::thread::hardware_concurrency();
  return hc > 0 ? hc : 1;
}

Ticker::Ticker(const ProgressFn& progress, const ProgressCounters& counters) {
  if (!progress) return;
  thread_ = std::thread([this, progress, &counters] {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return finished_; }))
      progress(counters.sample());
  });
}

Ticker::~Ticker() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StageClock::mark(std::string name) {
  const auto now = Clock::now();
  seconds_.emplace_back(std::move(name), seconds_between(last_, now));
  last_ = now;
}

std::vector<std::pair<std::string, double>> StageClock::finish() {
  auto out = std::move(seconds_);
  out.emplace_back("total", seconds_between(start_, Clock::now()));
  return out;
}

}  // namespace recur
