// Report writers: JSON (the contract), CSV (one row per member), text (terminal summary).
#include "recur/report.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <cmath>
#include <condition_variable>
#include <iomanip>
#include <memory>
#include <mutex>
#include <sstream>
#include <type_traits>
#include <vector>

#include "recur/encoding.hpp"
#include "recur/html.hpp"
#include "recur/text.hpp"
#include "parallel.hpp"

namespace recur {
namespace {

// Similarities are exact ratios; six decimals are plenty and keep the files readable.
double round6(double x) { return std::round(x * 1e6) / 1e6; }

nlohmann::ordered_json seconds_json(const std::vector<std::pair<std::string, double>>& seconds) {
  nlohmann::ordered_json sec = nlohmann::ordered_json::object();
  for (const auto& [name, v] : seconds) sec[name] = std::round(v * 1e4) / 1e4;
  return sec;
}

nlohmann::ordered_json skipped_json(const std::vector<Skipped>& skipped) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& s : skipped) out.push_back({{"path", s.path}, {"reason", s.reason}, {"code", to_string(s.code)}});
  return out;
}

// The fields every report starts with, in contract order.
template <class R>
nlohmann::ordered_json json_head(const R& report, nlohmann::ordered_json stats) {
  nlohmann::ordered_json j;
  j["recur_version"] = report.version;
  j["options"] = report.options;
  j["stats"] = std::move(stats);
  j["skipped"] = skipped_json(report.skipped);
  j["warnings"] = report.warnings;
  return j;
}

double total_seconds(const std::vector<std::pair<std::string, double>>& seconds) {
  for (const auto& [name, v] : seconds)
    if (name == "total") return v;
  return 0;
}

// ANSI styles, empty without colour.
struct Style {
  const char *bold, *dim, *reset;
  explicit Style(bool color)
      : bold(color ? "\x1b[1m" : ""), dim(color ? "\x1b[2m" : ""), reset(color ? "\x1b[0m" : "") {}
};

void write_skipped_text(const std::vector<Skipped>& skipped, std::ostream& out, const Style& st) {
  if (skipped.empty()) return;
  out << "\n" << st.bold << "Skipped" << st.reset << " (" << skipped.size() << "):\n";
  for (const auto& sk : skipped) out << "  " << sk.path << ": " << sk.reason << "\n";
}

// The counts every command's stats begin with (bytes is written by each, in its contract's place).
nlohmann::ordered_json corpus_stats_json(const CorpusStats& s) {
  nlohmann::ordered_json j;
  j["files"] = s.files;
  j["files_read"] = s.files_read;
  j["files_skipped"] = s.files_skipped;
  j["documents"] = s.documents;
  j["paragraphs"] = s.paragraphs;
  return j;
}

nlohmann::ordered_json stats_json(const Stats& s) {
  nlohmann::ordered_json j = corpus_stats_json(s);
  j["paragraphs_too_short"] = s.paragraphs_too_short;
  j["paragraphs_indexed"] = s.paragraphs_indexed;
  nlohmann::ordered_json kinds;
  for (std::size_t k = 0; k < kParagraphKinds; ++k) kinds[to_string(static_cast<ParagraphKind>(k))] = s.paragraphs_by_kind[k];
  j["paragraphs_by_kind"] = std::move(kinds);
  j["bytes"] = s.bytes;
  j["candidate_pairs"] = s.candidate_pairs;
  j["verified_pairs"] = s.verified_pairs;
  j["clusters"] = s.clusters;
  j["clustered_paragraphs"] = s.clustered_paragraphs;
  j["clusters_single_document"] = s.clusters_single_document;
  j["truncated_buckets"] = s.truncated_buckets;
  j["seconds"] = seconds_json(s.seconds);
  return j;
}

// Code points of `text` as separate UTF-8 strings (for excerpts and the diff).
std::vector<std::string> code_points(std::string_view text, std::size_t limit) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size() && out.size() < limit) {
    std::size_t start = i;
    char32_t c = next_code_point(text, i);
    if (c == '\n' || c == '\r' || c == '\t') { out.emplace_back(" "); continue; }
    if (c == 0x3000 && (out.empty() || out.back() == " ")) continue;  // leading full-width indents
    out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

// How `b` differs from `a`, character by character: runs of equal, deleted (in a only) and inserted
// (in b only) characters, from a longest common subsequence. The common prefix and suffix are
// trimmed first; a middle too large for the quadratic table (whole paragraphs with --full) is
// shown as one replacement.
enum class Op { equal, del, ins };
std::vector<std::pair<Op, std::string>> diff_ops(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::pair<Op, std::string>> ops;
  auto emit = [&](Op op, const std::string& s) {
    if (!ops.empty() && ops.back().first == op) ops.back().second += s;
    else ops.emplace_back(op, s);
  };
  std::size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) emit(Op::equal, a[pre++]);
  std::size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  const std::size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  if (n * m > (std::size_t{4} << 20) || n > 60000 || m > 60000) {
    for (std::size_t i = 0; i < n; ++i) emit(Op::del, a[pre + i]);
    for (std::size_t j = 0; j < m; ++j) emit(Op::ins, b[pre + j]);
  } else {
    std::vector<std::uint16_t> dp((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint16_t& { return dp[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;)
      for (std::size_t j = m; j-- > 0;)
        at(i, j) = a[pre + i] == b[pre + j] ? static_cast<std::uint16_t>(at(i + 1, j + 1) + 1)
                                            : std::max(at(i + 1, j), at(i, j + 1));
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) { emit(Op::equal, a[pre + i]); ++i; ++j; }
      else if (j == m || (i < n && at(i + 1, j) >= at(i, j + 1))) emit(Op::del, a[pre + i++]);
      else emit(Op::ins, b[pre + j++]);
    }
  }
  for (std::size_t k = a.size() - suf; k < a.size(); ++k) emit(Op::equal, a[k]);
  return ops;
}

// Writes `b` marked against `a`: deleted text struck through in red and inserted text in green with
// colour, else as wdiff does: [-deleted-]{+inserted+}.
// At most `limit` characters are written (deleted ones count); returns whether all were.
bool write_diff(std::ostream& out, const std::vector<std::string>& a, const std::vector<std::string>& b, bool color,
                std::size_t limit = SIZE_MAX) {
  std::size_t written = 0;
  for (const auto& [op, text] : diff_ops(a, b)) {
    // Cut the run at the limit, on a character boundary.
    std::size_t end = 0, chars = 0;
    while (end < text.size() && written + chars < limit) {
      ++chars;
      ++end;
      while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    }
    const std::string_view part = std::string_view(text).substr(0, end);
    if (op == Op::equal) out << part;
    else if (op == Op::del) out << (color ? "\x1b[9;31m" : "[-") << part << (color ? "\x1b[0m" : "-]");
    else out << (color ? "\x1b[1;32m" : "{+") << part << (color ? "\x1b[0m" : "+}");
    written += chars;
    if (end < text.size()) return false;
  }
  return true;
}

// Characters of a paragraph compared for marking differences; beyond it text is shown unmarked.
constexpr std::size_t kDiffChars = 4000;

// Thousands separated by commas: 3,400.
std::string grouped(std::uint64_t v) {
  const std::string digits = std::to_string(v);
  std::string s;
  for (std::size_t k = 0; k < digits.size(); ++k) {
    if (k > 0 && (digits.size() - k) % 3 == 0) s += ',';
    s += digits[k];
  }
  return s;
}

void write_csv_field(std::ostream& out, std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) { out << s; return; }
  out << '"';
  for (char c : s) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

// Where a JsonLayout writes: the bytes (std::string), or only how many there are (ByteCount).
// Counting the bytes of a block of the report (report_clusters_size, for the MPI run's offsets)
// goes through the same code as writing them, without copying the texts.
struct ByteCount {
  std::uint64_t n = 0;
  void append(const char*, std::size_t k) { n += k; }
  void append(std::size_t k, char) { n += k; }
  ByteCount& operator+=(char) {
    ++n;
    return *this;
  }
  ByteCount& operator+=(std::string_view s) {
    n += s.size();
    return *this;
  }
  std::uint64_t size() const { return n; }
};

// Where write_json_clusters formats: bytes [0, n) written, the rest room made ahead (room(k) before
// writing at most k bytes: json_clusters makes room for each member by a bound on its JSON). The
// appends are then plain copies. Through std::string, which checks its capacity and calls out for
// each of a member's forty-odd appends (indentation through _M_replace_aux), those appends were
// about a third of formatting dense 1 GiB's report.
// The first room is allocated to the byte, so that a bound too small shows as a heap overflow
// under the sanitizers (tests/report_parts_test.cpp writes strings that escape to six times their
// bytes).
struct JsonBuffer {
  std::unique_ptr<char[]> bytes;
  std::size_t n = 0, cap = 0;
  void room(std::size_t k) {
    if (cap - n >= k) return;
    const std::size_t grown = std::max(2 * cap, n + k);
    auto more = std::make_unique_for_overwrite<char[]>(grown);
    if (n != 0) std::memcpy(more.get(), bytes.get(), n);
    bytes = std::move(more);
    cap = grown;
  }
  void append(const char* p, std::size_t k) {
    std::memcpy(bytes.get() + n, p, k);
    n += k;
  }
  void append(std::size_t k, char c) {
    std::memset(bytes.get() + n, c, k);
    n += k;
  }
  JsonBuffer& operator+=(char c) {
    bytes[n++] = c;
    return *this;
  }
  JsonBuffer& operator+=(std::string_view s) {
    append(s.data(), s.size());
    return *this;
  }
  std::size_t size() const { return n; }
  const char* data() const { return bytes.get(); }
  void clear() { n = 0; }
};

// Room for `k` more bytes where the output keeps room (JsonBuffer); std::string and ByteCount grow
// as they go.
template <class Out>
void make_room(Out& out, std::size_t k) {
  if constexpr (std::is_same_v<Out, JsonBuffer>) out.room(k);
}

template <class Out>
void append_json_number(Out& out, std::uint64_t v) {
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, v);
  out.append(digits, static_cast<std::size_t>(r.ptr - digits));
}

