// SA-IS and the permuted LCP; see suffix_array.hpp.
//
// The construction follows the paper's three steps with a virtual sentinel (a symbol smaller than
// all, after the last position, never stored), as Yuta Mori's sais-lite does:
//  1. sort the LMS substrings by induced sorting from the LMS positions in text order;
//  2. name them; if two share a name, sort the suffixes of the reduced string of names
//     recursively (it lives in the upper half of `sa`, its suffix array in the lower half);
//  3. induce the whole order from the sorted LMS suffixes.
// Types: S when the suffix is smaller than the one after it, L otherwise; the last position is L
// (the sentinel after it is smaller). LMS: an S position right after an L one.
#include "recur/suffix_array.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "parallel.hpp"

namespace recur {
namespace {

constexpr std::uint32_t kEmpty = kNoSuffix;

// One bit per position: 1 for S type.
class Types {
 public:
  explicit Types(std::size_t n) : w_((n + 63) / 64, 0) {}
  void set_word(std::size_t w, std::uint64_t bits) noexcept { w_[w] = bits; }  // positions 64w..64w+63
  bool s(std::size_t i) const noexcept { return (w_[i >> 6] >> (i & 63)) & 1; }
  bool lms(std::size_t i) const noexcept { return i > 0 && s(i) && !s(i - 1); }
  // Calls f(i) for every LMS position i, in order: a word of types at a time, without a branch per
  // position (a third of CJK positions are LMS, at random).
  template <class F>
  void for_each_lms(F&& f) const {
    for (std::size_t w = 0; w < w_.size(); ++w) {
      const std::uint64_t before = w > 0 ? w_[w - 1] >> 63 : 1;  // 1: position 0 is never LMS
      for (std::uint64_t b = w_[w] & ~(w_[w] << 1 | before); b != 0; b &= b - 1)
        f(static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(b))));
    }
  }
  void prefetch(std::size_t i) const noexcept { __builtin_prefetch(w_.data() + (i >> 6)); }

 private:
  std::vector<std::uint64_t> w_;
};

// How often each symbol occurs in t[0, n), into `cnt` (alphabet-sized). Taken once per level (and
// again after its recursion, which needs the memory), and the bucket starts and ends (buckets())
// from it each time they are needed: counted afresh each time (six per level), the counting was
// 2.6-2.9 s of the suffix array of dense 1 GiB's 143 M characters, a quarter of a second each time
// at the first recursion level, where the alphabet is 14 M names and every count is a miss.
// On all threads: when the alphabet is large, each thread reads the whole text and counts the
// symbols of its own range of the alphabet (atomic increments into one array would each wait for
// their miss: a locked instruction lets no later load pass it); when it is small, each counts a
// part of the text into an array of its own, and the arrays are summed.
template <class Sym>
void count_symbols(const Sym* t, std::uint32_t n, std::vector<std::uint32_t>& cnt, unsigned threads) {
  // Symbols below which one thread counts: starting threads costs tens of microseconds. (Low
  // enough that the tests' texts of many induction chunks count on two threads both ways.)
  constexpr std::uint32_t kMinParallel = std::uint32_t{1} << 14;
  constexpr std::size_t kSmallAlphabet = std::size_t{1} << 16;
  const std::size_t pieces = threads <= 1 || n < kMinParallel ? 1 : threads;
  if (pieces == 1) {
    std::fill(cnt.begin(), cnt.end(), 0);
    for (std::uint32_t i = 0; i < n; ++i) ++cnt[t[i]];
  } else if (cnt.size() <= kSmallAlphabet) {
    std::vector<std::vector<std::uint32_t>> local(pieces, std::vector<std::uint32_t>(cnt.size(), 0));
    detail::parallel_for(pieces, threads, [&](std::size_t k, unsigned) {
      std::vector<std::uint32_t>& c = local[k];
      for (std::uint32_t i = static_cast<std::uint32_t>(n * k / pieces), to = static_cast<std::uint32_t>(n * (k + 1) / pieces); i < to; ++i) ++c[t[i]];
    });
    for (std::size_t a = 0; a < cnt.size(); ++a) {
      std::uint32_t sum = 0;
      for (const auto& c : local) sum += c[a];
      cnt[a] = sum;
    }
  } else {
    // Every range reads the whole text: a few ranges at most, or many threads would spend more
    // reading than they save.
    const std::size_t ranges = std::min<std::size_t>(pieces, 4);
    detail::parallel_for(ranges, threads, [&](std::size_t k, unsigned) {
      const std::size_t lo = cnt.size() * k / ranges, width = cnt.size() * (k + 1) / ranges - lo;
      std::fill(cnt.begin() + static_cast<std::ptrdiff_t>(lo), cnt.begin() + static_cast<std::ptrdiff_t>(lo + width), 0);
      for (std::uint32_t i = 0; i < n; ++i) {  // without a branch: a symbol of another range adds 0
        const std::size_t a = t[i];
        const bool mine = a - lo < width;
        cnt[mine ? a : lo] += mine;
      }
    });
  }
}

