// Synthetic corpora with planted near-duplicate families, and pairwise scoring; PAN-style pairs
// with planted passages.
#include "recur/synth.hpp"

#include <algorithm>
#include <charconv>
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

// The given alphabet, or 3000 CJK characters from U+4E00 when it is empty.
std::vector<char32_t> alphabet_or_default(const std::vector<char32_t>& given) {
  std::vector<char32_t> a = given;
  if (a.empty())
    for (char32_t c = 0x4E00; c < 0x4E00 + 3000; ++c) a.push_back(c);
  return a;
}

class Generator {
 public:
  Generator(const SynthOptions& o) : o_(o), rng_(o.seed), alphabet_(alphabet_or_default(o.alphabet)) {
    for (std::size_t i = 0; i + 1 < o.chain.size(); ++i)
      if (o.chain[i] != 0 && o.chain[i + 1] != 0) follows_[o.chain[i]].push_back(static_cast<std::uint32_t>(i + 1));
  }

  char32_t letter() { return alphabet_[rng_.below(alphabet_.size())]; }

  // The next letter of a background sentence: along the vocabulary chain when there is one (a
  // character that follows `prev` somewhere in it; a random place to start or when `prev` leads
  // nowhere), else uniform.
  char32_t next_letter(char32_t prev) {
    if (o_.chain.empty()) return letter();
    if (const auto it = follows_.find(prev); prev != 0 && it != follows_.end())
      return o_.chain[it->second[rng_.below(it->second.size())]];
    for (;;)
      if (const char32_t c = o_.chain[rng_.below(o_.chain.size())]; c != 0) return c;
  }

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
      // Uniform letters, not the chain: sentences along real bigrams share phrases with a fixed
      // chance per pair, so their candidates per paragraph grew with --size (1.6 at 10 MiB, 3.2 at
      // 100 MiB); themes give related background at a rate that does not.
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

  // `t` with a share `rate` of its CJK characters replaced (along the chain when there is one).
  std::u32string replaced(std::u32string t, double rate) {
    for (std::size_t i = 0; i < t.size(); ++i)
      if (is_cjk(t[i]) && rng_.unit() < rate) t[i] = o_.chain.empty() ? letter() : next_letter(i ? t[i - 1] : 0);
    return t;
  }