// Eight bytes that may hold a byte JSON escapes (a byte below 0x20, '"' or '\\'; bytes of 0x80 and
// above, all of a Chinese text's, never do). It may flag a word that holds none, which only sends
// it through the byte loop: byte by byte, the scan was a tenth of writing a dense corpus's report.
inline bool may_need_escape(const char* p) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  const std::uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
  return (((w - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes)) & ~w & kHigh) != 0;
}

// Calls escape(i) for every byte of s that may need escaping (and a few that do not), in order.
template <class F>
void for_each_escape_candidate(std::string_view s, F&& escape) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8)
    if (may_need_escape(s.data() + i))
      for (std::size_t k = i; k < i + 8; ++k) escape(k);
  for (; i < s.size(); ++i) escape(i);
}

bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// What JSON writes for a byte that needs escaping: a two-character escape, or \u00XX.
std::string_view short_escape(unsigned char c) {
  switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: return {};
  }
}

// A JSON string as nlohmann::json::dump writes it without ensure_ascii: quotes, backslashes and
// control characters escaped, everything else as is. `s` must be well-formed UTF-8.
template <class Out>
void append_json_valid_string(Out& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  for_each_escape_candidate(s, [&](std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c)) return;
    out.append(s.data() + run, i - run);
    run = i + 1;
    if (const std::string_view e = short_escape(c); !e.empty()) {
      out += e;
    } else {
      out += std::string_view("\\u00");
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  });
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

// The same for any bytes: invalid UTF-8 goes through nlohmann, which replaces it with U+FFFD.
template <class Out>
void append_json_string(Out& out, std::string_view s) {
  if (!is_valid_utf8(s)) {
    out += nlohmann::ordered_json(std::string(s)).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    return;
  }
  append_json_valid_string(out, s);
}

// A double as nlohmann::json::dump writes it (its serializer's dump_float: "null" when not finite,
// else the shortest form that reads back the same, from nlohmann's own to_chars), without building
// a json value and a string for each: that was a sixth of formatting a member of a dense corpus's
// report.
template <class Out>
void append_json_double(Out& out, double v) {
  if (!std::isfinite(v)) {
    out += std::string_view("null");
    return;
  }
  std::array<char, 64> digits;
  const char* end = nlohmann::detail::to_chars(digits.data(), digits.data() + digits.size(), v);
  out.append(digits.data(), static_cast<std::size_t>(end - digits.data()));
}

std::string fixed(double v, int digits) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << v;
  return os.str();
}

}  // namespace

std::uint64_t json_escape_extra(std::string_view s) noexcept {
  std::uint64_t extra = 0;
  for_each_escape_candidate(s, [&](std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (needs_escape(c)) extra += short_escape(c).empty() ? 5 : 1;  // \u00XX, or a two-character escape
  });
  return extra;
}

void drop_member_text(Report& report) {
  for (ReportCluster& c : report.clusters)
    for (Member& m : c.members) {
      std::string().swap(m.text);
      m.text_json_extra = 0;
    }
  report.member_text = false;
}

