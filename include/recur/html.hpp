#pragma once
/// \file html.hpp
/// One-file HTML reports (`--format html`): a page an auditor can open from disk and send on.
///
/// The page is self-contained: its CSS, JavaScript and SVG are inline, a Content-Security-Policy
/// forbids every network request, and it references no URL. The report is embedded whole, as the
/// JSON contract that write_json() writes (so every field, present and future, is there), inside
/// `<script type="application/json" id="recur-data">`, with every `<` written `\u003c` so that no
/// text can close the script. A viewer (src/html/viewer.js, viewer.css, embedded at build time)
/// renders it on demand: an overview, filtered and paginated lists, one cluster, phrase or passage
/// at a time, so a report of 100,000 clusters opens without 100,000 DOM nodes.
///
/// Like the other writers these take a std::ostream and never open files. The output is
/// byte-identical for identical reports (nothing in it depends on the time or the machine).
#include <memory>
#include <ostream>
#include <string_view>

#include "recur/report.hpp"

namespace recur {

/// How every HTML report begins: how looks_like_recur_output() knows one.
inline constexpr std::string_view kHtmlSignature = "<!DOCTYPE html>\n<html lang=\"zh-CN\" data-recur=\"";

/// Writes a `recur report` as one HTML page: overview (counts, options, similarity histogram,
/// document x document heat map), cluster list with filters and search, cluster view with each
/// member's differences from the representative.
void write_html(const Report& report, std::ostream& out);

/// write_html(report, out) in steps, for a report whose JSON is written in parts
/// (write_report_head() and the rest, report.hpp; the MPI run, mpi.hpp): the constructor writes
/// the page up to the data, the JSON report is written into json(), finish() ends the page. The
/// bytes are write_html()'s when json() receives write_json()'s.
class ReportPage {
 public:
  ReportPage(const Report& report, std::ostream& out);
  ~ReportPage();
  ReportPage(const ReportPage&) = delete;
  ReportPage& operator=(const ReportPage&) = delete;
  std::ostream& json();
  void finish();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Writes a `recur phrases` report as one HTML page: overview, phrase table with filters, and each
/// phrase's variants and locations.
void write_html(const PhrasesReport& report, std::ostream& out);

/// Writes a `recur compare` report as one HTML page: coverage, and the passages of the two texts
/// side by side, differences highlighted; clicking a passage scrolls its partner into view.
void write_html(const CompareReport& report, std::ostream& out);

/// Writes a `recur query` report as one HTML page: each query with the share found in the archive,
/// its sources, and the passages shared with one source side by side, as for compare.
void write_html(const QueryReport& report, std::ostream& out);

}  // namespace recur