  // A background paragraph that is a loose variant of a live theme (SynthOptions::stock_share).
  std::u32string themed() {
    constexpr std::size_t kLive = 256;
    if (themes_.size() < kLive) {
      themes_.push_back({replaced(o_.stock[rng_.below(o_.stock.size())], o_.stock_edit), 0});
    }
    const std::size_t k = rng_.below(themes_.size());
    std::u32string t = replaced(themes_[k].first, o_.stock_edit / 2 + rng_.unit() * 1.5 * o_.stock_edit);
    if (++themes_[k].second >= SynthOptions::kThemeUses)  // retired: a fresh theme takes its place
      themes_[k] = {replaced(o_.stock[rng_.below(o_.stock.size())], o_.stock_edit), 0};
    return t;
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
          const std::size_t copies = rng_.between(std::max(1u, o_.min_copies), std::max(1u, o_.max_copies));
          for (std::size_t k = 0; k < copies; ++k) {
            const double rate = o_.edit_rates[rng_.below(o_.edit_rates.size())];
            pending.push_back({doc + rng_.below(4), family, copy(orig, rate), rate});
          }
        } else {
          // A due copy (oldest first) half of the time, else background.
          auto due = std::find_if(pending.begin(), pending.end(), [&](const Pending& p) { return p.due <= doc; });
          // unit() < 0.5 draws the same as below(2) == 0 did (the top bit), so corpora of the
          // default options are unchanged.
          if (due != pending.end() && rng_.unit() < o_.take_rate) {
            para = due->text;
            planted.push_back({due->family, doc, line, due->rate});
            pending.erase(due);
          } else if (o_.stock_share > 0 && !o_.stock.empty() && rng_.unit() < o_.stock_share) {
            para = themed();
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
  std::unordered_map<char32_t, std::vector<std::uint32_t>> follows_;  // character -> places in chain after it
  std::vector<std::pair<std::u32string, unsigned>> themes_;  // live themes and their uses so far
};


// ---------------------------------------------------------------- passages -------------------

constexpr char32_t kIndent = U'\u3000';

// A document as paragraphs of sentences; laid out as "　　" + sentences + "\n" per paragraph.
using Paragraphs = std::vector<std::vector<std::u32string>>;

// A copy waiting to be inserted into the suspicious document.
struct Copy {
  std::u32string text;
  std::size_t paragraph = 0, sentence = 0;  // slot: before sentence `sentence` of `paragraph`
  bool own_paragraphs = false;              // inserted as paragraphs before `paragraph`
  std::size_t passage = 0;                  // index into the pair's passages
};

class PassageGenerator {
 public:
  PassageGenerator(const PassageSynthOptions& o, std::uint64_t index)
      : o_(o),
        rng_(Rng(o.seed).next() ^ Rng(index ^ 0x5DEECE66DULL).next()),  // pair i: a function of seed and i
        alphabet_(alphabet_or_default(o.alphabet)) {}

  PassagePair pair(std::uint64_t index) {
    PassagePair p;
    p.index = index;
    p.susp_name = name("suspicious-document", index + 1);
    p.src_name = name("source-document", index + 1);
    const bool related = !(rng_.unit() < o_.unrelated_share);
    const Paragraphs src = document(), susp = document();
    p.src_text = utf8(layout(src));
    std::vector<Copy> copies;
    if (related) plant(src, susp, p, copies);
    p.susp_text = utf8(insert(susp, copies, p.passages));
    std::sort(p.passages.begin(), p.passages.end(),
              [](const PlantedPassage& a, const PlantedPassage& b) { return a.this_offset < b.this_offset; });
    return p;
  }

 private:
  static std::string name(const char* prefix, std::uint64_t n) {
    std::string digits = std::to_string(n);
    if (digits.size() < 5) digits.insert(0, 5 - digits.size(), '0');
    return prefix + digits + ".txt";
  }
  static std::string utf8(const std::u32string& t) {
    std::string out;
    for (char32_t c : t) append_utf8(out, c);
    return out;
  }
  static bool is_layout(char32_t c) { return c == U'\n' || c == kIndent; }

  char32_t letter() { return alphabet_[rng_.below(alphabet_.size())]; }

  // 18-38 letters in clauses of 6-14 separated by ，, then 。: 20-40 characters in all.
  std::u32string sentence() {
    std::u32string s;
    const std::size_t letters = rng_.between(18, 38);
    std::size_t clause = rng_.between(6, 14);
    for (std::size_t k = 0; k < letters; ++k) {
      if (clause == 0) {
        if (letters - k >= 4) s += U'，';
        clause = rng_.between(6, 14);
      }
      s += letter();
      --clause;
    }
    s += U'。';
    return s;
  }

  Paragraphs document() {
    Paragraphs d;
    std::uint64_t chars = 0;
    while (chars < o_.document_chars) {
      std::vector<std::u32string> para;
      const std::size_t n = rng_.between(2, 8);
      chars += 3;  // indent and line break
      for (std::size_t i = 0; i < n; ++i) {
        para.push_back(sentence());
        chars += para.back().size();
      }
      d.push_back(std::move(para));
    }
    return d;
  }

  static std::u32string layout(const Paragraphs& d) {
    std::u32string t;
    for (const auto& para : d) {
      t += kIndent;
      t += kIndent;
      for (const auto& s : para) t += s;
      t += U'\n';
    }
    return t;
  }

  // Chooses passages in `src`, makes their edited copies and where they go in `susp`; fills the
  // source side of `pair.passages`.
  void plant(const Paragraphs& src, const Paragraphs& susp, PassagePair& pair, std::vector<Copy>& copies) {
    // Every source sentence: its paragraph and its span in the laid-out text.
    struct Sentence {
      std::size_t paragraph;
      std::uint64_t begin, end;
    };
    std::vector<Sentence> sentences;
    std::vector<std::size_t> first_of;  // paragraph -> index of its first sentence
    std::uint64_t at = 0;
    for (std::size_t p = 0; p < src.size(); ++p) {
      at += 2;
      first_of.push_back(sentences.size());
      for (const auto& s : src[p]) {
        sentences.push_back({p, at, at + s.size()});
        at += s.size();
      }
      at += 1;
    }
    first_of.push_back(sentences.size());
    std::vector<bool> used(sentences.size(), false);
    const std::u32string text = layout(src);
    const std::size_t count = rng_.between(o_.min_passages, o_.max_passages);
    const unsigned kinds = o_.max_paragraphs >= 2 ? 4 : 3;
    for (std::size_t n = 0; n < count; ++n) {
      const unsigned kind = static_cast<unsigned>(rng_.below(kinds));
      // A free range [g0, g1) of sentences with a free sentence on either side; a few tries.
      std::size_t g0 = 0, g1 = 0;
      bool found = false;
      for (int attempt = 0; attempt < 20 && !found; ++attempt) {
        if (kind == 0 || kind == 1) {
          const std::size_t len = kind == 0 ? 1 : rng_.between(2, 4);
          if (len > sentences.size()) continue;
          g0 = rng_.below(sentences.size() - len + 1);
          g1 = g0 + len;
        } else {
          const std::size_t len = kind == 2 ? 1 : rng_.between(2, o_.max_paragraphs);
          if (len > src.size()) continue;
          const std::size_t p0 = rng_.below(src.size() - len + 1);
          g0 = first_of[p0];
          g1 = first_of[p0 + len];
        }
        found = true;
        for (std::size_t g = g0 == 0 ? 0 : g0 - 1; g < std::min(g1 + 1, sentences.size()); ++g)
          found = found && !used[g];
      }
      if (!found) continue;
      for (std::size_t g = g0; g < g1; ++g) used[g] = true;

      PlantedPassage planted;
      planted.source_offset = sentences[g0].begin;
      planted.source_length = sentences[g1 - 1].end - sentences[g0].begin;
      planted.sentences = g1 - g0;
      planted.paragraphs = sentences[g1 - 1].paragraph - sentences[g0].paragraph + 1;
      planted.edit_rate = o_.edit_rates[rng_.below(o_.edit_rates.size())];
      // The passage as pieces: sentences, and the paragraph breaks between them.
      std::vector<std::u32string> pieces;
      std::vector<bool> is_sentence;
      for (std::size_t g = g0; g < g1; ++g) {
        if (g > g0 && sentences[g].paragraph != sentences[g - 1].paragraph) {
          pieces.push_back(text.substr(sentences[g - 1].end, sentences[g].begin - sentences[g - 1].end));
          is_sentence.push_back(false);
        }
        pieces.push_back(text.substr(sentences[g].begin, sentences[g].end - sentences[g].begin));
        is_sentence.push_back(true);
      }
      std::vector<std::size_t> swappable;
      for (std::size_t i = 0; i + 1 < pieces.size(); ++i)
        if (is_sentence[i] && is_sentence[i + 1]) swappable.push_back(i);
      if (!swappable.empty() && rng_.unit() < o_.swap_rate) {
        const std::size_t i = swappable[rng_.below(swappable.size())];
        std::swap(pieces[i], pieces[i + 1]);
        planted.swapped = true;
      }
      std::u32string copy;
      for (const auto& piece : pieces) copy += piece;
      planted.edits = static_cast<std::uint64_t>(std::llround(static_cast<double>(copy.size()) * planted.edit_rate));
      edit(copy, planted.edits);

      Copy c;
      c.text = std::move(copy);
      c.passage = pair.passages.size();
      c.own_paragraphs = kind >= 2;
      if (c.own_paragraphs) {
        c.paragraph = rng_.below(susp.size() + 1);  // before paragraph p, or after the last
      } else {
        c.paragraph = rng_.below(susp.size());
        c.sentence = rng_.below(susp[c.paragraph].size() + 1);
      }
      copies.push_back(std::move(c));
      pair.passages.push_back(planted);
    }
  }

  // `edits` substitutions, insertions and deletions (2:1:1) at random characters, never touching
  // the indent and line breaks (so paragraphs stay paragraphs).
  void edit(std::u32string& t, std::uint64_t edits) {
    for (std::uint64_t e = 0; e < edits; ++e) {
      std::size_t i = 0;
      bool ok = false;
      for (int attempt = 0; attempt < 64 && !ok; ++attempt) {
        i = rng_.below(t.size());
        ok = !is_layout(t[i]);
      }
      if (!ok) return;
      const std::uint64_t op = rng_.below(4);
      if (op < 2) t[i] = letter();
      else if (op == 2) t.insert(t.begin() + static_cast<std::ptrdiff_t>(i), letter());
      else if (t.size() > 1) t.erase(t.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }

  // Lays out `susp` with the copies inserted at their slots; fills the suspicious side.
  static std::u32string insert(const Paragraphs& susp, const std::vector<Copy>& copies,
                               std::vector<PlantedPassage>& passages) {
    std::u32string t;
    auto put = [&](const Copy& c) {
      passages[c.passage].this_offset = t.size();
      passages[c.passage].this_length = c.text.size();
      t += c.text;
    };
    for (std::size_t p = 0; p <= susp.size(); ++p) {
      for (const auto& c : copies)
        if (c.own_paragraphs && c.paragraph == p) {
          t += kIndent;
          t += kIndent;
          put(c);
          t += U'\n';
        }
      if (p == susp.size()) break;
      t += kIndent;
      t += kIndent;
      for (std::size_t j = 0; j <= susp[p].size(); ++j) {
        for (const auto& c : copies)
          if (!c.own_paragraphs && c.paragraph == p && c.sentence == j) put(c);
        if (j < susp[p].size()) t += susp[p][j];
      }
      t += U'\n';
    }
    return t;
  }

  const PassageSynthOptions& o_;
  Rng rng_;
  std::vector<char32_t> alphabet_;
};

}  // namespace

std::string SynthOptions::with_reuse(double reuse) {
  if (!(reuse >= 0 && reuse <= 0.8)) return "--reuse must be a share from 0 to 0.8";
  const double mean_size = (std::max(1u, min_copies) + std::max(1u, max_copies)) / 2.0 + 1;
  family_rate = reuse / mean_size;
  // Copies made per paragraph that is not an original: each must find a slot, and a slot takes a
  // due copy with chance take_rate; 1.25x headroom since not every copy is due yet.
  const double demand = family_rate * (mean_size - 1) / (1 - family_rate);
  take_rate = std::clamp(1.25 * demand, 0.5, 1.0);
  return {};
}

std::vector<std::u32string> stock_paragraphs(const std::vector<std::string>& texts, std::size_t min_cjk) {
  std::vector<std::u32string> out;
  std::u32string line;
  std::size_t cjk = 0;
  auto flush = [&] {
    if (cjk >= min_cjk) out.push_back(line);
    line.clear();
    cjk = 0;
  };
  for (const std::string& t : texts) {
    for (std::size_t i = 0; i < t.size();) {
      const char32_t c = next_code_point(t, i);
      if (c == U'\n' || c == U'\r') flush();
      else if (c != U' ' && c != U'\t' && c != U'\u3000') {
        line += c;
        cjk += is_cjk(c);
      }
    }
    flush();
  }
  return out;
}

std::u32string vocabulary_chain(const std::vector<std::string>& texts) {
  std::u32string chain;
  for (const std::string& t : texts) {
    for (std::size_t i = 0; i < t.size();) {
      const char32_t c = next_code_point(t, i);
      const char32_t v = is_cjk(c) ? c : 0;
      if (v != 0 || (!chain.empty() && chain.back() != 0)) chain += v;
    }
    if (!chain.empty() && chain.back() != 0) chain += char32_t{0};
  }
  return chain;
}

std::string SynthOptions::validate() const {
  if (size == 0) return "--size must be positive";
  if (document_bytes < 100) return "--doc-size must be at least 100 bytes";
  if (!(family_rate >= 0 && family_rate <= 0.5)) return "the family rate must be in [0, 0.5]";
  if (min_copies == 0 || min_copies > max_copies || max_copies > 1000)
    return "--family-size must be A-B with 2 <= A <= B <= 1001";
  if (!(take_rate >= 0 && take_rate <= 1)) return "the take rate must be in [0, 1]";
  if (!(stock_share >= 0 && stock_share <= 1)) return "--stock must be a share from 0 to 1";
  if (stock_share > 0 && stock.empty()) return "--stock needs --from DIR (the stock paragraphs are its paragraphs)";
  if (!(stock_edit >= 0 && stock_edit <= 0.5)) return "--stock-edit must be a rate from 0 to 0.5";
  if (edit_rates.empty()) return "at least one edit rate is needed";
  for (double r : edit_rates)
    if (!(r >= 0 && r < 1)) return "edit rates must be in [0, 1)";
  return {};
}

std::uint64_t synthesize(const SynthOptions& options, const DocumentSink& sink) {
  Generator g(options);
  return g.run(sink);
}

std::string PassageSynthOptions::validate() const {
  if (pairs == 0) return "--pairs must be positive";
  if (pairs > 10'000'000) return "--pairs must be at most 10000000";
  if (document_chars < 200) return "--doc-size must give documents of at least 200 characters (600 bytes)";
  if (document_chars > 100'000'000) return "--doc-size must be at most 300MB";
  if (!(unrelated_share >= 0 && unrelated_share <= 1)) return "--unrelated must be a share from 0 to 1";
  if (min_passages == 0 || min_passages > max_passages)
    return "passages per pair need 1 <= min_passages <= max_passages";
  if (max_passages > 1000) return "at most 1000 passages per pair";
  if (edit_rates.empty()) return "at least one edit rate is needed";
  for (double r : edit_rates)
    if (!(r >= 0 && r < 1)) return "edit rates must be in [0, 1)";
  if (!(swap_rate >= 0 && swap_rate <= 1)) return "the swap rate must be in [0, 1]";
  if (max_paragraphs == 0) return "max_paragraphs must be at least 1";
  return {};
}

std::uint64_t synthesize_passages(const PassageSynthOptions& options, const PassagePairSink& sink) {
  for (std::uint64_t i = 0; i < options.pairs; ++i) sink(PassageGenerator(options, i).pair(i));
  return options.pairs;
}

PanDocument pan_truth(const PassagePair& pair) {
  PanDocument d;
  d.reference = pair.susp_name;
  for (const auto& p : pair.passages) {
    PanAnnotation a;
    a.name = std::string(kPanCase);
    a.this_reference = pair.susp_name;
    a.this_offset = p.this_offset;
    a.this_length = p.this_length;
    a.source_reference = pair.src_name;
    a.source_offset = p.source_offset;
    a.source_length = p.source_length;
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, p.edit_rate);
    a.obfuscation.assign(buf, r.ptr);
    d.annotations.push_back(std::move(a));
  }
  return d;
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
