#include "startup_environment.h"

#include <cstdlib>
#include <string>

namespace aebench::cli {

void set_default_startup_environment() {
  if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT"))
    ::setenv("OMP_WAIT_POLICY", kDefaultWaitPolicy, 1);
  if (!std::getenv("GLIBC_TUNABLES")) ::setenv("GLIBC_TUNABLES", kDefaultMallocTunables, 1);
}

void restore_default_malloc_tunables() {
  const char* current = std::getenv("GLIBC_TUNABLES");
  if (current == nullptr) return;
  const std::string value = current, whole = kDefaultMallocTunables;
  if (!value.empty() && value.size() < whole.size() && whole.compare(0, value.size(), value) == 0 &&
      whole[value.size()] == ':')
    ::setenv("GLIBC_TUNABLES", kDefaultMallocTunables, 1);
}

}  // namespace aebench::cli
