#pragma once
// Fully connected autoencoder: C*H*W -> hidden... -> latent -> reversed(hidden)... -> C*H*W
// (784 for MNIST, 3072 for CIFAR-10).
// Registered names: encoder.N.weight / decoder.N.weight (N counts every layer of the stack).

#include "aebench/models/autoencoder.h"

namespace aebench {

class DenseAutoencoderImpl : public AutoencoderImpl {
 public:
  explicit DenseAutoencoderImpl(const ModelOptions& options);

  torch::Tensor encode(const torch::Tensor& images) override;  // -> [batch, latent]
  bool is_variational() const override { return options_.variational; }
  GaussianCode encode_gaussian(const torch::Tensor& images) override;
  torch::Tensor decode(const torch::Tensor& codes) override;  // -> [batch, C, H, W]
  ImageShape image_shape() const override { return options_.image; }
  std::vector<std::int64_t> code_shape() const override { return {options_.latent}; }
  torch::Tensor first_layer_weights() const override;  // [hidden[0] or latent, C, H, W]

  std::string weight_tile_name() const override { return "units"; }
  nlohmann::json layers() const override;

  // The Linear layers, input side first: pretraining trains them stage by stage.
  std::vector<torch::nn::Linear> encoder_layers() const override;
  std::vector<torch::nn::Linear> decoder_layers() const override;
  // The activations of every encoder layer (the last is the code), in eval mode.
  std::vector<torch::Tensor> encoder_activations(const torch::Tensor& images) override;

 private:
  ModelOptions options_;
  torch::nn::Sequential encoder_{nullptr};
  torch::nn::Sequential decoder_{nullptr};
};

}  // namespace aebench