namespace {

// The JSON writers hand their text to the stream in pieces of about this many bytes, and
// write_json_clusters formats pieces of this size on its threads.
constexpr std::size_t kPieceBytes = std::size_t{1} << 20;

// dump(2)'s layout (each member or element on its own line, indented two spaces per level),
// except that an object at depth 4 (a cluster member, a phrase location or variant) is one line,
// its fields at depth 5 following each other as `"name": value, "name": value`. A member is then
// one line, which grep, head and diff show whole, and dense 1 GiB's report is 1.27 GB instead of
// 1.50 GB (the indentation of fourteen fields a member was 17% of its bytes): formatting, writing
// and syncing it took about 0.4 s less of the 2 s after the stages (bench/RESULTS.md).
template <class Out = std::string>
struct JsonLayout {
  /// Fields at this depth and deeper share their object's line.
  static constexpr int kOneLine = 5;
  Out buf;
  // Names are string_views: the literals' lengths are known when these inline, where appending a
  // const char* measured each one (strlen was 7% of writing dense 1 GiB's report).
  void next(int depth, bool first) {
    if (depth >= kOneLine) {
      if (!first) buf += std::string_view(", ");
      return;
    }
    buf += first ? std::string_view("\n") : std::string_view(",\n");
    buf.append(2 * static_cast<std::size_t>(depth), ' ');
  }
  void key(int depth, std::string_view name, bool first = false) {
    next(depth, first);
    buf += '"';
    buf += name;
    buf += std::string_view("\": ");
  }
  void number(int depth, std::string_view name, std::uint64_t v, bool first = false) {
    key(depth, name, first);
    append_json_number(buf, v);
  }
  void string(int depth, std::string_view name, std::string_view v, bool first = false) {
    key(depth, name, first);
    append_json_string(buf, v);
  }
  /// A member's text: well-formed UTF-8 by Member::text's contract, so not checked again (that
  /// check was a quarter of writing a dense corpus's report).
  void valid_string(int depth, std::string_view name, std::string_view v) {
    key(depth, name);
    append_json_valid_string(buf, v);
  }
  /// A member's text, whose escapes add `extra` bytes when known: then it is counted without
  /// reading it, and copied without scanning it when nothing needs escaping (most paragraphs).
  void text(int depth, std::string_view name, std::string_view v, std::optional<std::uint64_t> extra) {
    if (!extra || (*extra != 0 && !std::is_same_v<Out, ByteCount>)) return valid_string(depth, name, v);
    key(depth, name);
    if constexpr (std::is_same_v<Out, ByteCount>) {
      buf.n += v.size() + 2 + *extra;
    } else {
      buf += '"';
      buf.append(v.data(), v.size());
      buf += '"';
    }
  }
  void close(int depth, char bracket) {
    if (depth + 1 >= kOneLine) {  // its fields were on its line
      buf += bracket;
      return;
    }
    buf += '\n';
    buf.append(2 * static_cast<std::size_t>(depth), ' ');
    buf += bracket;
  }
  void flush(std::ostream& out) {
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    buf.clear();
  }
};

// An object's head as nlohmann formats it, left open at a last member `key` whose list has begun:
// the list's entries follow through JsonLayout, without a tree of the whole output.
JsonLayout<> open_list_after(const nlohmann::ordered_json& head, const char* key, bool empty) {
  JsonLayout<> w{head.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)};
  w.buf.resize(w.buf.size() - 2);  // "\n}": the list follows as the last member
  w.key(1, key);
  w.buf += empty ? "[]" : "[";
  return w;
}

// The head (options, stats, skipped, warnings) is small and goes through nlohmann::json. The
// clusters, one object per member and a hundred thousand of them on a 1 GiB corpus, are written
// straight to the stream in JsonLayout's layout (dump(2)'s, with each member on one line):
// building them as a JSON tree first took longer than finding them.
//
// The document pairs (tens of thousands on a dense corpus: 20 MB of its head) are written the same
// way: through nlohmann they took 0.6 s of the dense 1 GiB corpus's run, on rank 0 alone under MPI.
void write_json_head(const Report& report, std::size_t total, std::ostream& out) {
  JsonLayout<> w = open_list_after(json_head(report, stats_json(report.stats)), "documents", report.documents.empty());
  const auto side = [&](const char* name, const DocumentShare& s, bool first) {
    w.key(3, name, first);
    w.buf += '{';
    w.string(4, "path", s.path, true);
    w.string(4, "document", s.document);
    w.number(4, "document_index", s.document_index);
    w.number(4, "paragraphs", s.paragraphs);
    w.number(4, "chars", s.chars);
    w.key(4, "share");
    append_json_double(w.buf, round6(s.share));
    w.close(3, '}');
  };
  for (std::size_t k = 0; k < report.documents.size(); ++k) {
    w.next(2, k == 0);
    w.buf += '{';
    side("a", report.documents[k].a, true);
    side("b", report.documents[k].b, false);
    w.close(2, '}');
    if (w.buf.size() >= kPieceBytes) w.flush(out);
  }
  if (!report.documents.empty()) w.close(1, ']');
  w.key(1, "clusters");
  w.buf += total == 0 ? "[]" : "[";
  w.flush(out);
}

// A cluster's JSON up to its first member, and after its last. `first`: the report's first cluster.
template <class Out>
void json_cluster_open(JsonLayout<Out>& w, std::uint32_t id, std::size_t size, std::uint32_t representative,
                       std::uint64_t weight, bool first) {
  w.next(2, first);
  w.buf += '{';
  w.number(3, "id", id, true);
  w.number(3, "size", size);
  w.number(3, "representative", representative);
  w.number(3, "weight", weight);
  w.key(3, "members");
  w.buf += size == 0 ? "[]" : "[";
}
template <class Out>
void json_cluster_close(JsonLayout<Out>& w, std::size_t size) {
  if (size != 0) w.close(3, ']');
  w.close(2, '}');
}

// A member's object, from '{' to '}' (the separator before it is the cluster's: w.next(4, ...)), in
// two parts: its head, '{' to its document's name, is the same for every member of a document (an
// MPI rank formats it once per document: json_member_head); the body is the member's own fields.
// `path_json` is scratch.
template <class Out>
void json_member_head(JsonLayout<Out>& w, std::string_view path, std::string_view document, std::string& path_json) {
  w.buf += '{';
  path_json.clear();
  append_json_string(path_json, path);
  w.key(5, "path", true);
  w.buf += path_json;
  if (document == path) {  // a file of one document: its name, escaped once, again
    w.key(5, "document");
    w.buf += path_json;
  } else {
    w.string(5, "document", document);
  }
}
template <class Out>
void json_member_body(JsonLayout<Out>& w, const Member& m, bool member_text) {
  w.number(5, "document_index", m.document_index);
  w.number(5, "paragraph", m.paragraph);
  w.number(5, "line", m.line);
  w.number(5, "line_end", m.line_end);
  w.number(5, "byte_start", m.byte_start);
  w.number(5, "byte_end", m.byte_end);
  w.key(5, "similarity");
  append_json_double(w.buf, round6(m.similarity));
  if (member_text) w.text(5, "text", m.text, m.text_json_extra);
  w.valid_string(5, "kind", to_string(m.kind));  // a fixed ASCII name: nothing to check
  w.number(5, "content_chars", m.content_chars);
  w.close(4, '}');
}
template <class Out>
void json_member(JsonLayout<Out>& w, const Member& m, bool member_text, std::string& path_json) {
  json_member_head(w, m.path, m.document, path_json);
  json_member_body(w, m, member_text);
}

// A position among a report's members: member m of cluster c. {c, 0} is where cluster c begins,
// so {clusters.size(), 0} is the end.
struct MemberAt {
  std::size_t c = 0, m = 0;
  friend bool operator==(const MemberAt&, const MemberAt&) = default;
};

