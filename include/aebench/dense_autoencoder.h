#pragma once
// Fully connected autoencoder: 784 -> hidden... -> latent -> reversed(hidden)... -> 784.
// Registered names: encoder.N.weight / decoder.N.weight (N counts every layer of the stack).

#include "aebench/autoencoder.h"

namespace aebench {

class DenseAutoencoderImpl : public AutoencoderImpl {
 public:
  explicit DenseAutoencoderImpl(const ModelOptions& options);

  torch::Tensor encode(const torch::Tensor& images) override;  // -> [batch, latent]
  torch::Tensor decode(const torch::Tensor& codes) override;   // -> [batch, 1, 28, 28]
  std::vector<std::int64_t> code_shape() const override { return {options_.latent}; }

 private:
  ModelOptions options_;
  torch::nn::Sequential encoder_{nullptr};
  torch::nn::Sequential decoder_{nullptr};
};

}  // namespace aebench
