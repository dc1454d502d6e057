#include "openmp_policy.h"

#include <unistd.h>

#include <cstdlib>

namespace aebench::cli {

void use_default_openmp_wait_policy(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  ::setenv("OMP_WAIT_POLICY", kDefaultWaitPolicy, 1);
  ::execv("/proc/self/exe", argv);  // returns only on failure: run on with libgomp's default
  ::unsetenv("OMP_WAIT_POLICY");
}

}  // namespace aebench::cli