MemberAt clusters_end(const Report& report) { return {report.clusters.size(), 0}; }

// The clusters' members from `from` to `to` (not included) into `w`: a cluster's head only where
// the range holds its first member (or the cluster is empty), its end only where it holds its last,
// so that consecutive ranges write exactly what the whole does. flush() is called after each
// cluster (writing: once w holds a megabyte).
//
// Members are fetched ahead: each one's path, name and text are strings of their own on the heap,
// and a report of millions of members waited on memory for each in turn (the first read of a
// member's path was a quarter of writing dense 1 GiB's report; fetched ahead, the clusters of that
// report format in 1.56-1.64 s instead of 1.94-2.13 s, to /dev/null).
template <class Out, class Flush>
void json_clusters(const Report& report, std::size_t first, MemberAt from, MemberAt to, JsonLayout<Out>& w,
                   Flush&& flush) {
  std::string path_json;  // a member's path as a JSON string
  constexpr std::size_t kAhead = 4;  // members
  MemberAt ahead = from;  // the next member to fetch
  const auto fetch_ahead = [&] {
    while (ahead.c < to.c && ahead.m >= report.clusters[ahead.c].members.size()) {
      ++ahead.c;
      ahead.m = 0;
    }
    if (ahead.c == to.c && ahead.m >= to.m) return;
    const Member& m = report.clusters[ahead.c].members[ahead.m++];
    __builtin_prefetch(m.path.data());
    __builtin_prefetch(m.document.data());
    if (report.member_text && !std::is_same_v<Out, ByteCount>) __builtin_prefetch(m.text.data());  // counted unread
  };
  for (std::size_t k = 0; k < kAhead; ++k) fetch_ahead();
  // Bounds on what a cluster's frame and a member write (make_room): escaping makes a string at
  // most six times longer (\u00XX), or its known size plus Member::text_json_extra; the rest
  // (keys, indentation, eight numbers of at most 20 digits) is under 1 KiB.
  constexpr std::size_t kFixed = 1024;
  const auto member_bound = [&](const Member& m) {
    const std::size_t text = !report.member_text ? 0
                             : m.text_json_extra ? m.text.size() + *m.text_json_extra + 2
                                                 : 6 * m.text.size() + 2;
    return kFixed + 6 * (m.path.size() + m.document.size()) + 4 + text;
  };
  // Up to cluster to.c, and into it only when `to` lies inside it (piece_bounds never ends a piece
  // at a cluster's last member: that end is {c + 1, 0}).
  for (std::size_t ci = from.c; ci < to.c || (ci == to.c && to.m > 0); ++ci) {
    const ReportCluster& c = report.clusters[ci];
    const std::size_t begin = ci == from.c ? from.m : 0;
    const std::size_t end = ci == to.c ? to.m : c.members.size();
    make_room(w.buf, kFixed);
    if (begin == 0) json_cluster_open(w, c.id, c.members.size(), c.representative, c.weight, first + ci == 0);
    for (std::size_t mi = begin; mi < end; ++mi) {
      fetch_ahead();
      make_room(w.buf, member_bound(c.members[mi]));
      w.next(4, mi == 0);
      json_member(w, c.members[mi], report.member_text, path_json);
    }
    make_room(w.buf, kFixed);
    if (end == c.members.size()) json_cluster_close(w, c.members.size());
    flush();
  }
}

// Where write_json_clusters cuts the members into pieces of about `bytes` of JSON each (estimated
// from the sizes of the members' strings), from {0, 0} to the end. A piece may end inside a
// cluster, so that one cluster of a million members is not one piece of a gigabyte.
std::vector<MemberAt> piece_bounds(const Report& report, std::size_t bytes) {
  constexpr std::size_t kMemberFields = 256;  // a member's JSON besides its strings, about
  std::vector<MemberAt> bounds{{0, 0}};
  std::size_t size = 0;
  for (std::size_t c = 0; c < report.clusters.size(); ++c) {
    const auto& members = report.clusters[c].members;
    for (std::size_t m = 0; m < members.size(); ++m) {
      size += kMemberFields + members[m].path.size() + members[m].document.size() + members[m].text.size();
      if (size < bytes) continue;
      size = 0;
      bounds.push_back(m + 1 < members.size() ? MemberAt{c, m + 1} : MemberAt{c + 1, 0});
    }
  }
  const MemberAt end = clusters_end(report);
  if (!(bounds.back() == end)) bounds.push_back(end);
  return bounds;
}

// Formatting is most of the time of writing a large report, and the clusters format
// independently: with threads > 1, each thread formats a piece of about a megabyte into its own
// buffer and writes it when every piece before it has been written, so the bytes are the same as
// on one thread and no more than `threads` pieces are held at once.
void write_json_clusters(const Report& report, std::size_t first, std::ostream& out, unsigned threads) {
  if (threads <= 1) {
    JsonLayout<JsonBuffer> w;
    json_clusters(report, first, {}, clusters_end(report), w, [&] {
      if (w.buf.size() >= kPieceBytes) w.flush(out);
    });
    w.flush(out);
    return;
  }
  const std::vector<MemberAt> bounds = piece_bounds(report, kPieceBytes);
  std::vector<JsonBuffer> buffers(threads);  // one per worker, reused
  std::mutex mutex;
  std::condition_variable turn_changed;
  std::size_t turn = 0;  // the next piece to write
  bool failed = false;   // a piece threw: the pieces after it are not written
  detail::parallel_for(bounds.size() - 1, threads, [&](std::size_t i, unsigned worker) {
    try {
      JsonLayout<JsonBuffer> w{std::move(buffers[worker])};
      w.buf.clear();
      json_clusters(report, first, bounds[i], bounds[i + 1], w, [] {});
      std::unique_lock lock(mutex);
      turn_changed.wait(lock, [&] { return turn == i || failed; });
      if (failed) return;
      out.write(w.buf.data(), static_cast<std::streamsize>(w.buf.size()));
      ++turn;
      lock.unlock();
      turn_changed.notify_all();
      buffers[worker] = std::move(w.buf);
    } catch (...) {
      {
        std::lock_guard lock(mutex);
        failed = true;
      }
      turn_changed.notify_all();
      throw;
    }
  });
}

void write_json_tail(std::size_t total, std::ostream& out) {
  JsonLayout<> w;
  if (total != 0) w.close(1, ']');
  w.buf += "\n}\n";
  w.flush(out);
}

}  // namespace

void write_json(const Report& report, std::ostream& out, unsigned threads) {
  write_json_head(report, report.clusters.size(), out);
  write_json_clusters(report, 0, out, threads);
  write_json_tail(report.clusters.size(), out);
}

// The first line of each CSV format; also how looks_like_recur_output() knows them.
constexpr std::string_view kReportCsvHeader =
    "cluster,size,representative,path,document,paragraph,line,line_end,byte_start,byte_end,similarity,text\r\n";
