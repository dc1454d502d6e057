#pragma once
// Elapsed time on the monotonic clock: what aebench reports as durations and paces by.

#include <chrono>

namespace aebench {

using SteadyClock = std::chrono::steady_clock;

inline double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace aebench
