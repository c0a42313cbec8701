#pragma once
/// \file error.hpp
/// One error type for bad input, bad options and I/O. The core throws it only while setting
/// up (invalid options, invalid regex); hot loops never throw. `main` maps `code` to an exit status.
#include <stdexcept>
#include <string>

namespace recur {

/// What went wrong, coarse enough to pick an exit status.
enum class errc {
  usage,    ///< an option or argument is invalid (exit status 2)
  io,       ///< a file could not be opened or read
  input,    ///< the input cannot be processed (encoding, binary, empty)
  internal  ///< a bug: an invariant did not hold
};

/// The error recur throws. `what()` is a complete sentence naming the file when there is one.
class Error : public std::runtime_error {
 public:
  Error(errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  /// The category, used by the CLI to choose the exit status.
  errc code() const noexcept { return code_; }

 private:
  errc code_;
};

}  // namespace recur