constexpr std::string_view kPhrasesCsvHeader =
    "phrase,phrase_text,chars,documents,occurrences,score,path,document,line,byte_start,byte_end,text\r\n";

namespace {

void write_csv_clusters(const Report& report, std::ostream& out) {
  for (const auto& c : report.clusters) {
    for (std::size_t k = 0; k < c.members.size(); ++k) {
      const Member& m = c.members[k];
      out << c.id << ',' << c.members.size() << ',' << (k == c.representative ? 1 : 0) << ',';
      write_csv_field(out, m.path);
      out << ',';
      write_csv_field(out, m.document);
      out << ',' << m.paragraph << ',' << m.line << ',' << m.line_end << ',' << m.byte_start << ','
          << m.byte_end << ',' << fixed(round6(m.similarity), 6) << ',';
      write_csv_field(out, m.text);
      out << "\r\n";
    }
  }
}

}  // namespace

void write_csv(const Report& report, std::ostream& out) {
  out << kReportCsvHeader;
  write_csv_clusters(report, out);
}

namespace {

void write_text_head(const Report& report, std::ostream& out, const TextOptions& o) {
  const Stats& s = report.stats;
  const Style style(o.color);
  const char *bold = style.bold, *reset = style.reset;
  const double total = total_seconds(s.seconds);
  out << bold << "recur report" << reset << ": " << s.files << " files (" << s.files_skipped << " skipped), "
      << s.documents << " documents, " << s.paragraphs << " paragraphs (" << s.paragraphs_too_short
      << " too short), " << fixed(static_cast<double>(s.bytes) / 1e6, 2) << " MB in " << fixed(total, 2) << " s\n";
  {
    // The structure lines left out of clustering.
    std::string left_out;
    const bool keep = report.options.contains("structure") && report.options["structure"] == "keep";
    for (std::size_t k = 1; k < kParagraphKinds && !keep; ++k)
      if (s.paragraphs_by_kind[k] > 0)
        left_out += (left_out.empty() ? "" : ", ") + std::to_string(s.paragraphs_by_kind[k]) + " " +
                    to_string(static_cast<ParagraphKind>(k)) + (s.paragraphs_by_kind[k] == 1 ? "" : "s");
    if (!left_out.empty()) out << "Not clustered (--structure keep to include): " << left_out << "\n";
  }
  out << s.candidate_pairs << " candidate pairs, " << s.verified_pairs << " similar pairs, " << s.clusters
      << " clusters holding " << s.clustered_paragraphs << " paragraphs";
  if (report.options.contains("threshold"))
    out << " (threshold " << report.options["threshold"].get<double>() << ")";
  out << "\n";
  auto doc_name = [](const std::string& document, const std::string& path) {
    return document.empty() || document == path ? path : document;
  };
  if (!report.documents.empty() && o.document_pairs > 0) {
    out << "\n" << bold << "Documents sharing the most" << reset << " (paragraphs, characters and share of each):\n";
    const std::size_t pairs = std::min(o.document_pairs, report.documents.size());
    for (std::size_t k = 0; k < pairs; ++k) {
      const DocumentPair& d = report.documents[k];
      out << "  " << doc_name(d.a.document, d.a.path) << " ↔ " << doc_name(d.b.document, d.b.path) << ": "
          << d.a.paragraphs << " / " << d.b.paragraphs << " paragraphs, " << grouped(d.a.chars) << " / "
          << grouped(d.b.chars) << " characters, " << fixed(100 * d.a.share, 0) << "% / " << fixed(100 * d.b.share, 0)
          << "%\n";
    }
    if (pairs < report.documents.size()) out << "  … " << (report.documents.size() - pairs) << " more pairs (--format json)\n";
  }
}

// The clusters among the first o.top; report.clusters[0] is the whole report's cluster `first`.
void write_text_clusters(const Report& report, std::size_t first, std::ostream& out, const TextOptions& o) {
  const Style style(o.color);
  const char *bold = style.bold, *dim = style.dim, *reset = style.reset;
  const std::size_t shown = first >= o.top ? 0 : std::min(o.top - first, report.clusters.size());
  const std::size_t limit = o.excerpt_chars == SIZE_MAX ? SIZE_MAX - 1 : o.excerpt_chars;
  for (std::size_t ci = 0; ci < shown; ++ci) {
    const ReportCluster& c = report.clusters[ci];
    out << "\n" << bold << "Cluster " << c.id << reset << " (" << c.members.size() << " paragraphs, "
        << grouped(c.weight) << " characters reused)\n";
    const auto rep = code_points(c.members[c.representative].text, kDiffChars);
    const std::size_t members = std::min(o.members, c.members.size());
    for (std::size_t k = 0; k < members; ++k) {
      const Member& m = c.members[k];
      out << "  " << fixed(m.similarity, 3) << "  " << dim << m.path << ":" << m.line;
      if (m.line_end != m.line) out << "-" << m.line_end;
      out << reset;
      if (m.document != m.path && !m.document.empty()) out << "  " << m.document;
      out << "\n      ";
      // The whole paragraphs are compared (up to kDiffChars), then the marked text is cut.
      bool complete = true;
      if (k == c.representative) {
        const auto cps = code_points(m.text, limit);
        for (const auto& cp : cps) out << cp;
        complete = code_points(m.text, limit + 1).size() <= limit;
      } else {
        complete = write_diff(out, rep, code_points(m.text, kDiffChars), o.color, limit);
      }
      if (!complete) out << "…";
      out << "\n";
    }
    if (members < c.members.size()) out << "  … and " << (c.members.size() - members) << " more (--members N)\n";
  }
}

void write_text_tail(const Report& report, std::size_t total, std::ostream& out, const TextOptions& o) {
  const Style style(o.color);
  const std::size_t shown = std::min(o.top, total);
  if (shown < total)
    out << "\n… " << (total - shown) << " more clusters (--top N shows more; --format json for all)\n";
  write_skipped_text(report.skipped, out, style);
}

}  // namespace

void write_text(const Report& report, std::ostream& out, const TextOptions& o) {
  write_text_head(report, out, o);
  write_text_clusters(report, 0, out, o);
  write_text_tail(report, report.clusters.size(), out, o);
}

void write_report_head(const Report& report, ReportFormat format, const TextOptions& options, std::size_t total,
                       std::ostream& out) {
  switch (format) {
    case ReportFormat::json: return write_json_head(report, total, out);
    case ReportFormat::csv: out << kReportCsvHeader; return;
    case ReportFormat::text: return write_text_head(report, out, options);
  }
}

void write_report_clusters(const Report& report, ReportFormat format, const TextOptions& options, std::size_t first,
                           std::ostream& out) {
  switch (format) {
    case ReportFormat::json: return write_json_clusters(report, first, out, 1);
    case ReportFormat::csv: return write_csv_clusters(report, out);
    case ReportFormat::text: return write_text_clusters(report, first, out, options);
  }
}

void write_report_tail(const Report& report, ReportFormat format, const TextOptions& options, std::size_t total,
                       std::ostream& out) {
  switch (format) {
    case ReportFormat::json: return write_json_tail(total, out);
    case ReportFormat::csv: return;
    case ReportFormat::text: return write_text_tail(report, total, out, options);
  }
}

