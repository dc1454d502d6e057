#pragma once
// The training step, as the trainer takes it and as it is timed: `aebench bench` reports its
// speed on consecutive batches of a training split and a run with `threads: 0` picks its thread
// count by it (on a model of their own: what timed steps do to a model is not kept).

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>

#include "aebench/config/config.h"
#include "aebench/models/autoencoder.h"
#include "aebench/train/precision.h"

namespace aebench {

// Consecutive batches of `batch_size` rows of `images`, wrapping around at the end.
class BatchCycle {
 public:
  BatchCycle(torch::Tensor images, std::int64_t batch_size)
      : images_(std::move(images)), batch_size_(batch_size) {}
  torch::Tensor next();

 private:
  torch::Tensor images_;  // [count, C, H, W]
  std::int64_t batch_size_;
  std::int64_t first_ = 0;
};

// One training step on `batch` (bytes, or floats in [0, 1]): shifted (train.augment_shift) and
// noisy input, reconstruction loss plus activity penalties on the code (and `kl_weight` x the KL
// term of a variational model), backward, gradient
// clipping, optimizer step. Returns the loss, read back. Autocast covers the forward only.
double take_training_step(AutoencoderImpl& model, torch::optim::Optimizer& optimizer,
                          const torch::Tensor& batch, const TrainOptions& train,
                          const NoiseOptions& noise, Precision precision, double kl_weight);

// take_training_step for timing: a TrainingError naming `what` when the loss is not finite.
void take_timed_step(AutoencoderImpl& model, torch::optim::Optimizer& optimizer,
                     const torch::Tensor& batch, const TrainOptions& train,
                     const NoiseOptions& noise, Precision precision, const std::string& what);

// Images per second of `steps` calls of `step`, which processes `images_per_step` images each.
double images_per_second(const std::function<void()>& step, std::int64_t steps,
                         std::int64_t images_per_step);

}  // namespace aebench
