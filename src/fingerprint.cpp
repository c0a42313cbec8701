// The parameter fingerprint: made from options, written as canonical JSON, read back, compared.
#include "recur/fingerprint.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "recur/error.hpp"
#include "recur/lsh.hpp"
#include "recur/options.hpp"

namespace recur {
namespace {

using Json = nlohmann::json;  // std::map underneath: keys come out sorted, which makes the text canonical

const char* scheme_name(MinHashScheme s) { return s == MinHashScheme::classic ? "classic" : "oph"; }

// A regex as a user would type it after the option: single-quoted for a POSIX shell, so that
// patterns with spaces or '$' read unambiguously in the message.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string strip_words(std::vector<std::string> patterns) {
  if (patterns.empty()) return "no --strip";
  std::string out;
  for (const auto& p : patterns) out += (out.empty() ? "--strip " : " --strip ") + quoted(p);
  return out;
}

std::vector<std::string> canonical_strip(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

[[noreturn]] void malformed(const std::string& why) {
  throw Error(errc::input, "malformed parameter fingerprint: " + why);
}

const Json& member(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) malformed(std::string("the key \"") + key + "\" is missing");
  return *it;
}

std::uint64_t get_unsigned(const Json& j, const char* key, std::uint64_t lo, std::uint64_t hi) {
  const Json& v = member(j, key);
  // number_unsigned only: a float or a negative number is not a seed or a count written by us.
  if (!v.is_number_unsigned())
    malformed(std::string("\"") + key + "\" must be a whole number, not " + v.dump());
  const auto x = v.get<std::uint64_t>();
  if (x < lo || x > hi)
    malformed(std::string("\"") + key + "\" must be between " + std::to_string(lo) + " and " +
              std::to_string(hi) + ", not " + std::to_string(x));
  return x;
}

bool get_bool(const Json& j, const char* key) {
  const Json& v = member(j, key);
  if (!v.is_boolean()) malformed(std::string("\"") + key + "\" must be true or false, not " + v.dump());
  return v.get<bool>();
}

std::string get_string(const Json& j, const char* key) {
  const Json& v = member(j, key);
  if (!v.is_string()) malformed(std::string("\"") + key + "\" must be a string, not " + v.dump());
  return v.get<std::string>();
}

}  // namespace

Fingerprint make_fingerprint(const ReportOptions& options) {
  if (auto msg = options.validate(); !msg.empty()) throw Error(errc::usage, msg);
  Fingerprint f;
  f.casefold = options.input.normalize.casefold;
  f.simplify = options.input.normalize.simplify;
  // The matches of all patterns are merged before they are removed, so order and repeats do not
  // change the text: sorted, equal option sets give equal fingerprints.
  f.strip = canonical_strip(options.input.strip);
  f.doc_split = options.input.doc_split;
  f.paragraphs = options.input.paragraphs;
  f.shingle_size = options.shingle.size;
  f.shingle_seed = options.shingle.seed;
  f.scheme = options.minhash.scheme;
  f.perms = options.minhash.perms;
  f.minhash_seed = options.minhash.seed;
  const LshParams params = resolve_params(options.minhash.perms, options.lsh);
  f.bands = params.bands;
  f.rows = params.rows;
  f.recur_version = version();
  return f;
}

std::string to_text(const Fingerprint& f) {
  Json j = Json::object();
  j["format"] = f.format;
  j["casefold"] = f.casefold;
  j["simplify"] = f.simplify;
  j["strip"] = f.strip;
  j["doc_split"] = f.doc_split;
  j["paragraphs"] = to_string(f.paragraphs);
  j["align_seed"] = f.align_seed;
  j["seed_sample"] = f.seed_sample;
  j["shingle_size"] = f.shingle_size;
  j["shingle_seed"] = f.shingle_seed;
  j["minhash_scheme"] = scheme_name(f.scheme);
  j["minhash_perms"] = f.perms;
  j["minhash_seed"] = f.minhash_seed;
  j["lsh_bands"] = f.bands;
  j["lsh_rows"] = f.rows;
  j["recur_version"] = f.recur_version;
  // Invalid UTF-8 in a pattern would make dump() throw; patterns come from validated options, but
  // a fingerprint is a plain struct, so replace rather than fail.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Fingerprint parse_fingerprint(std::string_view text) {
  Json j;
  try {
    j = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    malformed(std::string("not JSON (") + e.what() + ")");
  }
  if (!j.is_object()) malformed("not a JSON object");

  Fingerprint f;
  const auto format = get_unsigned(j, "format", 1, INT32_MAX);
  f.format = static_cast<int>(format);
  if (auto it = j.find("recur_version"); it != j.end() && it->is_string()) f.recur_version = it->get<std::string>();
  // Another format may have other keys: keep what identifies it and let compatibility() explain.
  if (f.format != kFormatVersion) return f;

  static const std::set<std::string> known = {
      "format",       "casefold",     "simplify",       "strip",         "doc_split",
      "paragraphs",   "shingle_size", "shingle_seed",   "minhash_scheme", "minhash_perms",
      "minhash_seed", "lsh_bands",    "lsh_rows",       "recur_version",  "align_seed",
      "seed_sample"};
  for (const auto& [key, value] : j.items())
    if (!known.count(key)) malformed("unknown key \"" + key + "\"");

  f.recur_version = get_string(j, "recur_version");
  f.casefold = get_bool(j, "casefold");
  f.simplify = get_bool(j, "simplify");
  const Json& strip = member(j, "strip");
  if (!strip.is_array()) malformed("\"strip\" must be an array of strings, not " + strip.dump());
  for (const Json& p : strip) {
    if (!p.is_string()) malformed("\"strip\" must be an array of strings, not " + strip.dump());
    f.strip.push_back(p.get<std::string>());
  }
  f.doc_split = get_string(j, "doc_split");
  const std::string paragraphs = get_string(j, "paragraphs");
  try {
    f.paragraphs = parse_paragraph_mode(paragraphs);
  } catch (const Error&) {
    malformed("\"paragraphs\" must be auto, indent or lines, not \"" + paragraphs + "\"");
  }
  // The ranges are those the options accept (AlignOptions, `recur index --sample`, ShingleOptions,
  // MinHashOptions, LshOptions).
  f.align_seed = static_cast<unsigned>(get_unsigned(j, "align_seed", 2, 64));
  f.seed_sample = static_cast<unsigned>(get_unsigned(j, "seed_sample", 1, 1u << 16));
  f.shingle_size = static_cast<unsigned>(get_unsigned(j, "shingle_size", 1, 16));
  f.shingle_seed = get_unsigned(j, "shingle_seed", 0, UINT64_MAX);
  const std::string scheme = get_string(j, "minhash_scheme");
  if (scheme == "classic") f.scheme = MinHashScheme::classic;
  else if (scheme == "oph") f.scheme = MinHashScheme::one_permutation;
  else malformed("\"minhash_scheme\" must be classic or oph, not \"" + scheme + "\"");
  f.perms = static_cast<unsigned>(get_unsigned(j, "minhash_perms", 1, 1024));
  f.minhash_seed = get_unsigned(j, "minhash_seed", 0, UINT64_MAX);
  f.bands = static_cast<unsigned>(get_unsigned(j, "lsh_bands", 1, 1024));
  f.rows = static_cast<unsigned>(get_unsigned(j, "lsh_rows", 1, 1024));
  if (std::uint64_t{f.bands} * f.rows > f.perms)
    malformed("lsh_bands x lsh_rows (" + std::to_string(f.bands) + " x " + std::to_string(f.rows) +
              ") exceeds minhash_perms (" + std::to_string(f.perms) + ")");
  return f;
}

