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

// REQUIRES: `error` is not null.
ErrorReport describe_exception(const std::exception_ptr& error);

}  // namespace aebench::cli