// How often each name occurs in the reduced string, into `cnt` (`names` of them), from the flags
// of its naming: bit i of `fresh` is set when the i-th sorted LMS substring differs from the one
// before it, so name g is given to the substrings from the g-th set bit to the next one (or to
// `n1`). A pass over the flags instead of over the reduced string: with a large alphabet
// count_symbols() reads the whole string once per range of names, and each count is a miss. On
// dense 1 GiB's first recursion level (33.7 M symbols, 14.3 M names) its types and counts took
// 0.35 s instead of 0.51, and the counts again after its own recursion as little.
void count_names(const std::vector<std::uint64_t>& fresh, std::uint32_t n1, std::uint32_t names,
                 std::vector<std::uint32_t>& cnt) {
  cnt.assign(names, 0);
  std::uint32_t name = 0, start = 0;
  bool first = true;
  for (std::size_t w = 0; w < fresh.size(); ++w)
    for (std::uint64_t b = fresh[w]; b != 0; b &= b - 1) {
      const auto i = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(b)));
      if (!first) cnt[name++] = i - start;
      first = false;
      start = i;
    }
  if (!first) cnt[name] = n1 - start;
}

// Bucket starts (or ends) of every symbol into `bkt`, from the counts `cnt`.
void buckets(const std::vector<std::uint32_t>& cnt, std::vector<std::uint32_t>& bkt, bool ends) {
  std::uint32_t sum = 0;
  for (std::size_t a = 0; a < cnt.size(); ++a) {
    bkt[a] = ends ? sum + cnt[a] : sum;
    sum += cnt[a];
  }
}

// Induced sorting: from the LMS suffixes placed at their buckets' ends, the L suffixes left to
// right (each from the suffix after it), then the S suffixes right to left. Every S slot is
// written before the right-to-left scan reaches it, so the LMS seeds there need no clearing.
//
// The symbol before each suffix is at a random place: it is fetched kAhead slots early, which
// overlaps the cache misses, as libsais does (and read a chunk of slots at a time, see Slot).
//
// The type of the suffix before is told from the symbols, beside the one fetched, and from where
// the suffix lies in its bucket, not from the type bits (a second random read per slot: on the
// dense 1 GiB corpus's 143 M characters, reading them made SA-IS 20% slower):
//  - left to right, only L suffixes and the LMS seeds are met, and j - 1 is L exactly when
//    t[j - 1] >= t[j] (for a seed, t[j - 1] > t[j]);
//  - right to left, j - 1 is S when t[j - 1] < t[j], or when they are equal and j is S; j is S
//    when its slot lies in its bucket's S part, which begins at the bucket's current end pointer
//    (every S slot at or after i is filled when i is reached). With a large alphabet (the
//    recursion's names: 14 M at the first level on that corpus) the pointers are a random read
//    too, and the type bit, from a smaller array, is read instead.
constexpr std::uint32_t kAhead = 32;
constexpr std::size_t kPointerAlphabet = std::size_t{1} << 18;  // bucket pointers: 1 MiB

template <class Sym>
void fetch_before(const Sym* t, std::uint32_t j) noexcept {
  if (j != kEmpty && j > 0) __builtin_prefetch(t + j - 1);
}

// One slot of sa as the induction reads it: the suffix j there and the symbols before and at it
// (only when j is a suffix with one before it); s: j is S (read only with a large alphabet).
template <class Sym>
struct Slot {
  std::uint32_t j;
  Sym before, at;
  bool s;
};

