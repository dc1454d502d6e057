#include "aebench/io/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aebench/errors.h"
#include "aebench/io/append_log.h"
#include "aebench/io/run_folder.h"

namespace aebench {
namespace {

std::vector<char*> c_arguments(const std::vector<std::string>& argv) {
  std::vector<char*> pointers;
  for (const auto& argument : argv) pointers.push_back(const_cast<char*>(argument.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(char* const* arguments, int output_descriptor) {
  const int null_input = ::open("/dev/null", O_RDONLY);
  if (null_input >= 0) ::dup2(null_input, STDIN_FILENO);
  ::dup2(output_descriptor, STDOUT_FILENO);
  ::dup2(output_descriptor, STDERR_FILENO);
  // The parent may have blocked or ignored signals; the child starts clean.
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  ::execvp(arguments[0], arguments);
  const char message[] = "aebench: cannot start the child process\n";
  [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
  ::_exit(127);
}

}  // namespace

pid_t start_logged_child(const std::vector<std::string>& argv,
                         const std::filesystem::path& log_file) {
  // Never through a symbolic link planted at the log's name, never into a FIFO.
  const int log = open_append_file(log_file, "log file");
  auto arguments = c_arguments(argv);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(143);  // the parent died before prctl took effect
    exec_child(arguments.data(), log);
  }
  const int fork_errno = errno;
  ::close(log);
  if (pid < 0) throw OutputError("cannot start " + argv.front() + ": " + std::strerror(fork_errno));
  ::setpgid(pid, pid);  // also here, so the group exists before the parent signals it
  return pid;
}

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

CommandResult run_command(const std::vector<std::string>& argv) {
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0)
    throw OutputError(std::string("cannot create a pipe: ") + std::strerror(errno));
  auto arguments = c_arguments(argv);
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(arguments.data(), pipe_ends[1]);
  ::close(pipe_ends[1]);
  if (pid < 0) {
    ::close(pipe_ends[0]);
    throw OutputError("cannot start " + argv.front() + ": " + std::strerror(errno));
  }
  CommandResult result;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(pipe_ends[0], buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (result.output.size() < (1u << 20)) result.output.append(buffer, static_cast<size_t>(got));
  }
  ::close(pipe_ends[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = exit_code_of(status);
  return result;
}

}  // namespace aebench
