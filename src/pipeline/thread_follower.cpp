#include "aebench/pipeline/thread_follower.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <utility>

#include "aebench/io/cpu_load.h"
#include "aebench/pipeline/run_context.h"

namespace aebench {
namespace {

std::string cores_text(double cores) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", cores);
  return text;
}

ThreadFollower::LoadSource proc_stat_load() {
  auto meter = std::make_shared<OtherProcessesLoad>();
  return [meter] { return meter->busy_cores_since_last(kMinFollowSeconds); };
}

}  // namespace

int threads_beside_others(int chosen, int cores, double others_busy_cores, int current) {
  // The cores left free when a core counts as taken above kTakenCoreShare of it busy, and
  // when it counts as free only below kFreedCoreShare: fewer threads than the first, more
  // than the second, else the count stays.
  const double free_at_most = std::floor(double(cores) - others_busy_cores + kTakenCoreShare);
  const double free_at_least = std::floor(double(cores) - others_busy_cores + kFreedCoreShare);
  const double next = std::clamp(double(current), free_at_least, free_at_most);
  return static_cast<int>(std::clamp(next, 1.0, double(std::max(1, chosen))));
}

ThreadFollower::ThreadFollower(int chosen, int cores, nlohmann::json earlier, LoadSource load)
    : chosen_(chosen),
      cores_(cores),
      current_(chosen),
      load_(load ? std::move(load) : proc_stat_load()),
      changes_(earlier.is_array() ? std::move(earlier) : nlohmann::json::array()) {}

void ThreadFollower::return_to_chosen() {
  if (current_ != chosen_) current_ = apply_thread_count(chosen_);
}

std::optional<std::string> ThreadFollower::after_epoch(std::int64_t epoch) {
  const std::optional<double> others = load_();
  if (!others) return std::nullopt;
  const int next = threads_beside_others(chosen_, cores_, *others, current_);
  if (next == current_) return std::nullopt;
  const int before = current_;
  current_ = apply_thread_count(next);
  changes_.push_back({{"after_epoch", epoch},
                      {"threads", current_},
                      {"others_busy_cores", std::round(*others * 100) / 100}});
  return "threads 0: " + thread_count_text(before) + " -> " + thread_count_text(current_) +
         " after epoch " + std::to_string(epoch) + " (other processes kept " + cores_text(*others) +
         " of " + std::to_string(cores_) + " cores busy)";
}

}  // namespace aebench
