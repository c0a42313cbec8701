// Status codes and their names.
#include "recur/status.hpp"

#include <cerrno>
#include <cstring>

namespace recur {

const char* to_string(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::ok: return "ok";
    case StatusCode::not_found: return "not_found";
    case StatusCode::no_access: return "no_access";
    case StatusCode::not_regular: return "not_regular";
    case StatusCode::no_match: return "no_match";
    case StatusCode::read_error: return "read_error";
    case StatusCode::too_large: return "too_large";
    case StatusCode::changed: return "changed";
    case StatusCode::empty: return "empty";
    case StatusCode::binary: return "binary";
    case StatusCode::encoding: return "encoding";
    case StatusCode::pattern: return "pattern";
    case StatusCode::recur_output: return "recur_output";
  }
  return "unknown";
}

Status status_from_errno(int err, std::string_view what) {
  const StatusCode code = err == ENOENT || err == ENOTDIR ? StatusCode::not_found
                          : err == EACCES || err == EPERM ? StatusCode::no_access
                          : err == EISDIR               ? StatusCode::not_regular
                                                        : StatusCode::read_error;
  return {code, std::string(what) + ": " + std::strerror(err)};
}

}  // namespace recur
