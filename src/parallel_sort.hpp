#pragma once
// parallel_sort: a large sort on several threads (internal header; apart from parallel.hpp so that
// only the files that sort this way compile Boost.Sort's parallel algorithms).
#include <boost/sort/block_indirect_sort/block_indirect_sort.hpp>
#include <boost/sort/pdqsort/pdqsort.hpp>

#include <cstddef>
#include <iterator>

namespace recur::detail {

// Sorts [first, last) by `less` on up to `threads` threads: Boost.Sort's block_indirect_sort, or
// pdqsort on one thread and for small ranges (below kParallelSortMin, where starting threads
// costs more than it saves). `less` must tell apart any two elements that are not equal (a strict
// total order over the values that occur), so that the result is the same for any number of
// threads: neither algorithm is stable.
inline constexpr std::ptrdiff_t kParallelSortMin = std::ptrdiff_t{1} << 16;
template <class It, class Less>
void parallel_sort(It first, It last, Less less, unsigned threads) {
  if (threads < 2 || std::distance(first, last) < kParallelSortMin) boost::sort::pdqsort(first, last, less);
  else boost::sort::block_indirect_sort(first, last, less, threads);
}

}  // namespace recur::detail
