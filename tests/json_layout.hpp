#pragma once
/// \file json_layout.hpp
/// The layout of recur's JSON reports, built independently of recur's writer so that tests can
/// compare the writer's bytes with it.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace recur_test {

/// The layout of recur's JSON reports (JsonLayout in src/report.cpp), made here from a parsed
/// document with nlohmann's own formatting of names and scalars: nlohmann's dump(2), except that a
/// value at depth 4 (a cluster member's, a phrase location's or a variant's object) is one line,
/// its fields separated by ", ". Tests compare recur's bytes with this made from their parse.
inline std::string report_layout(const nlohmann::ordered_json& j, int depth = 0) {
  if (!j.is_structured()) return j.dump();
  if (j.empty()) return j.is_object() ? "{}" : "[]";
  const bool one_line = depth >= 4;
  std::string out(1, j.is_object() ? '{' : '[');
  bool first = true;
  for (auto it = j.begin(); it != j.end(); ++it, first = false) {
    if (one_line) {
      out += first ? "" : ", ";
    } else {
      out += first ? "\n" : ",\n";
      out.append(2 * static_cast<std::size_t>(depth + 1), ' ');
    }
    if (j.is_object()) out += nlohmann::ordered_json(it.key()).dump() + ": ";
    out += report_layout(*it, depth + 1);
  }
  if (!one_line) {
    out += '\n';
    out.append(2 * static_cast<std::size_t>(depth), ' ');
  }
  out += j.is_object() ? '}' : ']';
  return out;
}

}  // namespace recur_test
