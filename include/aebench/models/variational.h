#pragma once
// The Gaussian code of a variational autoencoder (Kingma & Welling 2014): the encoder's code
// layer gives 2 x latent values per image, the mean and the log-variance of q(z | x).

#include <torch/torch.h>

namespace aebench {

struct GaussianCode {
  torch::Tensor mean;          // [n, latent]
  torch::Tensor log_variance;  // [n, latent]
};

// The code layer's output [n, 2 x latent] as its two halves, mean first.
GaussianCode split_gaussian(const torch::Tensor& code_layer);

// The reparameterised sample mean + exp(log_variance / 2) x eps, eps ~ N(0, I) drawn from
// `generator` (LibTorch's default one, which checkpoints keep, when none is given).
torch::Tensor sample_code(const GaussianCode& code,
                          c10::optional<torch::Generator> generator = c10::nullopt);

// KL(q(z | x) || N(0, I)) per image, summed over the code units: [n], float32 or wider.
torch::Tensor kl_per_image(const GaussianCode& code);

}  // namespace aebench
