#include "aebench/models/architecture.h"

#include <stdexcept>
#include <variant>

#include "aebench/models/layers.h"
#include "aebench/version.h"

namespace aebench {
namespace {

using nlohmann::json;

template <typename Layer>
const Layer* as(const torch::nn::Module& module) {
  return dynamic_cast<const Layer*>(&module);
}

json pair_of(torch::ExpandingArray<2> values) {
  return {(*values)[0], (*values)[1]};
}

// The alternative `Wanted` of a LibTorch options variant, or nullptr: c10::variant in LibTorch
// 1.13, std::variant in 2.x; the unqualified call finds either's get_if.
template <typename Wanted, typename Variant>
const Wanted* alternative(const Variant& variant) {
  using std::get_if;
  return get_if<Wanted>(&variant);
}

// A padding given as sizes (not "same"/"valid" by mode), as a pair.
template <typename Padding>
json padding_pair(const Padding& padding, const std::string& name) {
  const auto* sizes = alternative<torch::ExpandingArray<2>>(padding);
  if (sizes == nullptr) throw std::logic_error("architecture: " + name + " pads by mode");
  return pair_of(*sizes);
}

// The names of the tensors a layer reads, "<name>.weight" and so on, as it registered them.
json tensors(const std::string& name, std::initializer_list<const char*> which) {
  json names = json::object();
  for (const char* tensor : which) names[tensor] = name + "." + tensor;
  return names;
}

json describe_layer(const torch::nn::Module& module, const std::string& name) {
  json layer;
  if (const auto* linear = as<torch::nn::LinearImpl>(module)) {
    layer = {{"op", "linear"},
             {"in", linear->options.in_features()},
             {"out", linear->options.out_features()}};
    layer.update(tensors(name, {"weight", "bias"}));
  } else if (const auto* norm = as<torch::nn::BatchNorm1dImpl>(module)) {
    layer = {{"op", "batch_norm"}, {"eps", norm->options.eps()}};
    layer.update(tensors(name, {"weight", "bias", "running_mean", "running_var"}));
  } else if (const auto* norm2d = as<torch::nn::BatchNorm2dImpl>(module)) {
    layer = {{"op", "batch_norm"}, {"eps", norm2d->options.eps()}};
    layer.update(tensors(name, {"weight", "bias", "running_mean", "running_var"}));
  } else if (const auto* conv = as<torch::nn::Conv2dImpl>(module)) {
    layer = {{"op", "conv2d"},
             {"stride", pair_of(conv->options.stride())},
             {"padding", padding_pair(conv->options.padding(), name)}};
    layer.update(tensors(name, {"weight", "bias"}));
  } else if (const auto* transposed = as<torch::nn::ConvTranspose2dImpl>(module)) {
    layer = {{"op", "conv_transpose2d"},
             {"stride", pair_of(transposed->options.stride())},
             {"padding", padding_pair(transposed->options.padding(), name)},
             {"output_padding", pair_of(transposed->options.output_padding())}};
    layer.update(tensors(name, {"weight", "bias"}));
  } else if (const auto* pool = as<torch::nn::MaxPool2dImpl>(module)) {
    layer = {{"op", "max_pool2d"},
             {"kernel", pair_of(pool->options.kernel_size())},
             {"stride", pair_of(pool->options.stride())}};
  } else if (const auto* upsample = as<torch::nn::UpsampleImpl>(module)) {
    const auto& scale = upsample->options.scale_factor();
    if (!scale || !alternative<torch::enumtype::kNearest>(upsample->options.mode()))
      throw std::logic_error("architecture: an upsampling other than nearest by a factor");
    layer = {{"op", "upsample_nearest"}, {"scale", *scale}};
  } else if (as<torch::nn::FlattenImpl>(module)) {
    layer = {{"op", "flatten"}};
  } else if (const auto* unflatten = as<torch::nn::UnflattenImpl>(module)) {
    if (unflatten->options.dim() != 1)
      throw std::logic_error("architecture: an unflatten of a dimension other than 1");
    layer = {{"op", "unflatten"}, {"shape", unflatten->options.sizes()}};
  } else if (const auto* dropout = as<torch::nn::DropoutImpl>(module)) {
    layer = {{"op", "dropout"}, {"p", dropout->options.p()}};
  } else if (const auto* leaky = as<torch::nn::LeakyReLUImpl>(module)) {
    layer = {{"op", "leaky_relu"}, {"negative_slope", leaky->options.negative_slope()}};
  } else if (const auto* elu = as<torch::nn::ELUImpl>(module)) {
    layer = {{"op", "elu"}, {"alpha", elu->options.alpha()}};
  } else if (as<torch::nn::ReLUImpl>(module)) {
    layer = {{"op", "relu"}};
  } else if (as<torch::nn::SigmoidImpl>(module)) {
    layer = {{"op", "sigmoid"}};
  } else if (as<torch::nn::TanhImpl>(module)) {
    layer = {{"op", "tanh"}};
  } else if (as<torch::nn::IdentityImpl>(module)) {
    layer = {{"op", "identity"}};
  } else if (as<GeluByErfImpl>(module)) {
    layer = {{"op", "gelu"}};
  } else if (as<SoftmaxOverPixelsImpl>(module)) {
    layer = {{"op", "softmax_over_pixels"}};
  } else {
    throw std::logic_error("architecture: no description of layer " + name + " (" + module.name() +
                           ")");
  }
  return layer;
}

}  // namespace

json describe_stack(const torch::nn::Sequential& stack, const std::string& prefix) {
  json layers = json::array();
  // A Sequential's children are its layers, named by their position ("encoder.3.weight").
  for (const auto& item : stack->named_children())
    layers.push_back(describe_layer(*item.value(), prefix + "." + item.key()));
  return layers;
}

json describe_architecture(const AutoencoderImpl& model) {
  const ImageShape image = model.image_shape();
  json layers = model.layers();
  return {{"format", "aebench-architecture"},
          {"format_version", 1},
          {"aebench_version", kVersion},
          {"image", {image.channels, image.height, image.width}},
          {"code_shape", model.code_shape()},
          {"input", "float32 images [n, C, H, W], pixel values in [0, 1]"},
          {"encoder", layers.at("encoder")},
          {"decoder", layers.at("decoder")}};
}

c10::Dict<std::string, torch::Tensor> state_dict(const torch::nn::Module& model) {
  c10::Dict<std::string, torch::Tensor> tensors;
  const auto copy = [](const torch::Tensor& tensor) {
    return tensor.detach().to(torch::kCPU).contiguous().clone();
  };
  for (const auto& item : model.named_parameters()) tensors.insert(item.key(), copy(item.value()));
  for (const auto& item : model.named_buffers()) tensors.insert(item.key(), copy(item.value()));
  return tensors;
}

}  // namespace aebench
