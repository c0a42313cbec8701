#pragma once
// How recur's heap takes memory from the kernel (see heap.cpp for why).

namespace recur::cli {

/// Keeps freed memory in the heap for reuse (no mmap for large blocks, no trimming). Unless
/// RECUR_HUGE_PAGES=0, when the kernel gives transparent huge pages on request only, also sets
/// glibc.malloc.hugetlb=1 in GLIBC_TUNABLES and executes recur again with `argv`. Returns when
/// nothing more needs doing or when the exec fails. Call first thing in main, before any other work.
void tune_heap(char** argv);

/// Gives large blocks (4 MiB and more) back to the kernel when they are freed, and trims the heap,
/// for a command whose stages hold large arrays of different shapes one after another (recur
/// phrases). Call before its first stage.
void return_large_blocks();

}  // namespace recur::cli
