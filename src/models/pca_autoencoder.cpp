#include "aebench/models/pca_autoencoder.h"

#include "aebench/errors.h"

namespace aebench {

PcaAutoencoderImpl::PcaAutoencoderImpl(const ModelOptions& options) : options_(options) {
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  const std::int64_t values = options.image.pixels();
  mean_ = register_buffer("mean", torch::zeros({values}, f64));
  components_ = register_buffer("components", torch::zeros({options.latent, values}, f64));
  variance_ = register_buffer("explained_variance", torch::zeros({options.latent}, f64));
}

void PcaAutoencoderImpl::fit(const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  const auto data = images.flatten(1).to(torch::kFloat64);
  if (data.size(0) < 2)
    throw ConfigError("model.type \"pca\": expected at least 2 training images");
  const auto mean = data.mean(0);
  const auto centred = data - mean;
  const auto covariance = centred.t().mm(centred) / double(data.size(0) - 1);
  // eigh returns ascending eigenvalues; the top `latent` are the last columns.
  const auto [values, vectors] = torch::linalg_eigh(covariance, "L");
  const std::int64_t values_per_image = options_.image.pixels();
  const auto top =
      torch::arange(values_per_image - 1, values_per_image - 1 - options_.latent, -1,
                    torch::TensorOptions().dtype(torch::kInt64).device(values.device()));
  auto axes = vectors.index_select(1, top).t().contiguous();  // [latent, C*H*W]
  const auto largest = axes.abs().argmax(1, true);
  axes = axes * axes.gather(1, largest).sign();
  mean_.copy_(mean);
  components_.copy_(axes);
  variance_.copy_(values.index_select(0, top));
}

torch::Tensor PcaAutoencoderImpl::encode(const torch::Tensor& images) {
  return (images.flatten(1).to(torch::kFloat64) - mean_).mm(components_.t());
}

torch::Tensor PcaAutoencoderImpl::decode(const torch::Tensor& codes) {
  const ImageShape& image = options_.image;
  return (codes.to(torch::kFloat64).mm(components_) + mean_)
      .view({-1, image.channels, image.height, image.width});
}

torch::Tensor PcaAutoencoderImpl::first_layer_weights() const {
  const ImageShape& image = options_.image;
  return components_.view({-1, image.channels, image.height, image.width});
}

nlohmann::json PcaAutoencoderImpl::fit_closed_form(const torch::Tensor& train_images) {
  fit(train_images);
  const double total = train_images.flatten(1).to(torch::kFloat64).var(0).sum().item<double>();
  const auto ratio = (variance_ / total).to(torch::kCPU).contiguous();
  return {
      {"explained_variance_ratio",
       std::vector<double>(ratio.data_ptr<double>(), ratio.data_ptr<double>() + ratio.numel())}};
}

nlohmann::json PcaAutoencoderImpl::layers() const {
  const ImageShape& image = options_.image;
  const nlohmann::json tensors = {{"mean", "mean"}, {"components", "components"}};
  nlohmann::json project = {{"op", "pca_project"}}, reconstruct = {{"op", "pca_reconstruct"}};
  project.update(tensors);
  reconstruct.update(tensors);
  return {{"encoder", {{{"op", "flatten"}}, project}},
          {"decoder",
           {reconstruct,
            {{"op", "unflatten"}, {"shape", {image.channels, image.height, image.width}}}}}};
}

}  // namespace aebench
