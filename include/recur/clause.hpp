#pragma once
/// \file clause.hpp
/// Clause boundaries for the texts `recur phrases` shows. A maximal repeat ends wherever its
/// occurrences stop agreeing, which is often inside a word (…思想为指 for …思想为指导): the shown
/// core and extent of a template are moved to the nearest clause punctuation when its
/// occurrences allow (clause_bounds()).
///
/// Content characters leave punctuation out, so the boundaries are recorded while the content is
/// extracted (Content::clause_after) and kept per character of the SegmentedText (ClauseMarks).
/// The characters themselves are freed by the pipeline before the templates are made (they would
/// stand under the grouping's peak), so what the bounds need from them is taken first, per
/// candidate: its Continuations.
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "recur/phrases.hpp"

namespace recur {

// Boundary and BoundaryBits are declared in phrases.hpp (Content records them).

/// The boundary punctuation `c` makes: Boundary::clause for ，。；：！？ in their full-width,
/// half-width and ASCII forms, Boundary::list for the enumeration comma 、 (and ､), else none. An
/// ASCII , . : before a digit is part of a number (1,000 3.5 10:30): extract_content() sees to it.
Boundary boundary_of(char32_t c) noexcept;

/// Per content character of a SegmentedText: the clause boundary (clause punctuation, or the start
/// or end of its paragraph) just after it, in two bits; and per segment the one just before its
/// first character, which is not in the text when the segment is a stretch of its paragraph. The
/// boundary before any other character is the one after the character before it.
class ClauseMarks {
 public:
  /// Appends the next segment: characters [first, first + count) of `after`, the
  /// Content::clause_after of paragraphs laid end to end, in the paragraph that starts at
  /// `paragraph`. One call per segment of the SegmentedText, in its order.
  void append(const BoundaryBits& after, std::size_t paragraph, std::size_t first, std::size_t count);
  /// Appends the marks of `more` (the segments that follow this text's).
  void append(const ClauseMarks& more);
  /// The boundary before character `pos` of `text` (the text these marks were made for).
  Boundary before(const SegmentedText& text, std::uint32_t pos) const noexcept {
    return before(text, pos, text.segment_of(pos));
  }
  /// The same, when the caller knows `pos` lies in segment `seg` (no search).
  Boundary before(const SegmentedText& text, std::uint32_t pos, std::size_t seg) const noexcept {
    return pos == text.segment_start[seg] ? segment_before_[seg] : after_[pos - 1];
  }
  Boundary after(std::uint32_t pos) const noexcept { return after_[pos]; }
  std::size_t size() const noexcept { return after_.size(); }
  void reserve(std::size_t chars, std::size_t segments) {
    after_.reserve(chars);
    segment_before_.reserve(segments);
  }

 private:
  BoundaryBits after_, segment_before_;
};

/// The characters just past the ends of a candidate that enough of its occurrences share, taken
/// while the characters are there. The shared continuation on the right is found a character at a
/// time: of the occurrences that have it so far, those followed by the character in the most
/// documents (ties: the smaller character) carry it on while they are in at least
/// TemplateOptions::clause_share of the candidate's documents; at most clause_reach characters,
/// never past the end of a segment. The left one likewise, backwards. A direction whose end is at
/// a clause boundary already (at that share) is not looked at.
struct Continuations {
  /// Per candidate: the lengths of its shared continuations and where the bytes of its
  /// occurrences start in `shared`.
  struct Entry {
    std::uint8_t right = 0, left = 0;
    std::uint32_t first = 0;
  };
  std::vector<Entry> of;
  /// Per occurrence of a candidate with a continuation (in its occurrence order): how many
  /// characters of the right continuation it has (low 4 bits) and of the left one (high 4 bits).
  /// Candidates without one have no bytes here.
  std::vector<std::uint8_t> shared;

