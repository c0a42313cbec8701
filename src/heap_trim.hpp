#pragma once
// Giving freed heap memory back to the kernel between stages (internal header).
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace recur::detail {

// Returns the whole free pages of every malloc arena to the kernel (glibc's malloc_trim; nothing
// elsewhere). For a pipeline whose stages free many small blocks that the next stage, made of
// differently shaped arrays, does not reuse: recur phrases frees each file's UTF-16 text and kept
// characters (about 0.7 GB on dense 1 GiB, spread through the heap) before the suffix array, and
// those pages would otherwise stay resident under it. Costs a walk over the free chunks: tens of
// milliseconds.
inline void return_free_memory() noexcept {
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  malloc_trim(0);
#endif
}

}  // namespace recur::detail
