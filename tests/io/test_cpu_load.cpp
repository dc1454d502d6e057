#include <sys/wait.h>

#include <cstdlib>

#include "aebench/io/cpu_load.h"
#include "support/catch.h"

using aebench::busy_ticks_of;
using aebench::others_busy_cores;

namespace {

// Fields: user nice system idle iowait irq softirq steal guest guest_nice.
const char* const kProcStat =
    "cpu  1000 1000 1000 1000 1000 1000 1000 1000 0 0\n"
    "cpu0 10 1 100 5000 700 2 3 4 0 0\n"
    "cpu1 20 2 200 6000 800 4 6 8 0 0\n"
    "cpu3 40 0 0 9000 0 0 0 0 0 0\n"
    "intr 12345 0 0\n"
    "ctxt 99\n";

}  // namespace

TEST_CASE("busy_ticks_of sums the busy fields of the named CPUs and leaves idle and iowait out") {
  CHECK(busy_ticks_of(kProcStat, {0}) == std::uint64_t{10 + 1 + 100 + 2 + 3 + 4});
  CHECK(busy_ticks_of(kProcStat, {0, 1}) == std::uint64_t{120 + 240});
  CHECK(busy_ticks_of(kProcStat, {3}) == std::uint64_t{40});
  CHECK(busy_ticks_of(kProcStat, {}) == std::uint64_t{0});
}

TEST_CASE("busy_ticks_of has no answer when a CPU is missing or its line is malformed") {
  CHECK_FALSE(busy_ticks_of(kProcStat, {2}).has_value());
  CHECK_FALSE(busy_ticks_of(kProcStat, {0, 2}).has_value());
  CHECK_FALSE(busy_ticks_of("cpu0 1 2 3\n", {0}).has_value());
  CHECK_FALSE(busy_ticks_of("cpu0 1 2 x 4 5 6 7 8\n", {0}).has_value());
  CHECK_FALSE(busy_ticks_of("", {0}).has_value());
}

TEST_CASE(
    "others_busy_cores is the busy time less this process's own, per second, never negative") {
  // 300 ticks at 100 per second = 3 busy seconds over 2 s, 1 of them this process's.
  CHECK(others_busy_cores(300, 100.0, 1.0, 2.0) == Approx(1.0));
  CHECK(others_busy_cores(300, 100.0, 0.0, 2.0) == Approx(1.5));
  CHECK(others_busy_cores(100, 100.0, 1.5, 2.0) == 0.0);  // tick rounding: not below 0
  CHECK(others_busy_cores(300, 100.0, 1.0, 0.0) == 0.0);
}

TEST_CASE(
    "OtherProcessesLoad counts a busy child process as another process's load, over an "
    "interval at least as long as asked") {
  aebench::OtherProcessesLoad load;
  // The child spins for about a second while this process waits for it.
  const int status = std::system("timeout 1 sh -c 'while :; do :; done'");
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 124);  // timeout stopped the spinning child
  CHECK_FALSE(load.busy_cores_since_last(3600.0).has_value());  // too soon: the interval goes on
  const auto others = load.busy_cores_since_last();
  REQUIRE(others.has_value());
  CHECK(*others > 0.3);
}
