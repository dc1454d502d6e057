#include "aebench/models/autoencoder.h"

#include <cmath>
#include <stdexcept>

#include "aebench/errors.h"
#include "aebench/models/conv_autoencoder.h"
#include "aebench/models/dense_autoencoder.h"
#include "aebench/models/layers.h"
#include "aebench/models/pca_autoencoder.h"

namespace aebench {
torch::Tensor SoftmaxOverPixelsImpl::forward(const torch::Tensor& x) {
  return torch::softmax(x.flatten(1), 1).view_as(x);
}

// In LibTorch 1.13 gelu's backward reads its input wrongly when the incoming gradient is
// channels-last and the input is not, as in a conv model's decoder, and back-propagates
// uninitialised memory (NaN or 1e38 gradients). Autograd of these ops is layout-safe. In
// float32 whatever the input's type, as LibTorch's gelu computes: in bfloat16 each step would
// round (GELU(-3) off by 45 %).
torch::Tensor GeluByErfImpl::forward(const torch::Tensor& x) {
  const auto x32 = x.to(torch::kFloat32);
  return (0.5 * x32 * (1.0 + torch::erf(x32 * M_SQRT1_2))).to(x.scalar_type());
}

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
    case Activation::kRelu:
      return torch::nn::AnyModule(torch::nn::ReLU());
    case Activation::kSigmoid:
      return torch::nn::AnyModule(torch::nn::Sigmoid());
    case Activation::kTanh:
      return torch::nn::AnyModule(torch::nn::Tanh());
    case Activation::kLeakyRelu:
      return torch::nn::AnyModule(torch::nn::LeakyReLU());
    case Activation::kElu:
      return torch::nn::AnyModule(torch::nn::ELU());
    case Activation::kGelu:
      return torch::nn::AnyModule(GeluByErf());
    case Activation::kLinear:
      return torch::nn::AnyModule(torch::nn::Identity());
    case Activation::kSoftmax:
      return torch::nn::AnyModule(SoftmaxOverPixels());
  }
  throw ConfigError("model: unhandled activation");
}

GaussianCode AutoencoderImpl::encode_gaussian(const torch::Tensor&) {
  throw std::logic_error("encode_gaussian: the model is not variational");
}

nlohmann::json AutoencoderImpl::fit_closed_form(const torch::Tensor&) {
  throw TrainingError("this model is trained, not fitted in closed form");
}

template <typename Model>
std::shared_ptr<AutoencoderImpl> make(const ModelOptions& options) {
  return std::make_shared<Model>(options);
}

const std::vector<ModelKind>& model_kinds() {
  static const std::vector<ModelKind> kinds = {
      {"dense", false, &make<DenseAutoencoderImpl>},
      {"conv", false, &make<ConvAutoencoderImpl>},
      {"pca", true, &make<PcaAutoencoderImpl>},
  };
  return kinds;
}

const ModelKind& model_kind(const std::string& type) {
  std::string known;
  for (const auto& kind : model_kinds()) {
    if (kind.type == type) return kind;
    known += (known.empty() ? "" : ", ") + ("\"" + kind.type + "\"");
  }
  throw ConfigError("model.type: expected one of " + known + ", found \"" + type + "\"");
}

namespace {

// Re-initialises every weight matrix or filter bank as model.init says and its layer's bias to
// 0; batch-norm scales and shifts (1-D weights) keep their 1 and 0; "default" keeps LibTorch's
// initialisation.
void initialise_weights(AutoencoderImpl& model, const std::string& init) {
  if (init == "default") return;
  torch::NoGradGuard no_grad;
  const auto parameters = model.named_parameters();
  for (const auto& item : parameters) {
    auto weight = item.value();
    if (weight.dim() < 2) continue;
    if (init == "xavier")
      torch::nn::init::xavier_uniform_(weight);
    else
      torch::nn::init::kaiming_uniform_(weight, 0.0, torch::kFanIn, torch::kReLU);
    const std::string& name = item.key();
    const std::string bias_name =
        name.substr(0, name.size() - std::string("weight").size()) + "bias";
    if (auto* bias = parameters.find(bias_name)) torch::nn::init::zeros_(*bias);
  }
}

}  // namespace

