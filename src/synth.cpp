// Synthetic corpora with planted near-duplicate families, and pairwise scoring.
#include "recur/synth.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <set>
#include <unordered_map>

#include "recur/text.hpp"

namespace recur {
namespace {

// A small, fully specified generator (splitmix64), so corpora are identical on every platform
// and standard library (std::uniform_int_distribution is not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) noexcept {  // uniform in [0, n), Lemire's method
    __extension__ using u128 = unsigned __int128;  // GCC/Clang; __extension__ silences -Wpedantic
    return static_cast<std::uint64_t>((static_cast<u128>(next()) * n) >> 64);
  }
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) noexcept { return lo + below(hi - lo + 1); }
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

const std::vector<std::u32string>& places() {
  static const std::vector<std::u32string> p = {
      U"北京市", U"天津市", U"上海市", U"重庆市", U"济南市", U"青岛市", U"淄博市", U"南京市", U"苏州市", U"杭州市",
      U"宁波市", U"合肥市", U"福州市", U"厦门市", U"南昌市", U"郑州市", U"武汉市", U"长沙市", U"广州市", U"深圳市",
      U"南宁市", U"成都市", U"贵阳市", U"昆明市", U"西安市", U"兰州市", U"西宁市", U"银川市", U"包头市", U"鄂尔多斯市"};
  return p;
}

// A paragraph kept as sentences (for swaps) and an optional "detail": a place and a number,
// which copies may change.
struct Paragraph {
  std::vector<std::u32string> sentences;  // each ends in its punctuation
  std::size_t detail_sentence = SIZE_MAX;
  std::u32string place, number;
  std::u32string text() const {
    std::u32string t;
    for (std::size_t i = 0; i < sentences.size(); ++i) {
      if (i == detail_sentence) t += place + number + U"年";
      t += sentences[i];
    }
    return t;
  }
};

class Generator {
 public:
  Generator(const SynthOptions& o) : o_(o), rng_(o.seed) {
    alphabet_ = o.alphabet;
    if (alphabet_.empty())
      for (char32_t c = 0x4E00; c < 0x4E00 + 3000; ++c) alphabet_.push_back(c);
  }

  char32_t letter() { return alphabet_[rng_.below(alphabet_.size())]; }

  std::u32string number() {
    std::u32string n;
    for (char c : std::to_string(rng_.between(1990, 2035))) n += static_cast<char32_t>(c);
    return n;
  }

  Paragraph paragraph() {
    Paragraph p;
    const std::size_t n = rng_.between(3, 10);
    for (std::size_t i = 0; i < n; ++i) {
      std::u32string s;
      const std::size_t len = rng_.between(8, 30);
      for (std::size_t k = 0; k < len; ++k) s += letter();
      s += i + 1 == n ? U'。' : (rng_.below(4) == 0 ? U'；' : U'，');
      p.sentences.push_back(std::move(s));
    }
    if (rng_.below(10) < 4) {
      p.detail_sentence = rng_.below(n);
      p.place = places()[rng_.below(places().size())];
      p.number = number();
    }
    return p;
  }

  // An edited copy of `p` at character edit rate `rate`.
  std::u32string copy(const Paragraph& p, double rate) {
    Paragraph c = p;
    if (c.detail_sentence != SIZE_MAX && rng_.unit() < o_.number_rate) {
      if (rng_.below(2) == 0) c.number = number();
      else c.place = places()[rng_.below(places().size())];
    }
    if (c.sentences.size() > 2 && rng_.unit() < o_.swap_rate) {
      // Swap two adjacent sentences, keeping the final one (and its 。) in place.
      const std::size_t i = rng_.below(c.sentences.size() - 2);
      std::swap(c.sentences[i], c.sentences[i + 1]);
    }
    std::u32string t = c.text();
    const auto edits = static_cast<std::size_t>(std::llround(static_cast<double>(t.size()) * rate));
    for (std::size_t e = 0; e < edits && !t.empty(); ++e) {
      const std::size_t i = rng_.below(t.size());
      const std::uint64_t op = rng_.below(4);
      if (op < 2) t[i] = letter();
      else if (op == 2) t.insert(t.begin() + static_cast<std::ptrdiff_t>(i), letter());
      else if (t.size() > 1) t.erase(t.begin() + static_cast<std::ptrdiff_t>(i));
    }
    return t;
  }

