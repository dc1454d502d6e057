#include "aebench/io/cpu_cores.h"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace aebench {

int usable_cpu_cores() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (::sched_getaffinity(0, sizeof(allowed), &allowed) == 0)
    return std::max(1, CPU_COUNT(&allowed));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace aebench
