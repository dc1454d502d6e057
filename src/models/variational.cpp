#include "aebench/models/variational.h"

namespace aebench {

GaussianCode split_gaussian(const torch::Tensor& code_layer) {
  const std::int64_t latent = code_layer.size(1) / 2;
  return {code_layer.narrow(1, 0, latent), code_layer.narrow(1, latent, latent)};
}

torch::Tensor sample_code(const GaussianCode& code, c10::optional<torch::Generator> generator) {
  // Drawn on the CPU in float32 and moved: the same numbers on every device.
  const auto eps =
      torch::randn(code.mean.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat32))
          .to(code.mean.device());
  return code.mean.to(torch::kFloat32) +
         torch::exp(0.5 * code.log_variance.to(torch::kFloat32)) * eps;
}

torch::Tensor kl_per_image(const GaussianCode& code) {
  const auto mean = code.mean.to(torch::kFloat32);
  const auto log_variance = code.log_variance.to(torch::kFloat32);
  return 0.5 * (torch::exp(log_variance) + mean * mean - 1.0 - log_variance).sum(1);
}

}  // namespace aebench
