#include "aebench/train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <sstream>

#include "aebench/data/noise.h"
#include "aebench/errors.h"
#include "aebench/io/stop_signal.h"
#include "aebench/io/stopwatch.h"
#include "aebench/train/metrics.h"
#include "aebench/train/precision.h"
#include "aebench/train/training_steps.h"

namespace aebench {
namespace {

at::Generator default_cpu_generator() {
  return at::detail::getDefaultCPUGenerator();
}

// A copy of every parameter and buffer, to restore the best epoch's weights.
std::vector<torch::Tensor> snapshot(const AutoencoderImpl& model) {
  std::vector<torch::Tensor> copy;
  for (const auto& tensor : model.parameters()) copy.push_back(tensor.detach().clone());
  for (const auto& tensor : model.buffers()) copy.push_back(tensor.detach().clone());
  return copy;
}

void restore(AutoencoderImpl& model, const std::vector<torch::Tensor>& copy) {
  torch::NoGradGuard no_grad;
  std::size_t i = 0;
  for (auto& tensor : model.parameters()) tensor.copy_(copy.at(i++));
  for (auto& tensor : model.buffers()) tensor.copy_(copy.at(i++));
}

[[noreturn]] void throw_non_finite(const std::string& what, double value, std::int64_t epoch,
                                   std::int64_t batch) {
  std::ostringstream message;
  message << what << " became " << value << " at epoch " << epoch;
  if (batch > 0) message << ", batch " << batch;
  message << "; expected a finite loss (try a lower train.lr)";
  throw TrainingError(message.str());
}

[[noreturn]] void throw_interrupted(int signal_number, std::int64_t epoch, std::int64_t batch) {
  throw Interrupted("stopped by " + signal_name(signal_number) + " at epoch " +
                        std::to_string(epoch) + ", batch " + std::to_string(batch),
                    signal_number);
}

// Updates the early-stopping fields of `state` with this epoch's validation loss; true when it
// improved on the best so far by more than min_delta.
bool record_val_loss(TrainingProgress& state, double val_loss, std::int64_t epoch,
                     const EarlyStoppingOptions& options) {
  if (state.best_epoch > 0 && !(val_loss < state.best_val_loss - options.min_delta)) {
    ++state.stale_epochs;
    return false;
  }
  state.best_val_loss = val_loss;
  state.best_epoch = epoch;
  state.stale_epochs = 0;
  return true;
}

bool has_batch_norm(AutoencoderImpl& model) {
  for (const auto& module : model.modules(false))
    if (module->as<torch::nn::BatchNorm1dImpl>() || module->as<torch::nn::BatchNorm2dImpl>())
      return true;
  return false;
}

// Batches of an epoch over `count` images. Batch norm cannot normalise a batch of one image in
// training mode, so with batch norm a last batch of 1 joins the batch before it.
std::int64_t batch_count(AutoencoderImpl& model, std::int64_t count, std::int64_t batch_size) {
  const std::int64_t batches = (count + batch_size - 1) / batch_size;
  if (count % batch_size != 1 || !has_batch_norm(model)) return batches;
  if (count == 1) throw DataError("model.batch_norm: expected at least 2 training images, found 1");
  return batches - 1;
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

// Runs the steps of one epoch from state.batches_done on, updating `state` as it goes.
void train_batches(AutoencoderImpl& model, torch::optim::Optimizer& optimizer,
                   const TrainingData& data, const TrainOptions& options, const NoiseOptions& noise,
                   const torch::Tensor& order, TrainingProgress& state, const TrainingHooks& hooks,
                   SteadyClock::time_point& last_checkpoint, Precision precision) {
  const std::int64_t epoch = state.epochs_done + 1;
  const std::int64_t count = data.train_images.size(0);
  const std::int64_t batches = batch_count(model, count, options.batch_size);
  model.train();
  for (std::int64_t batch = state.batches_done; batch < batches; ++batch) {
    const std::int64_t first = batch * options.batch_size;
    const std::int64_t length = batch + 1 == batches ? count - first : options.batch_size;
    const double value = take_training_step(
        model, optimizer, data.train_images.index_select(0, order.narrow(0, first, length)),
        options, noise, precision, kl_weight(options, epoch));
    if (!std::isfinite(value)) throw_non_finite("the training loss", value, epoch, batch + 1);
    state.epoch_loss_sum += value * double(length);
    state.batches_done = batch + 1;
    if (hooks.after_step) hooks.after_step(epoch, batch + 1);
    if (hooks.progress)
      hooks.progress->batch_done(batch + 1, state.epoch_loss_sum / double(first + length));

    const int signal_number = hooks.stop_requested ? hooks.stop_requested() : 0;
    const bool due =
        hooks.checkpoint_seconds > 0 && seconds_since(last_checkpoint) >= hooks.checkpoint_seconds;
    if ((signal_number != 0 || due) && batch + 1 < batches && hooks.save_checkpoint) {
      state.default_cpu_state = default_cpu_generator().get_state();
      hooks.save_checkpoint(state);
      last_checkpoint = SteadyClock::now();
    }
    if (signal_number != 0 && batch + 1 < batches)
      throw_interrupted(signal_number, epoch, batch + 1);
  }
}

}  // namespace

double kl_weight(const TrainOptions& options, std::int64_t epoch) {
  if (options.kl_warmup_epochs <= 0) return options.beta;
  return options.beta * std::min(1.0, double(epoch) / double(options.kl_warmup_epochs));
}

torch::Tensor penalised_loss(AutoencoderImpl& model, const torch::Tensor& inputs,
                             const torch::Tensor& targets, const TrainOptions& options,
                             Precision precision, double kl_weight) {
  torch::Tensor codes, reconstructions;
  GaussianCode gaussian;
  {
    const AutocastScope autocast(precision, inputs.is_cuda());
    if (model.is_variational()) {
      gaussian = model.encode_gaussian(inputs);
      codes = gaussian.mean;
      reconstructions = model.decode(sample_code(gaussian));
    } else {
      codes = model.encode(inputs);
      reconstructions = model.decode(codes);
    }
  }
  codes = codes.to(torch::kFloat);
  auto loss = model.is_variational()
                  ? variational_loss(reconstructions, targets, gaussian, options.loss, kl_weight)
                  : reconstruction_loss(reconstructions.to(torch::kFloat), targets, options.loss);
  if (options.activity_l1 > 0)
    loss = loss + options.activity_l1 * codes.abs().flatten(1).sum(1).mean();
  if (options.activity_l2 > 0)
    loss = loss + options.activity_l2 * codes.pow(2).flatten(1).sum(1).mean();
  return loss;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(AutoencoderImpl& model,
                                                        const TrainOptions& options) {
  const auto parameters = model.parameters();
  if (options.optimizer == "sgd")
    return std::make_unique<torch::optim::SGD>(parameters, torch::optim::SGDOptions(options.lr)
                                                               .momentum(options.momentum)
                                                               .weight_decay(options.weight_decay));
  if (options.optimizer == "rmsprop")
    return std::make_unique<torch::optim::RMSprop>(parameters,
                                                   torch::optim::RMSpropOptions(options.lr)
                                                       .momentum(options.momentum)
                                                       .weight_decay(options.weight_decay));
  return std::make_unique<torch::optim::Adam>(
      parameters, torch::optim::AdamOptions(options.lr).weight_decay(options.weight_decay));
}

TrainingProgress fresh_progress(std::uint64_t seed) {
  TrainingProgress progress;
  progress.shuffle_state = make_cpu_generator(seed).get_state();
  progress.default_cpu_state = default_cpu_generator().get_state();
  return progress;
}

torch::MemoryFormat training_memory_format(Precision /*precision*/) {
  return torch::MemoryFormat::ChannelsLast;
}

TrainingResult train_autoencoder(AutoencoderImpl& model, torch::optim::Optimizer& optimizer,
                                 const TrainingData& data, const TrainOptions& options,
                                 const NoiseOptions& noise, TrainingProgress state,
                                 const TrainingHooks& hooks) {
  const auto start = SteadyClock::now();
  auto last_checkpoint = start;
  auto shuffle = make_cpu_generator(0);
  shuffle.set_state(state.shuffle_state);
  default_cpu_generator().set_state(state.default_cpu_state);
  const bool keep_best = options.early_stopping.enabled && options.early_stopping.restore_best;
  const Precision precision = training_precision(options.precision, data.train_images.is_cuda());
  model.use_memory_format(training_memory_format(precision));
  const std::int64_t count = data.train_images.size(0);
  const std::int64_t batches = batch_count(model, count, options.batch_size);
  TrainingResult result;
  // A resumed run that had already stopped early only finishes its artefacts.
  result.stopped_early = options.early_stopping.enabled && state.epochs_done > 0 &&
                         state.stale_epochs >= options.early_stopping.patience;
  double session_pass_seconds = 0.0;
  std::int64_t session_samples = 0;
  while (state.epochs_done < options.epochs && !result.stopped_early) {
    const std::int64_t epoch = state.epochs_done + 1;
    const auto epoch_start = SteadyClock::now();
    state.shuffle_state = shuffle.get_state();
    const auto order =
        torch::randperm(count, shuffle, torch::kInt64).to(data.train_images.device());
    const double lr = scheduled_lr(options, epoch, state.plateau);
    set_learning_rate(optimizer, lr);
    if (hooks.progress) hooks.progress->begin_epoch(epoch, options.epochs, batches);
    session_samples += std::min(count, (batches - state.batches_done) * options.batch_size);
    train_batches(model, optimizer, data, options, noise, order, state, hooks, last_checkpoint,
                  precision);
    session_pass_seconds += seconds_since(epoch_start);

    const auto val = evaluate_reconstruction(model, data.val_inputs, data.val_targets);
    EpochRecord record{epoch,
                       state.epoch_loss_sum / double(count),
                       options.loss == "bce" ? val.bce : val.mse,
                       val.mse,
                       val.psnr_db,
                       seconds_since(epoch_start),
                       lr};
    if (model.is_variational()) {
      // The objective itself, per image, with the full beta (not the warm-up's): what early
      // stopping and the plateau schedule select on. Its codes are sampled from a generator of
      // a fixed seed, so every epoch is scored alike and training's draws are untouched.
      const ElboTerms elbo =
          evaluate_elbo(model, data.val_inputs, data.val_targets, options.loss, data.val_seed);
      record.val_reconstruction = elbo.reconstruction;
      record.val_kl = elbo.kl;
      record.val_loss = elbo.reconstruction + options.beta * elbo.kl;
    }
    if (!std::isfinite(record.val_loss))
      throw_non_finite("the validation loss", record.val_loss, epoch, 0);
    const bool improved = record_val_loss(state, record.val_loss, epoch, options.early_stopping);
    record_plateau(options.schedule, record.val_loss, state.plateau);
    if (improved && keep_best) state.best_weights = snapshot(model);
    state.history.push_back(record);
    state.epochs_done = epoch;
    state.batches_done = 0;
    state.epoch_loss_sum = 0.0;
    result.stopped_early =
        options.early_stopping.enabled && state.stale_epochs >= options.early_stopping.patience;
    if (hooks.progress) hooks.progress->end_epoch(record, improved);
    if (hooks.on_epoch) hooks.on_epoch(record);
    state.shuffle_state = shuffle.get_state();
    state.default_cpu_state = default_cpu_generator().get_state();
    if (hooks.save_checkpoint) hooks.save_checkpoint(state);
    last_checkpoint = SteadyClock::now();
    const int signal_number = hooks.stop_requested ? hooks.stop_requested() : 0;
    if (signal_number != 0 && state.epochs_done < options.epochs && !result.stopped_early)
      throw_interrupted(signal_number, epoch, batches);
  }
  if (!state.best_weights.empty()) restore(model, state.best_weights);
  result.train_seconds = seconds_since(start);
  result.samples_per_second =
      session_pass_seconds > 0 ? double(session_samples) / session_pass_seconds : 0.0;
  result.progress = std::move(state);
  return result;
}

}  // namespace aebench
