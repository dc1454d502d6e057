#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <functional>

#include "aebench/io/run_folder.h"
#include "aebench/io/stop_signal.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::StopSignalGuard;
namespace fs = std::filesystem;

namespace {

// The exit status of `body` run in a child process (signal handlers are process-wide); 128 +
// the signal when a signal ended it. The child only raises signals, writes with write() and
// leaves with _exit(), which are safe after fork().
int status_of(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) ::_exit(body());
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST_CASE("within a guard a signal is recorded for the work to poll, and a second one exits") {
  CHECK(status_of([] {
          const StopSignalGuard guard;
          std::raise(SIGTERM);
          return StopSignalGuard::received() == SIGTERM ? 0 : 1;
        }) == 0);
  // The second exits at once, and says so in one line.
  const aebench::testing::ScratchFolder folder("second_signal");
  const std::string errors = (folder / "stderr.txt").string();
  CHECK(status_of([&errors] {
          const int file = ::open(errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
          ::dup2(file, STDERR_FILENO);
          const StopSignalGuard guard;
          std::raise(SIGINT);
          std::raise(SIGINT);
          return 0;
        }) == 130);
  CHECK(aebench::testing::file_contents(errors) ==
        "aebench: interrupted: stopped at once by a second SIGINT, without waiting for a safe "
        "point; the files written are complete; resume a run with train --resume, run other "
        "commands again\n");
  // A nested guard's end leaves the outer one's signal in place.
  CHECK(status_of([] {
          const StopSignalGuard outer;
          { const StopSignalGuard inner; }
          std::raise(SIGINT);
          return StopSignalGuard::received() == SIGINT ? 0 : 1;
        }) == 0);
}

TEST_CASE("a signal after the guarded work or after the command returned does not end it") {
  // As a finished run prints its results and exits: its exit status and output stay.
  CHECK(status_of([] {
          { const StopSignalGuard guard; }
          std::raise(SIGINT);
          return 0;
        }) == 0);
  // After the command returned the first one is ignored; a second still ends a process that
  // hangs on its way out.
  for (const int signals : {1, 2}) {
    INFO(signals << " signals");
    CHECK(status_of([signals] {
            aebench::install_stop_signal_handlers();
            aebench::finish_stop_signals();
            for (int i = 0; i < signals; ++i) std::raise(SIGTERM);
            return 0;
          }) == (signals == 1 ? 0 : 143));
  }
}

TEST_CASE("a stop that ends the process at once removes the lock files it holds") {
  const aebench::testing::ScratchFolder folder("stop_lock");
  const fs::path run = folder / "run";
  const aebench::RunLock lock(run);  // the child holds it too: fork copies what registers it
  REQUIRE(fs::exists(run / aebench::kLockFile));
  // A second signal ends it at once; so does the first when nothing polls for it (compare,
  // bench), through the same removal.
  CHECK(status_of([] {
          ::dup2(::open("/dev/null", O_WRONLY), STDERR_FILENO);  // its line is tested above
          const StopSignalGuard guard;
          std::raise(SIGTERM);
          std::raise(SIGTERM);
          return 0;
        }) == 143);
  CHECK_FALSE(fs::exists(run / aebench::kLockFile));
}
