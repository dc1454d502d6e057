#include "aebench/dense_autoencoder.h"

namespace aebench {
namespace {

constexpr std::int64_t kPixels = kImageSide * kImageSide;

// Linear layers through `widths`, each followed by `hidden` (and dropout), except the last,
// which is followed by `last`.
torch::nn::Sequential dense_stack(const std::vector<std::int64_t>& widths, Activation hidden,
                                  Activation last, double dropout) {
  torch::nn::Sequential stack;
  for (std::size_t i = 0; i + 1 < widths.size(); ++i) {
    stack->push_back(torch::nn::Linear(widths[i], widths[i + 1]));
    const bool is_last = i + 2 == widths.size();
    stack->push_back(make_activation(is_last ? last : hidden));
    if (!is_last && dropout > 0) stack->push_back(torch::nn::Dropout(dropout));
  }
  return stack;
}

}  // namespace

DenseAutoencoderImpl::DenseAutoencoderImpl(const ModelOptions& options) : options_(options) {
  std::vector<std::int64_t> widths = {kPixels};
  widths.insert(widths.end(), options.hidden.begin(), options.hidden.end());
  widths.push_back(options.latent);
  const auto hidden = parse_activation(options.activation);
  encoder_ = register_module(
      "encoder",
      dense_stack(widths, hidden, parse_activation(options.latent_activation), options.dropout));
  std::reverse(widths.begin(), widths.end());
  decoder_ = register_module(
      "decoder",
      dense_stack(widths, hidden, parse_activation(options.output_activation), options.dropout));
}

torch::Tensor DenseAutoencoderImpl::encode(const torch::Tensor& images) {
  return encoder_->forward(images.flatten(1));
}

torch::Tensor DenseAutoencoderImpl::decode(const torch::Tensor& codes) {
  return decoder_->forward(codes).view({-1, 1, kImageSide, kImageSide});
}

}  // namespace aebench
