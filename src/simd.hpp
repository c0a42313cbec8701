#pragma once
// <immintrin.h> for the AVX-512 paths chosen at run time (small_sort.cpp, shingle.cpp). Include
// it before any header that might include <immintrin.h> itself: GCC 12 warns inside its own
// AVX-512 intrinsics (_mm512_undefined_epi32 initialises a value with itself), and a warning is
// placed at the header's line, so it is silenced for the header's lines only, here.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RECUR_X86_SIMD 1
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC's own
#endif
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif
