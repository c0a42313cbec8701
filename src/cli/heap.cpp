// How recur's heap takes memory from the kernel. Large runs touch gigabytes of fresh memory
// (band keys, candidate pairs, shingle sets, the report's texts), and on virtual machines the page
// faults of that memory cost more than the work done on it. Two settings fix that:
//
// 1. Freed memory stays in the heap for the next stage (mallopt: no mmap for large blocks, no
//    trimming), instead of going back to the kernel and being faulted in and zeroed again; the
//    stages' buffers are about the same size, so peak memory does not grow (dense 1 GiB: 1.84 GB
//    either way).
// 2. The heap asks for transparent huge pages (2 MiB), unless RECUR_HUGE_PAGES=0. glibc's malloc
//    asks for them only when its tunable glibc.malloc.hugetlb=1 is set, and glibc reads tunables
//    once, at start-up, so recur then sets it and executes itself again (same pid, arguments and
//    streams). This matters only under the kernel's THP mode "madvise", the common default:
//    "always" gives huge pages whatever recur asks, "never" gives none. glibc asks for huge pages
//    only when a heap grows by at least one huge page, so the heap grows in steps of at least
//    64 MiB (kTopPad); with glibc's 128 KiB steps most pages were 4 KiB. (recur phrases's window
//    table asks for huge pages itself, madvise in phrases.cpp: a table read at random, where they
//    pay.)
//
// Huge pages were the default, then not, then again, each time by measurement on the project's
// VM, because what a first touch costs depends on the machine more than on the page size. With 1
// (freed memory kept) each page of the peak is faulted in once per run, and huge pages make 512
// times fewer faults and TLB misses, but a fresh huge page must be cleared whole:
// - 2026-12-03, an Intel VM: touching 1.8 GB fresh took 1.2-1.5 s with 4 KiB pages and 2.5-6.0 s
//   with huge pages (clear_page_erms), and dense 1 GiB was 1.3 s slower with them: 4 KiB default.
// - 2026-12-04, the same project's VM on AMD EPYC: 4.5-5.7 s with 4 KiB pages against 1.7-3.6 s
//   with huge pages (each fault costs more than its clearing there), and dense 1 GiB 9.9-10.1 s
//   against 11.8-11.9 s, sparse 4.0-4.4 s against 4.8 s (bench/RESULTS.md): huge pages again.
// On bare metal a fresh huge page costs about what 512 small ones do, and the fewer faults win.
// What makes a page dear on that VM is its host: the guest reports memory that has been free for
// about 2 s back to the host, and touching such a page again costs a host fault (1.6 GB: 1.8-2.7 s
// after 8 s idle, 0.14 s when freed and taken again within a second; bench/RESULTS.md, thirty-first
// session). So the price is paid for the process's peak, once per page, as long as 1 holds.
//
// Dense 1 GiB, 2 threads, in an earlier session (bench/RESULTS.md): 61 s with neither setting, 37 s
// with huge pages, 22 s with both; huge pages helped then because freed memory went back to the
// kernel and was faulted in again stage after stage.
//
// recur phrases is the exception to 1: its stages do not reuse each other's buffers. The kept
// text (4 B per character), then the suffix array, LCP and ranks (10 B), then the candidates and
// the grouping's sorted arrays all differ in shape, so a heap that keeps what it frees grows to
// the sum of the stages instead of the largest one (dense 1 GiB: the main arena grew to 3.78 GB,
// 2.1 GB of it free). So phrases maps its large arrays and returns them when freed, and its
// pipeline trims the heap between stages (heap_trim.hpp).
#include "heap.hpp"

#include <gnu/libc-version.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace recur::cli {

namespace {

constexpr const char* kTunable = "glibc.malloc.hugetlb=1";

// How much more than asked for the heap takes from the kernel each time it grows (glibc's default
// is 128 KiB). glibc asks for huge pages only for growths of at least one huge page (madvise_thp
// skips smaller ones), so with the default the heap grew in small steps, mostly without huge pages:
// dense 1 GiB took 153-231 K page faults, with 64 MiB 1.8-2.3 K, and 5% less CPU (means of 6
// pairs, bench/RESULTS.md). Untouched padding costs no memory (address space only), and is kept
// for the next growth.
constexpr int kTopPad = 64 << 20;

bool thp_on_request_only() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  std::getline(f, mode);
  return mode.find("[madvise]") != std::string::npos;
}

// glibc.malloc.hugetlb exists from glibc 2.35 on.
bool glibc_has_hugetlb() {
  int major = 0, minor = 0;
  return std::sscanf(gnu_get_libc_version(), "%d.%d", &major, &minor) == 2 && (major > 2 || (major == 2 && minor >= 35));
}

}  // namespace

void tune_heap(char** argv) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return;  // the sanitizers' allocators ignore both
#endif
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, -1);  // never trimmed
  mallopt(M_TOP_PAD, kTopPad);
  if (const char* want = std::getenv("RECUR_HUGE_PAGES"); want && std::strcmp(want, "0") == 0) return;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  // Set already (by the exec below, or by the user, whose choice stands): never exec twice.
  if (tunables && std::strstr(tunables, "glibc.malloc.hugetlb")) return;
  if (!glibc_has_hugetlb() || !thp_on_request_only()) return;
  std::string value = tunables && *tunables ? std::string(tunables) + ":" + kTunable : std::string(kTunable);
  if (::setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // No /proc (a chroot, say): run on with normal pages; the variable stays set, so a child recur
  // would not try again either.
}

void return_large_blocks() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return;
#endif
  // A fixed threshold: glibc's default one rises to the size of each block freed, up to 32 MiB,
  // and would keep the next stage's arrays in the heap again.
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_MMAP_MAX, 1 << 16);
  mallopt(M_TRIM_THRESHOLD, 4 << 20);
  mallopt(M_TOP_PAD, 128 << 10);  // glibc's default: a trim keeps the pad, and phrases trims often
}

}  // namespace recur::cli
