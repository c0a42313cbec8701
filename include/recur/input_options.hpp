#pragma once
/// \file input_options.hpp
/// The options of every command that reads a corpus: which files, how to decode, normalise and
/// split them. The scan stage (scan.hpp) carries them out.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recur/encoding.hpp"
#include "recur/segment.hpp"
#include "recur/text.hpp"

namespace recur {

/// Options of every command that reads a corpus: which files, how to decode, normalise and split.
struct InputOptions {
  std::string glob = "*.txt";            ///< --glob: file-name pattern when searching directories
  std::string stdin_name = "-";          ///< --stdin-name: the name standard input ("-") is reported under
  DecodeOptions decode;                  ///< --encoding
  NormalizeOptions normalize;            ///< --simplify
  std::vector<std::string> strip;        ///< --strip REGEX (repeatable): markers removed before matching
  std::string doc_split;                 ///< --doc-split REGEX: a matching line starts a document
  ParagraphMode paragraphs = ParagraphMode::automatic;  ///< --paragraphs

  /// Empty when valid, else a sentence naming the option.
  std::string validate() const;
};

/// Empty when `glob` is a valid file-name pattern, else a sentence saying what is wrong with it
/// (an unclosed '[', a trailing backslash).
std::string check_glob(const std::string& glob);

/// Adds the input options to a JSON "options" object (glob, encoding, simplify, casefold, strip,
/// doc_split, paragraphs: the fields every command's report shares).
void input_options_json(const InputOptions& options, nlohmann::ordered_json& out);

}  // namespace recur
