#pragma once
// Structural similarity (Wang, Bovik, Sheikh and Simoncelli 2004) between image batches.

#include <torch/torch.h>

namespace aebench {

// SSIM of each image pair, the mean of the SSIM map over the window positions that fit inside
// the image ('valid' convolution: an 18 x 18 map for 28 x 28 images). The standard settings:
// an 11 x 11 Gaussian window with sigma 1.5, K1 = 0.01, K2 = 0.03, data range 1, population
// (not sample) variances. Matches scikit-image's
//   structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
//                         data_range=1.0)
// which filters with reflected borders and then crops them away.
// a, b: [batch, 1, height, width] with height, width >= 11, same shape and device, values in
// [0, 1]. Returns [batch] float64 on their device; 1 for identical images, symmetric in a and b.
// Throws std::invalid_argument for other shapes.
torch::Tensor ssim_per_image(const torch::Tensor& a, const torch::Tensor& b);

// Mean of ssim_per_image over the batch (NaN for an empty batch).
double mean_ssim(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace aebench