namespace {

// A stream that only counts the bytes written into it (for the formats whose size is not counted
// field by field).
class CountBuf : public std::streambuf {
 public:
  std::uint64_t size() const { return n_ + static_cast<std::uint64_t>(pptr() - pbase()); }

 protected:
  int_type overflow(int_type ch) override {
    n_ += static_cast<std::uint64_t>(pptr() - pbase());
    setp(buf_.data(), buf_.data() + buf_.size());
    if (!traits_type::eq_int_type(ch, traits_type::eof())) ++n_;
    return traits_type::not_eof(ch);
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    n_ += static_cast<std::uint64_t>(n);
    return n;
  }

 private:
  std::array<char, 256> buf_{};
  std::uint64_t n_ = 0;
};

}  // namespace

std::uint64_t report_clusters_size(const Report& report, ReportFormat format, const TextOptions& options,
                                   std::size_t first) {
  if (format == ReportFormat::json) {
    JsonLayout<ByteCount> w;
    json_clusters(report, first, {}, clusters_end(report), w, [] {});
    return w.buf.size();
  }
  CountBuf counter;
  std::ostream out(&counter);
  write_report_clusters(report, format, options, first, out);
  return counter.size();
}

std::uint64_t json_member_size(const Member& m, bool member_text) {
  JsonLayout<ByteCount> w;
  std::string path_json;
  json_member(w, m, member_text, path_json);
  return w.buf.size();
}

std::uint64_t json_cluster_frame_size(std::uint32_t id, std::size_t size, std::uint32_t representative,
                                      std::uint64_t weight, bool first) {
  JsonLayout<ByteCount> w;
  json_cluster_open(w, id, size, representative, weight, first);
  for (std::size_t mi = 0; mi < size; ++mi) w.next(4, mi == 0);
  json_cluster_close(w, size);
  return w.buf.size();
}

// Each through a JsonLayout over `out` itself (moved in and back: no copy), so that the bytes are
// those json_clusters writes.
void append_json_cluster_open(std::string& out, std::uint32_t id, std::size_t size, std::uint32_t representative,
                              std::uint64_t weight, bool first) {
  JsonLayout<> w{std::move(out)};
  json_cluster_open(w, id, size, representative, weight, first);
  out = std::move(w.buf);
}

void append_json_member_separator(std::string& out, bool first) {
  JsonLayout<> w{std::move(out)};
  w.next(4, first);
  out = std::move(w.buf);
}

std::string json_member_head(std::string_view path, std::string_view document) {
  JsonLayout<> w;
  std::string path_json;
  json_member_head(w, path, document, path_json);
  return std::move(w.buf);
}

void append_json_member(std::string& out, std::string_view head, const Member& m, bool member_text) {
  JsonLayout<> w{std::move(out)};
  w.buf += head;
  json_member_body(w, m, member_text);
  out = std::move(w.buf);
}

std::uint64_t json_member_size(std::string_view head, const Member& m, bool member_text) {
  JsonLayout<ByteCount> w;
  json_member_body(w, m, member_text);
  return head.size() + w.buf.size();
}

void append_json_cluster_close(std::string& out, std::size_t size) {
  JsonLayout<> w{std::move(out)};
  json_cluster_close(w, size);
  out = std::move(w.buf);
}

std::size_t clusters_written(ReportFormat format, const TextOptions& options, std::size_t total) {
  return format == ReportFormat::text ? std::min(options.top, total) : total;
}

// ---------------------------------------------------------------------------------------------
// recur phrases

namespace {

nlohmann::ordered_json phrase_stats_json(const PhraseStats& s) {
  nlohmann::ordered_json j = corpus_stats_json(s);
  j["bytes"] = s.bytes;
  j["content_chars"] = s.content_chars;
  j["candidates"] = s.candidates;
  j["excluded"] = s.excluded;
  j["phrases"] = s.phrases;
  // Present only when they apply, so reports of ordinary input keep their exact bytes.
  if (s.periodic > 0) j["periodic"] = s.periodic;
  if (s.chained > 0) j["chained"] = s.chained;
  if (s.phrases_omitted + s.locations_omitted + s.variant_pairs_unchecked > 0)
    j["truncated"] = {{"phrases_omitted", s.phrases_omitted},
                      {"locations_omitted", s.locations_omitted},
                      {"variant_pairs_unchecked", s.variant_pairs_unchecked},
                      {"edit_cells", s.edit_cells}};
  j["seconds"] = seconds_json(s.seconds);
  return j;
}

}  // namespace

// As for `recur report`: the head through nlohmann::json, the phrases (hundreds of thousands of
// locations on a dense corpus) straight to the stream in JsonLayout's layout. Building them as one
// JSON tree first took more memory than finding them (1.0 of 1.3 GB on a dense 100 MiB corpus).
void write_json(const PhrasesReport& report, std::ostream& out) {
  JsonLayout<> w = open_list_after(json_head(report, phrase_stats_json(report.stats)), "phrases", report.phrases.empty());
  for (std::size_t pi = 0; pi < report.phrases.size(); ++pi) {
    const Phrase& p = report.phrases[pi];
    w.next(2, pi == 0);
    w.buf += '{';
    w.number(3, "id", p.id, true);
    w.string(3, "text", p.text);
    w.number(3, "chars", p.chars);
    w.number(3, "documents", p.documents);
    w.number(3, "occurrences", p.occurrences);
    w.key(3, "score");
    append_json_double(w.buf, round6(p.score));
    w.string(3, "extent", p.extent);
    w.number(3, "extent_chars", p.extent_chars);
    w.key(3, "variants");
    w.buf += p.variants.empty() ? "[]" : "[";
    for (std::size_t vi = 0; vi < p.variants.size(); ++vi) {
      const PhraseVariant& v = p.variants[vi];
      w.next(4, vi == 0);
      w.buf += '{';
      w.string(5, "text", v.text, true);
      w.number(5, "documents", v.documents);
      w.number(5, "occurrences", v.occurrences);
      w.close(4, '}');
    }
    if (!p.variants.empty()) w.close(3, ']');
    w.key(3, "locations");
    w.buf += p.locations.empty() ? "[]" : "[";
    for (std::size_t li = 0; li < p.locations.size(); ++li) {
      const PhraseLocation& l = p.locations[li];
      w.next(4, li == 0);
      w.buf += '{';
      w.string(5, "path", l.path, true);
      w.string(5, "document", l.document);
      w.number(5, "document_index", l.document_index);
      w.number(5, "line", l.line);
      w.number(5, "byte_start", l.byte_start);
      w.number(5, "byte_end", l.byte_end);
      w.string(5, "text", l.text);
      w.close(4, '}');
    }
    if (!p.locations.empty()) w.close(3, ']');
    if (p.locations_omitted > 0) w.number(3, "locations_omitted", p.locations_omitted);
    if (p.parts > 1) w.number(3, "parts", p.parts);
    w.close(2, '}');
    if (w.buf.size() >= kPieceBytes) w.flush(out);
  }
  if (!report.phrases.empty()) w.close(1, ']');
  w.close(0, '}');
  w.buf += '\n';
  w.flush(out);
}

