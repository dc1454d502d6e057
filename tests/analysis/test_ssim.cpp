#include <cmath>
#include <stdexcept>
#include <vector>

#include "aebench/analysis/ssim.h"
#include "aebench/data/noise.h"
#include "support/catch.h"

namespace {

// SSIM written out pixel by pixel from Wang et al. (2004), eqs. 13-15, as an independent check
// of the convolution-based code: one image pair [28, 28] in double.
double reference_ssim(const torch::Tensor& a, const torch::Tensor& b) {
  const int size = 28, radius = 5;
  std::vector<double> profile(2 * radius + 1);
  double total = 0;
  for (int k = -radius; k <= radius; ++k) {
    profile[k + radius] = std::exp(-0.5 * k * k / (1.5 * 1.5));
    total += profile[k + radius];
  }
  for (double& weight : profile) weight /= total;
  const auto x = a.accessor<double, 2>();
  const auto y = b.accessor<double, 2>();
  const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
  double sum = 0;
  int positions = 0;
  for (int row = radius; row < size - radius; ++row) {
    for (int col = radius; col < size - radius; ++col) {
      double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
      for (int i = -radius; i <= radius; ++i) {
        for (int j = -radius; j <= radius; ++j) {
          const double w = profile[i + radius] * profile[j + radius];
          const double xv = x[row + i][col + j], yv = y[row + i][col + j];
          mx += w * xv;
          my += w * yv;
          sxx += w * xv * xv;
          syy += w * yv * yv;
          sxy += w * xv * yv;
        }
      }
      const double vx = sxx - mx * mx, vy = syy - my * my, cxy = sxy - mx * my;
      sum += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      ++positions;
    }
  }
  return sum / positions;
}

torch::Tensor random_images(std::int64_t batch, std::uint64_t seed) {
  return torch::rand({batch, 1, 28, 28}, aebench::make_cpu_generator(seed), torch::kFloat64);
}

}  // namespace

TEST_CASE("SSIM of an image with itself is 1") {
  const auto images = random_images(4, 1);
  const auto ssim = aebench::ssim_per_image(images, images);
  REQUIRE(ssim.sizes() == torch::IntArrayRef({4}));
  REQUIRE(ssim.scalar_type() == torch::kFloat64);
  CHECK(torch::allclose(ssim, torch::ones({4}, torch::kFloat64), 0, 1e-12));
  CHECK(aebench::mean_ssim(images.to(torch::kFloat32), images.to(torch::kFloat32)) ==
        Approx(1.0).margin(1e-12));
}

TEST_CASE("SSIM of two constant images is the luminance term (2ab + C1) / (a^2 + b^2 + C1)") {
  const double a = 0.2, b = 0.5, c1 = 1e-4;
  const auto ssim = aebench::ssim_per_image(torch::full({1, 1, 28, 28}, a, torch::kFloat64),
                                            torch::full({1, 1, 28, 28}, b, torch::kFloat64));
  CHECK(ssim.item<double>() == Approx((2 * a * b + c1) / (a * a + b * b + c1)).epsilon(1e-12));
}

TEST_CASE("SSIM equals a pixel-by-pixel evaluation of the definition") {
  const auto a = random_images(3, 2);
  const auto b =
      (a + 0.2 * torch::randn(a.sizes(), aebench::make_cpu_generator(3), torch::kFloat64))
          .clamp(0, 1);
  const auto ssim = aebench::ssim_per_image(a, b);
  for (std::int64_t i = 0; i < 3; ++i) {
    CHECK(ssim[i].item<double>() == Approx(reference_ssim(a[i][0], b[i][0])).margin(1e-12));
  }
}

TEST_CASE("SSIM falls as more noise is added") {
  // A smooth image: a bright disc on a dark background.
  const auto coordinates = torch::arange(28, torch::kFloat64) - 13.5;
  const auto radius = (coordinates.unsqueeze(1).pow(2) + coordinates.unsqueeze(0).pow(2)).sqrt();
  const auto clean = torch::sigmoid(8.0 - radius).view({1, 1, 28, 28});
  const auto noise = torch::randn(clean.sizes(), aebench::make_cpu_generator(4), torch::kFloat64);
  double previous = 1.0;
  for (double std : {0.02, 0.05, 0.1, 0.2, 0.4}) {
    const double ssim = aebench::mean_ssim(clean, clean + std * noise);
    CHECK(ssim < previous);
    previous = ssim;
  }
  CHECK(previous < 0.5);
}

TEST_CASE("SSIM is symmetric in its two images") {
  const auto a = random_images(5, 5);
  const auto b = random_images(5, 6);
  CHECK(torch::allclose(aebench::ssim_per_image(a, b), aebench::ssim_per_image(b, a), 0, 1e-14));
}

TEST_CASE("SSIM takes pairs of [batch, 1, height >= 11, width >= 11] images, an empty batch too") {
  const auto images = random_images(2, 7);
  CHECK_THROWS_AS(aebench::ssim_per_image(images.squeeze(1), images.squeeze(1)),
                  std::invalid_argument);
  CHECK_THROWS_AS(aebench::ssim_per_image(images, images.slice(0, 0, 1)), std::invalid_argument);
  const auto three_channels = torch::rand({2, 3, 28, 28});
  CHECK_THROWS_AS(aebench::ssim_per_image(three_channels, three_channels), std::invalid_argument);
  const auto empty = aebench::ssim_per_image(images.slice(0, 0, 0), images.slice(0, 0, 0));
  CHECK(empty.sizes() == torch::IntArrayRef({0}));
  const auto small = torch::rand({2, 1, 10, 28});
  CHECK_THROWS_AS(aebench::ssim_per_image(small, small), std::invalid_argument);
}

TEST_CASE("SSIM of many images, computed in passes, equals each image's own") {
  // More images than one filtering pass takes, so the passes' seams are crossed.
  const auto a = random_images(600, 5);
  const auto b =
      (a + 0.1 * torch::randn(a.sizes(), aebench::make_cpu_generator(6), torch::kFloat64))
          .clamp(0, 1);
  const auto together = aebench::ssim_per_image(a, b);
  REQUIRE(together.size(0) == 600);
  for (const std::int64_t i : {0, 249, 250, 251, 499, 500, 599}) {
    INFO(i);
    CHECK(together[i].item<double>() ==
          Approx(aebench::ssim_per_image(a.narrow(0, i, 1), b.narrow(0, i, 1)).item<double>())
              .margin(1e-14));
  }
}
