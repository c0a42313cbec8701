// Transparent huge pages for recur's heap: glibc's malloc asks the kernel for them only when its
// tunable glibc.malloc.hugetlb=1 is set, and glibc reads tunables once, at start-up. So the first
// thing recur does is set it and execute itself again (same pid, same arguments, same streams).
//
// Why: large runs touch gigabytes of fresh memory (shingle sets, candidate pairs, the report's
// texts), and on virtual machines a 4 KiB page fault costs more than the work done on the page.
// With 2 MiB pages, `recur report` on the dense 1 GiB bench corpus took 37 s instead of 61 s
// (verify 24.6 -> 11.1 s, report 14.1 -> 5.7 s; bench/RESULTS.md). Kernels set to THP "always"
// already give huge pages and "never" gives none: only "madvise", the common default, needs this.
//
// RECUR_HUGE_PAGES=0 turns it off (the only cost it has is one exec, about a millisecond).
#include "huge_pages.hpp"

#include <gnu/libc-version.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace recur::cli {

namespace {

constexpr const char* kTunable = "glibc.malloc.hugetlb=1";

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

void use_huge_pages(char** argv) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return;  // the sanitizers' allocators ignore glibc's tunables
#endif
  if (const char* off = std::getenv("RECUR_HUGE_PAGES"); off && std::strcmp(off, "0") == 0) return;
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

}  // namespace recur::cli