// Induction reads its slots a chunk at a time: each chunk's suffixes and the symbols around them
// are gathered first by a loop that does nothing else (fetching kAhead slots ahead), then placed.
// Placing branches on those symbols, and when it read them in place (fetched ahead the same way)
// each mispredicted branch waited on a miss. A slot of the chunk that placing writes before
// reaching it (an L suffix lands after the slot it is induced from, an S suffix before) is updated
// in the chunk as well, so placing sees what it would have read there. On the dense 1 GiB corpus's
// ranked text (143 M symbols) SA-IS took 24-30 s against 40-53 s in whole runs of the same
// sittings; this VM's times vary by up to 2x between runs (bench/RESULTS.md).
//
// Gathering was still 60-70% of the induction's time there, and placing has to stay on one thread
// (each slot's bucket pointer depends on every placement before it). With a second thread, chunk
// c + 1 is gathered while chunk c is placed, into the other of two buffers, as libsais's parallel
// induction does. Placing chunk c may write slots of chunk c + 1 while they are being gathered:
// those writes are kept as patches and applied to chunk c + 1's buffer before it is placed, so
// whatever the gatherer read there is replaced by what placing wrote. Writes further ahead are
// seen by the gatherer, which starts chunk c + 2 only once chunk c is placed. The slots both
// threads touch are read and written as relaxed atomics (plain moves on x86).
constexpr std::uint32_t kChunk = 4096;

// A placement into the chunk after the one being placed: its slot and what gathering would read.
template <class Sym>
struct Patch {
  std::uint32_t slot;
  Slot<Sym> x;
};

// Waits until `a` reaches `v`: spinning, since a chunk takes tens of microseconds, then yielding,
// so that a machine with fewer free cores than threads still makes progress.
void wait_until(const std::atomic<std::uint32_t>& a, std::uint32_t v) noexcept {
  for (unsigned spins = 0; a.load(std::memory_order_acquire) < v; ++spins) {
    if (spins < 4096) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      std::this_thread::yield();
    }
  }
}

// Runs gather(c, buffer) and place(c, buffer) for chunks c = 0, 1, ..., place in order, chunk c in
// buffer c % 2. With two threads, gather runs on a second one a chunk ahead: it may start chunk c
// once chunk c - 2 is placed (its buffer is free then, and every write before chunk c - 1's is
// visible to it). One thread gathers chunk c + 1 before placing chunk c: the order in which the
// patches matter most, so that the tests check them however the two threads would have run.
template <class Gather, class Place>
void chunked_pass(std::uint32_t chunks, unsigned threads, Gather&& gather, Place&& place) {
  auto alone = [&] {
    if (chunks > 0) gather(0, 0);
    for (std::uint32_t c = 0; c < chunks; ++c) {
      if (c + 1 < chunks) gather(c + 1, (c + 1) % 2);
      place(c, c % 2);
    }
  };
  if (threads < 2 || chunks < 2) return alone();
  std::atomic<std::uint32_t> gathered{0}, placed{0};
  std::thread helper;
  try {
    helper = std::thread([&] {
      for (std::uint32_t c = 0; c < chunks; ++c) {
        if (c >= 2) wait_until(placed, c - 1);
        gather(c, c % 2);
        gathered.store(c + 1, std::memory_order_release);
      }
    });
  } catch (const std::system_error&) {  // no thread to be had: gather in turn
    return alone();
  }
  for (std::uint32_t c = 0; c < chunks; ++c) {
    wait_until(gathered, c + 1);
    place(c, c % 2);
    placed.store(c + 1, std::memory_order_release);
  }
  helper.join();
}

