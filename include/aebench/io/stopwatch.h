#pragma once
// Elapsed time on the monotonic clock: what aebench reports as durations and paces by; and the
// wall-clock time it records (UTC).

#include <time.h>

#include <chrono>
#include <ctime>
#include <string>

namespace aebench {

using SteadyClock = std::chrono::steady_clock;

inline double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// Now, UTC, "2026-12-02T03:04:05Z".
inline std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace aebench
