#include "aebench/analysis/ssim.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace aebench {
namespace {

constexpr std::int64_t kWindowSize = 11;
constexpr double kWindowSigma = 1.5;
constexpr double kDataRange = 1.0;
constexpr double kC1 = (0.01 * kDataRange) * (0.01 * kDataRange);
constexpr double kC2 = (0.03 * kDataRange) * (0.03 * kDataRange);

std::string shape_of(const torch::Tensor& tensor) {
  std::string text = "[";
  for (std::int64_t i = 0; i < tensor.dim(); ++i) {
    text += (i > 0 ? ", " : "") + std::to_string(tensor.size(i));
  }
  return text + "]";
}

// [11], sums to 1: a sampled, normalised 1-D Gaussian. The 2-D window is its outer product,
// applied as two 1-D passes: the same sums in a fifth of the work, and without the 11 x 11
// unfolding LibTorch's double-precision convolution makes (121 values per output pixel: 1.6 GB
// for 1000 MNIST images' five moment maps).
torch::Tensor gaussian_profile(const torch::TensorOptions& options) {
  const auto offsets = torch::arange(kWindowSize, options) - (kWindowSize - 1) / 2;
  auto profile = torch::exp(-0.5 * offsets * offsets / (kWindowSigma * kWindowSigma));
  return profile.div_(profile.sum());
}

// `maps` [n, 1, h, w] filtered by the window: [n, 1, h - 10, w - 10] (no padding).
torch::Tensor gaussian_filter(const torch::Tensor& maps, const torch::Tensor& profile) {
  const auto across = torch::conv2d(maps, profile.view({1, 1, 1, kWindowSize}));
  return torch::conv2d(across, profile.view({1, 1, kWindowSize, 1}));
}

// Images per filtering pass: bounds the memory of the moment maps (5 per image).
constexpr std::int64_t kImagesPerPass = 250;

// SSIM per image of `x` and `y` ([n, 1, h, w] float64): one filtering of the five local
// moments together, [n, 5, h - 10, w - 10].
torch::Tensor ssim_of_pass(const torch::Tensor& x, const torch::Tensor& y,
                           const torch::Tensor& profile) {
  const std::int64_t batch = x.size(0), height = x.size(2), width = x.size(3);
  const auto stacked =
      torch::cat({x, y, x * x, y * y, x * y}, 1).view({batch * 5, 1, height, width});
  const auto moments = gaussian_filter(stacked, profile)
                           .view({batch, 5, height - kWindowSize + 1, width - kWindowSize + 1});
  const auto mean_x = moments.select(1, 0);
  const auto mean_y = moments.select(1, 1);
  const auto variance_x = moments.select(1, 2) - mean_x * mean_x;
  const auto variance_y = moments.select(1, 3) - mean_y * mean_y;
  const auto covariance = moments.select(1, 4) - mean_x * mean_y;
  const auto map = ((2 * mean_x * mean_y + kC1) * (2 * covariance + kC2)) /
                   ((mean_x * mean_x + mean_y * mean_y + kC1) * (variance_x + variance_y + kC2));
  return map.flatten(1).mean(1);
}

}  // namespace

torch::Tensor ssim_per_image(const torch::Tensor& a, const torch::Tensor& b) {
  if (!a.defined() || !b.defined() || a.dim() != 4 || a.size(1) != 1 || a.size(2) < kWindowSize ||
      a.size(3) < kWindowSize || a.sizes() != b.sizes()) {
    throw std::invalid_argument(
        "ssim_per_image: expected two tensors of the same shape [batch, 1, height, width] with "
        "height and width >= 11, found " +
        (a.defined() ? shape_of(a) : std::string("none")) + " and " +
        (b.defined() ? shape_of(b) : std::string("none")));
  }
  if (a.device() != b.device()) {
    throw std::invalid_argument("ssim_per_image: images on different devices");
  }
  const auto options = torch::TensorOptions().dtype(torch::kFloat64).device(a.device());
  const auto profile = gaussian_profile(options);
  std::vector<torch::Tensor> per_image;
  for (std::int64_t start = 0; start < a.size(0); start += kImagesPerPass) {
    const std::int64_t batch = std::min(kImagesPerPass, a.size(0) - start);
    const auto x = a.detach().narrow(0, start, batch).to(torch::kFloat64);
    const auto y = b.detach().narrow(0, start, batch).to(torch::kFloat64);
    per_image.push_back(ssim_of_pass(x, y, profile));
  }
  return per_image.empty() ? torch::zeros({0}, options) : torch::cat(per_image);
}

double mean_ssim(const torch::Tensor& a, const torch::Tensor& b) {
  return ssim_per_image(a, b).mean().item<double>();
}

}  // namespace aebench
