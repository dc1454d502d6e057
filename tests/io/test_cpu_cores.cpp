#include <sched.h>

#include "aebench/io/cpu_cores.h"
#include "support/catch.h"

TEST_CASE("usable_cpu_cores counts the CPUs this process may run on, not all online CPUs") {
  cpu_set_t original;
  CPU_ZERO(&original);
  REQUIRE(::sched_getaffinity(0, sizeof(original), &original) == 0);
  CHECK(aebench::usable_cpu_cores() == CPU_COUNT(&original));

  int first_allowed = 0;
  while (!CPU_ISSET(first_allowed, &original)) ++first_allowed;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first_allowed, &one);
  REQUIRE(::sched_setaffinity(0, sizeof(one), &one) == 0);
  const int narrowed = aebench::usable_cpu_cores();
  REQUIRE(::sched_setaffinity(0, sizeof(original), &original) == 0);
  CHECK(narrowed == 1);
}
