#pragma once
// How busy the usable CPUs are with work other than this process's: the signal by which a run
// that chose every core gives threads back while other processes want the cores (README
// "Threads"). Read from /proc/stat and this process's own CPU time, so it costs nothing to
// watch; where /proc/stat cannot be read (not Linux) there is no signal.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aebench/io/stopwatch.h"

namespace aebench {

// Busy clock ticks (user, nice, system, irq, softirq and steal: time the CPU did not give this
// process's idle cores back) summed over the `cpus` lines ("cpuN") of a /proc/stat text;
// nullopt when one of them is missing or malformed.
std::optional<std::uint64_t> busy_ticks_of(const std::string& proc_stat,
                                           const std::vector<int>& cpus);

// Cores kept busy by other processes over an interval: every busy second of the watched CPUs
// less this process's own CPU seconds, per wall-clock second; never below 0.
double others_busy_cores(std::uint64_t busy_ticks, double ticks_per_second, double own_cpu_seconds,
                         double wall_seconds);

class OtherProcessesLoad {
 public:
  OtherProcessesLoad();  // starts the first interval; watches the usable CPUs (cpu_cores.h)
  // Cores of the usable CPUs that other processes kept busy, on average, since the previous
  // answer (or construction); nullopt without /proc/stat, or before `at_least_seconds` have
  // passed (the interval then goes on: /proc/stat counts in ticks of 10 ms, too coarse for
  // short intervals).
  std::optional<double> busy_cores_since_last(double at_least_seconds = 0.0);

 private:
  struct Sample {
    std::optional<std::uint64_t> busy_ticks;
    double own_cpu_seconds = 0.0;
    SteadyClock::time_point when;
  };
  Sample take_sample() const;

  std::vector<int> cpus_;
  Sample last_;
};

}  // namespace aebench
