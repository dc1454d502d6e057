#pragma once
// Reconstruction quality over a whole split, computed batch by batch in double precision.

#include <torch/torch.h>

#include <cstdint>
#include <nlohmann/json.hpp>

#include "aebench/models/autoencoder.h"

namespace aebench {

// Batch size of evaluation passes: fixed, so that numbers do not depend on the training batch
// size and `aebench eval` reproduces the training summary exactly.
inline constexpr std::int64_t kEvalBatchSize = 1000;

// Clamp applied to reconstructions before taking logs for BCE, as LibTorch's BCE does.
inline constexpr double kBceEpsilon = 1e-7;

struct ReconstructionMetrics {
  double mse = 0.0;            // mean squared error per pixel
  double sse_per_image = 0.0;  // squared error summed over an image's values, mean over images
  double bce = 0.0;      // binary cross-entropy per pixel (reconstruction clamped to [eps, 1-eps])
  double psnr_db = 0.0;  // 10 log10(1 / mse): pixel values span [0, 1]
  std::int64_t images = 0;
};

// Sums over batches; finish() turns them into per-pixel and per-image means.
class ReconstructionAccumulator {
 public:
  // reconstructions, targets: [batch, C, H, W]
  void add(const torch::Tensor& reconstructions, const torch::Tensor& targets);
  ReconstructionMetrics finish() const;

 private:
  double squared_error_ = 0.0;
  double cross_entropy_ = 0.0;
  std::int64_t pixels_ = 0;
  std::int64_t images_ = 0;
};

// Runs `model` in eval mode without gradients over `inputs` and compares with `targets`.
// Both [count, C, H, W] on the model's device. Leaves the model in eval mode.
ReconstructionMetrics evaluate_reconstruction(AutoencoderImpl& model, const torch::Tensor& inputs,
                                              const torch::Tensor& targets);

// Per-pixel training loss named by the config ("mse" or "bce").
torch::Tensor reconstruction_loss(const torch::Tensor& reconstructions,
                                  const torch::Tensor& targets, const std::string& loss);

// {"mse":..., "sse_per_image":..., "bce":..., "psnr_db":..., "images":...}
nlohmann::json to_json(const ReconstructionMetrics& metrics);

double psnr_db_from_mse(double mse);

// A variational model's evidence lower bound on a split, per image: the reconstruction loss
// (`loss`: "bce" = -log p(x|z) of a Bernoulli decoder in nats; "mse" = squared error) summed
// over an image's values for one code sampled from q(z|x), and KL(q(z|x) || N(0, I)). The
// samples come from a generator seeded with `seed`, so the numbers are the same every time;
// for bce the reconstructions are clamped to [kBceEpsilon, 1 - kBceEpsilon]. lower_bound =
// -(reconstruction + kl).
struct ElboTerms {
  double reconstruction = 0.0;
  double kl = 0.0;
  double lower_bound() const { return -(reconstruction + kl); }
};
ElboTerms evaluate_elbo(AutoencoderImpl& model, const torch::Tensor& inputs,
                        const torch::Tensor& targets, const std::string& loss, std::uint64_t seed);

// A variational model's training loss per image: the reconstruction loss summed over the
// image's values plus `kl_weight` x its KL term, averaged over the batch (float32).
torch::Tensor variational_loss(const torch::Tensor& reconstructions, const torch::Tensor& targets,
                               const GaussianCode& code, const std::string& loss, double kl_weight);

}  // namespace aebench
