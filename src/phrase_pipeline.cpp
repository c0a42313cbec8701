// recur phrases: recurring spans or sentences across documents, with variants and locations.
// run_phrases() composes the stages of phrases.hpp (see its file comment):
//
//   1. read     per file, in parallel: load (decode, strip, split, segment), normalise each
//               paragraph, keep its content characters (punctuation and spaces dropped) and, for
//               --unit sentence, its sentence ends (SentenceSplitter).
//   2. find     spans: maximal repeats over all paragraphs (suffix array + LCP);
//               sentences: identical sentence texts.
//   3. exclude  candidates inside a --exclude stock phrase are dropped.
//   4. group    near-identical candidates become variants of one template (edit distance);
//               templates below --min-docs are dropped, the rest ranked and capped.
//   5. locate   each listed occurrence is mapped back: content index -> normalised offset ->
//               (offset map) -> decoded offset -> original byte offset and line.
//   6. records  canonical text and variants of each phrase.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>

#include "heap_trim.hpp"
#include "parallel.hpp"
#include "recur/clause.hpp"
#include "recur/error.hpp"
#include "recur/phrases.hpp"
#include "recur/pipeline.hpp"
#include "recur/scan.hpp"
#include "recur/segment.hpp"

namespace recur {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto seconds_between = StageClock::seconds_between;

// Per-thread ICU objects and scratch buffers.
struct Worker {
  Normalizer normalizer;
  std::optional<SentenceSplitter> splitter;  // made on first use: --unit span never needs it
  std::string normalized;
  OffsetMap map;
  std::vector<Range> removed;
  Content content;
  std::vector<std::size_t> byte_ends;
  explicit Worker(const NormalizeOptions& o) : normalizer(o) {}
};

// Reading: the scan stage (scan.hpp), then each paragraph's content characters and sentences.
//
// --unit span streams: the first pass counts every min_chars-character window once per document
// (WindowCounter) and keeps each file's content characters in UTF-16 (2 bytes per CJK character,
// against 3 in the input and 4 as char32_t), dropping the decoded text; the second keeps only the
// recurring stretches (recurring_stretches) as the text to search. --unit sentence keeps every
// sentence, so all content characters.

struct SegmentRef {
  std::uint32_t file, paragraph;
  std::uint32_t offset;  // content characters of its paragraph before the segment
};

struct FileWork {
  FileOutcome outcome;
  FileStamp stamp;                           // to notice a change before locating reads it again
  std::uint32_t documents = 0;
  std::vector<char16_t> content16;           // span: content characters of its paragraphs, UTF-16
  BoundaryBits clause_after;                 // span: per content character, Content::clause_after
  std::vector<char32_t> content;             // sentence: content characters of its paragraphs
  std::vector<std::uint32_t> para_length;    // content length per paragraph (characters)
  std::vector<std::uint32_t> para_doc;       // document of each paragraph, within the file
  std::vector<std::uint32_t> sentence_end;   // per paragraph, in order: sentence ends (content offsets)
  std::vector<std::uint32_t> sentence_count; // sentences per paragraph
  double t_load = 0, t_normalize = 0;
};

void append_utf16(std::span<const char32_t> chars, std::vector<char16_t>& out) {
  for (char32_t c : chars) {
    if (c < 0x10000) {
      out.push_back(static_cast<char16_t>(c));
    } else {
      out.push_back(static_cast<char16_t>(0xD800 + ((c - 0x10000) >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + ((c - 0x10000) & 0x3FF)));
    }
  }
}

// Decodes `count` characters of UTF-16 from `pos` (advanced), appended to `out`.
void take_utf16(const std::vector<char16_t>& in, std::size_t& pos, std::uint32_t count, std::vector<char32_t>& out) {
  for (std::uint32_t k = 0; k < count; ++k) {
    const char16_t u = in[pos++];
    if (u >= 0xD800 && u < 0xDC00) out.push_back(0x10000 + ((static_cast<char32_t>(u) - 0xD800) << 10) + (in[pos++] - 0xDC00));
    else out.push_back(u);
  }
}

// What the later stages need from reading.
struct PhraseInput {
  std::vector<FileWork> files;        // per input: outcome, stamp (its text is read again to locate)
  SegmentedText text;                 // span: the recurring stretches; sentence: every paragraph
  ClauseMarks marks;                  // span: per character of `text`, its clause boundaries
  std::vector<SegmentRef> seg_ref;    // segment -> file, paragraph and offset in it
  ParagraphLayout layout;             // span: segment -> paragraph (numbered over all files), offset
  std::vector<Occurrence> sentences;  // --unit sentence: every sentence with content characters
  double t_load = 0, t_normalize = 0;
  Clock::time_point read_done, filter_done;
};

PhraseInput read_input(const Source& source, const PhrasesOptions& o, unsigned threads, ProgressCounters& counters,
                       PhrasesReport& report, const WarnFn& warn) {
  const ScanSettings settings(o.input);
  const bool sentences = o.unit == PhraseUnit::sentence;
  // The prefilter needs at least 2 documents to tell recurring windows apart.
  const bool filter = !sentences && o.min_docs >= 2;
  const unsigned k = o.min_chars;
  // Sized for CJK text, 3 bytes per character: fewer characters per byte only lowers the load.
  std::optional<WindowCounter> counter;
  if (filter) counter.emplace(total_size(source) / 3);
  PhraseInput in;
  std::vector<FileWork>& files = in.files;
  files.resize(source.count());
  std::atomic<std::uint64_t> content_chars{0};
  // A paragraph the second pass has gathered (below) and not yet kept the stretches of.
  struct Pending {
    std::uint32_t file, paragraph;
    std::size_t first;               // the paragraph's first character in its file
    std::size_t at, length, window;  // its characters in Scratch::chars, its first window
    bool last;                       // the file's last paragraph gathered
  };
  struct Scratch {
    std::vector<std::uint64_t> hashes;
    std::vector<char32_t> chars;
    std::vector<Occurrence> stretches;
    std::optional<WindowCounter::Writer> writer;  // with the prefilter: counting
    std::optional<WindowCounter::Reader> reader;  // and asking
    std::vector<std::uint8_t> recurs;             // the answers, a byte per window of `hashes`
    std::vector<Pending> pending;                 // the second pass's gathered paragraphs
  };
  detail::PerThread<Scratch> scratch(threads, [] { return std::make_unique<Scratch>(); });
  {
    detail::PerThread<Worker> workers(threads, [&] { return std::make_unique<Worker>(o.input.normalize); });
    detail::parallel_for(files.size(), threads, [&](std::size_t i, unsigned w) {
      Worker& wk = workers[w];
      Scratch& sc = scratch[w];
      FileWork& fw = files[i];
      ScannedFile lf = scan_file(source, i, settings);
      fw.outcome = lf.outcome;
      fw.stamp = lf.stamp;
      if (lf.ok()) {
        const auto t0 = Clock::now();
        fw.documents = static_cast<std::uint32_t>(lf.seg.documents.size());
        const std::string_view text = lf.decoded.text;
        std::vector<std::uint32_t> ends;
        sc.hashes.clear();
        std::uint64_t chars = 0;
        for (std::size_t p = 0; p < lf.seg.paragraphs.size(); ++p) {
          const Span& sp = lf.seg.paragraphs[p];
          normalize_span(wk.normalizer, text.substr(sp.begin, sp.end - sp.begin), sp.begin, lf.stripped,
                         wk.removed, wk.normalized, wk.map);
          extract_content(wk.normalized, wk.content, sentences);
          const std::span<const char32_t> cc(wk.content.chars);
          chars += cc.size();
          fw.para_length.push_back(static_cast<std::uint32_t>(cc.size()));
          fw.para_doc.push_back(static_cast<std::uint32_t>(sp.document));
          if (sentences) {
            fw.content.insert(fw.content.end(), cc.begin(), cc.end());
            if (!wk.splitter) wk.splitter.emplace();
            wk.splitter->split(wk.normalized, wk.byte_ends);
            content_sentence_ends(wk.content, wk.byte_ends, ends);
            fw.sentence_end.insert(fw.sentence_end.end(), ends.begin(), ends.end());
            fw.sentence_count.push_back(static_cast<std::uint32_t>(ends.size()));
            continue;
          }
          append_utf16(cc, fw.content16);
          fw.clause_after.append(wk.content.clause_after);
          if (!filter) continue;
          // Windows are counted once per document: a document's paragraphs are consecutive.
          window_hashes(cc, k, sc.hashes);
          if (p + 1 == lf.seg.paragraphs.size() || lf.seg.paragraphs[p + 1].document != sp.document) {
            if (!sc.writer) sc.writer.emplace(*counter);
            sc.writer->add_document(sc.hashes);
            sc.hashes.clear();
          }
        }
        content_chars += chars;
        fw.content16.shrink_to_fit();
        fw.t_normalize = seconds_between(t0, Clock::now());
      }
      fw.t_load = lf.outcome.seconds_read + lf.outcome.seconds_segment;
      counters.done += source.size(i);
    });
  }
  for (unsigned w = 0; w < std::max(threads, 1u); ++w)
    if (scratch[w].writer) scratch[w].writer.reset();  // flushed: every window is counted
  in.read_done = Clock::now();

  // The accounting of every input.
  PhraseStats& st = report.stats;
  std::vector<FileOutcome> outcomes;
  outcomes.reserve(files.size());
  std::vector<std::uint32_t> first_doc(files.size() + 1, 0);
  for (std::size_t i = 0; i < files.size(); ++i) {
    outcomes.push_back(files[i].outcome);
    in.t_load += files[i].t_load;
    in.t_normalize += files[i].t_normalize;
    first_doc[i + 1] = first_doc[i] + files[i].documents;
  }
  account_inputs(source, outcomes, report, warn);
  st.content_chars = content_chars.load();

  SegmentedText& text = in.text;
  if (sentences) {
    for (std::size_t i = 0; i < files.size(); ++i) {
      FileWork& fw = files[i];
      std::size_t c = 0, s = 0;
      for (std::uint32_t p = 0; p < fw.para_length.size(); ++p) {
        const std::uint32_t seg_start = static_cast<std::uint32_t>(text.chars.size());
        text.add_segment(std::span<const char32_t>(fw.content.data() + c, fw.para_length[p]), first_doc[i] + fw.para_doc[p]);
        in.seg_ref.push_back({static_cast<std::uint32_t>(i), p, 0});
        c += fw.para_length[p];
        std::uint32_t prev = 0;
        for (std::uint32_t q = 0; q < fw.sentence_count[p]; ++q, ++s) {
          const std::uint32_t e = fw.sentence_end[s];
          if (e > prev) in.sentences.push_back({seg_start + prev, e - prev});
          prev = e;
        }
      }
      std::vector<char32_t>().swap(fw.content);
      std::vector<std::uint32_t>().swap(fw.sentence_end);
    }
    in.filter_done = Clock::now();
    return in;
  }

  // Second pass, over the kept UTF-16: each file's recurring stretches, then all in input order.
  counters.begin("filtering", total_size(source));
  struct Kept {
    std::vector<char32_t> chars;
    std::vector<SegmentRef> refs;       // file, paragraph, offset of each stretch
    std::vector<std::uint32_t> length;  // its length
    ClauseMarks marks;                  // the clause marks of `chars`
  };
  std::vector<Kept> kept(files.size());
  // Each worker gathers the paragraphs of the files it takes (their characters and windows) until
  // it holds kBatch windows, then asks the counter about all of them at once (WindowCounter::Reader:
  // by region of the table, about twice as fast as one by one in a harness) and keeps their
  // stretches.
  // A file is taken by one worker, so its paragraphs reach its Kept in order.
  constexpr std::size_t kBatch = std::size_t{1} << 21;
  auto windows_of = [&](std::size_t length) { return filter && length >= k ? length - k + 1 : 0; };
  auto keep_gathered = [&](Scratch& sc) {
    if (filter) {
      if (!sc.reader) sc.reader.emplace(*counter);
      sc.reader->recurs(sc.hashes, o.min_docs, sc.recurs);
    }
    for (const Pending& pp : sc.pending) {
      sc.stretches.clear();
      if (filter) recurring_stretches(std::span<const std::uint8_t>(sc.recurs.data() + pp.window, windows_of(pp.length)), k, sc.stretches);
      else sc.stretches.push_back({0, static_cast<std::uint32_t>(pp.length)});
      FileWork& fw = files[pp.file];
      Kept& kf = kept[pp.file];
      const char32_t* chars = sc.chars.data() + pp.at;
      for (const Occurrence& r : sc.stretches) {
        kf.chars.insert(kf.chars.end(), chars + r.start, chars + r.start + r.length);
        kf.refs.push_back({pp.file, pp.paragraph, r.start});
        kf.length.push_back(r.length);
        kf.marks.append(fw.clause_after, pp.first, pp.first + r.start, r.length);
      }
      if (pp.last) fw.clause_after.release();
    }
    sc.chars.clear();
    sc.hashes.clear();
    sc.pending.clear();
  };
  detail::parallel_for(files.size(), threads, [&](std::size_t i, unsigned w) {
    Scratch& sc = scratch[w];
    FileWork& fw = files[i];
    std::size_t pos = 0, first = 0;  // in content16; in characters (clause_after)
    const std::size_t pending_before = sc.pending.size();
    for (std::uint32_t p = 0; p < fw.para_length.size(); first += fw.para_length[p++]) {
      const std::size_t at = sc.chars.size(), length = fw.para_length[p];
      take_utf16(fw.content16, pos, fw.para_length[p], sc.chars);
      if (length == 0 || (filter && length < k)) {  // no window: nothing of it can be kept
        sc.chars.resize(at);
        continue;
      }
      sc.pending.push_back({static_cast<std::uint32_t>(i), p, first, at, length, sc.hashes.size(), false});
      if (filter) window_hashes(std::span<const char32_t>(sc.chars.data() + at, length), k, sc.hashes);
    }
    std::vector<char16_t>().swap(fw.content16);
    if (sc.pending.size() > pending_before) sc.pending.back().last = true;  // its marks are read until then
    else fw.clause_after.release();
    if (sc.hashes.size() >= kBatch || sc.chars.size() >= kBatch) keep_gathered(sc);
    counters.done += source.size(i);
  });
  // What each worker still holds; then its buffers go, before the kept text is assembled.
  detail::parallel_for(std::max(threads, 1u), threads, [&](std::size_t w, unsigned) {
    Scratch& sc = scratch[static_cast<unsigned>(w)];
    keep_gathered(sc);
    sc.reader.reset();
    std::vector<char32_t>().swap(sc.chars);
    std::vector<std::uint64_t>().swap(sc.hashes);
    std::vector<std::uint8_t>().swap(sc.recurs);
    std::vector<Pending>().swap(sc.pending);
  });
  counter.reset();
  // All files' stretches in input order, each file's written on any thread from where the files
  // before it end (one thread took about half a second of dense 1 GiB's 137 M kept characters).
  // Sized once: grown by doubling, the last growth would hold the old array and one of up to twice
  // its size at once (dense 1 GiB keeps 137 M characters, 550 MB).
  std::vector<std::size_t> char_at(files.size() + 1, 0), seg_at(files.size() + 1, 0);
  std::vector<std::uint32_t> first_paragraph(files.size() + 1, 0);
  for (std::size_t i = 0; i < files.size(); ++i) {
    char_at[i + 1] = char_at[i] + kept[i].chars.size();
    seg_at[i + 1] = seg_at[i] + kept[i].refs.size();
    first_paragraph[i + 1] = first_paragraph[i] + static_cast<std::uint32_t>(files[i].para_length.size());
  }
  const std::size_t kept_chars = char_at.back(), kept_segments = seg_at.back();
  text.chars.resize(kept_chars);
  text.segment_start.resize(kept_segments + 1);
  text.segment_doc.resize(kept_segments);
  in.seg_ref.resize(kept_segments);
  in.layout.paragraph.resize(kept_segments);
  in.layout.offset.resize(kept_segments);
  detail::parallel_for(files.size(), threads, [&](std::size_t i, unsigned) {
    const Kept& kf = kept[i];
    std::copy(kf.chars.begin(), kf.chars.end(), text.chars.begin() + static_cast<std::ptrdiff_t>(char_at[i]));
    std::size_t c = char_at[i];
    for (std::size_t r = 0; r < kf.refs.size(); ++r) {
      const std::size_t seg = seg_at[i] + r;
      text.segment_start[seg] = static_cast<std::uint32_t>(c);
      text.segment_doc[seg] = first_doc[i] + files[i].para_doc[kf.refs[r].paragraph];
      in.seg_ref[seg] = kf.refs[r];
      in.layout.paragraph[seg] = first_paragraph[i] + kf.refs[r].paragraph;
      in.layout.offset[seg] = kf.refs[r].offset;
      c += kf.length[r];
    }
  });
  text.segment_start[kept_segments] = static_cast<std::uint32_t>(kept_chars);
  text.index_segments();
  in.marks.reserve(kept_chars, kept_segments);
  for (Kept& kf : kept) {
    in.marks.append(kf.marks);
    kf = Kept{};
  }
  in.filter_done = Clock::now();
  return in;
}

// What the caps and budgets cut, as sentences for the report's warnings.
std::vector<std::string> notes(const PhraseStats& st, const RepeatCounts& rc, const VariantCounts& vc,
                               const PhraseLimits& limits) {
  std::vector<std::string> notes;
  if (st.periodic > 0)
    notes.push_back(std::to_string(st.periodic) +
                    " recurring spans are not listed because every occurrence of each overlaps another: they lie "
                    "inside periodic runs (text repeated back to back); the repeated unit and a whole run that "
                    "recurs are listed when long enough");
  if (rc.truncated > 0)
    notes.push_back(std::to_string(rc.truncated) + " recurring spans reusing the fewest characters are not listed "
                    "(counted in phrases_omitted): the spans found have over " +
                    std::to_string(limits.max_positions) + " occurrences in all; raise --min-chars or --min-docs "
                    "to list them");
  if (st.variant_pairs_unchecked > 0)
    notes.push_back("variant grouping reached its budget of " + std::to_string(limits.max_edit_cells) +
                    " edit-distance cells: " + std::to_string(st.variant_pairs_unchecked) + " of " +
                    std::to_string(vc.pairs) + " candidate pairs were not checked, so some variants may be listed as "
                    "separate phrases");
  // Spans left out by max_positions are in phrases_omitted too, but have their own note.
  if (const std::uint64_t capped = st.phrases_omitted - rc.truncated; capped + st.locations_omitted > 0)
    notes.push_back("output capped: " + std::to_string(capped) + " lowest-ranked phrases omitted and " +
                    std::to_string(st.locations_omitted) + " locations of listed phrases not listed (caps: " +
                    std::to_string(limits.max_locations_per_phrase) + " locations per phrase, " +
                    std::to_string(limits.max_locations) + " in all, " + std::to_string(limits.max_location_chars) +
                    " characters in all)");
  return notes;
}

// Where the forms of a template's shown core and extent follow those of its members in
// Forms::member.
constexpr std::uint32_t kShownCore = 0, kShownExtent = 1;

// What locating found besides the locations: display texts to choose the shown forms from.
struct Forms {
  // Per template and member (in Template::members order): the display texts of its first
  // kShownSamples occurrences; then those of Template::shown_core and shown_extent. Chained
  // templates: one list, the display text of each listed location.
  std::vector<std::vector<std::vector<std::string>>> member;
  // Chained templates only: per listed location, its content characters (its version).
  std::vector<std::vector<std::u32string>> version;
};

// Locates, file by file in parallel (re-normalising each paragraph that holds one):
//  - the listed occurrences of every template, into report.phrases[t].locations;
//  - the first kShownSamples occurrences of each of its members, whose display texts are returned,
//    per template and member (in Template::members order), to choose each variant's shown form,
//    and its shown_core and shown_extent, to choose the forms of its text and extent;
//  - for a chained template, instead, the display text and version of each listed location.
Forms locate(const PhraseInput& in, const Source& source, const std::vector<Candidate>& cands,
             const std::vector<Template>& templ, const OutputPlan& plan, const ScanSettings& settings,
             unsigned threads, ProgressCounters& counters, std::vector<Phrase>& phrases) {
  struct Want {
    std::uint32_t segment;
    Occurrence occ;
    std::uint32_t templ, index, sample;  // sample == UINT32_MAX: location `index`; else member `index`
  };
  std::vector<std::vector<Want>> wants(in.files.size());
  auto want = [&](const Occurrence& occ, std::uint32_t t, std::uint32_t index, std::uint32_t sample) {
    const auto seg = static_cast<std::uint32_t>(in.text.segment_of(occ.start));
    wants[in.seg_ref[seg].file].push_back({seg, occ, t, index, sample});
  };
  Forms found;
  auto& forms = found.member;
  forms.resize(templ.size());
  found.version.resize(templ.size());
  for (std::uint32_t t = 0; t < templ.size(); ++t) {
    phrases[t].locations.resize(plan.listed[t]);
    for (std::uint32_t k = 0; k < plan.listed[t]; ++k) want(templ[t].occurrences[k], t, k, UINT32_MAX);
    if (templ[t].parts > 1) {  // its versions are its locations
      forms[t].assign(1, std::vector<std::string>(plan.listed[t]));
      found.version[t].resize(plan.listed[t]);
      continue;
    }
    // Its members' samples, then those of its shown core and extent (kShownCore, kShownExtent).
    const auto members = static_cast<std::uint32_t>(templ[t].members.size());
    forms[t].resize(members + 2);
    auto sample = [&](std::span<const Occurrence> occs, std::uint32_t j) {
      const auto samples = static_cast<std::uint32_t>(std::min(occs.size(), kShownSamples));
      forms[t][j].resize(samples);
      for (std::uint32_t k = 0; k < samples; ++k) want(occs[k], t, j, k);
    };
    for (std::uint32_t j = 0; j < members; ++j) sample(cands[templ[t].members[j]].occurrences, j);
    sample(templ[t].shown_core, members + kShownCore);
    sample(templ[t].shown_extent, members + kShownExtent);
  }
  detail::PerThread<Worker> workers(threads, [&] { return std::make_unique<Worker>(settings.options().normalize); });
  std::uint64_t total = 0;
  for (std::size_t fi = 0; fi < wants.size(); ++fi)
    if (!wants[fi].empty()) total += source.size(fi);
  counters.begin("locating", total);
  detail::parallel_for(in.files.size(), threads, [&](std::size_t fi, unsigned w) {
    auto& file_wants = wants[fi];
    if (file_wants.empty()) return;
    Worker& wk = workers[w];
    // Read again: only the files holding a listed occurrence, one per thread at a time.
    const ScannedFile lf = scan_file(source, fi, settings);
    if (!lf.ok() || lf.stamp != in.files[fi].stamp || lf.seg.paragraphs.size() != in.files[fi].para_length.size())
      throw Error(errc::input, source.name(fi) + " changed while recur phrases was reading it; run it again");
    const std::string_view dtext = lf.decoded.text;
    std::vector<std::size_t> newlines;
    for (std::size_t p = dtext.find('\n'); p != std::string_view::npos; p = dtext.find('\n', p + 1))
      newlines.push_back(p);
    std::stable_sort(file_wants.begin(), file_wants.end(),
                     [](const Want& a, const Want& b) { return a.segment < b.segment; });
    std::uint32_t current = UINT32_MAX;
    for (const Want& wt : file_wants) {
      const Span& sp = lf.seg.paragraphs[in.seg_ref[wt.segment].paragraph];
      if (in.seg_ref[wt.segment].paragraph != current) {
        current = in.seg_ref[wt.segment].paragraph;
        normalize_span(wk.normalizer, dtext.substr(sp.begin, sp.end - sp.begin), sp.begin, lf.stripped,
                       wk.removed, wk.normalized, wk.map);
        extract_content(wk.normalized, wk.content, true);
      }
      const std::uint32_t first = wt.occ.start - in.text.segment_start[wt.segment] + in.seg_ref[wt.segment].offset;
      const ContentSpan cs = locate_content(wk.content, wk.map, first, wt.occ.length);
      const std::size_t db = sp.begin + cs.input_begin, de = sp.begin + cs.input_end;
      if (wt.sample != UINT32_MAX) {  // as written, line breaks joined
        forms[wt.templ][wt.index][wt.sample] = display_text(dtext.substr(db, de - db));
        continue;
      }
      if (templ[wt.templ].parts > 1) {
        forms[wt.templ][0][wt.index] = display_text(dtext.substr(db, de - db));
        found.version[wt.templ][wt.index].assign(wk.content.chars.begin() + first,
                                                 wk.content.chars.begin() + first + wt.occ.length);
      }
      PhraseLocation& loc = phrases[wt.templ].locations[wt.index];
      loc.path = source.name(fi);
      loc.document = document_name(lf.seg.documents[sp.document], loc.path);
      loc.document_index = sp.document + 1;
      loc.line = static_cast<std::uint32_t>(std::upper_bound(newlines.begin(), newlines.end(), db) - newlines.begin() + 1);
      loc.byte_start = lf.decoded.original(db);
      loc.byte_end = lf.decoded.original(de);
      loc.text.assign(dtext.substr(db, de - db));
    }
    counters.done += source.size(fi);
  });
  return found;
}

// Variants by occurrences, then documents (descending), then text.
void sort_variants(std::vector<PhraseVariant>& v) {
  std::sort(v.begin(), v.end(), [](const PhraseVariant& a, const PhraseVariant& b) {
    if (a.occurrences != b.occurrences) return a.occurrences > b.occurrences;
    if (a.documents != b.documents) return a.documents > b.documents;
    return a.text < b.text;
  });
}

// The variants of template `tp`: each member with its shown form and the counts of its text.
std::vector<PhraseVariant> variants_of(const Template& tp, const std::vector<Candidate>& cands,
                                       const std::vector<std::vector<std::string>>& forms) {
  std::vector<PhraseVariant> out;
  out.reserve(tp.members.size());
  for (std::size_t j = 0; j < tp.members.size(); ++j) {
    const Candidate& c = cands[tp.members[j]];
    out.push_back({most_frequent_form(forms[j]), c.documents, distinct_occurrences(c.occurrences)});
  }
  sort_variants(out);
  return out;
}

// Most (version, location) pairs compared for containment per template; beyond it a version
// counts only the locations that are exactly it. Only a chained template with thousands of listed
// locations, all different, comes near it.
constexpr std::uint64_t kVersionChecks = std::uint64_t{1} << 22;

// The variants of a chained template: its versions, the distinct content texts of its listed
// locations, each shown in its most frequent form. A version counts every listed location whose
// text contains it (the places it occurs as written, also inside longer versions: any place of
// its text holds its pieces, so it lies inside a location of the template), and their documents.
std::vector<PhraseVariant> versions_of(const Phrase& ph, const std::vector<std::string>& forms,
                                       const std::vector<std::u32string>& version) {
  std::vector<std::uint32_t> order(version.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return version[a] < version[b]; });
  std::vector<std::uint32_t> first;  // per version: its first location in `order`
  std::vector<std::vector<std::string>> forms_of;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i == 0 || version[order[i]] != version[order[i - 1]]) {
      first.push_back(order[i]);
      forms_of.emplace_back();
    }
    forms_of.back().push_back(forms[order[i]]);
  }
  const bool contain = std::uint64_t{first.size()} * version.size() <= kVersionChecks;
  std::vector<PhraseVariant> out;
  std::vector<std::string> docs;
  for (std::size_t v = 0; v < first.size(); ++v) {
    const std::u32string& text = version[first[v]];
    std::uint64_t occurrences = 0;
    docs.clear();
    for (std::size_t k = 0; k < version.size(); ++k) {
      std::uint64_t here = 0;
      if (!contain || version[k].size() == text.size()) {
        here = version[k] == text;
      } else if (version[k].size() > text.size()) {
        for (std::size_t p = version[k].find(text); p != std::u32string::npos; p = version[k].find(text, p + text.size()))
          ++here;
      }
      if (here == 0) continue;
      occurrences += here;
      const PhraseLocation& loc = ph.locations[k];
      docs.push_back(loc.path + '\0' + std::to_string(loc.document_index));
    }
    std::sort(docs.begin(), docs.end());
    const auto documents = static_cast<std::uint64_t>(std::unique(docs.begin(), docs.end()) - docs.begin());
    // In input order, so that ties in the most frequent form go to the first location.
    std::vector<std::string>& f = forms_of[v];
    out.push_back({most_frequent_form(f), documents, occurrences});
  }
  sort_variants(out);
  return out;
}

}  // namespace

