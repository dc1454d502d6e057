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

// [1, 1, 11, 11], sums to 1: the outer product of a sampled, normalised 1-D Gaussian.
torch::Tensor gaussian_window(const torch::TensorOptions& options) {
  const auto offsets = torch::arange(kWindowSize, options) - (kWindowSize - 1) / 2;
  auto profile = torch::exp(-0.5 * offsets * offsets / (kWindowSigma * kWindowSigma));
  profile.div_(profile.sum());
  return torch::outer(profile, profile).view({1, 1, kWindowSize, kWindowSize});
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
  const auto x = a.detach().to(torch::kFloat64);
  const auto y = b.detach().to(torch::kFloat64);
  const auto window = gaussian_window(options);
  // One convolution for the five local moments: [batch, 5, h - 10, w - 10].
  const std::int64_t batch = x.size(0), height = x.size(2), width = x.size(3);
  const auto stacked =
      torch::cat({x, y, x * x, y * y, x * y}, 1).view({batch * 5, 1, height, width});
  const auto moments = torch::conv2d(stacked, window)
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

double mean_ssim(const torch::Tensor& a, const torch::Tensor& b) {
  return ssim_per_image(a, b).mean().item<double>();
}

}  // namespace aebench
