// The options of recur's commands: validation, the version.
#include "recur/options.hpp"

#include "recur/error.hpp"

namespace recur {

const char* version() noexcept { return RECUR_VERSION; }

std::string check_glob(const std::string& glob) {
  if (glob.empty()) return "--glob must not be empty (the default is *.txt)";
  for (std::size_t i = 0; i < glob.size(); ++i) {
    if (glob[i] == '\\') {
      if (++i == glob.size()) return "--glob '" + glob + "' ends in a lone backslash";
      continue;
    }
    if (glob[i] != '[') continue;
    // A bracket expression: '[', optional '!' or '^', then at least one character (a ']' right at the
    // start is a member), up to the closing ']'.
    std::size_t j = i + 1;
    if (j < glob.size() && (glob[j] == '!' || glob[j] == '^')) ++j;
    if (j < glob.size() && glob[j] == ']') ++j;
    while (j < glob.size() && glob[j] != ']') ++j;
    if (j == glob.size())
      return "--glob '" + glob + "' has a '[' without its closing ']' (write [[] for a literal '[')";
    i = j;
  }
  return {};
}

std::string InputOptions::validate() const {
  if (auto m = check_glob(glob); !m.empty()) return m;
  if (stdin_name.empty()) return "--stdin-name must not be empty";
  if (auto m = decode.validate(); !m.empty()) return m;
  return {};
}

void input_options_json(const InputOptions& o, nlohmann::ordered_json& j) {
  j["glob"] = o.glob;
  j["encoding"] = o.decode.encoding;
  j["simplify"] = o.normalize.simplify;
  j["casefold"] = o.normalize.casefold;
  j["strip"] = o.strip;
  j["doc_split"] = o.doc_split;
  j["paragraphs"] = to_string(o.paragraphs);
}

ClusterOrder parse_cluster_order(const std::string& name) {
  if (name == "weight") return ClusterOrder::weight;
  if (name == "size") return ClusterOrder::size;
  throw Error(errc::usage, "--sort must be weight or size, not '" + name + "'");
}

std::string ReportOptions::validate() const {
  if (auto m = input.validate(); !m.empty()) return m;
  if (auto m = shingle.validate(); !m.empty()) return m;
  if (auto m = minhash.validate(); !m.empty()) return m;
  if (auto m = lsh.validate(minhash.perms); !m.empty()) return m;
  if (threads > 1024) return "--threads must be at most 1024";
  if (max_bucket < 2) return "max_bucket must be at least 2";
  return {};
}

std::string PhrasesOptions::validate() const {
  if (auto m = input.validate(); !m.empty()) return m;
  RepeatOptions r{min_chars, min_docs};
  if (auto m = r.validate(); !m.empty()) return m;
  if (!(variant_tolerance >= 0 && variant_tolerance < 1)) return "--variants must be in [0, 1)";
  if (threads > 1024) return "--threads must be at most 1024";
  return limits.validate();
}

}  // namespace recur