template <class Sym>
void induce(const Sym* t, std::uint32_t* sa, std::uint32_t n, const Types& ty, const std::vector<std::uint32_t>& cnt,
            std::vector<std::uint32_t>& bkt, unsigned threads) {
  const bool by_pointer = bkt.size() <= kPointerAlphabet;
  const std::uint32_t chunks = n / kChunk + (n % kChunk != 0);  // n + kChunk - 1 may overflow
  std::vector<Slot<Sym>> buffer[2];
  for (auto& b : buffer) b.resize(std::min(n, kChunk));
  std::vector<Patch<Sym>> patches;
  patches.reserve(kChunk);  // one chunk places at most kChunk suffixes: never reallocated
  auto load = [sa](std::uint32_t k) { return std::atomic_ref<std::uint32_t>(sa[k]).load(std::memory_order_relaxed); };
  auto store = [sa](std::uint32_t k, std::uint32_t v) {
    std::atomic_ref<std::uint32_t>(sa[k]).store(v, std::memory_order_relaxed);
  };
  // Gathers slots [from, to) into `chunk`, with the type bits when `types` (only right to left
  // needs them).
  auto gather = [&](std::vector<Slot<Sym>>& chunk, std::uint32_t from, std::uint32_t to, bool types) {
    for (std::uint32_t k = from; k < to; ++k) {
      if (k + kAhead < to) {
        const std::uint32_t f = load(k + kAhead);
        fetch_before(t, f);
        if (types && f != kEmpty) ty.prefetch(f);
      }
      const std::uint32_t j = load(k);
      Slot<Sym>& x = chunk[k - from];
      x.j = j;
      if (j != kEmpty && j > 0) {
        x.before = t[j - 1];
        x.at = t[j];
        x.s = types && ty.s(j);
      }
    }
  };
  // What gathering reads at a slot where suffix j was placed, j being of the type `s`.
  auto slot_of = [t](std::uint32_t j, Sym at, bool s) { return Slot<Sym>{j, j > 0 ? t[j - 1] : Sym{}, at, s}; };
  auto apply_patches = [&](std::vector<Slot<Sym>>& chunk, std::uint32_t from) {
    for (const Patch<Sym>& p : patches) chunk[p.slot - from] = p.x;
    patches.clear();
  };

  buckets(cnt, bkt, false);
  sa[bkt[t[n - 1]]++] = n - 1;  // induced by the virtual sentinel, the smallest suffix
  // Left to right: an L suffix j - 1 goes after j's slot. Chunk c is [c * kChunk, ...).
  chunked_pass(
      chunks, threads,
      [&](std::uint32_t c, unsigned b) { gather(buffer[b], c * kChunk, c * kChunk + std::min(n - c * kChunk, kChunk), false); },
      [&](std::uint32_t c, unsigned b) {
        const std::uint32_t from = c * kChunk, to = from + std::min(n - from, kChunk);
        std::vector<Slot<Sym>>& chunk = buffer[b];
        apply_patches(chunk, from);
        for (std::uint32_t i = from; i < to; ++i) {
          const Slot<Sym>& x = chunk[i - from];
          if (x.j == kEmpty || x.j == 0) continue;
          if (x.before >= x.at) {
            const std::uint32_t slot = bkt[x.before]++, j = x.j - 1;
            store(slot, j);
            if (slot < to) chunk[slot - from] = slot_of(j, x.before, false);
            else if (slot - to < kChunk) patches.push_back({slot, slot_of(j, x.before, false)});
          }
        }
      });
  patches.clear();  // any left are for slots past the end
  buckets(cnt, bkt, true);
  // Right to left: an S suffix j - 1 goes before j's slot. Chunk c ends at n - c * kChunk.
  auto bounds = [n](std::uint32_t c) {
    const std::uint32_t to = n - c * kChunk;
    return std::pair{to > kChunk ? to - kChunk : 0, to};
  };
  chunked_pass(
      chunks, threads,
      [&](std::uint32_t c, unsigned b) {
        const auto [from, to] = bounds(c);
        gather(buffer[b], from, to, !by_pointer);
      },
      [&](std::uint32_t c, unsigned b) {
        const auto [from, to] = bounds(c);
        std::vector<Slot<Sym>>& chunk = buffer[b];
        apply_patches(chunk, from);
        for (std::uint32_t i = to; i-- > from;) {
          const Slot<Sym>& x = chunk[i - from];
          if (x.j == kEmpty || x.j == 0) continue;
          const Sym c0 = x.before, c1 = x.at;
          if (c0 < c1 || (c0 == c1 && (by_pointer ? i >= bkt[c1] : x.s))) {
            const std::uint32_t slot = --bkt[c0], j = x.j - 1;
            store(slot, j);
            if (slot >= from) chunk[slot - from] = slot_of(j, c0, true);
            else if (from - slot <= kChunk) patches.push_back({slot, slot_of(j, c0, true)});
          }
        }
      });
}

