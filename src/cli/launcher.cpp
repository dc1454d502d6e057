// aebench, the command users run: sets the environment LibTorch's libraries read as they load
// (startup_environment.h), then becomes aebench-engine from its own folder, with the same
// arguments and process id. Without LibTorch, so that it starts in a millisecond.

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>

#include "aebench/errors.h"
#include "aebench/io/stop_signal.h"
#include "startup_environment.h"

namespace {

// aebench-engine beside this executable (symbolic links to aebench resolved).
std::string engine_path() {
  std::string self(4096, '\0');
  const ssize_t length = ::readlink("/proc/self/exe", self.data(), self.size());
  if (length <= 0 || std::size_t(length) >= self.size()) return aebench::cli::kEngineName;
  self.resize(std::size_t(length));
  return self.substr(0, self.rfind('/') + 1) + aebench::cli::kEngineName;
}

}  // namespace

int main(int /*argc*/, char** argv) {
  aebench::cli::set_default_startup_environment();
  const std::string engine = engine_path();
  // A Ctrl-C while the engine loads waits for it to say so (io/stop_signal.h).
  aebench::block_stop_signals();
  ::execv(engine.c_str(), argv);
  aebench::take_early_stop_signal();  // not started: as it was
  std::cerr << "aebench: cannot start " << engine << ": " << std::strerror(errno)
            << "; expected aebench-engine in the folder of aebench (both are built together)\n";
  return aebench::kExitOtherError;
}
