#pragma once
// The one place where an exception becomes what the user reads: a kind ("config error"), a
// one-line message and the documented exit code. main prints it; `aebench sweep-point` also
// records it in the point's error.txt.

#include <exception>
#include <string>

namespace aebench::cli {

struct ErrorReport {
  std::string kind;
  std::string message;
  int exit_code = 1;
  bool interrupted = false;  // SIGINT / SIGTERM: a stop, not a failure
};

// REQUIRES: `error` is not null. The message is one line (one_line).
ErrorReport describe_exception(const std::exception_ptr& error);

// `message` with its control characters written as escapes ("\n", "\t", "\x1b"): a path or
// value holding a line break still makes a one-line error.
std::string one_line(const std::string& message);

}  // namespace aebench::cli