void write_csv(const PhrasesReport& report, std::ostream& out) {
  out << kPhrasesCsvHeader;
  for (const auto& p : report.phrases)
    for (const auto& l : p.locations) {
      out << p.id << ',';
      write_csv_field(out, p.text);
      out << ',' << p.chars << ',' << p.documents << ',' << p.occurrences << ',' << fixed(round6(p.score), 6) << ',';
      write_csv_field(out, l.path);
      out << ',';
      write_csv_field(out, l.document);
      out << ',' << l.line << ',' << l.byte_start << ',' << l.byte_end << ',';
      write_csv_field(out, l.text);
      out << "\r\n";
    }
}

void write_text(const PhrasesReport& report, std::ostream& out, const TextOptions& o) {
  const PhraseStats& s = report.stats;
  const Style style(o.color);
  const char *bold = style.bold, *dim = style.dim, *reset = style.reset;
  const double total = total_seconds(s.seconds);
  out << bold << "recur phrases" << reset << ": " << s.files << " files (" << s.files_skipped << " skipped), "
      << s.documents << " documents, " << fixed(static_cast<double>(s.bytes) / 1e6, 2) << " MB in " << fixed(total, 2)
      << " s; " << s.phrases << " recurring phrases\n";
  const std::size_t shown = std::min(o.top, report.phrases.size());
  for (std::size_t i = 0; i < shown; ++i) {
    const Phrase& p = report.phrases[i];
    out << "\n" << bold << "#" << p.id << reset << "  " << p.documents << " documents, " << p.occurrences
        << " occurrences, " << p.chars << " chars" << dim << "  (score " << fixed(p.score, 0) << ")" << reset << "\n";
    out << "  " << p.text << "\n";
    const std::size_t nv = std::min<std::size_t>(p.variants.size(), o.members);
    if (p.variants.size() > 1)
      for (std::size_t k = 0; k < nv; ++k)
        out << "    " << dim << p.variants[k].documents << " docs, " << p.variants[k].occurrences << "x" << reset
            << "  " << p.variants[k].text << "\n";
    const std::size_t nl = std::min<std::size_t>(p.locations.size(), 3);
    for (std::size_t k = 0; k < nl; ++k)
      out << "    " << dim << p.locations[k].path << ":" << p.locations[k].line << reset << "\n";
    if (p.locations.size() > nl) out << "    " << dim << "… " << (p.locations.size() - nl) << " more" << reset << "\n";
  }
  if (shown < report.phrases.size())
    out << "\n… " << (report.phrases.size() - shown) << " more phrases (--top N shows more; --format json for all)\n";
  write_skipped_text(report.skipped, out, style);
}

bool looks_like_recur_output(std::string_view head) noexcept {
  auto starts = [&](std::string_view p) { return head.substr(0, p.size()) == p; };
  if (starts("{\n  \"recur_version\": \"") || starts(kReportCsvHeader) || starts(kPhrasesCsvHeader)) return true;
  if (starts(kHtmlSignature)) return true;
  // The text summary's first line, possibly in bold.
  if (starts("\x1b[1m")) head.remove_prefix(4);
  return starts("recur report\x1b[0m: ") || starts("recur phrases\x1b[0m: ") || starts("recur report: ") ||
         starts("recur phrases: ") || starts("recur query\x1b[0m: ") || starts("recur query: ");
}

// ---------------------------------------------------------------------------------------------
// recur compare

namespace {

nlohmann::ordered_json span_json(const PassageSpan& s) {
  nlohmann::ordered_json j;
  j["path"] = s.path;
  j["document"] = s.document;
  j["document_index"] = s.document_index;
  j["byte_start"] = s.byte_start;
  j["byte_end"] = s.byte_end;
  j["line"] = s.line;
  j["line_end"] = s.line_end;
  j["char_start"] = s.char_start;
  j["char_length"] = s.char_length;
  j["content_chars"] = s.content_chars;
  j["text"] = s.text;
  return j;
}

nlohmann::ordered_json summary_json(const TextSummary& t) {
  return {{"path", t.path}, {"document", t.document}, {"chars", t.chars}, {"content_chars", t.content_chars}};
}

// A passage's text on one line, at most `limit` characters; with `other`, marked against it.
void write_marked(std::ostream& out, std::string_view text, const std::string_view* other, std::size_t limit,
                  bool color) {
  bool complete = true;
  if (other) {
    complete = write_diff(out, code_points(*other, kDiffChars), code_points(text, kDiffChars), color, limit);
  } else {
    for (const auto& cp : code_points(text, limit)) out << cp;
    complete = code_points(text, limit + 1).size() <= limit;
  }
  if (!complete) out << "…";
}

}  // namespace

nlohmann::ordered_json passage_json(const ReportPassage& p) {
  nlohmann::ordered_json j;
  j["a"] = span_json(p.a);
  j["b"] = span_json(p.b);
  j["similarity"] = p.similarity;
  j["kind"] = p.exact ? "exact" : "edited";
  j["template"] = p.is_template;
  return j;
}

void write_json(const CompareReport& r, std::ostream& out) {
  nlohmann::ordered_json j;
  j["recur_version"] = r.version;
  j["options"] = r.options;
  j["a"] = summary_json(r.a);
  j["b"] = summary_json(r.b);
  j["coverage"] = {{"a_in_b", r.a_in_b}, {"b_in_a", r.b_in_a}, {"a_template", r.a_template}, {"b_template", r.b_template}};
  j["passages"] = nlohmann::ordered_json::array();
  for (const auto& p : r.passages) j["passages"].push_back(passage_json(p));
  j["warnings"] = r.warnings;
  out << j.dump(2) << "\n";
}