  /// The bytes of candidate `c`'s occurrences; empty when it has no continuation.
  std::span<const std::uint8_t> shared_of(std::size_t c) const noexcept {
    const Entry& e = of[c];
    if (e.right == 0 && e.left == 0) return {};
    const std::size_t end = c + 1 < of.size() ? of[c + 1].first : shared.size();
    return {shared.data() + e.first, end - e.first};
  }
};

/// The continuations of one span: the occurrences `occurrences` (by start, each `length`
/// characters) of a span of `text`, whose characters must be there. Returns the lengths and
/// appends one byte per occurrence to `shared` when either is not 0.
Continuations::Entry span_continuation(const SegmentedText& text, const ClauseMarks& marks,
                                       std::span<const Occurrence> occurrences, const TemplateOptions& options,
                                       std::vector<std::uint8_t>& shared);

/// span_continuation() of every candidate, in candidate order, `threads` at a time (the result does
/// not depend on the number). Reads text.chars, which must still be there.
Continuations candidate_continuations(const std::vector<Candidate>& candidates, const SegmentedText& text,
                                      const ClauseMarks& marks, const TemplateOptions& options, unsigned threads = 1);

/// The same over `count` candidates given by their occurrences.
Continuations candidate_continuations(std::size_t count, const OccurrencesOf& occurrences_of, const SegmentedText& text,
                                      const ClauseMarks& marks, const TemplateOptions& options, unsigned threads = 1);

/// candidate_continuations() for threads that join the work when they are free (repeat_candidates()'s
/// AlongsideFn): any number of threads call work() at once, each taking blocks of candidates
/// until none is left; once every call has returned, finish() joins the blocks. The same result
/// for any number of threads and calls. `text` and `marks` must outlive it.
class ContinuationsBuilder {
 public:
  ContinuationsBuilder(std::size_t count, const SegmentedText& text, const ClauseMarks& marks,
                       const TemplateOptions& options);
  /// Works on blocks not yet taken until none is left. Thread-safe.
  void work(const OccurrencesOf& occurrences_of);
  /// The continuations, joined on `threads` threads; call once, after every work() has returned.
  Continuations finish(unsigned threads = 1);

 private:
  static constexpr std::size_t kBlock = std::size_t{1} << 14;  // candidates a block
  std::size_t count_;
  const SegmentedText* text_;
  const ClauseMarks* marks_;
  TemplateOptions options_;
  std::atomic<std::size_t> next_{0};               // the next block to take
  std::vector<std::vector<std::uint8_t>> bytes_;   // per block of kBlock candidates: their bytes
  Continuations out_;
};

/// How far the shown span of a candidate lies from the candidate at each end, in characters:
/// shown = [start - extend_begin + trim_begin, start + length + extend_end - trim_end). At most
/// one of extend and trim is nonzero at each end.
struct ClauseBounds {
  std::uint32_t extend_begin = 0, trim_begin = 0, extend_end = 0, trim_end = 0;
  friend bool operator==(const ClauseBounds&, const ClauseBounds&) = default;
};

/// The clause bounds of candidate `c`, at each end, by the first rule that applies (a boundary
/// "holds" when it is there at occurrences in at least TemplateOptions::clause_share of the
/// candidate's documents):
///  1. the end is at a clause boundary already: it stays;
///  2. *extension*: a boundary holds after the first e characters of its continuation, at the
///     occurrences that have them (the smallest such e): the end moves out by e;
///  3. *trim*: a clause boundary (not an enumeration comma: that would drop a whole item of a list
///     that ends complete) holds t <= clause_reach characters inside the end (the smallest t), and
///     the span keeps at least `min_chars` characters: the end moves in by t (a part of a span
///     occurs wherever it does, so its counts hold);
///  4. otherwise the occurrences disagree: it stays.
/// Reads no characters: the marks, the segments of `text` (for documents) and `continuation`
/// (this candidate's entry and bytes).
ClauseBounds clause_bounds(const Candidate& c, const SegmentedText& text, const ClauseMarks& marks,
                           const Continuations::Entry& continuation, std::span<const std::uint8_t> shared,
                           const TemplateOptions& options, unsigned min_chars);

/// The occurrences of `c` that have its bounds' extensions, moved to the bounds (the shown span),
/// at most `limit` of them, in order.
std::vector<Occurrence> bounded_occurrences(const Candidate& c, const ClauseBounds& bounds,
                                            std::span<const std::uint8_t> shared, std::size_t limit = SIZE_MAX);

/// Moves the shown core and extent of every template made of candidates (parts == 1) to their
/// clause bounds: Template::chars, extent_chars, shown_core and shown_extent, and the score. Where
/// a bound extends its candidate, the extended stretches join the template's occurrences (merged
/// where they overlap, so the places stay distinct; the documents stay the same). Chained
/// templates are left as they are (their shown texts are their locations). Templates are bound
/// `threads` at a time (each on its own: the result does not depend on the number).
void clause_templates(std::vector<Template>& templates, const std::vector<Candidate>& candidates,
                      const SegmentedText& text, const ClauseMarks& marks, const Continuations& continuations,
                      const TemplateOptions& options, unsigned min_chars, unsigned threads = 1);

}  // namespace recur
