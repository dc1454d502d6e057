#include "aebench/models/autoencoder.h"

#include "aebench/models/conv_autoencoder.h"
#include "aebench/models/dense_autoencoder.h"
#include "aebench/errors.h"
#include "aebench/models/pca_autoencoder.h"

namespace aebench {
namespace {

torch::Tensor softmax_over_pixels(torch::Tensor x) {
  return torch::softmax(x.flatten(1), 1).view_as(x);
}

}  // namespace

Activation parse_activation(const std::string& name) {
  if (name == "relu") return Activation::kRelu;
  if (name == "sigmoid") return Activation::kSigmoid;
  if (name == "tanh") return Activation::kTanh;
  if (name == "leaky_relu") return Activation::kLeakyRelu;
  if (name == "elu") return Activation::kElu;
  if (name == "gelu") return Activation::kGelu;
  if (name == "linear") return Activation::kLinear;
  if (name == "softmax") return Activation::kSoftmax;
  throw ConfigError("model: unknown activation \"" + name + "\"");
}

torch::nn::AnyModule make_activation(Activation activation) {
  switch (activation) {
    case Activation::kRelu: return torch::nn::AnyModule(torch::nn::ReLU());
    case Activation::kSigmoid: return torch::nn::AnyModule(torch::nn::Sigmoid());
    case Activation::kTanh: return torch::nn::AnyModule(torch::nn::Tanh());
    case Activation::kLeakyRelu: return torch::nn::AnyModule(torch::nn::LeakyReLU());
    case Activation::kElu: return torch::nn::AnyModule(torch::nn::ELU());
    case Activation::kGelu: return torch::nn::AnyModule(torch::nn::GELU());
    case Activation::kLinear: return torch::nn::AnyModule(torch::nn::Identity());
    case Activation::kSoftmax: return torch::nn::AnyModule(torch::nn::Functional(softmax_over_pixels));
  }
  throw ConfigError("model: unhandled activation");
}

std::shared_ptr<AutoencoderImpl> make_autoencoder(const ModelOptions& options) {
  if (options.type == "dense") return std::make_shared<DenseAutoencoderImpl>(options);
  if (options.type == "conv") return std::make_shared<ConvAutoencoderImpl>(options);
  if (options.type == "pca") return std::make_shared<PcaAutoencoderImpl>(options);
  throw ConfigError("model.type: expected \"dense\", \"conv\" or \"pca\", found \"" + options.type + "\"");
}

std::int64_t count_parameters(const torch::nn::Module& model) {
  std::int64_t count = 0;
  for (const auto& parameter : model.parameters()) count += parameter.numel();
  return count;
}

}  // namespace aebench
