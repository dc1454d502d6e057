#include "aebench/models/pca_autoencoder.h"
#include "support/catch.h"

namespace {

aebench::ModelOptions pca(std::int64_t components) {
  aebench::ModelOptions options;
  options.type = "pca";
  options.latent = components;
  return options;
}

// Images whose pixels vary only along two known orthonormal directions of the 784-D space,
// with standard deviations 3 and 1 around a known mean: the closed-form principal axes.
struct KnownAxes {
  torch::Tensor images, mean, first, second;
};

KnownAxes known_axes() {
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  auto first = torch::zeros({784}, f64), second = torch::zeros({784}, f64);
  first.narrow(0, 0, 4).fill_(0.5);  // unit norm: 4 x 0.5^2 = 1
  second.narrow(0, 100, 4).fill_(0.5);
  const auto mean = torch::full({784}, 0.3, f64);
  torch::manual_seed(1);
  const auto a = torch::randn({500, 1}, f64), b = torch::randn({500, 1}, f64);
  // Centre the coefficients, make them uncorrelated (Gram-Schmidt) and scale their sample
  // variances to exactly 9 and 1.
  const auto ca = a - a.mean();
  auto cb = b - b.mean();
  cb = cb - (cb * ca).sum() / (ca * ca).sum() * ca;
  const auto sa = 3 * ca / ca.std(), sb = cb / cb.std();
  const auto flat = mean + sa * first + sb * second;
  return {flat.view({-1, 1, 28, 28}), mean, first, second};
}

}  // namespace

TEST_CASE("PCA finds known principal axes, their variances and the mean") {
  const auto data = known_axes();
  auto model = std::make_shared<aebench::PcaAutoencoderImpl>(pca(2));
  model->fit(data.images);
  const auto axes = model->first_layer_weights().view({2, 784});
  CHECK(torch::allclose(axes[0], data.first, 1e-9, 1e-9));  // signed: largest entry positive
  CHECK(torch::allclose(axes[1], data.second, 1e-9, 1e-9));
  CHECK(model->explained_variance()[0].item<double>() == Approx(9.0).epsilon(1e-9));
  CHECK(model->explained_variance()[1].item<double>() == Approx(1.0).epsilon(1e-9));
  // Two components reconstruct this data exactly; one leaves the second direction's variance.
  CHECK(torch::allclose(model->forward(data.images), data.images, 1e-9, 1e-9));
  auto one = std::make_shared<aebench::PcaAutoencoderImpl>(pca(1));
  one->fit(data.images);
  const double mse = (one->forward(data.images) - data.images).pow(2).mean().item<double>();
  // residual variance 1 along a unit vector, spread over 784 pixels, with n-1 normalisation
  CHECK(mse == Approx(1.0 * 499.0 / 500.0 / 784.0).epsilon(1e-9));
}

TEST_CASE("PCA codes are the projections on the axes and decode back through them") {
  const auto data = known_axes();
  auto model = std::make_shared<aebench::PcaAutoencoderImpl>(pca(2));
  model->fit(data.images);
  const auto codes = model->encode(data.images);
  CHECK(codes.sizes().vec() == std::vector<std::int64_t>{500, 2});
  CHECK(codes.select(1, 0).var().item<double>() == Approx(9.0).epsilon(1e-9));
  CHECK(std::abs(codes.mean().item<double>()) < 1e-9);
}
