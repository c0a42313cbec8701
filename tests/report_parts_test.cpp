// Reports written in parts (report.hpp: write_report_head, write_report_clusters,
// write_report_tail; html.hpp: ReportPage), as the MPI run writes them, each part from a Report
// holding only its own clusters: the bytes must be exactly those of write_json, write_csv,
// write_text and write_html for the whole report, wherever the clusters are cut.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>

#include "recur/html.hpp"
#include "recur/report.hpp"
#include "json_layout.hpp"

namespace {

using recur::ReportFormat;

recur::Report report_of(std::size_t clusters, bool member_text) {
  recur::Report r;
  r.version = "test";
  r.options["threshold"] = 0.5;
  r.stats.files = 3;
  r.stats.clusters = clusters;
  r.stats.seconds = {{"index", 0.25}, {"total", 1.0}};
  r.skipped.emplace_back("bad.txt", "binary file", recur::StatusCode::binary);
  r.warnings.push_back("a warning");
  r.member_text = member_text;
  for (std::size_t c = 0; c < clusters; ++c) {
    recur::ReportCluster rc;
    rc.id = static_cast<std::uint32_t>(c + 1);
    for (std::size_t m = 0; m < 2 + c % 3; ++m) {
      recur::Member x;
      x.path = "dir/f" + std::to_string(m) + ".txt";
      x.document = x.path;
      x.document_index = 1;
      x.paragraph = static_cast<std::uint32_t>(c * 10 + m + 1);
      x.line = x.paragraph;
      x.line_end = x.line + 1;
      x.byte_start = 100 * c;
      x.byte_end = x.byte_start + 40;
      x.similarity = m == 0 ? 1.0 : 0.8 + 0.01 * static_cast<double>(m);
      x.text = member_text ? "第" + std::to_string(c) + "段，引号\"与<script>，" + std::string(m, 'x') : "";
      x.content_chars = 10 + m;
      rc.members.push_back(std::move(x));
    }
    rc.weight = 10 * c;
    r.clusters.push_back(std::move(rc));
  }
  return r;
}

std::string whole(const recur::Report& r, ReportFormat f, const recur::TextOptions& o) {
  std::ostringstream out;
  if (f == ReportFormat::json) recur::write_json(r, out);
  if (f == ReportFormat::csv) recur::write_csv(r, out);
  if (f == ReportFormat::text) recur::write_text(r, out, o);
  return out.str();
}

// The report written as head, the clusters [0, cut) and [cut, end) from two reports holding only
// those, then the tail (from a report holding none).
void in_parts(const recur::Report& r, ReportFormat f, const recur::TextOptions& o, std::size_t cut,
              std::ostream& out) {
  recur::Report head = r, first = r, second = r;
  head.clusters.clear();
  first.clusters.assign(r.clusters.begin(), r.clusters.begin() + static_cast<std::ptrdiff_t>(cut));
  second.clusters.assign(r.clusters.begin() + static_cast<std::ptrdiff_t>(cut), r.clusters.end());
  recur::write_report_head(head, f, o, r.clusters.size(), out);
  recur::write_report_clusters(first, f, o, 0, out);
  recur::write_report_clusters(second, f, o, cut, out);
  recur::write_report_tail(head, f, o, r.clusters.size(), out);
}

TEST(ReportParts, AnyCutGivesTheWholeReportsBytes) {
  for (const ReportFormat f : {ReportFormat::json, ReportFormat::csv, ReportFormat::text})
    for (const bool text : {true, false})
      for (const std::size_t clusters : {0u, 1u, 5u}) {
        recur::TextOptions o;
        o.top = 3;  // the text format shows the first 3: cuts before, at and after it
        const recur::Report r = report_of(clusters, text);
        for (std::size_t cut = 0; cut <= clusters; ++cut) {
          std::ostringstream out;
          in_parts(r, f, o, cut, out);
          EXPECT_EQ(out.str(), whole(r, f, o)) << "format " << static_cast<int>(f) << ", clusters " << clusters
                                               << ", cut " << cut << ", texts " << text;
        }
      }
}

// A report whose fields need escaping or replacing (quotes, backslashes, control characters,
// invalid UTF-8 in a path), with similarities and shares of every shape nlohmann writes (integral,
// short, long, tiny) and document pairs. With `known_extra`, each member's text_json_extra is set
// as make_member sets it, so that the writers use it instead of scanning the texts.
recur::Report awkward_report(bool known_extra = false) {
  recur::Report r = report_of(4, true);
  const double values[] = {1.0, 0.5, 1.0 / 3, 0.123457, 1e-6, 0.0, 0.999999};
  std::size_t v = 0;
  for (recur::ReportCluster& c : r.clusters)
    for (recur::Member& m : c.members) {
      m.similarity = values[v++ % std::size(values)];
      if (v % 3 == 0) m.text += "\\back\"slash\n\ttab\x01\x1f";
      if (v % 4 == 0) m.path = "dir/bad\xff\"name.txt";
      if (v % 5 == 0) m.document = "文件\"二\" ";
      if (known_extra) m.text_json_extra = recur::json_escape_extra(m.text);
    }
  for (std::size_t k = 0; k < 5; ++k) {
    recur::DocumentPair d;
    d.a.path = k == 1 ? "a\xfe\\.txt" : "a" + std::to_string(k) + ".txt";
    d.a.document = k == 2 ? "第\"二\"篇" : d.a.path;
    d.a.document_index = static_cast<std::uint32_t>(k + 1);
    d.a.paragraphs = 3 * k;
    d.a.chars = 1000 * k + 7;
    d.a.share = values[k];
    d.b = d.a;
    d.b.path += ".b";
    d.b.share = values[k + 2];
    r.documents.push_back(d);
  }
  return r;
}

TEST(ReportParts, ClustersSizeIsTheBytesTheyAreWrittenIn) {
  for (const bool known_extra : {false, true}) {
  const recur::Report r = awkward_report(known_extra);
  for (const ReportFormat f : {ReportFormat::json, ReportFormat::csv, ReportFormat::text})
    for (const bool text : {true, false})
      for (std::size_t cut = 0; cut <= r.clusters.size(); ++cut) {
        recur::Report part = r;
        part.member_text = text;
        part.clusters.erase(part.clusters.begin(), part.clusters.begin() + static_cast<std::ptrdiff_t>(cut));
        recur::TextOptions o;
        o.top = 2;
        std::ostringstream out;
        recur::write_report_clusters(part, f, o, cut, out);
        EXPECT_EQ(recur::report_clusters_size(part, f, o, cut), out.str().size())
            << "format " << static_cast<int>(f) << ", cut " << cut << ", texts " << text;
        if (f == ReportFormat::json && cut == 0) EXPECT_GT(out.str().size(), 1000u);  // not vacuous
      }
  }
}

// A JSON block's bytes from its parts, as an MPI rank 0 plans them without the members: each
// cluster's frame plus its members' objects.
// awkward_report() with member texts or not, and a last cluster without members.
recur::Report awkward_blocks(bool known_extra, bool text) {
  recur::Report r = awkward_report(known_extra);
  r.member_text = text;
  r.clusters.push_back({});
  r.clusters.back().id = static_cast<std::uint32_t>(r.clusters.size());
  r.clusters.back().weight = 12345;
  return r;
}

TEST(ReportParts, JsonClusterSizesAddUpToTheBlock) {
  for (const bool known_extra : {false, true})
    for (const bool text : {true, false}) {
      const recur::Report r = awkward_blocks(known_extra, text);
      for (std::size_t cut = 0; cut <= r.clusters.size(); ++cut) {
        std::uint64_t sum = 0;
        for (std::size_t k = cut; k < r.clusters.size(); ++k) {
          const recur::ReportCluster& c = r.clusters[k];
          sum += recur::json_cluster_frame_size(c.id, c.members.size(), c.representative, c.weight, k == 0);
          for (const recur::Member& m : c.members) sum += recur::json_member_size(m, text);
        }
        recur::Report part = r;
        part.clusters.erase(part.clusters.begin(), part.clusters.begin() + static_cast<std::ptrdiff_t>(cut));
        std::ostringstream out;
        recur::write_report_clusters(part, ReportFormat::json, {}, cut, out);
        EXPECT_EQ(sum, out.str().size()) << "cut " << cut << ", texts " << text << ", known extras " << known_extra;
      }
    }
}

// A JSON block assembled from its pieces, as an MPI rank writes it from members formatted where they
// were read (each member's object after its document's head), is what write_report_clusters writes.
TEST(ReportParts, JsonBlockFromPiecesIsTheBlock) {
  for (const bool known_extra : {false, true})
    for (const bool text : {true, false}) {
      const recur::Report r = awkward_blocks(known_extra, text);
      for (std::size_t cut = 0; cut <= r.clusters.size(); ++cut) {
        std::string built;
        std::size_t members = 0;
        for (std::size_t k = cut; k < r.clusters.size(); ++k) {
          const recur::ReportCluster& c = r.clusters[k];
          recur::append_json_cluster_open(built, c.id, c.members.size(), c.representative, c.weight, k == 0);
          for (std::size_t mi = 0; mi < c.members.size(); ++mi) {
            const recur::Member& m = c.members[mi];
            const std::string head = recur::json_member_head(m.path, m.document);
            recur::append_json_member_separator(built, mi == 0);
            const std::size_t before = built.size();
            recur::append_json_member(built, head, m, text);
            EXPECT_EQ(built.size() - before, recur::json_member_size(head, m, text));
            EXPECT_EQ(recur::json_member_size(head, m, text), recur::json_member_size(m, text));
            ++members;
          }
          recur::append_json_cluster_close(built, c.members.size());
        }
        recur::Report part = r;
        part.clusters.erase(part.clusters.begin(), part.clusters.begin() + static_cast<std::ptrdiff_t>(cut));
        std::ostringstream out;
        recur::write_report_clusters(part, ReportFormat::json, {}, cut, out);
        EXPECT_EQ(built, out.str()) << "cut " << cut << ", texts " << text << ", known extras " << known_extra;
        if (cut == 0) EXPECT_GT(members, 2u);  // not vacuous
      }
    }
}

// The bytes escaping adds, as nlohmann writes the string, for every ASCII byte alone and among
// Chinese text (where the eight-byte scan sees it).
TEST(ReportParts, JsonEscapeExtraIsWhatNlohmannAdds) {
  for (int c = 1; c < 0x80; ++c)
    for (const std::string& s : {std::string(1, static_cast<char>(c)),
                                 "中文段落" + std::string(3, static_cast<char>(c)) + "的内容，第二句。"}) {
      const std::string dumped = nlohmann::ordered_json(s).dump();
      EXPECT_EQ(recur::json_escape_extra(s), dumped.size() - 2 - s.size()) << "byte " << c;
    }
  EXPECT_EQ(recur::json_escape_extra("一二三四五六七八九十"), 0u);
}

// write_json writes the clusters and the document pairs itself, in dump(2)'s layout with each
// member on one line: the report read back by nlohmann and laid out so (json_layout.hpp) must be
// the same bytes.
TEST(ReportParts, JsonIsTheLayoutOfItsOwnParse) {
  for (const bool documents : {true, false})
  for (const bool known_extra : {false, true}) {
    recur::Report r = awkward_report(known_extra);
    if (!documents) r.documents.clear();
    std::ostringstream out;
    recur::write_json(r, out);
    const auto parsed = nlohmann::ordered_json::parse(out.str());
    EXPECT_EQ(parsed["documents"].size(), r.documents.size());
    EXPECT_EQ(recur_test::report_layout(parsed) + "\n", out.str()) << "documents " << documents << ", known extras " << known_extra;
  }
}

TEST(ReportParts, TextShowsOnlyTheFirstTopClusters) {
  recur::TextOptions o;
  o.top = 2;
  EXPECT_EQ(recur::clusters_written(ReportFormat::text, o, 5), 2u);
  EXPECT_EQ(recur::clusters_written(ReportFormat::json, o, 5), 5u);
  EXPECT_EQ(recur::clusters_written(ReportFormat::csv, o, 1), 1u);
  const recur::Report r = report_of(5, true);
  recur::Report past_top = r;
  past_top.clusters.erase(past_top.clusters.begin(), past_top.clusters.begin() + 2);
  std::ostringstream out;
  recur::write_report_clusters(past_top, ReportFormat::text, o, 2, out);
  EXPECT_EQ(out.str(), "");  // clusters 3.. are not shown
}

TEST(ReportParts, HtmlPageFromJsonPartsIsWriteHtmls) {
  for (const std::size_t clusters : {0u, 4u}) {
    const recur::Report r = report_of(clusters, true);
    std::ostringstream expected;
    recur::write_html(r, expected);
    for (std::size_t cut = 0; cut <= clusters; ++cut) {
      std::ostringstream out;
      {
        recur::Report head = r;
        head.clusters.clear();
        recur::ReportPage page(head, out);
        in_parts(r, ReportFormat::json, {}, cut, page.json());
        page.finish();
      }
      EXPECT_EQ(out.str(), expected.str()) << "clusters " << clusters << ", cut " << cut;
    }
  }
}

// write_json_clusters makes room for each member ahead by a bound on its JSON, and then writes
// without checking: strings that escape to the most bytes (control characters: \u00XX, six bytes
// for one), in paths, document names and texts, with the text's escapes counted
// (text_json_extra) or not, and invalid UTF-8 in a path (replaced by U+FFFD). The bytes must parse
// back to the strings, on one thread and on several. (Under the sanitizers a bound too small is a
// buffer overflow.)
TEST(ReportParts, JsonOfStringsThatEscapeToSixTimesTheirBytes) {
  recur::Report r = report_of(3, true);
  const std::string controls(300, '\x01');
  std::size_t k = 0;
  for (recur::ReportCluster& c : r.clusters)
    for (recur::Member& m : c.members) {
      m.path = controls + "\"\\" + std::to_string(k);
      m.document = k % 2 == 0 ? m.path : controls + "doc" + std::to_string(k);
      m.text = controls + "\n\t\"" + std::string(k * 40, '\x1f');
      if (k % 3 == 0) m.text_json_extra = recur::json_escape_extra(m.text);
      ++k;
    }
  r.clusters[1].members[0].path = "bad\xff\xfe" + controls;
  r.clusters[1].members[0].document = r.clusters[1].members[0].path;
  std::ostringstream one, two;
  recur::write_json(r, one, 1);
  recur::write_json(r, two, 2);
  ASSERT_TRUE(one.str() == two.str());
  const auto j = nlohmann::json::parse(one.str());
  k = 0;
  for (std::size_t c = 0; c < r.clusters.size(); ++c)
    for (std::size_t m = 0; m < r.clusters[c].members.size(); ++m, ++k) {
      const auto& got = j["clusters"][c]["members"][m];
      EXPECT_EQ(got["text"], r.clusters[c].members[m].text) << k;
      if (c == 1 && m == 0) {
        EXPECT_EQ(got["path"], "bad\uFFFD\uFFFD" + controls);
      } else {
        EXPECT_EQ(got["path"], r.clusters[c].members[m].path) << k;
        EXPECT_EQ(got["document"], r.clusters[c].members[m].document) << k;
      }
    }
}

// write_json on several threads formats pieces of about a megabyte, which may end inside a
// cluster, and writes them in order: the bytes must be the one-thread bytes. The report is big
// enough for tens of pieces, with a cluster of 20,000 members (cut inside) and empty clusters (a
// piece must still write their heads and ends) at the start, the middle and the end.
TEST(ReportParts, JsonOnSeveralThreadsIsTheOneThreadBytes) {
  for (bool member_text : {true, false}) {
    recur::Report r = report_of(20000, member_text);
    recur::ReportCluster big;
    big.id = 20001;
    for (std::size_t m = 0; m < 20000; ++m) {
      recur::Member x = r.clusters[m % 100].members[0];
      x.paragraph = static_cast<std::uint32_t>(m + 1);
      if (member_text) x.text += std::string(200 + m % 50, 'y');
      big.members.push_back(std::move(x));
    }
    r.clusters.insert(r.clusters.begin() + 7000, std::move(big));
    for (std::size_t at : {std::size_t{0}, std::size_t{12000}, SIZE_MAX}) {  // SIZE_MAX: after the last
      recur::ReportCluster empty;
      empty.id = static_cast<std::uint32_t>(std::min<std::size_t>(at, 1000) + 100000);
      r.clusters.insert(r.clusters.begin() + static_cast<std::ptrdiff_t>(std::min(at, r.clusters.size())),
                        std::move(empty));
    }
    std::ostringstream one;
    recur::write_json(r, one, 1);
    ASSERT_GT(one.str().size(), std::size_t{member_text ? 10u : 5u} << 20);  // several pieces
    for (unsigned threads : {2u, 3u, 8u}) {
      std::ostringstream several;
      recur::write_json(r, several, threads);
      // Not ASSERT_EQ: gtest's diff of two strings of megabytes would take minutes.
      ASSERT_TRUE(several.str() == one.str()) << threads << " threads, member_text " << member_text;
    }
    // And the one-thread bytes are the JSON of the report (parsed back: every member is there).
    const auto j = nlohmann::json::parse(one.str());
    ASSERT_EQ(j["clusters"].size(), r.clusters.size());
    EXPECT_EQ(j["clusters"][7001]["members"].size(), 20000u);
    EXPECT_EQ(j["clusters"][7001]["members"][19999]["paragraph"], 20000);
    EXPECT_TRUE(j["clusters"][0]["members"].empty());
    EXPECT_TRUE(j["clusters"].back()["members"].empty());
  }
}

}  // namespace
