#include "aebench/train/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "aebench/data/noise.h"

namespace aebench {

double psnr_db_from_mse(double mse) {
  return mse > 0 ? 10.0 * std::log10(1.0 / mse) : std::numeric_limits<double>::infinity();
}

void ReconstructionAccumulator::add(const torch::Tensor& reconstructions,
                                    const torch::Tensor& targets) {
  const auto output = reconstructions.to(torch::kFloat64);
  const auto target = targets.to(torch::kFloat64);
  squared_error_ += (output - target).pow(2).sum().item<double>();
  const auto clamped = output.clamp(kBceEpsilon, 1.0 - kBceEpsilon);
  cross_entropy_ -=
      (target * clamped.log() + (1.0 - target) * (1.0 - clamped).log()).sum().item<double>();
  pixels_ += target.numel();
  images_ += target.size(0);
}

ReconstructionMetrics ReconstructionAccumulator::finish() const {
  ReconstructionMetrics metrics;
  if (pixels_ == 0) return metrics;
  metrics.images = images_;
  metrics.mse = squared_error_ / double(pixels_);
  metrics.sse_per_image = squared_error_ / double(images_);
  metrics.bce = cross_entropy_ / double(pixels_);
  metrics.psnr_db = psnr_db_from_mse(metrics.mse);
  return metrics;
}

ReconstructionMetrics evaluate_reconstruction(AutoencoderImpl& model, const torch::Tensor& inputs,
                                              const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  model.eval();
  ReconstructionAccumulator accumulator;
  for (std::int64_t start = 0; start < inputs.size(0); start += kEvalBatchSize) {
    const auto length = std::min(kEvalBatchSize, inputs.size(0) - start);
    accumulator.add(model.forward(inputs.narrow(0, start, length)),
                    targets.narrow(0, start, length));
  }
  return accumulator.finish();
}

torch::Tensor reconstruction_loss(const torch::Tensor& reconstructions,
                                  const torch::Tensor& targets, const std::string& loss) {
  // LibTorch's BCE clamps its logs at -100, so saturated outputs still give finite losses.
  if (loss == "bce") return torch::binary_cross_entropy(reconstructions, targets);
  return torch::mse_loss(reconstructions, targets);
}

nlohmann::json to_json(const ReconstructionMetrics& metrics) {
  return {{"mse", metrics.mse},
          {"sse_per_image", metrics.sse_per_image},
          {"bce", metrics.bce},
          {"psnr_db", metrics.psnr_db},
          {"images", metrics.images}};
}

namespace {

// The reconstruction loss of each image, summed over its values: [n].
torch::Tensor summed_reconstruction_loss(const torch::Tensor& reconstructions,
                                         const torch::Tensor& targets, const std::string& loss) {
  if (loss == "bce")
    return torch::binary_cross_entropy(reconstructions, targets, {}, at::Reduction::None)
        .flatten(1)
        .sum(1);
  return (reconstructions - targets).pow(2).flatten(1).sum(1);
}

}  // namespace

torch::Tensor variational_loss(const torch::Tensor& reconstructions, const torch::Tensor& targets,
                               const GaussianCode& code, const std::string& loss,
                               double kl_weight) {
  return (summed_reconstruction_loss(reconstructions.to(torch::kFloat), targets, loss) +
          kl_weight * kl_per_image(code))
      .mean();
}

ElboTerms evaluate_elbo(AutoencoderImpl& model, const torch::Tensor& inputs,
                        const torch::Tensor& targets, const std::string& loss, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  model.eval();
  auto generator = make_cpu_generator(seed);
  double reconstruction = 0.0, kl = 0.0;
  for (std::int64_t start = 0; start < inputs.size(0); start += kEvalBatchSize) {
    const auto length = std::min(kEvalBatchSize, inputs.size(0) - start);
    const GaussianCode code = model.encode_gaussian(inputs.narrow(0, start, length));
    auto output = model.decode(sample_code(code, generator)).to(torch::kFloat64);
    if (loss == "bce") output = output.clamp(kBceEpsilon, 1.0 - kBceEpsilon);
    const auto target = targets.narrow(0, start, length).to(torch::kFloat64);
    reconstruction += summed_reconstruction_loss(output, target, loss).sum().item<double>();
    kl += kl_per_image(code).to(torch::kFloat64).sum().item<double>();
  }
  const double images = double(std::max<std::int64_t>(1, inputs.size(0)));
  return {reconstruction / images, kl / images};
}

}  // namespace aebench
