#pragma once
/// \file status.hpp
/// The one way recur reports a problem that does not stop the run: a Status, with a code a
/// program can test and a message a person can read. Reading, decoding and scanning an input
/// return one; an input that cannot be used becomes a Skipped entry carrying its code.
///
/// Errors that stop the run (bad options, an output that cannot be written) are thrown as
/// recur::Error instead (error.hpp).
#include <string>
#include <string_view>
#include <utility>

namespace recur {

/// Why an input could not be used. The names (to_string) appear in JSON `skipped[].code` and are
/// a contract: add codes, never rename them.
enum class StatusCode {
  ok,
  not_found,     ///< the path does not exist
  no_access,     ///< permission denied
  not_regular,   ///< a directory where a file was expected, a socket, a device
  no_match,      ///< a directory without files matching --glob
  read_error,    ///< the operating system failed to read it
  too_large,     ///< does not fit in memory
  changed,       ///< changed on disk while recur was running
  empty,         ///< no bytes at all
  binary,        ///< control or NUL bytes: not text
  encoding,      ///< cannot be decoded in the encoding given or detected
  pattern,       ///< a --strip or --doc-split expression failed on this input
  recur_output,  ///< recur's own previous report at the output path
};

/// The JSON name of a code ("not_found", ...).
const char* to_string(StatusCode code) noexcept;

/// The outcome of an operation on one input: ok, or a code and a message that says what went
/// wrong in words ("cannot open: No such file or directory"). Cheap to return when ok.
class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const noexcept { return code_ == StatusCode::ok; }
  StatusCode code() const noexcept { return code_; }
  /// The reason in words; empty when ok.
  const std::string& message() const noexcept { return message_; }

 private:
  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

/// The status for an errno value from open/stat/read: not_found, no_access or read_error, with
/// `what` ("cannot open") and the system's text.
Status status_from_errno(int err, std::string_view what);

/// An input that could not be used, with the reason (shown to the user, and in JSON "skipped" as
/// `reason` and `code`).
struct Skipped {
  std::string path;
  std::string reason;
  StatusCode code = StatusCode::read_error;

  Skipped() = default;
  Skipped(std::string p, std::string r, StatusCode c) : path(std::move(p)), reason(std::move(r)), code(c) {}
  Skipped(std::string p, const Status& s) : path(std::move(p)), reason(s.message()), code(s.code()) {}
};

}  // namespace recur