std::shared_ptr<AutoencoderImpl> make_autoencoder(const ModelOptions& options) {
  const ModelKind& kind = model_kind(options.type);
  auto model = kind.make(options);
  if (!kind.closed_form) initialise_weights(*model, options.init);
  return model;
}

std::int64_t count_parameters(const torch::nn::Module& model) {
  std::int64_t count = 0;
  for (const auto& parameter : model.parameters()) count += parameter.numel();
  return count;
}

ModelSize model_size(const ModelOptions& options) {
  const std::int64_t pixels = options.image.pixels();
  ModelSize size;
  if (options.type == "pca") {
    size.code_size = options.latent;
    size.activations_per_image = pixels + options.latent;
    return size;
  }
  // A batch norm of `features` values at `positions` places: a scale and a shift per feature.
  const auto batch_norm = [&](std::int64_t features, std::int64_t positions) {
    if (!options.batch_norm) return;
    size.parameters += 2 * features;
    size.activations_per_image += features * positions;
  };
  // A Linear in -> out: weights and bias; its output and its activation's output.
  const auto linear = [&](std::int64_t in, std::int64_t out) {
    size.parameters += in * out + out;
    size.activations_per_image += 2 * out;
  };
  const auto hidden_linear = [&](std::int64_t in, std::int64_t out) {
    linear(in, out);
    batch_norm(out, 1);
  };
  size.activations_per_image = pixels;  // the input
  if (options.type == "dense") {
    std::vector<std::int64_t> widths = {pixels};
    widths.insert(widths.end(), options.dense.hidden.begin(), options.dense.hidden.end());
    widths.push_back(options.latent);
    const std::size_t last = widths.size() - 1;
    // Every Linear but the code layer (encoder) and the output layer (decoder) is hidden.
    for (std::size_t i = 0; i < last; ++i) {
      // A variational code layer gives a mean and a log-variance per code unit.
      linear(widths[i], widths[i + 1] * (i + 1 == last && options.variational ? 2 : 1));
      if (i + 1 < last) batch_norm(widths[i + 1], 1);
    }
    for (std::size_t i = last; i > 0; --i) {
      linear(widths[i], widths[i - 1]);
      if (i > 1) batch_norm(widths[i - 1], 1);
    }
    size.code_size = options.latent;
    return size;
  }
  // conv: a "same" conv in -> out maps at side x side, then its activation.
  const std::int64_t taps = options.conv.kernel * options.conv.kernel;
  const auto conv = [&](std::int64_t in, std::int64_t out, std::int64_t positions) {
    size.parameters += in * out * taps + out;
    size.activations_per_image += 2 * out * positions;
  };
  std::int64_t in = options.image.channels, height = options.image.height,
               width = options.image.width;
  for (const auto out : options.conv.channels) {
    conv(in, out, height * width);
    batch_norm(out, height * width);
    height /= 2, width /= 2;
    size.activations_per_image += out * height * width;  // the max-pool
    in = out;
  }
  const std::int64_t flat = in * height * width;
  size.code_size = flat;
  if (options.latent > 0) {
    linear(flat, options.latent * (options.variational ? 2 : 1));
    hidden_linear(options.latent, flat);
    size.code_size = options.latent;
  }
  for (auto it = options.conv.channels.rbegin(); it != options.conv.channels.rend(); ++it) {
    conv(in, *it, height * width);
    batch_norm(*it, height * width);
    height *= 2, width *= 2;
    size.activations_per_image += *it * height * width;  // the upsampling
    if (options.conv.upsample == "transposed") {
      size.parameters += *it * *it * 4 + *it;
      size.activations_per_image += *it * height * width;  // its activation
      batch_norm(*it, height * width);
    }
    in = *it;
  }
  conv(in, options.image.channels, height * width);
  return size;
}

}  // namespace aebench
