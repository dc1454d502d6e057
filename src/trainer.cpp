#include "aebench/trainer.h"

#include <chrono>
#include <cmath>
#include <sstream>

#include "aebench/errors.h"
#include "aebench/metrics.h"
#include "aebench/noise.h"

namespace aebench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
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

struct EpochPass {
  double mean_loss = 0.0;
  double seconds = 0.0;
};

EpochPass train_one_epoch(AutoencoderImpl& model, torch::optim::Optimizer& optimizer,
                          const TrainingData& data, const TrainOptions& options,
                          const NoiseOptions& noise, at::Generator& shuffle,
                          std::int64_t epoch, ProgressReporter* progress) {
  const auto start = Clock::now();
  const std::int64_t count = data.train_images.size(0);
  const std::int64_t batches = (count + options.batch_size - 1) / options.batch_size;
  const auto order = torch::randperm(count, shuffle, torch::kInt64).to(data.train_images.device());
  if (progress) progress->begin_epoch(epoch, options.epochs, batches);
  model.train();
  double loss_sum = 0.0;
  for (std::int64_t batch = 0; batch < batches; ++batch) {
    const std::int64_t first = batch * options.batch_size;
    const std::int64_t length = std::min(options.batch_size, count - first);
    const auto clean = data.train_images.index_select(0, order.narrow(0, first, length));
    optimizer.zero_grad();
    const auto loss = reconstruction_loss(model.forward(add_noise(clean, noise)), clean, options.loss);
    loss.backward();
    optimizer.step();
    const double value = loss.item<double>();
    if (!std::isfinite(value)) throw_non_finite("the training loss", value, epoch, batch + 1);
    loss_sum += value * double(length);
    if (progress) progress->batch_done(batch + 1, loss_sum / double(first + length));
  }
  return {loss_sum / double(count), seconds_since(start)};
}

// Tracks the best validation loss and decides when to stop.
class EarlyStopping {
 public:
  explicit EarlyStopping(const EarlyStoppingOptions& options) : options_(options) {}

  // True when `val_loss` improves on the best so far by more than min_delta.
  bool improved(double val_loss, std::int64_t epoch) {
    if (best_epoch_ > 0 && !(val_loss < best_loss_ - options_.min_delta)) {
      ++stale_epochs_;
      return false;
    }
    best_loss_ = val_loss;
    best_epoch_ = epoch;
    stale_epochs_ = 0;
    return true;
  }
  bool should_stop() const { return options_.enabled && stale_epochs_ >= options_.patience; }
  std::int64_t best_epoch() const { return best_epoch_; }
  double best_loss() const { return best_loss_; }

 private:
  EarlyStoppingOptions options_;
  double best_loss_ = 0.0;
  std::int64_t best_epoch_ = 0;
  std::int64_t stale_epochs_ = 0;
};

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_optimizer(AutoencoderImpl& model,
                                                        const TrainOptions& options) {
  const auto parameters = model.parameters();
  if (options.optimizer == "sgd")
    return std::make_unique<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(options.lr)
                        .momentum(options.momentum)
                        .weight_decay(options.weight_decay));
  if (options.optimizer == "rmsprop")
    return std::make_unique<torch::optim::RMSprop>(
        parameters, torch::optim::RMSpropOptions(options.lr)
                        .momentum(options.momentum)
                        .weight_decay(options.weight_decay));
  return std::make_unique<torch::optim::Adam>(
      parameters, torch::optim::AdamOptions(options.lr).weight_decay(options.weight_decay));
}

TrainingResult train_autoencoder(AutoencoderImpl& model, const TrainingData& data,
                                 const TrainOptions& options, const NoiseOptions& noise,
                                 std::uint64_t seed, const TrainingHooks& hooks) {
  const auto start = Clock::now();
  auto optimizer = make_optimizer(model, options);
  auto shuffle = make_cpu_generator(seed);
  EarlyStopping early_stopping(options.early_stopping);
  std::vector<torch::Tensor> best_weights;
  TrainingResult result;
  double training_pass_seconds = 0.0;
  for (std::int64_t epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    const EpochPass pass = train_one_epoch(model, *optimizer, data, options, noise, shuffle, epoch,
                                           hooks.progress);
    training_pass_seconds += pass.seconds;
    const auto val = evaluate_reconstruction(model, data.val_inputs, data.val_targets);
    EpochRecord record{epoch, pass.mean_loss, options.loss == "bce" ? val.bce : val.mse,
                       val.mse, val.psnr_db, seconds_since(epoch_start)};
    if (!std::isfinite(record.val_loss)) throw_non_finite("the validation loss", record.val_loss, epoch, 0);
    const bool improved = early_stopping.improved(record.val_loss, epoch);
    const bool keep_best = options.early_stopping.enabled && options.early_stopping.restore_best;
    if (improved && keep_best) best_weights = snapshot(model);
    result.history.push_back(record);
    if (hooks.progress) hooks.progress->end_epoch(record, improved);
    if (hooks.on_epoch) hooks.on_epoch(record);
    if (early_stopping.should_stop()) {
      result.stopped_early = true;
      break;
    }
  }
  if (!best_weights.empty())
    restore(model, best_weights);
  result.best_epoch = early_stopping.best_epoch();
  result.best_val_loss = early_stopping.best_loss();
  result.train_seconds = seconds_since(start);
  const double samples = double(data.train_images.size(0)) * double(result.history.size());
  result.samples_per_second = training_pass_seconds > 0 ? samples / training_pass_seconds : 0.0;
  return result;
}

}  // namespace aebench
