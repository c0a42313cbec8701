// The PAN format (parse, write) and the PAN measures on hand-made cases, plus the known answers of
// the unit tests that ship with PAN's own evaluator (pan13-text-alignment-perfmeasures.py).
#include "recur/pan.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "recur/error.hpp"

namespace {

using recur::PanAnnotation;
using recur::PanDocument;
using recur::pan_scores;
using recur::parse_pan_xml;

// An external annotation: suspicious `t` [to, to+tl), source `s` [so, so+sl).
PanAnnotation ann(const std::string& t, std::uint64_t to, std::uint64_t tl, const std::string& s, std::uint64_t so,
                  std::uint64_t sl) {
  PanAnnotation a;
  a.this_reference = t;
  a.this_offset = to;
  a.this_length = tl;
  a.source_reference = s;
  a.source_offset = so;
  a.source_length = sl;
  return a;
}

// An intrinsic annotation (no source side).
PanAnnotation intrinsic(const std::string& t, std::uint64_t to, std::uint64_t tl) {
  PanAnnotation a = ann(t, to, tl, "", 0, 0);
  a.external = false;
  return a;
}

std::string write(const PanDocument& d) {
  std::ostringstream out;
  recur::write_pan_xml(out, d);
  return out.str();
}

// The message of the Error parse_pan_xml throws, or "" when it does not throw.
std::string parse_error(const std::string& xml) {
  try {
    parse_pan_xml(xml);
  } catch (const recur::Error& e) {
    EXPECT_EQ(e.code(), recur::errc::input);
    return e.what();
  }
  return "";
}

// ---------------------------------------------------------------- measures -------------------

TEST(PanMeasures, PerfectDetectionScoresOne) {
  const auto c = ann("susp1.txt", 100, 50, "src1.txt", 300, 52);
  const auto s = pan_scores({c}, {c});
  EXPECT_DOUBLE_EQ(s.precision, 1);
  EXPECT_DOUBLE_EQ(s.recall, 1);
  EXPECT_DOUBLE_EQ(s.granularity, 1);
  EXPECT_DOUBLE_EQ(s.plagdet, 1);
  EXPECT_DOUBLE_EQ(s.micro_precision, 1);
  EXPECT_DOUBLE_EQ(s.micro_recall, 1);
  EXPECT_EQ(s.cases, 1u);
  EXPECT_EQ(s.detected_cases, 1u);
  EXPECT_EQ(s.true_detections, 1u);
}

TEST(PanMeasures, ACaseDetectedAsTwoHalvesHasGranularityTwo) {
  const auto c = ann("s", 0, 100, "r", 0, 100);
  const auto s = pan_scores({c}, {ann("s", 0, 50, "r", 0, 50), ann("s", 50, 50, "r", 50, 50)});
  EXPECT_DOUBLE_EQ(s.precision, 1);
  EXPECT_DOUBLE_EQ(s.recall, 1);
  EXPECT_DOUBLE_EQ(s.granularity, 2);
  EXPECT_NEAR(s.plagdet, 0.63092975, 1e-8);  // 1 / log2(3)
  EXPECT_EQ(s.detections, 2u);
  EXPECT_EQ(s.detected_cases, 1u);
}

TEST(PanMeasures, ADetectionTwiceAsLongAsTheCaseHasPrecisionOneHalf) {
  const auto s = pan_scores({ann("s", 0, 100, "r", 0, 100)}, {ann("s", 0, 200, "r", 0, 200)});
  EXPECT_DOUBLE_EQ(s.precision, 0.5);
  EXPECT_DOUBLE_EQ(s.recall, 1);
  EXPECT_DOUBLE_EQ(s.granularity, 1);
  EXPECT_NEAR(s.plagdet, 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(s.micro_precision, 0.5);
}

TEST(PanMeasures, AMissedCaseHalvesRecall) {
  const auto found = ann("s1", 0, 100, "r1", 0, 100), missed = ann("s1", 500, 80, "r1", 900, 80);
  const auto s = pan_scores({found, missed}, {found});
  EXPECT_DOUBLE_EQ(s.recall, 0.5);
  EXPECT_DOUBLE_EQ(s.precision, 1);
  EXPECT_DOUBLE_EQ(s.granularity, 1);
  EXPECT_NEAR(s.plagdet, 2.0 / 3.0, 1e-12);
  EXPECT_EQ(s.detected_cases, 1u);
  EXPECT_DOUBLE_EQ(s.micro_recall, 200.0 / 360.0);
}

TEST(PanMeasures, AFalseDetectionInAnotherPairHalvesPrecision) {
  const auto c = ann("s1", 0, 100, "r1", 0, 100);
  // Another suspicious document, and the same suspicious span against another source: neither
  // detects the case.
  for (const auto& other : {ann("s2", 0, 100, "r2", 0, 100), ann("s1", 0, 100, "r9", 0, 100)}) {
    const auto s = pan_scores({c}, {c, other});
    EXPECT_DOUBLE_EQ(s.recall, 1);
    EXPECT_DOUBLE_EQ(s.precision, 0.5);
    EXPECT_DOUBLE_EQ(s.granularity, 1);
    EXPECT_EQ(s.true_detections, 1u);
  }
}

TEST(PanMeasures, OverlapMustHoldOnBothSides) {
  const auto c = ann("s", 0, 100, "r", 0, 100);
  // Same suspicious span, source span elsewhere in the right source: no detection.
  const auto s = pan_scores({c}, {ann("s", 0, 100, "r", 500, 100)});
  EXPECT_DOUBLE_EQ(s.recall, 0);
  EXPECT_DOUBLE_EQ(s.precision, 0);
  EXPECT_DOUBLE_EQ(s.plagdet, 0);
  EXPECT_EQ(s.detected_cases, 0u);
  // Touching ranges (end == start) do not overlap.
  EXPECT_FALSE(recur::pan_overlapping(c, ann("s", 100, 10, "r", 100, 10)));
  EXPECT_TRUE(recur::pan_overlapping(c, ann("s", 99, 10, "r", 99, 10)));
}

TEST(PanMeasures, EmptyListsFollowTheReferenceEvaluator) {
  const auto c = ann("s", 0, 10, "r", 0, 10);
  const auto none = pan_scores({}, {});
  EXPECT_DOUBLE_EQ(none.recall, 1);
  EXPECT_DOUBLE_EQ(none.precision, 1);
  EXPECT_DOUBLE_EQ(none.granularity, 1);
  EXPECT_DOUBLE_EQ(none.plagdet, 1);
  EXPECT_DOUBLE_EQ(none.micro_recall, 1);
  const auto no_detections = pan_scores({c}, {});
  EXPECT_DOUBLE_EQ(no_detections.recall, 0);
  EXPECT_DOUBLE_EQ(no_detections.precision, 0);
  EXPECT_DOUBLE_EQ(no_detections.granularity, 1);
  EXPECT_DOUBLE_EQ(no_detections.plagdet, 0);
  EXPECT_DOUBLE_EQ(no_detections.micro_precision, 0);
  const auto no_cases = pan_scores({}, {c});
  EXPECT_DOUBLE_EQ(no_cases.recall, 0);
  EXPECT_DOUBLE_EQ(no_cases.precision, 0);
  EXPECT_DOUBLE_EQ(no_cases.plagdet, 0);
}

TEST(PanMeasures, ExactDuplicatesCountOnce) {
  const auto c = ann("s", 0, 100, "r", 0, 100);
  const auto s = pan_scores({c, c}, {c, c, c});
  EXPECT_EQ(s.cases, 1u);
  EXPECT_EQ(s.detections, 1u);
  EXPECT_DOUBLE_EQ(s.granularity, 1);
  EXPECT_DOUBLE_EQ(s.plagdet, 1);
}

TEST(PanMeasures, MicroAveragingCountsEachCharacterOnce) {
  // Two overlapping detections cover one case: macro and micro both 1, granularity 2.
  const auto c = ann("s", 0, 100, "r", 0, 100);
  const auto a = pan_scores({c}, {ann("s", 0, 60, "r", 0, 60), ann("s", 40, 60, "r", 40, 60)});
  EXPECT_DOUBLE_EQ(a.micro_recall, 1);
  EXPECT_DOUBLE_EQ(a.micro_precision, 1);
  EXPECT_DOUBLE_EQ(a.precision, 1);
  EXPECT_DOUBLE_EQ(a.granularity, 2);
  // Two pairs: one case found whole, one half found, one detection false.
  const auto c2 = ann("t", 0, 100, "u", 0, 100);
  const auto b = pan_scores({c, c2}, {c, ann("t", 0, 50, "u", 0, 50), ann("t", 200, 100, "u", 200, 100)});
  EXPECT_DOUBLE_EQ(b.recall, 0.75);
  EXPECT_DOUBLE_EQ(b.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(b.micro_recall, 300.0 / 400.0);
  EXPECT_DOUBLE_EQ(b.micro_precision, 300.0 / 500.0);
  EXPECT_NEAR(b.micro_plagdet, recur::plagdet_score(0.75, 0.6, 1), 1e-12);
}

TEST(PanMeasures, ZeroLengthAnnotationsCoverNothing) {
  // PAN's evaluator divides by zero here; recur counts the share as 0.
  const auto c = ann("s", 0, 100, "r", 0, 100);
  const auto s = pan_scores({c}, {c, ann("s", 50, 0, "r", 50, 0)});
  EXPECT_DOUBLE_EQ(s.recall, 1);
  EXPECT_DOUBLE_EQ(s.precision, 0.5);
}

// The annotations and asserted values of the unittest class in PAN's
// pan13-text-alignment-perfmeasures.py, an independent reference.
class PanReference : public ::testing::Test {
 protected:
  const PanAnnotation ann1 = ann("tref1", 0, 100, "sref1", 0, 100);
  const PanAnnotation ann2 = intrinsic("tref1", 0, 100);
  const PanAnnotation ann3 = ann("tref1", 100, 100, "sref1", 100, 100);
  const PanAnnotation ann4 = ann("tref1", 0, 200, "sref1", 0, 200);
  const PanAnnotation ann5 = ann("tref1", 0, 1, "sref1", 0, 1);
  const PanAnnotation ann6 = ann("tref1", 99, 1, "sref1", 99, 1);
  const PanAnnotation ann7 = ann("tref2", 0, 100, "sref2", 0, 100);
  const PanAnnotation ann8 = intrinsic("tref2", 0, 100);
  const PanAnnotation ann9 = ann("tref2", 50, 100, "sref2", 50, 100);
  const PanAnnotation ann10 = ann("tref2", 25, 75, "sref2", 25, 75);

  static double recall(const std::vector<PanAnnotation>& c, const std::vector<PanAnnotation>& d) {
    return pan_scores(c, d).recall;
  }
  static double precision(const std::vector<PanAnnotation>& c, const std::vector<PanAnnotation>& d) {
    return pan_scores(c, d).precision;
  }
  static double granularity(const std::vector<PanAnnotation>& c, const std::vector<PanAnnotation>& d) {
    return pan_scores(c, d).granularity;
  }
};

TEST_F(PanReference, MacroAveragedRecall) {
  EXPECT_DOUBLE_EQ(recall({}, {}), 1);
  EXPECT_DOUBLE_EQ(recall({ann1}, {}), 0);
  EXPECT_DOUBLE_EQ(recall({}, {ann1}), 0);
  EXPECT_DOUBLE_EQ(recall({ann1}, {ann1}), 1);
  EXPECT_DOUBLE_EQ(recall({ann2}, {ann2}), 1);
  EXPECT_DOUBLE_EQ(recall({ann1, ann7}, {ann1}), 0.5);
  EXPECT_DOUBLE_EQ(recall({ann2, ann8}, {ann2}), 0.5);
  EXPECT_DOUBLE_EQ(recall({ann1}, {ann7}), 0);
  EXPECT_DOUBLE_EQ(recall({ann2}, {ann8}), 0);
}

TEST_F(PanReference, CaseRecall) {
  // case_recall(case, detections) is the macro recall of a single case.
  EXPECT_DOUBLE_EQ(recall({ann1}, {ann1}), 1);
  EXPECT_DOUBLE_EQ(recall({ann1}, {ann2}), 0.5);
  EXPECT_DOUBLE_EQ(recall({ann1}, {ann3}), 0);
  EXPECT_DOUBLE_EQ(recall({ann1}, {ann4}), 1);
  EXPECT_DOUBLE_EQ(recall({ann1}, {ann4, ann7}), 1);
  EXPECT_DOUBLE_EQ(recall({ann1}, {ann7, ann9}), 0);
  EXPECT_DOUBLE_EQ(recall({ann7}, {ann9}), 0.5);
  EXPECT_DOUBLE_EQ(recall({ann7}, {ann10}), 0.75);
  EXPECT_DOUBLE_EQ(recall({ann7}, {ann9, ann10}), 0.75);
}

TEST_F(PanReference, MacroAveragedPrecision) {
  EXPECT_DOUBLE_EQ(precision({}, {}), 1);
  EXPECT_DOUBLE_EQ(precision({ann1}, {}), 0);
  EXPECT_DOUBLE_EQ(precision({}, {ann1}), 0);
  EXPECT_DOUBLE_EQ(precision({ann1}, {ann1}), 1);
  EXPECT_DOUBLE_EQ(precision({ann2}, {ann2}), 1);
  EXPECT_DOUBLE_EQ(precision({ann1, ann7}, {ann1}), 1);
  EXPECT_DOUBLE_EQ(precision({ann2, ann8}, {ann2}), 1);
  EXPECT_DOUBLE_EQ(precision({ann1}, {ann4}), 0.5);
  EXPECT_DOUBLE_EQ(precision({ann7}, {ann10}), 1);
  EXPECT_DOUBLE_EQ(precision({ann7}, {ann9, ann10}), 0.75);
  EXPECT_DOUBLE_EQ(precision({ann1}, {ann3, ann4}), 0.25);
}

TEST_F(PanReference, Granularity) {
  EXPECT_DOUBLE_EQ(granularity({}, {}), 1);
  EXPECT_DOUBLE_EQ(granularity({ann1}, {ann2}), 1);
  EXPECT_DOUBLE_EQ(granularity({ann1}, {ann2, ann3}), 1);
  EXPECT_DOUBLE_EQ(granularity({ann1}, {ann2, ann3, ann4}), 2);
  EXPECT_DOUBLE_EQ(granularity({ann1, ann3}, {ann2, ann4}), 1.5);
}

TEST_F(PanReference, PlagdetScore) {
  using recur::plagdet_score;
  EXPECT_EQ(plagdet_score(-1, 0, 0), 0);
  EXPECT_EQ(plagdet_score(0, -1, 0), 0);
  EXPECT_EQ(plagdet_score(0, 0, -1), 0);
  EXPECT_EQ(plagdet_score(0, 0, 1), 0);
  EXPECT_EQ(plagdet_score(0, 1, 1), 0);
  EXPECT_EQ(plagdet_score(1, 0, 1), 0);
  EXPECT_EQ(plagdet_score(1, 1, 1), 1);
  EXPECT_DOUBLE_EQ(plagdet_score(0.5, 1, 1), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(plagdet_score(1, 0.5, 1), 2.0 / 3.0);
  EXPECT_NEAR(plagdet_score(1, 1, 2), 0.63092975, 1e-8);
  EXPECT_NEAR(plagdet_score(0.25, 0.75, 2), 0.23659865, 1e-8);
}

TEST_F(PanReference, IsOverlapping) {
  using recur::pan_overlapping;
  EXPECT_TRUE(pan_overlapping(ann1, ann2));
  EXPECT_FALSE(pan_overlapping(ann1, ann3));
  EXPECT_TRUE(pan_overlapping(ann1, ann4));
  EXPECT_FALSE(pan_overlapping(ann1, ann7));
  EXPECT_FALSE(pan_overlapping(ann1, ann8));
  EXPECT_FALSE(pan_overlapping(ann1, ann9));
  EXPECT_FALSE(pan_overlapping(ann1, ann10));
  EXPECT_TRUE(pan_overlapping(ann1, ann5));
  EXPECT_TRUE(pan_overlapping(ann1, ann6));
}

// The definitions with one flag per character, for a property test against pan_scores.
struct BruteForce {
  static bool overlapping(const PanAnnotation& a, const PanAnnotation& b) {
    bool hit = a.this_reference == b.this_reference && a.this_offset < b.this_offset + b.this_length &&
               b.this_offset < a.this_offset + a.this_length;
    if (a.external && b.external)
      hit = hit && a.source_reference == b.source_reference && a.source_offset < b.source_offset + b.source_length &&
            b.source_offset < a.source_offset + a.source_length;
    return hit;
  }
  // Characters of `a` (both sides) that some annotation of `others` detecting it covers.
  static double share(const PanAnnotation& a, const std::vector<PanAnnotation>& others) {
    std::set<std::uint64_t> t, s;
    for (const auto& o : others) {
      if (!overlapping(a, o)) continue;
      for (auto k = a.this_offset; k < a.this_offset + a.this_length; ++k)
        if (k >= o.this_offset && k < o.this_offset + o.this_length) t.insert(k);
      if (a.external && o.external)
        for (auto k = a.source_offset; k < a.source_offset + a.source_length; ++k)
          if (k >= o.source_offset && k < o.source_offset + o.source_length) s.insert(k);
    }
    return static_cast<double>(t.size() + s.size()) /
           static_cast<double>(a.this_length + (a.external ? a.source_length : 0));
  }
  static double macro(const std::vector<PanAnnotation>& c, const std::vector<PanAnnotation>& d) {
    if (c.empty() && d.empty()) return 1;
    if (c.empty() || d.empty()) return 0;
    double sum = 0;
    for (const auto& x : c) sum += share(x, d);
    return sum / static_cast<double>(c.size());
  }
  // (document, character) pairs covered, suspicious and source sides apart.
  static std::set<std::pair<std::string, std::uint64_t>> chars(const std::vector<PanAnnotation>& list, bool source) {
    std::set<std::pair<std::string, std::uint64_t>> out;
    for (const auto& a : list) {
      if (source && !a.external) continue;
      const auto off = source ? a.source_offset : a.this_offset, len = source ? a.source_length : a.this_length;
      for (auto k = off; k < off + len; ++k) out.insert({source ? a.source_reference : a.this_reference, k});
    }
    return out;
  }
  static std::size_t count(const std::vector<PanAnnotation>& list) {
    return chars(list, false).size() + chars(list, true).size();
  }
};

TEST(PanMeasures, AgreeWithCharacterByCharacterDefinitionsOnRandomAnnotations) {
  std::mt19937_64 rng(11);
  auto pick = [&](std::uint64_t n) { return static_cast<std::uint64_t>(rng() % n); };
  auto random_annotation = [&] {
    PanAnnotation a = ann(pick(3) == 0 ? "s1" : "s2", pick(60), 1 + pick(25), pick(2) ? "r1" : "r2", pick(60),
                          1 + pick(25));
    if (pick(10) == 0) a = intrinsic(a.this_reference, a.this_offset, a.this_length);
    return a;
  };
  for (int round = 0; round < 2000; ++round) {
    std::vector<PanAnnotation> cases, detections;
    for (auto n = pick(6); n > 0; --n) cases.push_back(random_annotation());
    for (auto n = pick(8); n > 0; --n) detections.push_back(random_annotation());
    // Distinct annotations, as the evaluator keeps them.
    auto dedup = [](std::vector<PanAnnotation>& v) {
      std::vector<PanAnnotation> out;
      for (const auto& a : v)
        if (std::none_of(out.begin(), out.end(), [&](const PanAnnotation& b) { return a.same_span(b); }))
          out.push_back(a);
      v = out;
    };
    dedup(cases);
    dedup(detections);
    const auto s = pan_scores(cases, detections);
    const double recall = BruteForce::macro(cases, detections), precision = BruteForce::macro(detections, cases);
    EXPECT_NEAR(s.recall, recall, 1e-12) << round;
    EXPECT_NEAR(s.precision, precision, 1e-12) << round;
    std::size_t detected = 0, hits = 0;
    for (const auto& c : cases) {
      std::size_t n = 0;
      for (const auto& d : detections) n += BruteForce::overlapping(c, d);
      detected += n > 0;
      hits += n;
    }
    const double granularity = detected == 0 ? 1.0 : static_cast<double>(hits) / static_cast<double>(detected);
    EXPECT_NEAR(s.granularity, granularity, 1e-12) << round;
    EXPECT_NEAR(s.plagdet, recur::plagdet_score(recall, precision, granularity), 1e-12) << round;
    // Micro: characters of cases covered by a detection that detects the case, per document.
    if (!cases.empty() && !detections.empty()) {
      std::vector<PanAnnotation> overlaps;
      for (const auto& c : cases)
        for (const auto& d : detections) {
          if (!BruteForce::overlapping(c, d)) continue;
          PanAnnotation o = c;
          o.external = c.external && d.external;
          o.this_offset = std::max(c.this_offset, d.this_offset);
          o.this_length = std::min(c.this_offset + c.this_length, d.this_offset + d.this_length) - o.this_offset;
          if (o.external) {
            o.source_offset = std::max(c.source_offset, d.source_offset);
            o.source_length =
                std::min(c.source_offset + c.source_length, d.source_offset + d.source_length) - o.source_offset;
          }
          overlaps.push_back(o);
        }
      const double found = static_cast<double>(BruteForce::count(overlaps));
      EXPECT_NEAR(s.micro_recall, found / static_cast<double>(BruteForce::count(cases)), 1e-12) << round;
      EXPECT_NEAR(s.micro_precision, found / static_cast<double>(BruteForce::count(detections)), 1e-12) << round;
    }
  }
}

// ---------------------------------------------------------------- groups ---------------------

TEST(PanGroups, ByObfuscationAndLength) {
  auto with = [](PanAnnotation a, std::string o) {
    a.obfuscation = std::move(o);
    return a;
  };
  const auto a = with(ann("s", 0, 20, "r", 0, 20), "0.12");    // found in two halves
  const auto b = with(ann("s", 100, 40, "r", 100, 40), "0");   // found whole
  const auto c = with(ann("s", 300, 400, "r", 300, 400), "0.04");  // missed
  const auto b_and_more = ann("s", 100, 80, "r", 100, 80);     // covers b and 40 characters beyond
  const std::vector<PanAnnotation> det = {ann("s", 0, 10, "r", 0, 10), ann("s", 10, 10, "r", 10, 10), b_and_more,
                                          ann("q", 0, 5, "r", 0, 5)};
  const auto by_o = recur::pan_scores_by_obfuscation({a, b, c}, det);
  ASSERT_EQ(by_o.size(), 3u);
  EXPECT_EQ(by_o[0].label, "0");  // numeric order
  EXPECT_EQ(by_o[1].label, "0.04");
  EXPECT_EQ(by_o[2].label, "0.12");
  EXPECT_DOUBLE_EQ(by_o[0].scores.recall, 1);
  EXPECT_DOUBLE_EQ(by_o[0].scores.precision, 0.5);
  EXPECT_EQ(by_o[0].scores.detections, 1u);
  EXPECT_DOUBLE_EQ(by_o[1].scores.recall, 0);
  EXPECT_DOUBLE_EQ(by_o[1].scores.plagdet, 0);
  EXPECT_DOUBLE_EQ(by_o[2].scores.granularity, 2);
  EXPECT_DOUBLE_EQ(by_o[2].scores.precision, 1);
  const auto by_l = recur::pan_scores_by_length({a, b, c}, det, {0, 30, 100, 300});
  ASSERT_EQ(by_l.size(), 3u);  // 100-299 is empty
  EXPECT_EQ(by_l[0].label, "0-29");
  EXPECT_EQ(by_l[1].label, "30-99");
  EXPECT_EQ(by_l[2].label, "300+");
  EXPECT_EQ(by_l[2].scores.cases, 1u);
  EXPECT_DOUBLE_EQ(by_l[2].scores.recall, 0);
}

// ---------------------------------------------------------------- XML -------------------------

TEST(PanXml, WritesTheFormatOfTheTask) {
  PanDocument d;
  d.reference = "suspicious-document00005.txt";
  d.annotations.push_back(ann(d.reference, 3593, 698, "source-document01090.txt", 1300, 698));
  EXPECT_EQ(write(d),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<document reference=\"suspicious-document00005.txt\">\n"
            "<feature name=\"detected-plagiarism\" this_offset=\"3593\" this_length=\"698\" "
            "source_reference=\"source-document01090.txt\" source_offset=\"1300\" source_length=\"698\"/>\n"
            "</document>\n");
}

TEST(PanXml, RoundTrip) {
  PanDocument d;
  d.reference = "报告 A&B \"甲\" <1>.txt";
  auto a = ann(d.reference, 0, 31, "src 'x' & y.txt", 17, 30);
  a.name = "plagiarism";
  a.obfuscation = "0.06";
  d.annotations.push_back(a);
  d.annotations.push_back(ann(d.reference, 100, 5, "tab\there.txt", 0, 5));
  d.annotations.push_back(intrinsic(d.reference, 7, 9));
  const std::string xml = write(d);
  EXPECT_NE(xml.find("reference=\"报告 A&amp;B &quot;甲&quot; &lt;1&gt;.txt\""), std::string::npos) << xml;
  const PanDocument back = parse_pan_xml(xml);
  EXPECT_EQ(back.reference, d.reference);
  ASSERT_EQ(back.annotations.size(), d.annotations.size());
  for (std::size_t i = 0; i < d.annotations.size(); ++i) {
    const auto& x = d.annotations[i];
    const auto& y = back.annotations[i];
    EXPECT_TRUE(x.same_span(y)) << i;
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.obfuscation, y.obfuscation);
    EXPECT_EQ(x.source_reference, y.source_reference);
  }
  EXPECT_FALSE(back.annotations[2].external);
  // Control characters XML cannot hold become U+FFFD.
  PanDocument c;
  c.reference = std::string("a\x01" "b\n", 4);
  EXPECT_EQ(parse_pan_xml(write(c)).reference, "a\uFFFDb\n");
}

TEST(PanXml, ReadsWhatPanFilesLookLike) {
  // A PAN truth file: namespace attributes, other features, attributes in another order, single
  // quotes, white space around '=', comments, a feature split over lines, character references.
  const std::string xml =
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!DOCTYPE document [ <!ELEMENT document ANY> ]>\n"
      "<!-- made by hand -->\n"
      "<document xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" reference='susp&#x4E00;&amp;1.txt'>\n"
      "  <feature name=\"about\" authors=\"x\" title=\"y\"/>\n"
      "  <feature name=\"language\" value=\"zh\"></feature>\n"
      "  <feature source_length=\"10\" source_offset = '20' this_length=\"12\"\n"
      "           this_offset=\"5\" name=\"plagiarism\" source_reference=\"src&quot;1&quot;.txt\"\n"
      "           obfuscation=\"random\" type=\"artificial\" />\n"
      "  <feature name=\"detected-plagiarism\" this_offset=\" 7 \" this_length=\"3\"/>\n"
      "  <other><feature name=\"plagiarism\" this_offset=\"1\" this_length=\"1\"/></other>\n"
      "  <![CDATA[ <feature name=\"plagiarism\"/> ]]>\n"
      "</document>\n<!-- end -->\n";
  const PanDocument d = parse_pan_xml(xml);
  EXPECT_EQ(d.reference, "susp一&1.txt");
  ASSERT_EQ(d.annotations.size(), 2u);
  const auto& a = d.annotations[0];
  EXPECT_EQ(a.name, "plagiarism");
  EXPECT_EQ(a.this_reference, "susp一&1.txt");
  EXPECT_EQ(a.this_offset, 5u);
  EXPECT_EQ(a.this_length, 12u);
  EXPECT_EQ(a.source_reference, "src\"1\".txt");
  EXPECT_EQ(a.source_offset, 20u);
  EXPECT_EQ(a.source_length, 10u);
  EXPECT_EQ(a.obfuscation, "random");
  EXPECT_TRUE(a.external);
  EXPECT_EQ(d.annotations[1].name, "detected-plagiarism");
  EXPECT_EQ(d.annotations[1].this_offset, 7u);
  EXPECT_FALSE(d.annotations[1].external);
  // An empty document element: no annotations.
  EXPECT_TRUE(parse_pan_xml("<document reference=\"a.txt\"/>").annotations.empty());
}

TEST(PanXml, MalformedInputIsAnErrorThatSaysWhere) {
  struct Case {
    std::string xml, words;
  };
  const std::string f = "<feature name=\"plagiarism\" this_offset=\"1\" this_length=\"2\" ";
  const std::vector<Case> cases = {
      {"", "expected the root element"},
      {"just text", "expected the root element"},
      {"<document>\n</document>", "line 1: the root element <document> has no reference attribute"},
      {"<document reference=\"a\">\n" + f + "/>\n", "line 3: unexpected end of input: <document> is not closed"},
      {"<document reference=\"a\">\n</doc>", "line 2: </doc> does not close <document>"},
      {"<document reference=\"a\"><x></document>", "</document> does not close <x>"},
      {"<document reference=a></document>", "expected a quoted attribute value"},
      {"<document reference=\"a", "unterminated attribute value"},
      {"<document reference=\"a<b\"></document>", "'<' in an attribute value"},
      {"<document reference\"a\"></document>", "expected '=' after the attribute reference"},
      {"<document reference=\"a\"reference=\"b\"></document>", "expected white space"},
      {"<document reference=\"a\" reference=\"b\"></document>", "the attribute reference appears twice"},
      {"<document reference=\"a & b\"></document>", "'&' must start a reference"},
      {"<document reference=\"a &nbsp; b\"></document>", "unknown entity &nbsp;"},
      {"<document reference=\"&#xD800;\"></document>", "invalid character reference"},
      {"<document reference=\"&#0;\"></document>", "invalid character reference &#0;"},
      {"<document reference=\"&#x1F;\"></document>", "invalid character reference"},
      {std::string("<document reference=\"a\0b\"></document>", 37), "control character 0 in an attribute value"},
      {"<document reference=\"a\">\n\n" + f + "source_reference=\"s\"/></document>",
       "line 3: the feature \"plagiarism\" has only some of source_reference"},
      {"<document reference=\"a\"><feature name=\"plagiarism\" this_offset=\"1\"/></document>",
       "has no this_length"},
      {"<document reference=\"a\"><feature name=\"plagiarism\" this_offset=\"-1\" this_length=\"2\"/></document>",
       "this_offset=\"-1\" is not a whole number"},
      {"<document reference=\"a\"><feature name=\"plagiarism\" this_offset=\"1x\" this_length=\"2\"/></document>",
       "is not a whole number"},
      {"<document reference=\"a\"></document><document reference=\"b\"/>", "unexpected content after the root"},
      {"<document reference=\"a\"><!-- open </document>", "unterminated comment"},
  };
  for (const auto& c : cases) {
    const std::string e = parse_error(c.xml);
    EXPECT_NE(e.find(c.words), std::string::npos) << "input: " << c.xml << "\nerror: " << e;
    EXPECT_EQ(e.rfind("line ", 0), 0u) << e;
  }
}

TEST(PanXml, PairFileNames) {
  EXPECT_EQ(recur::pan_pair_file_name("suspicious-document00001.txt", "source-document00002.txt"),
            "suspicious-document00001-source-document00002.xml");
  EXPECT_EQ(recur::pan_pair_file_name("dir/a.b.txt", "/x/y/src"), "a.b-src.xml");
  EXPECT_EQ(recur::pan_pair_file_name(".hidden", "b.txt"), ".hidden-b.xml");
}

}  // namespace
