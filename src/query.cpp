// recur query: the archive's seeds, candidates, alignment against archived documents, coverage.
#include "recur/query.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "parallel.hpp"
#include "recur/error.hpp"
#include "recur/options.hpp"

namespace recur {

std::vector<std::uint64_t> sampled_seeds(const TokenText& text, unsigned seed, unsigned sample) {
  std::vector<std::uint64_t> all = seed_hashes(text, seed);
  std::erase_if(all, [sample](std::uint64_t h) { return !is_sampled(h, sample); });
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

std::string ArchiveOptions::validate() const {
  if (auto m = input.validate(); !m.empty()) return m;
  if (seed < 2 || seed > 64) return "--seed must be between 2 and 64 tokens";
  if (sample < 1 || sample > (1u << 16)) return "--sample must be between 1 and 65536";
  return {};
}

Fingerprint archive_fingerprint(const ArchiveOptions& o) {
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  Fingerprint f;
  f.casefold = o.input.normalize.casefold;
  f.simplify = o.input.normalize.simplify;
  f.strip = o.input.strip;
  // As make_fingerprint(): the matches of all patterns are merged, so order and repeats do not matter.
  std::sort(f.strip.begin(), f.strip.end());
  f.strip.erase(std::unique(f.strip.begin(), f.strip.end()), f.strip.end());
  f.doc_split = o.input.doc_split;
  f.paragraphs = o.input.paragraphs;
  f.align_seed = o.seed;
  f.seed_sample = o.sample;
  f.recur_version = version();
  return f;
}

void apply_fingerprint(const Fingerprint& f, ArchiveOptions& o) {
  o.input.normalize.casefold = f.casefold;
  o.input.normalize.simplify = f.simplify;
  o.input.strip = f.strip;
  o.input.doc_split = f.doc_split;
  o.input.paragraphs = f.paragraphs;
  o.seed = f.align_seed;
  o.sample = f.seed_sample;
}

std::vector<DocumentSeeds> document_seeds(const ScannedFile& file, Normalizer& normalizer, unsigned seed,
                                          unsigned sample) {
  std::vector<DocumentSeeds> out;
  const auto& docs = file.seg.documents;
  for (std::size_t d = 0; d < docs.size(); ++d) {
    const TokenText tokens = tokenize(file, normalizer, static_cast<std::int64_t>(d));
    DocumentSeeds ds;
    ds.content_chars = tokens.content_chars(0, tokens.size());
    if (ds.content_chars == 0) continue;
    ds.index = static_cast<std::uint32_t>(d + 1);
    ds.title = docs[d].name;
    ds.seeds = sampled_seeds(tokens, seed, sample);
    out.push_back(std::move(ds));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// MemoryArchive

MemoryArchive::MemoryArchive(const Source& source, const ArchiveOptions& options, std::string name)
    : name_(std::move(name)), fingerprint_(archive_fingerprint(options)), encoding_(options.input.decode.encoding) {
  const ScanSettings scan(options.input);
  Normalizer normalizer(options.input.normalize);
  std::string bytes;
  for (std::size_t i = 0; i < source.count(); ++i) {
    if (Status s = source.read(i, bytes); !s.ok()) {
      skipped_.emplace_back(source.name(i), s);
      continue;
    }
    MemorySource one;
    one.add(source.name(i), bytes);
    const ScannedFile file = scan_file(one, 0, scan);
    if (!file.ok()) {
      skipped_.emplace_back(source.name(i), file.outcome.status);
      continue;
    }
    const std::size_t input = texts_.add(source.name(i), bytes);
    for (DocumentSeeds& ds : document_seeds(file, normalizer, options.seed, options.sample)) {
      const std::uint64_t id = docs_.size() + 1;
      docs_.push_back({id, input, ds.index, ds.content_chars});
      for (std::uint64_t h : ds.seeds) postings_[h].push_back(id);
    }
  }
}

const ArchivedDocument* MemoryArchive::document(std::uint64_t id) const {
  return id >= 1 && id <= docs_.size() ? &docs_[id - 1] : nullptr;
}

void MemoryArchive::lookup(std::span<const std::uint64_t> hashes, std::size_t limit,
                           std::vector<std::vector<std::uint64_t>>& out) const {
  out.assign(hashes.size(), {});
  for (std::size_t k = 0; k < hashes.size(); ++k) {
    auto it = postings_.find(hashes[k]);
    if (it == postings_.end()) continue;
    const std::size_t n = std::min(it->second.size(), limit + 1);
    out[k].assign(it->second.begin(), it->second.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

std::vector<std::uint64_t> MemoryArchive::seeds_of(std::uint64_t id) const {
  std::vector<std::uint64_t> out;
  for (const auto& [h, ids] : postings_)
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) out.push_back(h);
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------------------------------------
// The stages of a query

std::string QueryOptions::validate() const {
  if (auto m = input.validate(); !m.empty()) return m;
  if (auto m = align.validate(); !m.empty()) return m;
  if (sample < 1 || sample > (1u << 16)) return "--sample must be between 1 and 65536";
  if (min_shared < 1) return "min_shared must be at least 1";
  if (max_sources < 1) return "--max-sources must be at least 1";
  if (!(template_share > 0 && template_share <= 1)) return "template_share must be in (0, 1]";
  return {};
}

std::uint64_t default_max_docs(std::uint64_t documents, std::uint64_t requested) noexcept {
  if (requested > 0) return requested;
  return std::max<std::uint64_t>(5, documents / 20);
}

ArchiveOptions archive_options(const QueryOptions& o) {
  ArchiveOptions a;
  a.input = o.input;
  a.seed = o.align.seed;
  a.sample = o.sample;
  return a;
}

Candidates find_candidates(const TokenText& tokens, const ArchiveView& archive, const QueryOptions& o,
                           std::uint64_t max_docs) {
  Candidates c;
  c.seeds = sampled_seeds(tokens, o.align.seed, o.sample);
  std::vector<std::vector<std::uint64_t>> docs;
  archive.lookup(c.seeds, max_docs, docs);
  std::unordered_map<std::uint64_t, std::uint32_t> shared;
  for (std::size_t k = 0; k < c.seeds.size(); ++k) {
    if (docs[k].size() > max_docs) {
      c.boilerplate.push_back(c.seeds[k]);
      continue;
    }
    for (std::uint64_t id : docs[k]) ++shared[id];
  }
  for (const auto& [id, n] : shared)
    if (n >= o.min_shared && archive.document(id)) c.documents.emplace_back(id, n);
  std::sort(c.documents.begin(), c.documents.end(),
            [](const auto& x, const auto& y) { return x.second != y.second ? x.second > y.second : x.first < y.first; });
  if (c.documents.size() > o.max_sources) c.documents.resize(o.max_sources);
  return c;
}

bool boilerplate_span(TokenSpan span, const std::vector<std::uint64_t>& seeds,
                      const std::vector<std::uint64_t>& boilerplate, unsigned seed, unsigned sample) {
  std::size_t sampled = 0;
  for (std::size_t i = span.begin; i + seed <= span.end && i < seeds.size(); ++i) {
    if (!is_sampled(seeds[i], sample)) continue;
    ++sampled;
    if (!std::binary_search(boilerplate.begin(), boilerplate.end(), seeds[i])) return false;
  }
  return sampled > 0;
}

void focus_document(PreparedText& t, std::int64_t document, Normalizer& normalizer) {
  const Segmentation& seg = t.file.seg;
  if (document < 0 || document >= static_cast<std::int64_t>(seg.documents.size()))
    throw Error(errc::internal, t.path + ": no document " + std::to_string(document + 1));
  t.document_index = static_cast<std::uint32_t>(document + 1);
  t.document = document_name(seg.documents[static_cast<std::size_t>(document)], t.path);
  // The document's text: from its first paragraph to its last (as prepare_text counts it).
  std::size_t b = t.file.decoded.text.size(), e = 0;
  for (const Span& sp : seg.paragraphs)
    if (sp.document == static_cast<std::uint64_t>(document)) {
      b = std::min<std::size_t>(b, sp.begin);
      e = std::max<std::size_t>(e, sp.end);
    }
  t.chars = e > b ? t.code_points_before(e) - t.code_points_before(b) : 0;
  t.tokens = tokenize(t.file, normalizer, document);
}

nlohmann::ordered_json options_json(const QueryOptions& o, std::uint64_t documents, std::size_t bases) {
  nlohmann::ordered_json j;
  input_options_json(o.input, j);
  j["seed"] = o.align.seed;
  j["sample"] = o.sample;
  j["min_length"] = o.align.min_tokens;
  j["max_gap"] = o.align.max_gap;
  j["min_similarity"] = o.align.min_similarity;
  j["max_docs"] = default_max_docs(documents, o.max_docs);
  j["min_shared"] = o.min_shared;
  j["max_sources"] = o.max_sources;
  j["bases"] = bases;
  return j;
}

namespace {

double share_of(std::uint64_t n, std::uint64_t d) { return d ? static_cast<double>(n) / static_cast<double>(d) : 0.0; }

// Archived files prepared for alignment, kept while the run goes on (a file's documents are often
// candidates of several queries) up to a memory budget, the least recently used dropped first.
class ArchivedTexts {
 public:
  ArchivedTexts(const ArchiveView& archive, const InputOptions& input) : archive_(archive), input_(input) {}

  // The text of document `doc`, focused on it. Throws Error(errc::input) when the archived file
  // cannot be read back (the archive is damaged).
  PreparedText& get(const ArchivedDocument& doc, Normalizer& normalizer) {
    auto it = cache_.find(doc.input);
    if (it == cache_.end()) {
      const std::string& encoding = archive_.encoding(doc.input);
      auto& settings = settings_[encoding];
      if (!settings) {
        InputOptions in = input_;
        in.decode.encoding = encoding;
        settings = std::make_unique<ScanSettings>(in);
      }
      Entry e;
      e.text = std::make_unique<PreparedText>();
      if (Status s = prepare_text(archive_.texts(), {doc.input, -1}, *settings, normalizer, *e.text); !s.ok())
        throw Error(errc::input, archive_.name() + ": archived " + archive_.texts().name(doc.input) +
                                     " cannot be read back: " + s.message());
      // A whole file: prepare_text's tokens are already those of its one document.
      if (e.text->file.seg.documents.size() == 1) e.text->document_index = 1;
      e.bytes = e.text->file.decoded.text.size();
      bytes_ += e.bytes;
      it = cache_.emplace(doc.input, std::move(e)).first;
      evict(doc.input);
    }
    it->second.used = ++clock_;
    PreparedText& t = *it->second.text;
    if (t.document_index != doc.index) focus_document(t, doc.index - 1, normalizer);
    return t;
  }

 private:
  struct Entry {
    std::unique_ptr<PreparedText> text;
    std::size_t bytes = 0;
    std::uint64_t used = 0;
  };
  static constexpr std::size_t kBudget = std::size_t{128} << 20;

  void evict(std::size_t keep) {
    while (bytes_ > kBudget && cache_.size() > 1) {
      auto oldest = cache_.end();
      for (auto it = cache_.begin(); it != cache_.end(); ++it)
        if (it->first != keep && (oldest == cache_.end() || it->second.used < oldest->second.used)) oldest = it;
      if (oldest == cache_.end()) return;
      bytes_ -= oldest->second.bytes;
      cache_.erase(oldest);
    }
  }

  const ArchiveView& archive_;
  InputOptions input_;
  std::map<std::string, std::unique_ptr<ScanSettings>> settings_;
  std::unordered_map<std::size_t, Entry> cache_;
  std::size_t bytes_ = 0;
  std::uint64_t clock_ = 0;
};

// What a worker keeps between candidates and queries: its normaliser and its archived texts.
struct Worker {
  Worker(const ArchiveView& archive, const InputOptions& input) : normalizer(input.normalize), archived(archive, input) {}
  Normalizer normalizer;
  ArchivedTexts archived;
};

// One query text against its candidates, aligned on `workers.size()` threads.
QueryResult query_one(const PreparedText& q, const ArchiveView& archive, std::vector<std::unique_ptr<Worker>>& workers,
                      const QueryOptions& o, std::uint64_t max_docs, const std::vector<PreparedText>& bases,
                      QueryStats& stats) {
  QueryResult r;
  r.path = q.path;
  r.document = q.document;
  r.document_index = q.document_index == 0 ? 1 : q.document_index;
  r.content_chars = q.tokens.content_chars(0, q.tokens.size());

  const Candidates c = find_candidates(q.tokens, archive, o, max_docs);
  stats.seeds += c.seeds.size();
  stats.boilerplate_seeds += c.boilerplate.size();
  stats.candidates += c.documents.size();
  const std::vector<std::uint64_t> seeds = seed_hashes(q.tokens, o.align.seed);
  const auto ignore = [&](std::uint64_t h) {
    return std::binary_search(c.boilerplate.begin(), c.boilerplate.end(), h);
  };
  const std::vector<TokenSpan> templ_q = bases.empty() ? std::vector<TokenSpan>{} : template_spans(q, bases, o.align);

  // In the order of the archive's files, so that a worker's next document is often in the file it
  // has scanned. Results are stored by position: the output never depends on the threads.
  std::vector<const ArchivedDocument*> docs;
  for (const auto& [id, shared] : c.documents) docs.push_back(archive.document(id));
  std::sort(docs.begin(), docs.end(), [](const ArchivedDocument* x, const ArchivedDocument* y) {
    return x->input != y->input ? x->input < y->input : x->index < y->index;
  });
  struct Found {
    QuerySource source;
    std::vector<TokenSpan> own, templ;
  };
  std::vector<std::optional<Found>> found(docs.size());
  detail::parallel_for(docs.size(), static_cast<unsigned>(workers.size()), [&](std::size_t k, unsigned w) {
    Worker& worker = *workers[w];
    PreparedText& t = worker.archived.get(*docs[k], worker.normalizer);
    const std::vector<Passage> passages = align(q.tokens, t.tokens, o.align, ignore);
    if (passages.empty()) return;
    const std::vector<TokenSpan> templ_t = bases.empty() ? std::vector<TokenSpan>{} : template_spans(t, bases, o.align);
    Found f;
    f.source.path = t.path;
    f.source.document = t.document;
    f.source.document_index = t.document_index;
    for (const Passage& p : passages) {
      ReportPassage rp;
      rp.a = locate_span(q, p.a);
      rp.b = locate_span(t, p.b);
      rp.similarity = p.similarity;
      rp.exact = p.exact;
      rp.is_template = boilerplate_span(p.a, seeds, c.boilerplate, o.align.seed, o.sample) ||
                       mostly_template(p.a, templ_q, o.template_share) ||
                       mostly_template(p.b, templ_t, o.template_share);
      (rp.is_template ? f.templ : f.own).push_back(p.a);
      f.source.passages.push_back(std::move(rp));
    }
    f.source.chars = covered_chars(q.tokens, f.own);
    f.source.share = share_of(f.source.chars, r.content_chars);
    found[k] = std::move(f);
  });
  std::vector<TokenSpan> own_all, templ_all;
  for (auto& f : found) {
    if (!f) continue;
    stats.passages += f->source.passages.size();
    own_all.insert(own_all.end(), f->own.begin(), f->own.end());
    templ_all.insert(templ_all.end(), f->templ.begin(), f->templ.end());
    r.sources.push_back(std::move(f->source));
  }
  std::stable_sort(r.sources.begin(), r.sources.end(), [](const QuerySource& x, const QuerySource& y) {
    if (x.chars != y.chars) return x.chars > y.chars;
    if (x.path != y.path) return x.path < y.path;
    return x.document_index < y.document_index;
  });
  r.found = share_of(covered_chars(q.tokens, own_all), r.content_chars);
  r.templ = share_of(covered_chars(q.tokens, templ_all), r.content_chars);
  return r;
}

}  // namespace

QueryReport run_query(const Source& queries, const ArchiveView& archive, const QueryOptions& o, const Source* bases,
                      const ProgressFn& progress, const WarnFn& warn) {
  if (auto m = o.validate(); !m.empty()) throw Error(errc::usage, m);
  if (auto m = compatibility(archive.fingerprint(), archive_fingerprint(archive_options(o)), archive.name());
      !m.empty())
    throw Error(errc::usage, m);
  StageClock clock;
  ProgressCounters counters;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < queries.count(); ++i) total += queries.size(i);
  counters.begin("querying", total);
  Ticker ticker(progress, counters);

  const ScanSettings scan(o.input);
  Normalizer normalizer(o.input.normalize);
  const std::uint64_t max_docs = default_max_docs(archive.documents(), o.max_docs);

  QueryReport report;
  report.version = version();
  report.archive_path = archive.name();
  report.archive_documents = archive.documents();
  report.archive_fingerprint = to_text(archive.fingerprint());
  for (const Skipped& s : queries.problems()) report.skipped.push_back(s);

  std::vector<PreparedText> base_texts;
  if (bases) {
    base_texts.resize(bases->count());
    for (std::size_t i = 0; i < bases->count(); ++i)
      if (Status s = prepare_text(*bases, {i, -1}, scan, normalizer, base_texts[i]); !s.ok())
        throw Error(errc::input, "--base " + bases->name(i) + ": " + s.message());
  }
  report.options = options_json(o, archive.documents(), base_texts.size());
  clock.mark("prepare");

  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned w = 0; w < effective_threads(o.threads); ++w)
    workers.push_back(std::make_unique<Worker>(archive, archive_options(o).input));
  for (std::size_t i = 0; i < queries.count(); ++i) {
    PreparedText q;
    if (Status s = prepare_text(queries, {i, -1}, scan, normalizer, q); !s.ok()) {
      report.skipped.emplace_back(queries.name(i), s);
      if (warn) warn("skipped " + queries.name(i) + ": " + s.message());
      counters.done += queries.size(i);
      continue;
    }
    if (!q.file.outcome.note.empty()) {
      report.warnings.push_back(q.path + ": " + q.file.outcome.note);
      if (warn) warn(report.warnings.back());
    }
    const std::size_t n = q.file.seg.documents.size();
    for (std::size_t d = 0; d < n; ++d) {
      if (n > 1) {
        focus_document(q, static_cast<std::int64_t>(d), normalizer);
        // An empty preamble before a compilation's first document is no query.
        if (q.tokens.size() == 0) continue;
      } else {
        q.document_index = 1;
      }
      report.queries.push_back(query_one(q, archive, workers, o, max_docs, base_texts, report.stats));
      ++report.stats.queries;
    }
    counters.done += queries.size(i);
  }
  clock.mark("query");
  report.stats.seconds = clock.finish();
  return report;
}

}  // namespace recur