// Whether the LMS substrings at a and b (up to and including the next LMS position) are equal in
// symbols and types. One that reaches the end holds the sentinel, so it equals no other.
template <class Sym>
bool same_lms_substring(const Sym* t, std::uint32_t n, const Types& ty, std::uint32_t a, std::uint32_t b) {
  for (std::uint32_t d = 0;; ++d) {
    if (a + d == n || b + d == n) return false;
    if (t[a + d] != t[b + d] || ty.s(a + d) != ty.s(b + d)) return false;
    if (d > 0 && ty.lms(a + d)) return true;  // equal types so far: b + d is LMS too
  }
}

// How many pieces of whole words a per-position pass over `words` words is split into: a few per
// thread, so that an uneven piece does not leave a core idle; one for short texts.
std::size_t pieces_of(std::size_t words, unsigned threads) {
  return threads <= 1 || words < 64 ? 1 : std::size_t{4} * threads;
}

// `named`: for a reduced string, the naming flags of the level above (count_names()), whose counts
// are t's; null at the top level.
template <class Sym>
void sais(const Sym* t, std::uint32_t* sa, std::uint32_t n, std::uint32_t alphabet, unsigned threads,
          const std::vector<std::uint64_t>* named = nullptr) {
  if (n == 0) return;
  if (n == 1) {
    sa[0] = 0;
    return;
  }
  Types ty(n);
  {
    // Right to left, a word of 64 types at a time, without branches (comparing CJK ranks is a coin
    // toss). On all threads, in pieces of whole words: a piece starts from the type of the position
    // after it, which is that of the first unequal pair from there on (an equal symbol takes the
    // type of the one after it) or L for a run to the end (position n - 1 is L).
    const std::size_t words = (std::size_t{n} + 63) / 64;
    const std::size_t pieces = pieces_of(words, threads);
    const std::size_t per = (words + pieces - 1) / pieces;  // words per piece
    detail::parallel_for(pieces, threads, [&](std::size_t k, unsigned) {
      const std::size_t wfrom = k * per, wto = std::min(words, (k + 1) * per);
      if (wfrom >= wto) return;
      const auto to = static_cast<std::uint32_t>(std::min<std::size_t>(n, wto * 64));
      bool next_s = false;
      if (to < n) {
        std::uint32_t j = to;
        while (j + 1 < n && t[j] == t[j + 1]) ++j;
        next_s = j + 1 < n && t[j] < t[j + 1];
      }
      for (std::size_t w = wto; w-- > wfrom;) {
        std::uint64_t bits = 0;
        for (auto i = static_cast<std::uint32_t>(std::min<std::size_t>(n, w * 64 + 64)); i-- > w * 64;) {
          const bool s = i + 1 < n && ((t[i] < t[i + 1]) | ((t[i] == t[i + 1]) & next_s));
          bits |= std::uint64_t{s} << (i % 64);
          next_s = s;
        }
        ty.set_word(w, bits);
      }
    });
  }
  std::vector<std::uint32_t> cnt(alphabet), bkt(alphabet);
  auto count = [&] {
    if (named) count_names(*named, n, alphabet, cnt);
    else count_symbols(t, n, cnt, threads);
  };
  count();

  // 1. LMS substrings sorted by induction. Cleared on all threads: at the top level these are the
  // first writes to the array's pages, whose clearing by the kernel then runs on each thread.
  {
    const std::size_t pieces = pieces_of((std::size_t{n} + 63) / 64, threads);
    detail::parallel_for(pieces, threads, [&](std::size_t k, unsigned) {
      std::fill(sa + n * k / pieces, sa + n * (k + 1) / pieces, kEmpty);
    });
  }
  buckets(cnt, bkt, true);
  ty.for_each_lms([&](std::uint32_t i) { sa[--bkt[t[i]]] = i; });
  induce(t, sa, n, ty, cnt, bkt, threads);
  // The loops below read (or write) at random places chosen by the entries of sa: each fetches
  // kAhead entries early, as induce() does.
  // The sorted LMS substrings to the front of sa, in order: on all threads, in pieces, each moving
  // its LMS entries to the front of its own range (its writes never pass its reads), then the
  // pieces' runs moved down in order. (One thread: a third of SA-IS's own loop time at the top
  // level of dense 1 GiB, waiting on the types of random positions.)
  std::uint32_t n1 = 0;
  {
    const std::size_t pieces = pieces_of((std::size_t{n} + 63) / 64, threads);
    std::vector<std::uint32_t> found(pieces, 0);
    detail::parallel_for(pieces, threads, [&](std::size_t k, unsigned) {
      const auto from = static_cast<std::uint32_t>(std::size_t{n} * k / pieces);
      const auto to = static_cast<std::uint32_t>(std::size_t{n} * (k + 1) / pieces);
      std::uint32_t out = from;
      for (std::uint32_t i = from; i < to; ++i) {
        if (i + kAhead < to && sa[i + kAhead] != kEmpty) ty.prefetch(sa[i + kAhead]);
        if (sa[i] != kEmpty && ty.lms(sa[i])) sa[out++] = sa[i];
      }
      found[k] = out - from;
    });
    for (std::size_t k = 0; k < pieces; ++k) {
      const std::size_t from = std::size_t{n} * k / pieces;  // at or past n1: the run moves down
      if (from != n1) std::memmove(sa + n1, sa + from, std::size_t{found[k]} * sizeof(std::uint32_t));
      n1 += found[k];
    }
  }

  // 2. Names, in order, at n1 + pos / 2 (LMS positions are at least 2 apart; n1 <= n / 2), then
  // packed at the end of sa: the reduced string s1. Whether each sorted LMS substring differs from
  // the one before it is a comparison of its own, so the flags are found on all threads, in pieces
  // of whole 64-bit words (no two threads write one word); then each piece writes its names,
  // counting on from the flags of the pieces before it.
  std::fill(sa + n1, sa + n, kEmpty);
  const std::size_t words = (std::size_t{n1} + 63) / 64;
  std::vector<std::uint64_t> fresh(words, 0);  // bit i: substring i differs from substring i - 1
  const std::size_t pieces = pieces_of(words, threads);
  const std::size_t per = (words + pieces - 1) / pieces * 64;  // flags per piece
  auto piece = [&](std::size_t k) {
    return std::pair{static_cast<std::uint32_t>(std::min<std::size_t>(n1, k * per)),
                     static_cast<std::uint32_t>(std::min<std::size_t>(n1, (k + 1) * per))};
  };
  detail::parallel_for(pieces, threads, [&](std::size_t k, unsigned) {
    const auto [from, to] = piece(k);
    for (std::uint32_t i = from; i < to; ++i) {
      if (i + kAhead < to) {
        const std::uint32_t f = sa[i + kAhead];
        __builtin_prefetch(t + f);
        ty.prefetch(f);
      }
      if (i == 0 || !same_lms_substring(t, n, ty, sa[i], sa[i - 1])) fresh[i / 64] |= std::uint64_t{1} << (i % 64);
    }
  });
  std::vector<std::uint32_t> names_before(pieces + 1, 0);
  for (std::size_t k = 0; k < pieces; ++k) {
    std::uint32_t count = 0;
    for (std::size_t w = k * per / 64; w < std::min(words, (k + 1) * per / 64); ++w)
      count += static_cast<std::uint32_t>(std::popcount(fresh[w]));
    names_before[k + 1] = names_before[k] + count;
  }
  const std::uint32_t names = names_before[pieces];
  detail::parallel_for(pieces, threads, [&](std::size_t k, unsigned) {
    const auto [from, to] = piece(k);
    std::uint32_t name = names_before[k];
    for (std::uint32_t i = from; i < to; ++i) {
      if (i + kAhead < to) __builtin_prefetch(sa + n1 + sa[i + kAhead] / 2, 1);
      name += static_cast<std::uint32_t>((fresh[i / 64] >> (i % 64)) & 1);
      sa[n1 + sa[i] / 2] = name - 1;
    }
  });
  std::uint32_t* s1 = sa + n - n1;
  for (std::uint32_t i = n, j = n; i-- > n1;)
    if (sa[i] != kEmpty) sa[--j] = sa[i];
  if (names < n1) {
    std::vector<std::uint32_t>().swap(bkt);  // the recursion needs the memory more
    std::vector<std::uint32_t>().swap(cnt);
    sais<std::uint32_t>(s1, sa, n1, names, threads, &fresh);  // the flags stay for its counts
    bkt.resize(alphabet);
    cnt.resize(alphabet);
    count();
  } else {
    for (std::uint32_t i = 0; i < n1; ++i) sa[s1[i]] = i;
  }
  std::vector<std::uint64_t>().swap(fresh);

  // 3. The LMS suffixes in order at their buckets' ends, then the rest induced.
  ty.for_each_lms([&, j = std::uint32_t{0}](std::uint32_t i) mutable { s1[j++] = i; });
  // Ranks to positions: independent reads (s1 lies above n1), split among the threads.
  detail::parallel_for(pieces, threads, [&](std::size_t k, unsigned) {
    const auto [from, to] = piece(k);
    for (std::uint32_t i = from; i < to; ++i) {
      if (i + kAhead < to) __builtin_prefetch(s1 + sa[i + kAhead]);
      sa[i] = s1[sa[i]];
    }
  });
  std::fill(sa + n1, sa + n, kEmpty);
  buckets(cnt, bkt, true);
  // The slot of the i-th smallest LMS suffix is at least i, so moving right to left is safe.
  constexpr std::uint32_t kRunAlphabet = std::uint32_t{1} << 20;
  if (alphabet <= kRunAlphabet) {
    // Sorted, the LMS suffixes of each first symbol are one run of sa[0, n1): each run moves to its
    // bucket's end as a block, highest symbol first. The runs' lengths are counted from the LMS
    // positions in text order, so no suffix's symbol is read at a random place (suffix by suffix,
    // that was a quarter of SA-IS's own loop time at the top level of dense 1 GiB, on one thread).
    // A large alphabet (the names of a deep level) would need another array as large: suffix by suffix.
    std::vector<std::uint32_t> lms_count(alphabet, 0);
    ty.for_each_lms([&](std::uint32_t i) { ++lms_count[t[i]]; });
    std::uint32_t run_end = n1;
    for (std::uint32_t c = alphabet; c-- > 0 && run_end > 0;) {
      const std::uint32_t count = lms_count[c];
      if (count == 0) continue;
      const std::uint32_t run_start = run_end - count, place = bkt[c] - count;  // place >= run_start
      if (place != run_start) {
        std::memmove(sa + place, sa + run_start, std::size_t{count} * sizeof(std::uint32_t));
        // What the run leaves below its place; higher runs' places all lie above it.
        std::fill(sa + run_start, sa + std::min(run_end, place), kEmpty);
      }
      run_end = run_start;
    }
  } else {
    for (std::uint32_t i = n1; i-- > 0;) {
      if (i >= kAhead) __builtin_prefetch(t + sa[i - kAhead]);
      const std::uint32_t j = sa[i];
      sa[i] = kEmpty;
      sa[--bkt[t[j]]] = j;
    }
  }
  induce(t, sa, n, ty, cnt, bkt, threads);
}

