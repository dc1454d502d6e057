#pragma once
// A model written out for use outside aebench (aebench export): its layers as JSON, each naming
// the tensors it reads, and those tensors by name, which together are enough to compute encode
// and decode in another program (python/aebench_model.py does it with PyTorch).
//
// A layer is an object with "op" and its settings. Ops and what they read:
//   flatten                     [n, ...] -> [n, values]
//   unflatten    shape          [n, values] -> [n, shape...]
//   linear       weight, bias   x W^T + b
//   batch_norm   weight, bias, running_mean, running_var, eps   (inference: running statistics)
//   conv2d       weight, bias, stride, padding
//   conv_transpose2d  weight, bias, stride, padding, output_padding
//   max_pool2d   kernel, stride
//   upsample_nearest  scale
//   dropout      p (nothing at inference)
//   relu | sigmoid | tanh | identity | gelu (exact, by erf) | leaky_relu negative_slope |
//   elu alpha | softmax_over_pixels (softmax over all values of each image)
//   gaussian_mean    latent   a variational code layer's [n, 2 x latent] -> its means, the
//                    first `latent` columns (the log-variances follow; the code is the mean)
//   pca_project      mean, components   (x - mean) components^T, in float64
//   pca_reconstruct  mean, components   codes components + mean, in float64

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>

#include "aebench/models/autoencoder.h"

namespace aebench {

// The layers of `stack` in order, its tensors named "<prefix>.<index>.<tensor>" as the
// model's named_parameters() and named_buffers() name them. A layer of a kind not listed above
// is a std::logic_error: every model kind must be describable.
nlohmann::json describe_stack(const torch::nn::Sequential& stack, const std::string& prefix);

// {"format": "aebench-architecture", "format_version", "image": [C, H, W], "code_shape",
//  "input", "encoder": [layers], "decoder": [layers]}.
nlohmann::json describe_architecture(const AutoencoderImpl& model);

// Every parameter and buffer of `model` by its name, as contiguous tensors on the CPU (their
// own types: float32, PCA float64): what PyTorch calls a state dict.
c10::Dict<std::string, torch::Tensor> state_dict(const torch::nn::Module& model);

}  // namespace aebench
