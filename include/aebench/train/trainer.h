#pragma once
// The training loop: shuffled mini-batches, fresh noise per batch for denoising runs,
// validation after every epoch, early stopping, checkpoints through a hook, a clean stop on
// request, and a TrainingError when the loss stops being finite.

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "aebench/config/config.h"
#include "aebench/io/epoch_record.h"
#include "aebench/io/progress.h"
#include "aebench/models/autoencoder.h"
#include "aebench/train/precision.h"
#include "aebench/train/schedule.h"

namespace aebench {

// What the loop trains and validates on, all on the model's device.
struct TrainingData {
  // [count, C, H, W] clean, uint8 (Split's bytes, scaled per batch) or float in [0, 1]; noise
  // is added per batch
  torch::Tensor train_images;
  torch::Tensor val_inputs;   // [count, C, H, W] as the model sees them (noisy if denoising)
  torch::Tensor val_targets;  // [count, C, H, W] clean
  // A variational model's validation codes are sampled from a generator of this seed.
  std::uint64_t val_seed = 0;
};

// Everything besides the model and the optimizer that training needs to continue exactly
// where it stopped: saved in checkpoints, restored by --resume.
struct TrainingProgress {
  std::int64_t epochs_done = 0;
  std::vector<EpochRecord> history;
  // Early stopping.
  double best_val_loss = 0.0;
  std::int64_t best_epoch = 0;              // 0 = none yet
  std::int64_t stale_epochs = 0;            // epochs since the best one
  std::vector<torch::Tensor> best_weights;  // parameters then buffers, when restore_best
  // The epoch in progress (mid-epoch checkpoints).
  std::int64_t batches_done = 0;  // in epoch epochs_done + 1
  double epoch_loss_sum = 0.0;    // sum of batch loss x batch size so far in that epoch
  // Random streams: the batch-order generator at the start of the epoch in progress, and
  // LibTorch's default CPU generator (noise, dropout) now. uint8 state tensors.
  torch::Tensor shuffle_state;
  torch::Tensor default_cpu_state;
  PlateauState plateau;  // train.schedule "plateau"
  // Results computed before training that summary.json reports (e.g. "pretraining"), kept
  // here so that a resumed run reports them too. A JSON object, or null.
  nlohmann::json summary_extras;
};

struct TrainingResult {
  TrainingProgress progress;
  bool stopped_early = false;
  double train_seconds = 0.0;       // this session's loop, validation included
  double samples_per_second = 0.0;  // training images per second of training passes
};

// The training loss of one batch: the reconstruction loss (options.loss) of `targets` plus the
// activity penalties on the code. A variational model decodes a sample of its Gaussian code
// (LibTorch's default generator, which checkpoints keep) and its loss is per image
// (variational_loss) with `kl_weight` on the KL term. The forward pass runs in `precision`, the
// loss in float32.
torch::Tensor penalised_loss(AutoencoderImpl& model, const torch::Tensor& inputs,
                             const torch::Tensor& targets, const TrainOptions& options,
                             Precision precision, double kl_weight);

// The KL weight of a variational model in epoch `epoch` (1-based): beta x min(1, epoch /
// kl_warmup_epochs), beta when there is no warm-up.
double kl_weight(const TrainOptions& options, std::int64_t epoch);

// The layout a model trains fastest in at `precision` (AutoencoderImpl::use_memory_format):
// channels-last in both precisions on LibTorch 1.13's oneDNN (README "Precision" has the
// figures); kept per precision because that is what the choice depends on elsewhere.
torch::MemoryFormat training_memory_format(Precision precision);

struct TrainingHooks {
  ProgressReporter* progress = nullptr;              // may be null
  std::function<void(const EpochRecord&)> on_epoch;  // e.g. append metrics.csv
  // Called at the end of every epoch, every `checkpoint_seconds` (0 = never) and when a stop
  // is requested, with the state to save alongside the model and optimizer.
  std::function<void(const TrainingProgress&)> save_checkpoint;
  double checkpoint_seconds = 0.0;
  // Polled after every step: a non-zero signal number stops training (after a checkpoint)
  // with an Interrupted error.
  std::function<int()> stop_requested;
  // Called after every optimizer step (tests use it to inject faults).
  std::function<void(std::int64_t epoch, std::int64_t batch)> after_step;
};

// Optimizer named by options.optimizer over `model`'s parameters.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(AutoencoderImpl& model,
                                                        const TrainOptions& options);

// The progress of a run that has not started: batch order seeded with `seed`, the default
// generator's current state (the caller seeds it).
TrainingProgress fresh_progress(std::uint64_t seed);

// Trains `model` in place from `start` (fresh_progress, or a checkpoint's). Noise, dropout and
// weight init use LibTorch's default generators. With early_stopping.restore_best the best
// epoch's weights are loaded back before returning.
TrainingResult train_autoencoder(AutoencoderImpl& model, torch::optim::Optimizer& optimizer,
                                 const TrainingData& data, const TrainOptions& options,
                                 const NoiseOptions& noise, TrainingProgress start,
                                 const TrainingHooks& hooks);

}  // namespace aebench
