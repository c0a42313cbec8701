// The index stage: paragraphs to band keys.
#include "recur/index.hpp"

#include <algorithm>
#include <chrono>

#include "parallel.hpp"
#include "recur/verify.hpp"  // fold_shingle

namespace recur {

IndexSettings IndexSettings::of(const ReportOptions& o) {
  IndexSettings s;
  s.normalize = o.input.normalize;
  s.shingle = o.shingle;
  s.minhash = o.minhash;
  s.params = resolve_params(o.minhash.perms, o.lsh);
  s.min_chars = o.min_chars;
  s.keep_signatures = !o.verify;
  s.keep_structure = o.keep_structure;
  return s;
}

Indexer::Indexer(const IndexSettings& settings, const MinHasher& hasher, Spill* spill)
    : settings_(settings),
      hasher_(hasher),
      spill_(spill),
      normalizer_(settings.normalize),
      shingler_(settings.shingle) {}

FileIndex Indexer::index(const ScannedFile& file, std::atomic<std::uint64_t>* progress) {
  using Clock = std::chrono::steady_clock;
  const auto seconds = StageClock::seconds_between;
  FileIndex r;
  r.outcome = file.outcome;
  r.stamp = file.stamp;
  if (!file.ok()) return r;
  const Decoded& d = file.decoded;
  r.identity = d.is_identity();
  r.stripped = file.stripped;
  r.documents = file.seg.documents;
  r.document_chars.assign(r.documents.size(), 0);
  const std::string_view text = d.text;
  const std::vector<Span>& paragraphs = file.seg.paragraphs;

  const unsigned bands = settings_.params.bands, perms = hasher_.options().perms;
  signature_.resize(perms);
  band_.resize(bands);
  // Exact capacity: growth slack on these per-input vectors was most of the peak memory.
  r.paragraphs.reserve(paragraphs.size());
  // Band-major: band b of paragraph k at keys[b * capacity + k], compacted at the end; the run's
  // candidate search reads one band at a time.
  const std::size_t capacity = paragraphs.size();
  r.keys.resize(capacity * bands);
  if (settings_.keep_signatures) r.signatures.reserve(paragraphs.size() * perms);
  std::uint64_t reported = 0;
  const auto indexed = [&](const Span& sp) { return sp.kind == ParagraphKind::body || settings_.keep_structure; };
  // The shingle values go to the spill in pieces, into room reserved for the whole input: its
  // indexed paragraphs' bytes, a bound on their values (a shingle has a token at least, a token a
  // byte at least), so that the input's values lie together. Room left over is never written.
  // An input whose values are not all kept is not spilled (verify shingles it again).
  constexpr std::size_t kSpillPiece = std::size_t{1} << 20;  // values written at once (4 MiB)
  std::uint64_t spilled = 0, room = 0;                      // values written, values reserved
  if (spill_) {
    for (const Span& sp : paragraphs)
      if (indexed(sp)) room += sp.end - sp.begin;
    if (room <= UINT32_MAX) {  // FileIndex::shingles_at holds 32-bit offsets
      r.spill_at = spill_->reserve(room);
      r.shingles_at.reserve(paragraphs.size() + 1);
    }
  }
  const auto spill_pending = [&] {
    if (r.spill_at == FileIndex::kNotSpilled || spilling_.empty()) return;
    if (spilled + spilling_.size() <= room && spill_->write(r.spill_at + spilled, spilling_)) {
      spilled += spilling_.size();
    } else {
      r.spill_at = FileIndex::kNotSpilled;
      std::vector<std::uint32_t>().swap(r.shingles_at);
    }
    spilling_.clear();
  };
  // Stage times: the whole loop is timed, and split between the stages in the proportions measured
  // on every 16th paragraph. Reading the clock four times per paragraph cost 2.5% of the run.
  constexpr std::size_t kSampleEvery = 16;
  double sampled[3] = {0, 0, 0};  // normalise, shingle, sign
  const auto loop_start = Clock::now();
  for (std::size_t k = 0; k < paragraphs.size(); ++k) {
    const Span& sp = paragraphs[k];
    ++r.kinds[static_cast<std::size_t>(sp.kind)];
    if (!indexed(sp)) continue;
    const bool timed = k % kSampleEvery == 0;
    Clock::time_point a, b, c;
    if (timed) a = Clock::now();
    normalize_span(normalizer_, text.substr(sp.begin, sp.end - sp.begin), sp.begin, r.stripped, removed_,
                   normalized_, map_);
    if (timed) b = Clock::now();
    const std::size_t chars = shingler_.tokenize(normalized_, tokens_);
    r.document_chars[sp.document] += chars;
    if (chars < settings_.min_chars) {
      ++r.too_short;
      if (timed) {
        sampled[0] += seconds(a, b);
        sampled[1] += seconds(b, Clock::now());
      }
      continue;
    }
    shingler_.shingles(tokens_, shingles_);
    if (r.spill_at != FileIndex::kNotSpilled) {
      r.shingles_at.push_back(static_cast<std::uint32_t>(spilled + spilling_.size()));
      // Sized once, then folded in a loop the compiler vectorises: a push_back per value (280 M on
      // dense 1 GiB) was three quarters of this function's samples.
      const std::size_t at = spilling_.size();
      spilling_.resize(at + shingles_.size());
      std::transform(shingles_.begin(), shingles_.end(), spilling_.begin() + static_cast<std::ptrdiff_t>(at),
                     fold_shingle);
      if (spilling_.size() >= kSpillPiece) spill_pending();
    }
    if (timed) c = Clock::now();
    hasher_.sign(shingles_, signature_);
    band_keys(signature_, settings_.params, band_);
    for (unsigned band = 0; band < bands; ++band)
      r.keys[band * capacity + r.paragraphs.size()] = fold_key(band_[band]);
    if (settings_.keep_signatures) r.signatures.insert(r.signatures.end(), signature_.begin(), signature_.end());
    if (timed) {
      sampled[0] += seconds(a, b);
      sampled[1] += seconds(b, c);
      sampled[2] += seconds(c, Clock::now());
    }
    ParagraphRecord rec;
    rec.number = static_cast<std::uint32_t>(k + 1);
    rec.line = sp.line;
    rec.line_end = sp.line_end;
    rec.document = sp.document;
    rec.kind = sp.kind;
    rec.dbegin = sp.begin;
    rec.dend = sp.end;
    rec.obegin = d.original(sp.begin);
    rec.oend = d.original(sp.end);
    r.paragraphs.push_back(rec);
    // Progress in original bytes, roughly: where this paragraph ends.
    if (progress && rec.oend > reported + (1u << 20)) {
      *progress += rec.oend - reported;
      reported = rec.oend;
    }
  }
  if (progress) *progress += file.outcome.bytes > reported ? file.outcome.bytes - reported : 0;
  spill_pending();
  if (r.spill_at != FileIndex::kNotSpilled) r.shingles_at.push_back(static_cast<std::uint32_t>(spilled));
  if (const double total = sampled[0] + sampled[1] + sampled[2]; total > 0) {
    const double scale = seconds(loop_start, Clock::now()) / total;
    r.seconds_normalize = sampled[0] * scale;
    r.seconds_shingle = sampled[1] * scale;
    r.seconds_sign = sampled[2] * scale;
  }
  const std::size_t rows = r.paragraphs.size();
  if (rows < capacity) {  // close the gaps left by paragraphs too short to index
    for (unsigned b = 1; b < bands; ++b)
      std::copy_n(r.keys.begin() + static_cast<std::ptrdiff_t>(b * capacity), rows,
                  r.keys.begin() + static_cast<std::ptrdiff_t>(b * rows));
    r.keys.resize(rows * bands);
  }
  if (r.too_short * 4 > paragraphs.size()) {  // many short paragraphs: give back the unused capacity
    r.paragraphs.shrink_to_fit();
    r.keys.shrink_to_fit();
    r.signatures.shrink_to_fit();
    r.shingles_at.shrink_to_fit();
  }
  return r;
}

std::vector<FileIndex> index_inputs(const Source& source, const ScanSettings& scan, const IndexSettings& settings,
                                    unsigned threads, ProgressCounters* progress, Spill* spill) {
  const MinHasher hasher(settings.minhash);
  struct Worker {
    Indexer indexer;
    std::string buffer;  // input bytes, reused from input to input
    Worker(const IndexSettings& s, const MinHasher& h, Spill* spill) : indexer(s, h, spill) {}
  };
  detail::PerThread<Worker> workers(threads, [&] { return std::make_unique<Worker>(settings, hasher, spill); });
  std::vector<FileIndex> files(source.count());
  detail::parallel_for(files.size(), threads, [&](std::size_t i, unsigned w) {
    Worker& wk = workers[w];
    ScannedFile sf = scan_file(source, i, scan, &wk.buffer);
    // A skipped input counts as done at its listed size.
    if (!sf.ok() && progress) progress->done += source.size(i);
    files[i] = wk.indexer.index(sf, sf.ok() && progress ? &progress->done : nullptr);
    wk.buffer = std::move(sf.decoded.text);  // for the next input
  });
  return files;
}

ParagraphIndex::ParagraphIndex(std::vector<FileIndex> files) : files_(std::move(files)), first_id_(files_.size() + 1, 0) {
  for (std::size_t i = 0; i < files_.size(); ++i)
    first_id_[i + 1] = first_id_[i] + static_cast<std::uint32_t>(files_[i].paragraphs.size());
  input_of_.resize(size());
  for (std::size_t i = 0; i < files_.size(); ++i)
    std::fill(input_of_.begin() + first_id_[i], input_of_.begin() + first_id_[i + 1], static_cast<std::uint32_t>(i));
}

std::span<const std::uint32_t> ParagraphIndex::signature(std::uint32_t id, unsigned perms) const {
  const std::uint32_t f = input_of_[id];
  return {files_[f].signatures.data() + std::size_t{id - first_id_[f]} * perms, perms};
}

BandKeys ParagraphIndex::take_band_keys(unsigned bands, unsigned threads) {
  BandKeys out;
  out.count = size();
  out.bands = bands;
  out.data.reset(new std::uint32_t[out.count * bands]);
  // Inputs copy into disjoint places, so they are copied in parallel.
  detail::parallel_for(files_.size(), threads, [&](std::size_t f, unsigned) {
    const auto& fk = files_[f].keys;
    const std::size_t rows = fk.size() / bands;
    for (unsigned b = 0; b < bands; ++b)
      std::copy_n(fk.begin() + static_cast<std::ptrdiff_t>(b * rows), rows,
                  out.data.get() + std::size_t{b} * out.count + first_id_[f]);
    decltype(files_[f].keys)().swap(files_[f].keys);
  });
  return out;
}

namespace {

Status changed_since_indexed() {
  return {StatusCode::changed, "changed while recur was running; its matches were dropped"};
}

// The input read whole into `buffer` (decoded, unless decoding was the identity: then the original
// bytes are the text), and `views[k]` cut from it for `paragraphs[k]`. On failure all are empty.
Status read_whole(const Source& source, std::size_t input, const FileIndex& file, const DecodeOptions& decode_options,
                  std::span<const ParagraphRecord* const> paragraphs, std::string& buffer,
                  std::vector<std::string_view>& views) {
  views.assign(paragraphs.size(), {});
  if (!(source.stamp(input) == file.stamp)) return changed_since_indexed();
  if (Status s = source.read(input, buffer); !s.ok()) return s;
  if (!file.identity) {
    DecodeResult dr = decode(std::move(buffer), decode_options);
    if (!dr.ok()) return dr.status;
    buffer = std::move(dr.decoded.text);
  }
  const std::string_view all(buffer);
  for (std::size_t k = 0; k < paragraphs.size(); ++k) {
    const ParagraphRecord& p = *paragraphs[k];
    // A file changed between the stamp and the read may be shorter than its paragraphs.
    const std::uint64_t begin = file.identity ? p.obegin : p.dbegin, end = file.identity ? p.oend : p.dend;
    if (end > all.size() || begin > end) {
      views.assign(paragraphs.size(), {});
      return changed_since_indexed();
    }
    views[k] = all.substr(begin, end - begin);
  }
  return {};
}

}  // namespace

Status read_paragraphs(const Source& source, std::size_t input, const FileIndex& file, const DecodeOptions& decode_options,
                       std::span<const ParagraphRecord* const> paragraphs, std::vector<std::string>& texts) {
  texts.assign(paragraphs.size(), {});
  if (!file.identity) {  // decoded again, whole
    std::string buffer;
    std::vector<std::string_view> views;
    if (Status s = read_whole(source, input, file, decode_options, paragraphs, buffer, views); !s.ok()) return s;
    for (std::size_t k = 0; k < paragraphs.size(); ++k) texts[k] = views[k];
    return {};
  }
  // The paragraphs' original bytes are their text.
  if (!(source.stamp(input) == file.stamp)) return changed_since_indexed();
  std::vector<ByteRange> ranges;
  ranges.reserve(paragraphs.size());
  for (const ParagraphRecord* p : paragraphs) ranges.emplace_back(p->obegin, p->oend);
  return source.read_ranges(input, ranges, texts);
}

Status read_paragraph_views(const Source& source, std::size_t input, const FileIndex& file,
                            const DecodeOptions& decode_options, std::span<const ParagraphRecord* const> paragraphs,
                            std::string& buffer, std::vector<std::string>& texts, std::vector<std::string_view>& views) {
  std::uint64_t wanted = 0;
  for (const ParagraphRecord* p : paragraphs) wanted += p->oend - p->obegin;
  if (file.identity && wanted * 2 < file.stamp.size) {
    views.assign(paragraphs.size(), {});
    Status s = read_paragraphs(source, input, file, decode_options, paragraphs, texts);
    if (s.ok())
      for (std::size_t k = 0; k < paragraphs.size(); ++k) views[k] = texts[k];
    return s;
  }
  texts.clear();
  return read_whole(source, input, file, decode_options, paragraphs, buffer, views);
}

}  // namespace recur