  std::uint64_t run(const DocumentSink& sink) {
    struct Pending {
      std::uint64_t due, family;
      std::u32string text;
      double rate;
    };
    std::deque<Pending> pending;
    std::uint64_t written = 0, doc = 0, family = 0;
    std::string text;
    std::vector<PlantedParagraph> planted;
    while (written < o_.size) {
      text.clear();
      planted.clear();
      std::uint64_t line = 0;
      while (text.size() < o_.document_bytes) {
        ++line;
        std::u32string para;
        if (rng_.unit() < o_.family_rate) {
          ++family;
          Paragraph orig = paragraph();
          para = orig.text();
          planted.push_back({family, doc, line, 0.0});
          const std::size_t copies = rng_.between(1, std::max(1u, o_.max_copies));
          for (std::size_t k = 0; k < copies; ++k) {
            const double rate = o_.edit_rates[rng_.below(o_.edit_rates.size())];
            pending.push_back({doc + rng_.below(4), family, copy(orig, rate), rate});
          }
        } else {
          // A due copy (oldest first) half of the time, else background.
          auto due = std::find_if(pending.begin(), pending.end(), [&](const Pending& p) { return p.due <= doc; });
          if (due != pending.end() && rng_.below(2) == 0) {
            para = due->text;
            planted.push_back({due->family, doc, line, due->rate});
            pending.erase(due);
          } else {
            para = paragraph().text();
          }
        }
        text += "\u3000\u3000";
        for (char32_t c : para) append_utf8(text, c);
        text += '\n';
      }
      sink(doc, text, planted);
      written += text.size();
      ++doc;
    }
    return doc;
  }

 private:
  const SynthOptions& o_;
  Rng rng_;
  std::vector<char32_t> alphabet_;
};

}  // namespace

std::string SynthOptions::validate() const {
  if (size == 0) return "--size must be positive";
  if (document_bytes < 100) return "--doc-size must be at least 100 bytes";
  if (!(family_rate >= 0 && family_rate <= 0.5)) return "the family rate must be in [0, 0.5]";
  if (edit_rates.empty()) return "at least one edit rate is needed";
  for (double r : edit_rates)
    if (!(r >= 0 && r < 1)) return "edit rates must be in [0, 1)";
  return {};
}

std::uint64_t synthesize(const SynthOptions& options, const DocumentSink& sink) {
  Generator g(options);
  return g.run(sink);
}

Evaluation evaluate(const std::vector<PredictedCluster>& clusters, const std::vector<TruthEntry>& truth) {
  Evaluation ev;
  std::map<std::pair<std::string, std::uint64_t>, const TruthEntry*> by_key;
  std::map<std::uint64_t, std::vector<double>> family_rates;
  for (const auto& t : truth) {
    by_key[{t.path, t.line}] = &t;
    family_rates[t.family].push_back(t.edit_rate);
  }
  ev.families = family_rates.size();
  // Pairs of a group counted under the larger rate: with rates sorted, element i is the larger
  // one in i pairs.
  auto add_by_rate = [&](std::vector<double> rates, bool found) {
    std::sort(rates.begin(), rates.end());
    for (std::size_t i = 1; i < rates.size(); ++i) {
      auto& slot = ev.by_edit_rate[rates[i]];
      (found ? slot.second : slot.first) += i;
    }
  };
  for (const auto& [f, rates] : family_rates) {
    ev.true_pairs += rates.size() * (rates.size() - 1) / 2;
    add_by_rate(rates, false);
  }
  std::map<std::uint64_t, std::set<std::size_t>> clusters_of_family;
  std::map<std::uint64_t, std::uint64_t> clustered_in_family;
  for (std::size_t ci = 0; ci < clusters.size(); ++ci) {
    const auto& c = clusters[ci];
    ev.predicted_pairs += c.members.size() * (c.members.size() - 1) / 2;
    std::map<std::uint64_t, std::vector<double>> in_family;
    for (const auto& key : c.members) {
      auto it = by_key.find(key);
      if (it == by_key.end()) continue;
      in_family[it->second->family].push_back(it->second->edit_rate);
    }
    if (in_family.size() > 1) ++ev.clusters_merging;
    for (auto& [f, rates] : in_family) {
      ev.correct_pairs += rates.size() * (rates.size() - 1) / 2;
      clusters_of_family[f].insert(ci);
      clustered_in_family[f] += rates.size();
      add_by_rate(rates, true);
    }
  }
  for (const auto& [f, rates] : family_rates) {
    const std::uint64_t clustered = clustered_in_family.count(f) ? clustered_in_family[f] : 0;
    ev.planted_unclustered += rates.size() - clustered;
    const std::size_t n_clusters = clusters_of_family.count(f) ? clusters_of_family[f].size() : 0;
    if (rates.size() > 1 && (n_clusters > 1 || clustered < rates.size())) ++ev.families_split;
  }
  ev.precision = ev.predicted_pairs ? static_cast<double>(ev.correct_pairs) / static_cast<double>(ev.predicted_pairs) : 1.0;
  ev.recall = ev.true_pairs ? static_cast<double>(ev.correct_pairs) / static_cast<double>(ev.true_pairs) : 1.0;
  ev.f1 = ev.precision + ev.recall > 0 ? 2 * ev.precision * ev.recall / (ev.precision + ev.recall) : 0.0;
  return ev;
}

}  // namespace recur
