#pragma once
// Transparent huge pages for the heap (see huge_pages.cpp for why).

namespace recur::cli {

/// When the kernel gives transparent huge pages on request only, sets glibc.malloc.hugetlb=1 in
/// GLIBC_TUNABLES and executes recur again with `argv`; returns when nothing needs doing, when
/// RECUR_HUGE_PAGES=0, or when the exec fails. Call first thing in main, before any other work.
void use_huge_pages(char** argv);

}  // namespace recur::cli
