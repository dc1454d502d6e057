#pragma once
// Child processes: a sweep's runs (each in its own process group, its output appended to a log
// file, stopped with SIGTERM should the parent die) and short commands whose output is read
// (sbatch, squeue). Linux only (prctl). Free of LibTorch.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace aebench {

// Starts argv[0] (a path, or a name looked up in PATH) with `arguments`, stdin from /dev/null,
// stdout and stderr appended to `log_file`. The child leads a process group of its own, so a
// terminal's Ctrl-C reaches only the parent (which decides what the children get), and gets
// SIGTERM when the parent dies. Throws OutputError when the log cannot be opened or the process
// cannot be started.
pid_t start_logged_child(const std::vector<std::string>& argv,
                         const std::filesystem::path& log_file);

// The exit code a shell would report for a waitpid status: the code, or 128 + signal.
int exit_code_of(int wait_status);

struct CommandResult {
  int exit_code = 0;   // 127 when the program was not found
  std::string output;  // stdout and stderr together
};

// Runs argv to completion and captures its output (at most 1 MiB is kept).
CommandResult run_command(const std::vector<std::string>& argv);

}  // namespace aebench
