#pragma once
// PCA as one more autoencoder: encode projects the mean-centred image onto the top `latent`
// principal axes of the training split, decode maps the code back. Fitted exactly (covariance
// eigendecomposition in double precision), not trained; the reference the autoencoders are
// judged against. Mean and axes are buffers, so checkpoints and `aebench eval` carry them.

#include "aebench/models/autoencoder.h"

namespace aebench {

class PcaAutoencoderImpl : public AutoencoderImpl {
 public:
  explicit PcaAutoencoderImpl(const ModelOptions& options);

  // Fits the mean and the top `latent` axes of `images` ([count, C, H, W]). Axes are sorted
  // by explained variance and signed so that each axis's largest-magnitude entry is positive.
  void fit(const torch::Tensor& images);

  torch::Tensor encode(const torch::Tensor& images) override;  // -> [batch, latent] float64
  torch::Tensor decode(const torch::Tensor& codes) override;   // -> [batch, C, H, W] float64
  ImageShape image_shape() const override { return options_.image; }
  std::vector<std::int64_t> code_shape() const override { return {options_.latent}; }
  torch::Tensor first_layer_weights() const override;  // the axes as [latent, C, H, W]
  std::string weight_tile_name() const override { return "components"; }
  nlohmann::json layers() const override;
  std::string weights_caption() const override { return "principal components (eigen-digits)"; }

  bool fits_in_closed_form() const override { return true; }
  // fit(), then {"explained_variance_ratio": [...]}: the share of the training images' total
  // variance each kept component explains.
  nlohmann::json fit_closed_form(const torch::Tensor& train_images) override;

  const torch::Tensor& explained_variance() const { return variance_; }  // [latent] float64

 private:
  ModelOptions options_;
  torch::Tensor mean_;        // [C*H*W] float64
  torch::Tensor components_;  // [latent, C*H*W] float64, orthonormal rows
  torch::Tensor variance_;    // [latent] float64, eigenvalues of the covariance
};

}  // namespace aebench
