// Suffix array and LCP construction over integer alphabets, in little memory.
//
// `recur phrases` finds maximal repeats over the content characters of a whole corpus. Its text
// is CJK: thousands of distinct characters, so a byte-oriented construction (libdivsufsort) needs
// each character spelled as 2 bytes and a suffix array over twice as many positions (8 bytes per
// character, half of them thrown away). SA-IS (Nong, Zhang and Chan 2009, "Linear suffix array
// construction by almost pure induced sorting") works on the character ranks directly: the
// suffix array (4 bytes per character) is the only large array, the reduced problem of the
// recursion lives inside it, and its time is linear whatever the text repeats.
//
// The LCP is built as the permuted LCP (Kärkkäinen, Manzini and Puglisi 2009, the Phi method):
// one more array of 4 bytes per character, indexed by text position, computed in place.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "recur/uninitialised.hpp"

namespace recur {

/// Positions or LCPs, one per text position, not cleared when sized. A std::vector clears its 4
/// bytes a character on one thread before the construction fills it (on dense 1 GiB's 143 M
/// characters, page clearing and the pass itself took about a second of one thread, per array);
/// here the first writes are the workers' own.
using PositionArray = UninitialisedVector<std::uint32_t>;

/// Marks `sa` entries that hold no suffix (never returned).
inline constexpr std::uint32_t kNoSuffix = UINT32_MAX;

/// The suffix array of `text` (symbols in [0, alphabet)), into `sa` (resized to text.size()):
/// the start positions of all suffixes in lexicographic order, a suffix that is a proper prefix
/// of another sorting first. text.size() must be below 2^32 - 1. Linear time; besides `sa`, it
/// uses the alphabet's bucket counts, a bit per position, and at deeper levels of the recursion
/// a bucket array of at most a third of the text. With `threads` of 2 or more, a second thread
/// gathers what each induction pass reads while the calling one places (more threads are not
/// used); the result is the same.
void suffix_array(std::span<const std::uint16_t> text, std::uint32_t alphabet, std::vector<std::uint32_t>& sa,
                  unsigned threads = 1);
void suffix_array(std::span<const std::uint32_t> text, std::uint32_t alphabet, std::vector<std::uint32_t>& sa,
                  unsigned threads = 1);
void suffix_array(std::span<const std::uint16_t> text, std::uint32_t alphabet, PositionArray& sa, unsigned threads = 1);
void suffix_array(std::span<const std::uint32_t> text, std::uint32_t alphabet, PositionArray& sa, unsigned threads = 1);

/// The permuted LCP of `text` given its suffix array `sa`: plcp[p] is the length of the longest
/// common prefix of the suffix at p and the suffix before it in `sa` (0 for the first). Symbol 0
/// never matches, not even itself, so no common prefix runs through a separator. `plcp` is
/// resized to text.size(); `threads` workers share the positions (each range restarts the count,
/// so the result is the same for any count).
void permuted_lcp(std::span<const std::uint16_t> text, std::span<const std::uint32_t> sa, std::vector<std::uint32_t>& plcp,
                  unsigned threads = 1);
void permuted_lcp(std::span<const std::uint32_t> text, std::span<const std::uint32_t> sa, std::vector<std::uint32_t>& plcp,
                  unsigned threads = 1);

/// permuted_lcp() with two facts about each suffix p and the suffix q before it in `sa` packed
/// above the LCP, for a sweep over the suffix array that then reads one array at each suffix
/// instead of two (the text beside each suffix was a second random read; the facts are taken here,
/// where the text around p is read in order and around q anyway):
///  - kLcpSeparator: text[p] is 0 (the suffix starts at a separator);
///  - kLcpLeftDiffers: the symbols before p and before q differ, or either is 0 or absent (p or q
///    is 0), or p is the first suffix.
/// plcp[p] & kLcpMask is the LCP. Throws std::length_error when an LCP would not fit in its 30
/// bits, i.e. when the text has 2^30 symbols or more without a 0 between them.
inline constexpr std::uint32_t kLcpSeparator = std::uint32_t{1} << 31;
inline constexpr std::uint32_t kLcpLeftDiffers = std::uint32_t{1} << 30;
inline constexpr std::uint32_t kLcpMask = kLcpLeftDiffers - 1;
void permuted_lcp_marked(std::span<const std::uint16_t> text, std::span<const std::uint32_t> sa,
                         std::vector<std::uint32_t>& plcp, unsigned threads = 1);
void permuted_lcp_marked(std::span<const std::uint32_t> text, std::span<const std::uint32_t> sa,
                         std::vector<std::uint32_t>& plcp, unsigned threads = 1);
void permuted_lcp_marked(std::span<const std::uint16_t> text, std::span<const std::uint32_t> sa, PositionArray& plcp,
                         unsigned threads = 1);
void permuted_lcp_marked(std::span<const std::uint32_t> text, std::span<const std::uint32_t> sa, PositionArray& plcp,
                         unsigned threads = 1);

}  // namespace recur
