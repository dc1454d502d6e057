#pragma once
// The error types aebench throws, and the exit code each maps to.
// Errors are thrown where the problem is found; the message is one line that names the
// file or key, what was expected and what was found. `main` maps them to exit codes; nothing
// else does.

#include <stdexcept>
#include <string>

namespace aebench {

// Documented process exit codes (README "Exit codes").
enum ExitCode : int {
  kExitSuccess = 0,
  kExitOtherError = 1,       // anything not listed below
  kExitUsageError = 2,       // bad command line or config
  kExitDataError = 3,        // missing, corrupt or mismatched data files
  kExitTrainingError = 4,    // e.g. the loss became NaN or infinite
  kExitOutputError = 5,      // the run folder cannot be written (permissions, disk full)
  kExitSweepIncomplete = 6,  // aebench sweep: some points failed (the others ran)
  // 128 + signal number after SIGINT (130) or SIGTERM (143), once a checkpoint is written
};

// A bad config file, --set override or command-line value.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Missing, unreadable, corrupt or mismatched data files.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Training could not go on (non-finite loss, device failure).
class TrainingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An artefact could not be written or an existing run folder would be clobbered.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Training stopped on SIGINT or SIGTERM after writing a checkpoint; exit 128 + signal.
class Interrupted : public std::runtime_error {
 public:
  Interrupted(const std::string& message, int signal_number)
      : std::runtime_error(message), signal_number_(signal_number) {}
  int signal_number() const { return signal_number_; }

 private:
  int signal_number_;
};

}  // namespace aebench
