#include "startup_environment.h"

#include <cstdlib>

namespace aebench::cli {

void set_default_startup_environment() {
  if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT"))
    ::setenv("OMP_WAIT_POLICY", kDefaultWaitPolicy, 1);
  if (!std::getenv("GLIBC_TUNABLES")) ::setenv("GLIBC_TUNABLES", kDefaultMallocTunables, 1);
}

}  // namespace aebench::cli