std::string compatibility(const Fingerprint& stored, const Fingerprint& current, std::string_view stored_name) {
  const std::string name(stored_name);
  if (stored.format != current.format) {
    const std::string by = stored.recur_version.empty() ? "" : " by recur " + stored.recur_version;
    const std::string self = current.recur_version.empty() ? "this recur" : "this recur (" + current.recur_version + ")";
    return name + " was written in format " + std::to_string(stored.format) + by + "; " + self +
           " reads format " + std::to_string(current.format) +
           (stored.format > current.format ? ": use a newer recur" : ": rebuild it with this recur");
  }
  auto differs = [&](const std::string& was, const std::string& now) {
    return name + " was built with " + was + "; this run uses " + now;
  };
  auto flag = [](bool on, const char* option) { return on ? std::string(option) : "no " + std::string(option); };
  auto pattern = [](const std::string& p, const char* option) {
    return p.empty() ? "no " + std::string(option) : std::string(option) + " " + quoted(p);
  };
  if (stored.casefold != current.casefold)
    return differs(stored.casefold ? "case folding (NFKC_Casefold)" : "no case folding (NFKC)",
                   current.casefold ? "case folding (NFKC_Casefold)" : "no case folding (NFKC)");
  if (stored.simplify != current.simplify)
    return differs(flag(stored.simplify, "--simplify"), flag(current.simplify, "--simplify"));
  if (canonical_strip(stored.strip) != canonical_strip(current.strip))
    return differs(strip_words(canonical_strip(stored.strip)), strip_words(canonical_strip(current.strip)));
  if (stored.doc_split != current.doc_split)
    return differs(pattern(stored.doc_split, "--doc-split"), pattern(current.doc_split, "--doc-split"));
  if (stored.paragraphs != current.paragraphs)
    return differs(std::string("--paragraphs ") + to_string(stored.paragraphs),
                   std::string("--paragraphs ") + to_string(current.paragraphs));
  auto number = [](const char* option, std::uint64_t v) { return std::string(option) + " " + std::to_string(v); };
  // In the words of `recur index` and `recur query`, the only commands whose runs differ here.
  if (stored.align_seed != current.align_seed)
    return differs(number("--seed", stored.align_seed), number("--seed", current.align_seed));
  if (stored.seed_sample != current.seed_sample)
    return differs(number("--sample", stored.seed_sample), number("--sample", current.seed_sample));
  if (stored.shingle_size != current.shingle_size)
    return differs(number("--shingle", stored.shingle_size), number("--shingle", current.shingle_size));
  if (stored.shingle_seed != current.shingle_seed)
    return differs(number("shingle seed", stored.shingle_seed), number("shingle seed", current.shingle_seed));
  if (stored.scheme != current.scheme)
    return differs(std::string("--minhash ") + scheme_name(stored.scheme),
                   std::string("--minhash ") + scheme_name(current.scheme));
  if (stored.perms != current.perms)
    return differs(number("--perms", stored.perms), number("--perms", current.perms));
  if (stored.minhash_seed != current.minhash_seed)
    return differs(number("--seed", stored.minhash_seed), number("--seed", current.minhash_seed));
  if (stored.bands != current.bands)
    return differs(number("--bands", stored.bands), number("--bands", current.bands));
  if (stored.rows != current.rows)
    return differs(number("--rows", stored.rows), number("--rows", current.rows));
  return {};
}

}  // namespace recur
