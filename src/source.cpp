// Sources that hold their bytes in memory.
#include "recur/source.hpp"

namespace recur {

MemorySource::MemorySource(std::initializer_list<std::pair<std::string, std::string>> inputs) {
  for (const auto& [name, bytes] : inputs) add(name, bytes);
}

std::size_t MemorySource::add(std::string name, std::string bytes) {
  inputs_.emplace_back(std::move(name), std::move(bytes));
  return inputs_.size() - 1;
}

Status MemorySource::read(std::size_t i, std::string& out) const {
  out.assign(inputs_.at(i).second);
  return {};
}

Status MemorySource::read_ranges(std::size_t i, std::span<const ByteRange> ranges,
                                 std::vector<std::string>& out) const {
  return copy_ranges(inputs_.at(i).second, ranges, out);
}

Status copy_ranges(std::string_view bytes, std::span<const ByteRange> ranges, std::vector<std::string>& out) {
  out.assign(ranges.size(), {});
  for (std::size_t k = 0; k < ranges.size(); ++k) {
    const auto [begin, end] = ranges[k];
    if (end < begin || end > bytes.size()) {
      out.assign(ranges.size(), {});
      return {StatusCode::read_error, "invalid byte range"};
    }
    out[k] = bytes.substr(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin));
  }
  return {};
}

std::uint64_t total_size(const Source& source) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < source.count(); ++i) total += source.size(i);
  return total;
}

}  // namespace recur
