#include "startup_environment.h"

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace aebench::cli {

namespace {

// glibc (2.36) ends each tunable of GLIBC_TUNABLES with a NUL in place as it reads them, so
// after the re-execution the variable reads as its first tunable only; child processes (sweep
// points) would inherit that. Puts the whole default back when that is what happened.
void restore_default_malloc_tunables() {
  const char* current = std::getenv("GLIBC_TUNABLES");
  if (current == nullptr) return;
  const std::string value = current, whole = kDefaultMallocTunables;
  if (!value.empty() && value.size() < whole.size() && whole.compare(0, value.size(), value) == 0 &&
      whole[value.size()] == ':')
    ::setenv("GLIBC_TUNABLES", kDefaultMallocTunables, 1);
}

}  // namespace

void use_default_startup_environment(char** argv) {
  restore_default_malloc_tunables();
  std::vector<std::string> added;
  if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT")) {
    ::setenv("OMP_WAIT_POLICY", kDefaultWaitPolicy, 1);
    added.push_back("OMP_WAIT_POLICY");
  }
  if (!std::getenv("GLIBC_TUNABLES")) {
    ::setenv("GLIBC_TUNABLES", kDefaultMallocTunables, 1);
    added.push_back("GLIBC_TUNABLES");
  }
  if (added.empty()) return;
  ::execv("/proc/self/exe", argv);  // returns only on failure: run on with the libraries' defaults
  for (const auto& name : added) ::unsetenv(name.c_str());
}

}  // namespace aebench::cli
