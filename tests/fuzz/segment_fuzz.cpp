// Fuzz target: recur::segment (segment.hpp) with --strip and --doc-split ranges.
//
// Input: byte 0 picks the paragraph mode (bits 0-1: auto, indent, lines, auto), the --strip
// patterns (bits 2-4, 0 = none) and the --doc-split pattern (bits 5-7, 0 = none), as the CLI
// would find them with recur::Pattern; the rest, made valid UTF-8, is the decoded file.
//
// Invariants:
// - paragraphs lie inside the text, in order and disjoint, start and end on characters that are
//   neither white space nor stripped, and their line numbers match the newlines before them;
// - every line with content (a character neither white space nor stripped) is in exactly one
//   paragraph, and no paragraph contains a line without content;
// - lines mode gives one paragraph per line;
// - documents are in line order, and each paragraph lies inside its document;
// - automatic mode gives what its chosen mode gives, and segmenting twice gives the same result.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.hpp"
#include "recur/scan.hpp"
#include "recur/segment.hpp"
#include "recur/text.hpp"

namespace {

using recur::ParagraphMode;
using recur::Range;
using recur::Segmentation;

// --strip choices: sets of markers a user might strip (index 0: none).
const std::vector<std::vector<const char*>> kStrip = {
    {},
    {"##paid(begin|end)##"},
    {"\\[[^\\]\\n]*\\]"},
    {"\\s+"},                      // white space, newlines included: ranges that cross lines
    {"[0-9０-９]+"},
    {"\\p{P}"},                    // every punctuation mark, sentence-final ones included
    {"."},                         // everything but line ends
    {"##paid(begin|end)##", "\\s+", "第"},  // several patterns whose ranges touch and overlap
};
// --doc-split choices (multiline; index 0: none).
const char* const kDocSplit[] = {nullptr, "综述$", "^第[一二三四五六七八九十0-9]+[章节]", "^#",
                                 "^.",    "^\\s*$", "\\n", "。"};

const std::vector<recur::Pattern>& strip_patterns(unsigned k) {
  static std::vector<std::unique_ptr<std::vector<recur::Pattern>>> cache(kStrip.size());
  if (!cache[k]) {
    cache[k] = std::make_unique<std::vector<recur::Pattern>>();
    for (const char* re : kStrip[k]) cache[k]->emplace_back(re, false, "--strip");
  }
  return *cache[k];
}

const recur::Pattern* doc_split_pattern(unsigned k) {
  static std::unique_ptr<recur::Pattern> cache[8];
  if (kDocSplit[k] == nullptr) return nullptr;
  if (!cache[k]) cache[k] = std::make_unique<recur::Pattern>(kDocSplit[k], true, "--doc-split");
  return cache[k].get();
}

bool is_stripped(std::span<const Range> stripped, std::size_t pos) {
  auto it = std::upper_bound(stripped.begin(), stripped.end(), pos,
                             [](std::size_t p, const Range& r) { return p < r.begin; });
  return it != stripped.begin() && pos < std::prev(it)->end;
}

bool is_content(std::string_view text, std::span<const Range> stripped, std::size_t pos) {
  std::size_t k = pos;
  return !is_stripped(stripped, pos) && !recur::is_space(recur::next_code_point(text, k));
}

bool same(const Segmentation& a, const Segmentation& b) {
  if (a.mode != b.mode || a.paragraphs.size() != b.paragraphs.size() || a.documents.size() != b.documents.size())
    return false;
  for (std::size_t k = 0; k < a.paragraphs.size(); ++k) {
    const auto &x = a.paragraphs[k], &y = b.paragraphs[k];
    if (x.begin != y.begin || x.end != y.end || x.line != y.line || x.line_end != y.line_end ||
        x.document != y.document)
      return false;
  }
  for (std::size_t k = 0; k < a.documents.size(); ++k)
    if (a.documents[k].name != b.documents[k].name || a.documents[k].line != b.documents[k].line) return false;
  return true;
}

void check(std::string_view text, std::span<const Range> stripped, const Segmentation& seg, ParagraphMode asked) {
  const char* mode = recur::to_string(asked);
  CHECK(seg.mode != ParagraphMode::automatic, "%s: the mode used is automatic", mode);
  CHECK(asked == ParagraphMode::automatic || seg.mode == asked, "%s: used mode %s", mode, recur::to_string(seg.mode));

  // Lines: starts, and whether each has content.
  std::vector<std::size_t> line_start{0};
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') line_start.push_back(i + 1);
  const std::size_t n_lines = line_start.size();
  std::vector<bool> has_content(n_lines, false);
  for (std::size_t li = 0, i = 0; i < text.size();) {
    if (text[i] == '\n') {
      ++li;
      ++i;
      continue;
    }
    if (is_content(text, stripped, i)) has_content[li] = true;
    recur::next_code_point(text, i);
  }
  auto line_of = [&](std::size_t pos) {  // 1-based line of byte `pos`
    return static_cast<std::size_t>(std::upper_bound(line_start.begin(), line_start.end(), pos) - line_start.begin());
  };

  for (std::size_t k = 1; k < seg.documents.size(); ++k)
    CHECK(seg.documents[k - 1].line < seg.documents[k].line, "%s: document %zu starts at line %u, after %u", mode, k,
          seg.documents[k].line, seg.documents[k - 1].line);
  for (const auto& d : seg.documents)
    CHECK(d.line >= 1 && d.line <= n_lines, "%s: document at line %u of %zu", mode, d.line, n_lines);

  std::vector<int> covered(n_lines, 0);
  std::size_t prev_end = 0, prev_line_end = 0, prev_doc = 0;
  for (std::size_t k = 0; k < seg.paragraphs.size(); ++k) {
    const recur::Span& p = seg.paragraphs[k];
    CHECK(p.begin < p.end && p.end <= text.size(), "%s: paragraph %zu is [%zu, %zu) in %zu bytes", mode, k, p.begin,
          p.end, text.size());
    CHECK(p.begin >= prev_end, "%s: paragraph %zu starts at %zu, before the previous end %zu", mode, k, p.begin,
          prev_end);
    CHECK(recur_fuzz::is_boundary(text, p.begin) && recur_fuzz::is_boundary(text, p.end),
          "%s: paragraph %zu [%zu, %zu) cuts a character", mode, k, p.begin, p.end);
    CHECK(is_content(text, stripped, p.begin), "%s: paragraph %zu starts at %zu on white space or stripped text", mode,
          k, p.begin);
    CHECK(is_content(text, stripped, recur_fuzz::floor_boundary(text, p.end - 1)),
          "%s: paragraph %zu ends at %zu after white space or stripped text", mode, k, p.end);
    CHECK(p.line == line_of(p.begin), "%s: paragraph %zu at byte %zu says line %u, the newlines say %zu", mode, k,
          p.begin, p.line, line_of(p.begin));
    CHECK(p.line_end == line_of(p.end - 1), "%s: paragraph %zu ending at byte %zu says line %u, the newlines say %zu",
          mode, k, p.end, p.line_end, line_of(p.end - 1));
    CHECK(p.line > prev_line_end, "%s: paragraph %zu starts on line %u, which paragraph %zu ends on", mode, k, p.line,
          k - 1);
    CHECK(seg.mode != ParagraphMode::lines || p.line == p.line_end, "lines mode: paragraph %zu spans lines %u-%u", k,
          p.line, p.line_end);
    CHECK(p.document < seg.documents.size() && p.document >= prev_doc,
          "%s: paragraph %zu in document %u (of %zu; previous %zu)", mode, k, p.document, seg.documents.size(),
          prev_doc);
    CHECK(p.line >= seg.documents[p.document].line, "%s: paragraph %zu at line %u precedes its document (line %u)",
          mode, k, p.line, seg.documents[p.document].line);
    CHECK(p.document + 1 >= seg.documents.size() || p.line_end < seg.documents[p.document + 1].line,
          "%s: paragraph %zu (lines %u-%u) runs into document %u (line %u)", mode, k, p.line, p.line_end,
          p.document + 1, seg.documents[p.document + 1].line);
    for (std::size_t li = p.line; li <= p.line_end; ++li) {
      CHECK(has_content[li - 1], "%s: paragraph %zu (lines %u-%u) holds line %zu, which has no content", mode, k,
            p.line, p.line_end, li);
      ++covered[li - 1];
    }
    prev_end = p.end;
    prev_line_end = p.line_end;
    prev_doc = p.document;
  }
  for (std::size_t li = 0; li < n_lines; ++li)
    CHECK(covered[li] == (has_content[li] ? 1 : 0), "%s: line %zu (content: %d) is in %d paragraphs", mode, li + 1,
          static_cast<int>(has_content[li]), covered[li]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  recur_fuzz::Header h(data, size);
  const std::uint8_t flags = h.byte();
  static constexpr ParagraphMode kModes[] = {ParagraphMode::automatic, ParagraphMode::indent, ParagraphMode::lines,
                                             ParagraphMode::automatic};
  const ParagraphMode mode = kModes[flags & 3];
  const std::string text = recur_fuzz::to_valid_utf8(h.rest());

  std::vector<Range> found;
  for (const recur::Pattern& p : strip_patterns((flags >> 2) & 7)) {
    recur::Status error;
    const auto m = p.find_all(text, &error);
    if (!error.ok()) return 0;  // the scan stage skips such a file
    found.insert(found.end(), m.begin(), m.end());
  }
  const std::vector<Range> stripped = recur::merge_ranges(std::move(found));
  std::vector<Range> starts;
  if (const recur::Pattern* split = doc_split_pattern(flags >> 5)) {
    recur::Status error;
    starts = split->find_all(text, &error);
    if (!error.ok()) return 0;
  }
  for (const Range& r : stripped)
    CHECK(recur_fuzz::is_boundary(text, r.begin) && recur_fuzz::is_boundary(text, r.end) && r.begin < r.end,
          "a --strip match [%zu, %zu) is empty or cuts a character", r.begin, r.end);

  const Segmentation seg = recur::segment(text, mode, stripped, starts);
  check(text, stripped, seg, mode);
  CHECK(same(seg, recur::segment(text, mode, stripped, starts)), "segmenting twice gives different results");
  if (mode == ParagraphMode::automatic)
    CHECK(same(seg, recur::segment(text, seg.mode, stripped, starts)),
          "auto chose %s but gives something else than %s itself", recur::to_string(seg.mode),
          recur::to_string(seg.mode));
  // Each mode on the same text, so that every input exercises all three.
  for (ParagraphMode m : {ParagraphMode::indent, ParagraphMode::lines})
    if (m != mode) check(text, stripped, recur::segment(text, m, stripped, starts), m);
  return 0;
}