template <class Sym, class Array>
void build(std::span<const Sym> text, std::uint32_t alphabet, Array& sa, unsigned threads) {
  if (text.size() >= kNoSuffix) throw std::length_error("suffix_array: text longer than 2^32 - 2 symbols");
  sa.resize(text.size());  // sais() clears it (for a PositionArray, its first writes)
  sais<Sym>(text.data(), sa.data(), static_cast<std::uint32_t>(text.size()), alphabet, threads);
}

template <bool kMarked, class Sym, class Array>
void plcp_of(std::span<const Sym> text, std::span<const std::uint32_t> sa, Array& plcp, unsigned threads) {
  const std::size_t n = text.size();
  plcp.resize(n);  // a PositionArray's pages are first written by the Phi pass, on every thread
  if (n == 0) return;
  threads = std::max(1u, threads);
  const std::size_t chunk = (n + threads - 1) / threads;
  // Phi: the suffix before each one in sa, by position; then its LCP, in place. Each worker
  // takes a range of positions and carries the count down the text (it falls by at most one
  // per position), starting from 0.
  plcp[sa[0]] = kEmpty;
  detail::parallel_for(threads, threads, [&](std::size_t w, unsigned) {
    for (std::size_t i = std::max<std::size_t>(1, w * chunk); i < std::min(n, (w + 1) * chunk); ++i) plcp[sa[i]] = sa[i - 1];
  });
  std::atomic<bool> too_long{false};
  detail::parallel_for(threads, threads, [&](std::size_t w, unsigned) {
    std::size_t h = 0;
    const std::size_t end = std::min(n, (w + 1) * chunk);
    for (std::size_t p = w * chunk; p < end; ++p) {
      // The suffix before is at a random place: its text is fetched a few positions early.
      constexpr std::size_t kAhead = 16;
      if (p + kAhead < end && plcp[p + kAhead] != kEmpty && plcp[p + kAhead] > 0)
        __builtin_prefetch(text.data() + plcp[p + kAhead] - 1);
      const std::uint32_t j = plcp[p];
      std::uint32_t flags = 0;
      if constexpr (kMarked) {
        if (text[p] == 0) flags |= kLcpSeparator;
        // (A 0 before q differs from the symbol before p unless that is 0 too, which is caught.)
        if (j == kEmpty || p == 0 || j == 0 || text[p - 1] == 0 || text[p - 1] != text[j - 1]) flags |= kLcpLeftDiffers;
      }
      if (j == kEmpty) {
        plcp[p] = flags;
        h = 0;
        continue;
      }
      while (p + h < n && j + h < n && text[p + h] != 0 && text[p + h] == text[j + h]) ++h;
      if constexpr (kMarked) {
        if (h > kLcpMask) too_long = true;
      }
      plcp[p] = static_cast<std::uint32_t>(h) | flags;
      if (h > 0) --h;
    }
  });
  if (too_long) throw std::length_error("permuted_lcp_marked: a common prefix of 2^30 symbols or more");
}

}  // namespace

