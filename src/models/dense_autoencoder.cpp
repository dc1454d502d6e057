#include "aebench/models/dense_autoencoder.h"

#include "aebench/models/architecture.h"

namespace aebench {
namespace {

// Linear layers through `widths`, each followed by (batch norm,) `hidden` (and dropout), except
// the last, which is followed by `last` alone.
torch::nn::Sequential dense_stack(const std::vector<std::int64_t>& widths, Activation hidden,
                                  Activation last, const ModelOptions& options) {
  torch::nn::Sequential stack;
  for (std::size_t i = 0; i + 1 < widths.size(); ++i) {
    stack->push_back(torch::nn::Linear(widths[i], widths[i + 1]));
    const bool is_last = i + 2 == widths.size();
    if (!is_last && options.batch_norm) stack->push_back(torch::nn::BatchNorm1d(widths[i + 1]));
    stack->push_back(make_activation(is_last ? last : hidden));
    if (!is_last && options.dropout > 0) stack->push_back(torch::nn::Dropout(options.dropout));
  }
  return stack;
}

}  // namespace

DenseAutoencoderImpl::DenseAutoencoderImpl(const ModelOptions& options) : options_(options) {
  std::vector<std::int64_t> widths = {options.image.pixels()};
  widths.insert(widths.end(), options.dense.hidden.begin(), options.dense.hidden.end());
  widths.push_back(options.latent);
  const auto hidden = parse_activation(options.activation);
  // A variational code layer gives a mean and a log-variance per code unit.
  std::vector<std::int64_t> encoder_widths = widths;
  if (options.variational) encoder_widths.back() *= 2;
  encoder_ = register_module(
      "encoder",
      dense_stack(encoder_widths, hidden, parse_activation(options.latent_activation), options));
  std::reverse(widths.begin(), widths.end());
  decoder_ = register_module(
      "decoder", dense_stack(widths, hidden, parse_activation(options.output_activation), options));
}

torch::Tensor DenseAutoencoderImpl::encode(const torch::Tensor& images) {
  const auto code_layer = encoder_->forward(images.flatten(1));
  return options_.variational ? split_gaussian(code_layer).mean : code_layer;
}

GaussianCode DenseAutoencoderImpl::encode_gaussian(const torch::Tensor& images) {
  if (!options_.variational) return AutoencoderImpl::encode_gaussian(images);
  return split_gaussian(encoder_->forward(images.flatten(1)));
}

namespace {

std::shared_ptr<torch::nn::LinearImpl> as_linear(const torch::nn::AnyModule& module) {
  return std::dynamic_pointer_cast<torch::nn::LinearImpl>(module.ptr());
}

std::vector<torch::nn::Linear> linear_layers(const torch::nn::Sequential& stack) {
  std::vector<torch::nn::Linear> layers;
  for (const auto& module : *stack)
    if (auto linear = as_linear(module)) layers.push_back(torch::nn::Linear(linear));
  return layers;
}

}  // namespace

std::vector<torch::nn::Linear> DenseAutoencoderImpl::encoder_layers() const {
  return linear_layers(encoder_);
}

std::vector<torch::nn::Linear> DenseAutoencoderImpl::decoder_layers() const {
  return linear_layers(decoder_);
}

torch::Tensor DenseAutoencoderImpl::first_layer_weights() const {
  const ImageShape& image = options_.image;
  return encoder_layers().front()->weight.detach().view(
      {-1, image.channels, image.height, image.width});
}

std::vector<torch::Tensor> DenseAutoencoderImpl::encoder_activations(const torch::Tensor& images) {
  std::vector<torch::Tensor> outputs;
  auto x = images.flatten(1);
  bool awaiting_activation = false;  // after a Linear and its batch norm, if any
  for (auto& module : *encoder_) {
    x = module.forward(x);
    if (as_linear(module)) {
      awaiting_activation = true;
    } else if (awaiting_activation && !module.ptr()->as<torch::nn::BatchNorm1dImpl>()) {
      outputs.push_back(x);
      awaiting_activation = false;
    }
  }
  // A variational code layer's activity is its mean's (the log-variances are no code).
  if (options_.variational && !outputs.empty())
    outputs.back() = split_gaussian(outputs.back()).mean;
  return outputs;
}

torch::Tensor DenseAutoencoderImpl::decode(const torch::Tensor& codes) {
  const ImageShape& image = options_.image;
  return decoder_->forward(codes).view({-1, image.channels, image.height, image.width});
}

nlohmann::json DenseAutoencoderImpl::layers() const {
  nlohmann::json encoder = nlohmann::json::array({{{"op", "flatten"}}});
  for (const auto& layer : describe_stack(encoder_, "encoder")) encoder.push_back(layer);
  if (options_.variational)
    encoder.push_back({{"op", "gaussian_mean"}, {"latent", options_.latent}});
  nlohmann::json decoder = describe_stack(decoder_, "decoder");
  const ImageShape& image = options_.image;
  decoder.push_back({{"op", "unflatten"}, {"shape", {image.channels, image.height, image.width}}});
  return {{"encoder", encoder}, {"decoder", decoder}};
}

}  // namespace aebench
