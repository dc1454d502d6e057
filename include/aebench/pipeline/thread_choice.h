#pragma once
// What `threads: 0` means for a run that trains in steps on the CPU: one thread or every usable
// core, whichever takes the model's training steps faster here, measured before training
// starts. Which is faster depends on the machine as much as on the model: on a virtual machine
// waking a sleeping OpenMP thread can cost more than a second thread brings (README "Threads").

#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "aebench/config/config.h"

namespace aebench {

struct ThreadChoice {
  int threads = 1;        // what the run uses
  int cores = 1;          // usable cores (usable_cpu_cores)
  bool measured = false;  // false: too few cores or steps to be worth measuring
  // Training images/s, median of the timed windows at each count (when measured).
  double one_thread_images_per_second = 0.0;
  double all_cores_images_per_second = 0.0;
  std::string reason;  // for the startup line, e.g. "measured: 1 thread 22 100 images/s, ..."
  // Reused from an interrupted session: its changes of count (ThreadFollower::changes).
  nlohmann::json changes = nlohmann::json::array();
};

// The measurement takes 3 + 2 x 4 x W steps, W = the steps in about 0.15 s at one thread (1 to
// 10); a run that plans fewer than 1 / kMaxMeasuringShare times as many steps is
// not measured and runs on one thread.
inline constexpr double kMaxMeasuringShare = 0.05;
// Every core is chosen only when it trains at least this much faster than one thread: near
// a tie one thread wins, which leaves the other cores to other work and cannot suffer when
// they get busy.
inline constexpr double kAllCoresMinSpeedup = 1.1;

// Times training steps of a fresh model of `config` (its own weights and optimizer, on the
// CPU, the default random generator's state restored afterwards, so the run itself is
// unchanged) on `train_images` (the training split's bytes): an untimed window and three timed
// ones at one thread, then the same at `cores` threads. Leaves LibTorch's thread count at the
// choice.
ThreadChoice choose_training_threads(const Config& config, const torch::Tensor& train_images,
                                     int cores, std::int64_t planned_steps);

// Optimizer steps a run of `config` plans on `train_images` images: epochs x batches.
std::int64_t planned_training_steps(const Config& config, std::int64_t train_images);

// Applies a choice recorded by an earlier session of the same run (resume keeps the count, and
// the changes when they are a list); a DataError naming `where` unless recorded.threads is a
// whole number in [1, 1024].
ThreadChoice reuse_thread_choice(const nlohmann::json& recorded, const std::string& where);

nlohmann::json thread_choice_json(const ThreadChoice& choice);

}  // namespace aebench
