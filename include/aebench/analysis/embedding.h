#pragma once
// Two-dimensional maps of high-dimensional points (latent codes, images) for bottleneck
// pictures: exact t-SNE and a PCA projection. Both compute in double precision on the CPU.

#include <torch/torch.h>

#include <cstdint>

namespace aebench {

struct TsneOptions {
  // Effective number of neighbours each point's Gaussian kernel covers. REQUIRES > 0.
  // Clamped to (n - 1) / 3 when there are fewer than 3 * perplexity + 1 points, so that every
  // point has at least three times as many neighbours as the kernel is asked to cover.
  double perplexity = 30.0;
  // Gradient-descent steps. REQUIRES >= 0 (0 returns the random start).
  std::int64_t iterations = 1000;
  // Step size of the gradient 4 * sum_j (p_ij - q_ij) q'_ij (y_i - y_j), where q'_ij is the
  // unnormalised Student-t kernel (the scikit-learn convention). REQUIRES > 0.
  // 200 suits maps of ~1000 points and more; on a few hundred it can throw single points far
  // out of their cluster. scikit-learn's "auto" rate, max(n / early_exaggeration / 4, 50),
  // is a safe choice for any n.
  double learning_rate = 200.0;
  // P is multiplied by this during the first exaggeration_iterations steps. REQUIRES > 0.
  double early_exaggeration = 12.0;
  // Length of the exaggeration phase; momentum is 0.5 during it and 0.8 after. REQUIRES >= 0.
  std::int64_t exaggeration_iterations = 250;
  // Seeds the CPU generator of the initial map Y ~ N(0, (1e-4)^2).
  std::uint64_t seed = 0;
};

// Exact t-SNE (van der Maaten and Hinton 2008), O(n^2) time and memory per step: one n x n
// double matrix lives during descent, three while the Gaussian bandwidths are searched
// (72 MB each at n = 3000).
//   P: per point, a binary search for the Gaussian precision whose conditional distribution
//      has entropy log(perplexity) (all points at once, to a tolerance of 1e-5 nats or 64
//      halvings); then P = (P + P^T) / 2n.
//   Q: Student-t with one degree of freedom.
//   Descent: momentum 0.5 then 0.8, per-coordinate gains as in van der Maaten's tsne.py
//      (+0.2 where the gradient's sign differs from the last update's, i.e. the descent keeps
//      its direction; x0.8 otherwise; at least 0.01), the map re-centred after each step.
// points: [n, d], any dtype and device, finite. Returns [n, 2] float64 on the CPU.
// Same points, options and thread count: the same map, bit for bit. (The gradient sums each
// row in a fixed order on any number of threads, at::get_num_threads() of them for large maps;
// LibTorch's reductions in the bandwidth search promise nothing across thread counts.)
// Throws std::invalid_argument for input that is not 2-D, has fewer than 4 points or non-finite
// values, and for options outside their constraints.
torch::Tensor tsne(const torch::Tensor& points, const TsneOptions& options = {});

// Projection of the mean-centred points onto their two leading principal axes (eigenvectors of
// the d x d scatter matrix, largest eigenvalue first). Each axis's sign is fixed so that its
// largest-magnitude loading is positive; axes of equal variance are not unique.
// points: [n, d] with n >= 2, d >= 2. Returns [n, 2] float64 on the CPU; column 0 has the
// larger variance. Throws std::invalid_argument for other shapes.
torch::Tensor pca_2d(const torch::Tensor& points);

}  // namespace aebench