nlohmann::ordered_json options_json(const PhrasesOptions& o, unsigned threads) {
  nlohmann::ordered_json j;
  input_options_json(o.input, j);
  j["unit"] = o.unit == PhraseUnit::span ? "span" : "sentence";
  j["min_chars"] = o.min_chars;
  j["min_docs"] = o.min_docs;
  j["variants"] = o.variant_tolerance;
  j["exclude"] = o.exclude.size();
  j["threads"] = threads;
  return j;
}

struct PhrasesWork {
  PhraseInput input;
  std::vector<Candidate> candidates;
  std::vector<Template> templates;
  Forms forms;
};

void PhrasesWorkDeleter::operator()(PhrasesWork* work) const noexcept { delete work; }

PhrasesReport run_phrases(const Source& source, const PhrasesOptions& o, const ProgressFn& progress,
                          const WarnFn& warn, PhrasesWorkPtr* keep) {
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  const auto start = Clock::now();
  const unsigned threads = effective_threads(o.threads);
  const bool sentences = o.unit == PhraseUnit::sentence;
  PhrasesReport report;
  report.version = version();
  report.options = options_json(o, threads);
  PhraseStats& st = report.stats;

  ProgressCounters counters;
  counters.begin("reading", total_size(source));
  Ticker ticker(progress, counters);

  PhraseInput in = read_input(source, o, threads, counters, report, warn);
  // Each stage below frees arrays the next one, shaped differently, does not reuse: give their
  // pages back between stages, so that the peak is the largest stage and not their sum
  // (bench/RESULTS.md: dense 1 GiB peaked at 3.7 GB, 2.2 GB of it freed memory).
  detail::return_free_memory();

  counters.begin(sentences ? "sentences" : "suffix array", sentences ? 0 : repeat_work(in.text));
  RepeatCounts rc;
  // Periodic runs are folded: without it, a sentence written 400 times back to back gives 400
  // nested repeats of up to 400 sentences each, and the report grows with the cube of the run.
  const RepeatOptions ro{o.min_chars, o.min_docs, true, o.limits.max_positions, threads};
  const TemplateOptions to;
  // What the clause bounds of the shown texts need from the characters around the candidates, taken
  // while they are there (clause.hpp), and while the candidates are made. Sentences are whole
  // clauses already.
  std::optional<ContinuationsBuilder> builder;
  std::once_flag made;
  const AlongsideFn find_continuations = [&](std::size_t count, const OccurrencesOf& occurrences_of) {
    std::call_once(made, [&] { builder.emplace(count, in.text, in.marks, to); });
    builder->work(occurrences_of);
  };
  std::vector<Candidate> cands = sentences ? sentence_candidates(in.text, in.sentences, o.min_chars)
                                           : repeat_candidates(in.text, ro, rc, &counters.done, find_continuations);
  st.candidates = cands.size();
  const auto t_candidates = Clock::now();
  Continuations continuations;
  if (builder) continuations = builder->finish(threads);
  // The candidates hold their texts now, and the stages after them read only the segments: the
  // characters (4 bytes each; 550 MB on dense 1 GiB) would stand under the grouping's peak.
  UninitialisedVector<char32_t>().swap(in.text.chars);
  detail::return_free_memory();
  st.periodic = rc.periodic;
  const auto t_find = Clock::now();

  counters.begin("templates", cands.size());
  std::vector<TemplateGroup> groups = group_templates(cands, in.text, to, &counters.done, threads);
  if (!o.exclude.empty()) st.excluded = exclude_stock(groups, cands, stock_phrases(o.exclude, o.input.normalize), to);
  if (!sentences) {  // sentences are whole already: nothing to chain
    const std::size_t before = groups.size();
    groups = chain_templates(std::move(groups), cands, in.text, in.layout, to, threads);
    st.chained = before - groups.size();
  }
  const auto t_templates = Clock::now();

  counters.begin("variants", 2 * groups.size());
  VariantCounts vc;
  groups = merge_variants(groups, cands, {o.variant_tolerance, threads, o.limits.max_edit_cells}, vc, &counters.done);
  st.variant_pairs_unchecked = vc.pairs_unchecked;
  st.edit_cells = vc.edit_cells;
  const auto t_group = Clock::now();
  detail::return_free_memory();

  std::vector<Template> templ = make_templates(cands, groups, in.text, o.min_docs, in.layout, sentences ? 0 : to.chain_gap, threads);
  std::vector<TemplateGroup>().swap(groups);
  if (!sentences) clause_templates(templ, cands, in.text, in.marks, continuations, to, o.min_chars, threads);
  continuations = Continuations{};
  in.marks = ClauseMarks{};
  detail::return_free_memory();
  rank_templates(templ);
  const OutputPlan plan = plan_output(templ, o.limits);
  templ.resize(plan.listed.size());
  st.phrases = templ.size();  // the phrases listed; with phrases_omitted, all that were found
  st.phrases_omitted = plan.phrases_omitted + rc.truncated;
  st.locations_omitted = plan.locations_omitted;
  for (auto& n : notes(st, rc, vc, o.limits)) {
    if (warn) warn(n);
    report.warnings.push_back(std::move(n));
  }

  counters.begin("locating");
  report.phrases.resize(templ.size());
  Forms found = locate(in, source, cands, templ, plan, ScanSettings(o.input), threads, counters, report.phrases);
  const auto& forms = found.member;
  // Each phrase by its index from its own template and forms: the same for any number of workers.
  detail::parallel_for(templ.size(), threads, [&](std::size_t t, unsigned) {
    Phrase& ph = report.phrases[t];
    const Template& tp = templ[t];
    ph.id = static_cast<std::uint32_t>(t + 1);
    ph.chars = tp.chars;
    ph.documents = tp.documents;
    ph.occurrences = tp.occurrences.size();
    ph.locations_omitted = tp.occurrences.size() - plan.listed[t];
    ph.score = tp.score;
    ph.parts = tp.parts;
    if (tp.parts > 1) {  // an edited passage: its versions, as its locations write them
      // Shown: the first location of the median length (chars); the extent: the longest one.
      ph.variants = versions_of(ph, forms[t][0], found.version[t]);
      std::size_t shown = 0, longest = 0;
      for (std::size_t k = plan.listed[t]; k-- > 0;) {
        if (tp.occurrences[k].length == tp.chars) shown = k;
        if (tp.occurrences[k].length >= tp.occurrences[longest].length) longest = k;
      }
      if (plan.listed[t] > 0) {
        ph.text = forms[t][0][shown];
        ph.extent = forms[t][0][longest];
        ph.extent_chars = tp.occurrences[longest].length;
      }
      return;
    }
    ph.text = most_frequent_form(forms[t][tp.members.size() + kShownCore]);
    ph.extent = most_frequent_form(forms[t][tp.members.size() + kShownExtent]);
    ph.extent_chars = tp.extent_chars;
    ph.variants = variants_of(tp, cands, forms[t]);
  });
  const auto t_end = Clock::now();
  st.seconds = {{"read", seconds_between(start, in.read_done)},
                {"load", in.t_load},
                {"normalize", in.t_normalize},
                {"filter", seconds_between(in.read_done, in.filter_done)},
                {sentences ? "sentences" : "suffix_array", seconds_between(in.filter_done, t_find)}};
  if (!sentences)  // the parts of suffix_array; the continuations are found during sa_candidates, and joined in sa_continuations
    st.seconds.insert(st.seconds.end(), {{"sa_rank", rc.seconds_rank},
                                         {"sa_covers", rc.seconds_covers},
                                         {"sa_sort", rc.seconds_sort},
                                         {"sa_lcp", rc.seconds_lcp},
                                         {"sa_sweep", rc.seconds_sweep},
                                         {"sa_lists", rc.seconds_lists},
                                         {"sa_candidates", rc.seconds_candidates},
                                         {"sa_continuations", seconds_between(t_candidates, t_find)}});
  st.seconds.insert(st.seconds.end(), {{"templates", seconds_between(t_find, t_templates)},
                                       {"variants", seconds_between(t_templates, t_group)},
                                       {"locate", seconds_between(t_group, t_end)},
                                       {"total", seconds_between(start, t_end)}});
  if (keep) keep->reset(new PhrasesWork{std::move(in), std::move(cands), std::move(templ), std::move(found)});
  return report;
}

}  // namespace recur
