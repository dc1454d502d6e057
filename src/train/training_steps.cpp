#include "aebench/train/training_steps.h"

#include <cmath>

#include "aebench/data/augment.h"
#include "aebench/data/dataset.h"
#include "aebench/data/noise.h"
#include "aebench/errors.h"
#include "aebench/io/stopwatch.h"
#include "aebench/train/trainer.h"

namespace aebench {

torch::Tensor BatchCycle::next() {
  if (first_ + batch_size_ > images_.size(0)) first_ = 0;
  auto batch = images_.narrow(0, first_, batch_size_);
  first_ += batch_size_;
  return batch;
}

double take_training_step(AutoencoderImpl& model, torch::optim::Optimizer& optimizer,
                          const torch::Tensor& batch, const TrainOptions& train,
                          const NoiseOptions& noise, Precision precision, double kl_weight) {
  const auto clean = shift_randomly(unit_floats(batch), train.augment_shift);
  optimizer.zero_grad();
  const auto loss =
      penalised_loss(model, add_noise(clean, noise), clean, train, precision, kl_weight);
  loss.backward();
  if (train.clip_grad_norm > 0)
    torch::nn::utils::clip_grad_norm_(model.parameters(), train.clip_grad_norm);
  optimizer.step();
  return loss.item<double>();
}

void take_timed_step(AutoencoderImpl& model, torch::optim::Optimizer& optimizer,
                     const torch::Tensor& batch, const TrainOptions& train,
                     const NoiseOptions& noise, Precision precision, const std::string& what) {
  const double value =
      take_training_step(model, optimizer, batch, train, noise, precision, kl_weight(train, 1));
  if (!std::isfinite(value))
    throw TrainingError(what + ": the training loss became " + std::to_string(value) +
                        " during timed steps; expected a finite loss");
}

double images_per_second(const std::function<void()>& step, std::int64_t steps,
                         std::int64_t images_per_step) {
  const auto start = SteadyClock::now();
  for (std::int64_t i = 0; i < steps; ++i) step();
  return double(steps * images_per_step) / seconds_since(start);
}

}  // namespace aebench
