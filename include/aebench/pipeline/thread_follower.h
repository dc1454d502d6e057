#pragma once
// `threads: 0` after the start: a run that chose more than one thread gives threads back, at
// the end of an epoch, while other processes keep the usable cores busy, and takes them back
// when they stop (README "Threads"). On a shared machine OpenMP threads that outnumber the free
// cores wait for each other: measured, a 2-thread run beside a busy process trained slower than
// one thread would have.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace aebench {

// A core counts as taken when other processes keep it busy more than this share of the time...
inline constexpr double kTakenCoreShare = 0.5;
// ...and, once given up, as free again only when they use less than this share: between the
// two the count stays, so that a load near one threshold does not flip it every epoch.
inline constexpr double kFreedCoreShare = 0.25;

// The load is judged over at least this long: epoch ends closer together than this are
// skipped (the count stays), so that a run of short epochs does not follow every blip.
inline constexpr double kMinFollowSeconds = 2.0;

// The thread count for the next epoch, from `current`: fewer when other processes take cores,
// more when they free them (see the shares above), between 1 and `chosen`.
int threads_beside_others(int chosen, int cores, double others_busy_cores, int current);

class ThreadFollower {
 public:
  // Average cores other processes kept busy since the previous call; nullopt: no signal.
  using LoadSource = std::function<std::optional<double>()>;
  // Starts at `chosen` threads on `cores` usable cores, after the `earlier` changes of an
  // interrupted session; `load` defaults to /proc/stat's (OtherProcessesLoad, io/cpu_load.h).
  ThreadFollower(int chosen, int cores, nlohmann::json earlier = nlohmann::json::array(),
                 LoadSource load = {});
  ~ThreadFollower() { return_to_chosen(); }
  ThreadFollower(const ThreadFollower&) = delete;
  ThreadFollower& operator=(const ThreadFollower&) = delete;

  // At the end of `epoch`: applies the count for the next epoch (LibTorch's thread count) and
  // returns a line for the log when it changed.
  std::optional<std::string> after_epoch(std::int64_t epoch);

  // Sets LibTorch's thread count back to the chosen one (what follows training runs on it).
  void return_to_chosen();

  int threads() const { return current_; }
  // {"after_epoch", "threads", "others_busy_cores"} for every change, in order, the earlier
  // session's first.
  const nlohmann::json& changes() const { return changes_; }

 private:
  int chosen_;
  int cores_;
  int current_;
  LoadSource load_;
  nlohmann::json changes_;
};

}  // namespace aebench