void suffix_array(std::span<const std::uint16_t> text, std::uint32_t alphabet, std::vector<std::uint32_t>& sa,
                  unsigned threads) {
  build(text, alphabet, sa, threads);
}

void suffix_array(std::span<const std::uint32_t> text, std::uint32_t alphabet, std::vector<std::uint32_t>& sa,
                  unsigned threads) {
  build(text, alphabet, sa, threads);
}

void suffix_array(std::span<const std::uint16_t> text, std::uint32_t alphabet, PositionArray& sa, unsigned threads) {
  build(text, alphabet, sa, threads);
}

void suffix_array(std::span<const std::uint32_t> text, std::uint32_t alphabet, PositionArray& sa, unsigned threads) {
  build(text, alphabet, sa, threads);
}

void permuted_lcp(std::span<const std::uint16_t> text, std::span<const std::uint32_t> sa, std::vector<std::uint32_t>& plcp,
                  unsigned threads) {
  plcp_of<false>(text, sa, plcp, threads);
}

void permuted_lcp(std::span<const std::uint32_t> text, std::span<const std::uint32_t> sa, std::vector<std::uint32_t>& plcp,
                  unsigned threads) {
  plcp_of<false>(text, sa, plcp, threads);
}

void permuted_lcp_marked(std::span<const std::uint16_t> text, std::span<const std::uint32_t> sa,
                         std::vector<std::uint32_t>& plcp, unsigned threads) {
  plcp_of<true>(text, sa, plcp, threads);
}

void permuted_lcp_marked(std::span<const std::uint32_t> text, std::span<const std::uint32_t> sa,
                         std::vector<std::uint32_t>& plcp, unsigned threads) {
  plcp_of<true>(text, sa, plcp, threads);
}

void permuted_lcp_marked(std::span<const std::uint16_t> text, std::span<const std::uint32_t> sa, PositionArray& plcp,
                         unsigned threads) {
  plcp_of<true>(text, sa, plcp, threads);
}

void permuted_lcp_marked(std::span<const std::uint32_t> text, std::span<const std::uint32_t> sa, PositionArray& plcp,
                         unsigned threads) {
  plcp_of<true>(text, sa, plcp, threads);
}

}  // namespace recur
