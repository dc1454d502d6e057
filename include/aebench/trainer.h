#pragma once
// The training loop: shuffled mini-batches, fresh noise per batch for denoising runs,
// validation after every epoch, early stopping, and a stop with a TrainingError when the loss
// stops being finite.

#include <functional>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "aebench/autoencoder.h"
#include "aebench/config.h"
#include "aebench/epoch_record.h"
#include "aebench/progress.h"

namespace aebench {

// What the loop trains and validates on, all on the model's device.
struct TrainingData {
  torch::Tensor train_images;  // [count, 1, 28, 28] clean; noise is added per batch
  torch::Tensor val_inputs;    // [count, 1, 28, 28] as the model sees them (noisy if denoising)
  torch::Tensor val_targets;   // [count, 1, 28, 28] clean
};

struct TrainingResult {
  std::vector<EpochRecord> history;
  std::int64_t best_epoch = 0;  // epoch with the lowest validation loss
  double best_val_loss = 0.0;
  bool stopped_early = false;
  double train_seconds = 0.0;         // the whole loop, validation included
  double samples_per_second = 0.0;    // training images per second of training passes
};

struct TrainingHooks {
  ProgressReporter* progress = nullptr;                 // may be null
  std::function<void(const EpochRecord&)> on_epoch;     // may be empty; e.g. append metrics.csv
};

// Optimizer named by options.optimizer over `model`'s parameters.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(AutoencoderImpl& model,
                                                        const TrainOptions& options);

// Trains `model` in place. Batches come from a permutation drawn from a CPU generator seeded
// with `seed`; noise, dropout and weight init use LibTorch's default generators, which the
// caller seeds. With early_stopping.restore_best the best epoch's weights are loaded back
// before returning.
TrainingResult train_autoencoder(AutoencoderImpl& model, const TrainingData& data,
                                 const TrainOptions& options, const NoiseOptions& noise,
                                 std::uint64_t seed, const TrainingHooks& hooks);

}  // namespace aebench