void write_text(const CompareReport& r, std::ostream& out, const TextOptions& o) {
  const Style style(o.color);
  auto name = [](const TextSummary& t) { return t.document == t.path ? t.path : t.path + " (" + t.document + ")"; };
  auto pct = [](double v) { return fixed(100 * v, 1) + "%"; };
  out << style.bold << "recur compare" << style.reset << "\n";
  out << "A: " << name(r.a) << ", " << r.a.content_chars << " characters\n";
  out << "B: " << name(r.b) << ", " << r.b.content_chars << " characters\n";
  std::size_t templates = 0;
  for (const auto& p : r.passages) templates += p.is_template;
  out << pct(r.a_in_b) << " of A is found in B, " << pct(r.b_in_a) << " of B in A: " << (r.passages.size() - templates)
      << " passages";
  if (templates > 0)
    out << "; " << templates << " template passages (" << pct(r.a_template) << " of A, " << pct(r.b_template)
        << " of B) not counted";
  out << "\n";
  const std::size_t limit = std::max<std::size_t>(o.excerpt_chars, 20);
  std::size_t shown = 0;
  for (std::size_t k = 0; k < r.passages.size(); ++k) {
    const ReportPassage& p = r.passages[k];
    if (shown++ >= o.top) {
      out << "\n… " << (r.passages.size() - o.top) << " more passages (--top N shows more; --format json for all)\n";
      break;
    }
    out << "\n" << style.bold << "Passage " << (k + 1) << style.reset << ": " << (p.exact ? "exact" : "edited")
        << ", similarity " << fixed(p.similarity, 3) << ", " << p.a.content_chars << " / " << p.b.content_chars
        << " characters" << (p.is_template ? " (template)" : "") << "\n";
    out << "  " << style.dim << "A " << p.a.path << ":" << p.a.line;
    if (p.a.line_end != p.a.line) out << "-" << p.a.line_end;
    out << style.reset << "\n    ";
    write_marked(out, p.a.text, nullptr, limit, o.color);
    out << "\n  " << style.dim << "B " << p.b.path << ":" << p.b.line;
    if (p.b.line_end != p.b.line) out << "-" << p.b.line_end;
    out << style.reset << "\n    ";
    const std::string_view a_text = p.a.text;
    write_marked(out, p.b.text, &a_text, limit, o.color);
    out << "\n";
  }
  for (const auto& w : r.warnings) out << "warning: " << w << "\n";
}

// ---------------------------------------------------------------------------------------------
// recur query

namespace {

// "37%": whole percents, "<1%" for a share that is not 0 but rounds to it.
std::string whole_percent(double v) {
  const long p = std::lround(100 * v);
  if (p == 0 && v > 0) return "<1%";
  return std::to_string(p) + "%";
}

template <class T>
std::string text_name(const T& t) {
  return t.document == t.path ? t.path : t.path + " (" + t.document + ")";
}

void write_span_line(std::ostream& out, const Style& style, const char* role, const PassageSpan& s) {
  out << "      " << style.dim << role << " " << s.path << ":" << s.line;
  if (s.line_end != s.line) out << "-" << s.line_end;
  out << style.reset << "\n        ";
}

}  // namespace

void write_json(const QueryReport& r, std::ostream& out) {
  nlohmann::ordered_json j;
  j["recur_version"] = r.version;
  j["options"] = r.options;
  nlohmann::ordered_json fingerprint;
  try {
    fingerprint = nlohmann::ordered_json::parse(r.archive_fingerprint);
  } catch (const nlohmann::ordered_json::parse_error&) {
    fingerprint = r.archive_fingerprint;  // not expected: the text comes from to_text()
  }
  j["archive"] = {{"path", r.archive_path}, {"documents", r.archive_documents}, {"fingerprint", fingerprint}};
  nlohmann::ordered_json stats;
  stats["queries"] = r.stats.queries;
  stats["seeds"] = r.stats.seeds;
  stats["boilerplate_seeds"] = r.stats.boilerplate_seeds;
  stats["candidates"] = r.stats.candidates;
  stats["passages"] = r.stats.passages;
  stats["seconds"] = seconds_json(r.stats.seconds);
  j["stats"] = stats;
  j["queries"] = nlohmann::ordered_json::array();
  for (const QueryResult& q : r.queries) {
    nlohmann::ordered_json jq;
    jq["path"] = q.path;
    jq["document"] = q.document;
    jq["document_index"] = q.document_index;
    jq["content_chars"] = q.content_chars;
    jq["found"] = q.found;
    jq["template"] = q.templ;
    jq["sources"] = nlohmann::ordered_json::array();
    for (const QuerySource& s : q.sources) {
      nlohmann::ordered_json js;
      js["path"] = s.path;
      js["document"] = s.document;
      js["document_index"] = s.document_index;
      js["chars"] = s.chars;
      js["share"] = s.share;
      js["passages"] = nlohmann::ordered_json::array();
      for (const ReportPassage& p : s.passages) js["passages"].push_back(passage_json(p));
      jq["sources"].push_back(std::move(js));
    }
    j["queries"].push_back(std::move(jq));
  }
  j["skipped"] = skipped_json(r.skipped);
  j["warnings"] = r.warnings;
  out << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

void write_text(const QueryReport& r, std::ostream& out, const TextOptions& o) {
  const Style style(o.color);
  constexpr std::size_t kSourcesInSummary = 5;
  out << style.bold << "recur query" << style.reset << ": " << r.archive_path << ", " << r.archive_documents
      << " archived documents\n";
  const std::size_t limit = std::max<std::size_t>(o.excerpt_chars, 20);
  for (const QueryResult& q : r.queries) {
    out << "\n" << style.bold << whole_percent(q.found) << " of " << text_name(q) << style.reset
        << " is found in the archive";
    std::size_t listed = 0, counted = 0;
    for (const QuerySource& s : q.sources) counted += s.chars > 0;
    for (const QuerySource& s : q.sources) {
      if (s.chars == 0) continue;
      if (listed == kSourcesInSummary) {
        out << ", … (" << (counted - listed) << " more)";
        break;
      }
      out << (listed == 0 ? ": " : ", ") << whole_percent(s.share) << " in " << text_name(s);
      ++listed;
    }
    // The size comes after the sources so the line starts as the issue's contract reads.
    out << ". " << q.content_chars << " characters";
    if (q.templ > 0) out << ", " << whole_percent(q.templ) << " of them template text (not counted)";
    out << "\n";
    std::size_t shown = 0, total = 0;
    for (const QuerySource& s : q.sources) total += s.passages.size();
    for (const QuerySource& s : q.sources) {
      if (shown >= o.top) break;
      std::size_t templates = 0;
      for (const ReportPassage& p : s.passages) templates += p.is_template;
      out << "\n  " << style.bold << text_name(s) << style.reset << ": " << whole_percent(s.share) << ", "
          << (s.passages.size() - templates) << " passages";
      if (templates > 0) out << " and " << templates << " template passages";
      out << "\n";
      for (std::size_t k = 0; k < s.passages.size(); ++k) {
        if (shown >= o.top) break;
        ++shown;
        const ReportPassage& p = s.passages[k];
        out << "    Passage " << (k + 1) << ": " << (p.exact ? "exact" : "edited") << ", similarity "
            << fixed(p.similarity, 3) << ", " << p.a.content_chars << " / " << p.b.content_chars << " characters"
            << (p.is_template ? " (template)" : "") << "\n";
        write_span_line(out, style, "query ", p.a);
        write_marked(out, p.a.text, nullptr, limit, o.color);
        out << "\n";
        write_span_line(out, style, "source", p.b);
        const std::string_view query_text = p.a.text;
        write_marked(out, p.b.text, &query_text, limit, o.color);
        out << "\n";
      }
    }
    if (shown < total)
      out << "\n  … " << (total - shown) << " more passages (--top N shows more; --format json for all)\n";
  }
  write_skipped_text(r.skipped, out, style);
  for (const auto& w : r.warnings) out << "warning: " << w << "\n";
}

}  // namespace recur
