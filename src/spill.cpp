// The Spill kept in memory.
#include "recur/spill.hpp"

#include <algorithm>

namespace recur {

std::uint64_t MemorySpill::reserve(std::uint64_t values) {
  const std::lock_guard lock(mutex_);
  const std::uint64_t at = values_.size();
  values_.resize(at + values);
  return at;
}

bool MemorySpill::write(std::uint64_t at, std::span<const std::uint32_t> values) {
  const std::lock_guard lock(mutex_);
  if (at > values_.size() || values.size() > values_.size() - at) return false;
  std::copy(values.begin(), values.end(), values_.begin() + static_cast<std::ptrdiff_t>(at));
  return true;
}

bool MemorySpill::read(std::uint64_t at, std::span<std::uint32_t> out) const {
  const std::lock_guard lock(mutex_);
  if (at > values_.size() || out.size() > values_.size() - at) return false;
  std::copy_n(values_.begin() + static_cast<std::ptrdiff_t>(at), out.size(), out.begin());
  return true;
}

}  // namespace recur
