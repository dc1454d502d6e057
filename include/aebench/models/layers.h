#pragma once
// Element-wise layers of ours that LibTorch has no module for. Named module types rather than
// torch::nn::Functional, so that a model's layer list can be written out (architecture.h).

#include <torch/torch.h>

namespace aebench {

// GELU, x times the normal CDF of x, spelled out in erf (see autoencoder.cpp for why not
// LibTorch's gelu), computed in float32 whatever the input's type.
class GeluByErfImpl : public torch::nn::Cloneable<GeluByErfImpl> {
 public:
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(GeluByErf);

// Softmax over all values of each image (seed 001's output layer): [batch, ...] -> same shape.
class SoftmaxOverPixelsImpl : public torch::nn::Cloneable<SoftmaxOverPixelsImpl> {
 public:
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(SoftmaxOverPixels);

}  // namespace aebench
