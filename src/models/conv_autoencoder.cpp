#include "aebench/models/conv_autoencoder.h"

#include "aebench/models/architecture.h"

namespace aebench {
namespace {

torch::nn::Conv2d same_conv(std::int64_t in, std::int64_t out, std::int64_t kernel) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).padding(kernel / 2));
}

// Batch normalisation of `channels` maps after a hidden convolution, when the model asks for it.
void push_batch_norm(torch::nn::Sequential& stack, std::int64_t channels, bool wanted) {
  if (wanted) stack->push_back(torch::nn::BatchNorm2d(channels));
}

torch::nn::AnyModule upsampling(const std::string& mode, std::int64_t channels) {
  if (mode == "transposed")
    return torch::nn::AnyModule(torch::nn::ConvTranspose2d(
        torch::nn::ConvTranspose2dOptions(channels, channels, 2).stride(2)));
  return torch::nn::AnyModule(torch::nn::Upsample(torch::nn::UpsampleOptions()
                                                      .scale_factor(std::vector<double>{2.0, 2.0})
                                                      .mode(torch::kNearest)));
}

// `tensor` copied into the strides `format` gives its sizes. Not tensor.contiguous(format): a
// weight with one input channel (the first convolution's) is contiguous in both layouts, so it
// keeps its strides, LibTorch takes it for contiguous, and the first convolution ran, and
// handed its output to the pooling, in the contiguous layout (measured: the seed-002 conv
// model trained 1.1-1.7x faster with the strides set, README "Channels-last").
torch::Tensor laid_out_as(const torch::Tensor& tensor, torch::MemoryFormat format) {
  return torch::empty(tensor.sizes(), tensor.options().memory_format(format)).copy_(tensor);
}

}  // namespace

ConvAutoencoderImpl::ConvAutoencoderImpl(const ModelOptions& options) : options_(options) {
  const auto hidden = parse_activation(options.activation);
  const auto& channels = options.conv.channels;
  const std::int64_t flat = channels.back() * feature_height() * feature_width();

  torch::nn::Sequential encoder;
  std::int64_t in = options.image.channels;
  for (const auto out : channels) {
    encoder->push_back(same_conv(in, out, options.conv.kernel));
    push_batch_norm(encoder, out, options.batch_norm);
    encoder->push_back(make_activation(hidden));
    encoder->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
    in = out;
  }
  torch::nn::Sequential decoder;
  if (options.latent > 0) {
    encoder->push_back(torch::nn::Flatten());
    // A variational code layer gives a mean and a log-variance per code unit.
    encoder->push_back(torch::nn::Linear(flat, options.latent * (options.variational ? 2 : 1)));
    encoder->push_back(make_activation(parse_activation(options.latent_activation)));
    decoder->push_back(torch::nn::Linear(options.latent, flat));
    if (options.batch_norm) decoder->push_back(torch::nn::BatchNorm1d(flat));
    decoder->push_back(make_activation(hidden));
    decoder->push_back(torch::nn::Unflatten(torch::nn::UnflattenOptions(
        1, std::vector<std::int64_t>{channels.back(), feature_height(), feature_width()})));
  }
  for (auto it = channels.rbegin(); it != channels.rend(); ++it) {
    decoder->push_back(same_conv(in, *it, options.conv.kernel));
    push_batch_norm(decoder, *it, options.batch_norm);
    decoder->push_back(make_activation(hidden));
    decoder->push_back(upsampling(options.conv.upsample, *it));
    if (options.conv.upsample == "transposed") {
      push_batch_norm(decoder, *it, options.batch_norm);
      decoder->push_back(make_activation(hidden));
    }
    in = *it;
  }
  decoder->push_back(same_conv(in, options.image.channels, options.conv.kernel));
  decoder->push_back(make_activation(parse_activation(options.output_activation)));
  encoder_ = register_module("encoder", encoder);
  decoder_ = register_module("decoder", decoder);
}

void ConvAutoencoderImpl::use_memory_format(torch::MemoryFormat format) {
  if (format == memory_format_) return;
  memory_format_ = format;
  torch::NoGradGuard no_grad;
  for (auto& parameter : parameters())
    if (parameter.dim() == 4) parameter.set_data(laid_out_as(parameter, format));
}

torch::Tensor ConvAutoencoderImpl::in_memory_format(const torch::Tensor& tensor) const {
  return tensor.dim() == 4 ? tensor.contiguous(memory_format_) : tensor;
}

std::int64_t ConvAutoencoderImpl::feature_height() const {
  return options_.image.height >> options_.conv.channels.size();
}

std::int64_t ConvAutoencoderImpl::feature_width() const {
  return options_.image.width >> options_.conv.channels.size();
}

std::vector<std::int64_t> ConvAutoencoderImpl::code_shape() const {
  if (options_.latent > 0) return {options_.latent};
  return {options_.conv.channels.back(), feature_height(), feature_width()};
}

torch::Tensor ConvAutoencoderImpl::first_layer_weights() const {
  const auto first = encoder_->ptr(0)->as<torch::nn::Conv2d>();
  return first->weight.detach();
}

torch::Tensor ConvAutoencoderImpl::encode(const torch::Tensor& images) {
  const auto code_layer = encoder_->forward(in_memory_format(images));
  return options_.variational ? split_gaussian(code_layer).mean : code_layer;
}

GaussianCode ConvAutoencoderImpl::encode_gaussian(const torch::Tensor& images) {
  if (!options_.variational) return AutoencoderImpl::encode_gaussian(images);
  return split_gaussian(encoder_->forward(in_memory_format(images)));
}

torch::Tensor ConvAutoencoderImpl::decode(const torch::Tensor& codes) {
  return decoder_->forward(in_memory_format(codes));
}

nlohmann::json ConvAutoencoderImpl::layers() const {
  nlohmann::json encoder = describe_stack(encoder_, "encoder");
  if (options_.variational)
    encoder.push_back({{"op", "gaussian_mean"}, {"latent", options_.latent}});
  return {{"encoder", encoder}, {"decoder", describe_stack(decoder_, "decoder")}};
}

}  // namespace aebench
