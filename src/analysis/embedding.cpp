#include "aebench/analysis/embedding.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>  // at::get_num_threads

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aebench/errors.h"
#include "aebench/io/stop_signal.h"

namespace aebench {
namespace {

constexpr double kEntropyTolerance = 1e-5;  // nats
constexpr int kMaxBandwidthSteps = 64;
constexpr double kInitialStd = 1e-4;
constexpr double kInitialMomentum = 0.5;
constexpr double kFinalMomentum = 0.8;
constexpr double kMinGain = 0.01;

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

// [n, d] -> contiguous float64 on the CPU, after checking the shape the caller needs.
torch::Tensor as_cpu_matrix(const torch::Tensor& points, const char* function,
                            std::int64_t min_rows, std::int64_t min_columns) {
  const std::string name = function;
  require(points.defined() && points.dim() == 2,
          name + ": expected points of shape [n, d], found " +
              (points.defined() ? std::to_string(points.dim()) + " dimensions" : "no tensor"));
  require(points.size(0) >= min_rows, name + ": expected at least " + std::to_string(min_rows) +
                                          " points, found " + std::to_string(points.size(0)));
  require(points.size(1) >= min_columns, name + ": expected at least " +
                                             std::to_string(min_columns) + " dimensions, found " +
                                             std::to_string(points.size(1)));
  auto matrix = points.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  require(torch::isfinite(matrix).all().item<bool>(), name + ": points contain NaN or infinity");
  return matrix;
}

// Squared Euclidean distances between the rows of x: [n, d] -> [n, n].
torch::Tensor squared_distances(const torch::Tensor& x) {
  const auto norms = (x * x).sum(1);
  auto distances = torch::mm(x, x.t());
  distances.mul_(-2).add_(norms.unsqueeze(1)).add_(norms.unsqueeze(0)).clamp_min_(0.0);
  return distances;
}

// Joint probabilities P = (P_cond + P_cond^T) / 2n of t-SNE, [n, n] with a zero diagonal.
// Row i of P_cond is exp(-beta_i d_ij) / sum_k exp(-beta_i d_ik) over j != i, with beta_i
// bisected (all rows at once) until the row's entropy is log(perplexity).
torch::Tensor joint_probabilities(const torch::Tensor& x, double perplexity) {
  const std::int64_t n = x.size(0);
  auto distances = squared_distances(x);
  // Shifting a row by its smallest off-diagonal distance changes neither the conditional
  // distribution nor its entropy, and keeps exp() from underflowing to an all-zero row.
  distances.fill_diagonal_(std::numeric_limits<double>::infinity());
  distances.sub_(std::get<0>(distances.min(1, /*keepdim=*/true)));
  distances.fill_diagonal_(0.0);

  const auto column = torch::TensorOptions().dtype(torch::kFloat64);
  const auto mean_distance = distances.sum(1, /*keepdim=*/true) / static_cast<double>(n - 1);
  auto beta =
      torch::where(mean_distance > 0, mean_distance.reciprocal(), torch::ones({n, 1}, column));
  auto beta_low = torch::zeros({n, 1}, column);
  auto beta_high = torch::full({n, 1}, std::numeric_limits<double>::infinity(), column);
  const double target_entropy = std::log(perplexity);

  auto probabilities = torch::empty_like(distances);
  auto scratch = torch::empty_like(distances);
  torch::Tensor row_sums;
  for (int step = 0;; ++step) {
    at::mul_out(probabilities, distances, -beta);
    probabilities.exp_().fill_diagonal_(0.0);
    row_sums = probabilities.sum(1, /*keepdim=*/true);
    at::mul_out(scratch, distances, probabilities);
    const auto entropy = torch::log(row_sums) + beta * scratch.sum(1, /*keepdim=*/true) / row_sums;
    const auto excess = entropy - target_entropy;
    const auto active = excess.abs() > kEntropyTolerance;
    if (step == kMaxBandwidthSteps || !active.any().item<bool>()) break;
    // Entropy too high: the kernel is too wide, so raise beta (double it until bracketed).
    const auto too_wide = excess > 0;
    beta_low = torch::where(active & too_wide, beta, beta_low);
    beta_high = torch::where(active & ~too_wide, beta, beta_high);
    const auto raised = torch::where(torch::isinf(beta_high), beta * 2, (beta + beta_high) / 2);
    const auto lowered = torch::where(beta_low > 0, (beta + beta_low) / 2, beta / 2);
    beta = torch::where(active, torch::where(too_wide, raised, lowered), beta);
  }
  probabilities.div_(row_sums);
  distances = torch::Tensor();
  at::add_out(scratch, probabilities, probabilities.t());
  return scratch.div_(2.0 * static_cast<double>(n));
}

// Calls rows(begin, end) on disjoint blocks of [0, count) from at::get_num_threads() threads,
// each block at least min_block long. at::parallel_for would run serially here: it is inline
// OpenMP code, and LibTorch's CMake targets do not compile their users with OpenMP.
template <typename RowFunction>
void for_row_blocks(std::int64_t count, std::int64_t min_block, const RowFunction& rows) {
  const std::int64_t workers =
      std::max<std::int64_t>(1, std::min<std::int64_t>(at::get_num_threads(), count / min_block));
  const std::int64_t block = (count + workers - 1) / workers;
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(workers - 1));
  try {
    for (std::int64_t begin = block; begin < count; begin += block) {
      threads.emplace_back(rows, begin, std::min(count, begin + block));
    }
  } catch (...) {  // no thread to be had: finish the started ones before reporting it
    for (auto& thread : threads) thread.join();
    throw;
  }
  rows(std::int64_t{0}, std::min(count, block));
  for (auto& thread : threads) thread.join();
}

// Gradient of KL(P || Q) with respect to the map y, split as
//   4 * (exaggeration * sum_j p_ij w_ij (y_i - y_j) - sum_j w_ij^2 (y_i - y_j) / Z),
//   w_ij = 1 / (1 + |y_i - y_j|^2),  Z = sum_{i != j} w_ij,
// so that one pass over P gives both sums and no n x n matrix of Q is stored. Each row is
// summed by one thread in a fixed order: the result does not depend on the thread count.
// probabilities: [n, n]; map: [n, 2]. Returns [n, 2].
torch::Tensor kl_gradient(const torch::Tensor& probabilities, const torch::Tensor& map,
                          double exaggeration) {
  const std::int64_t n = map.size(0);
  const double* p = probabilities.data_ptr<double>();
  const double* y = map.data_ptr<double>();
  auto attraction = torch::empty({n, 2}, map.options());
  auto repulsion = torch::empty({n, 2}, map.options());
  std::vector<double> kernel_sums(static_cast<std::size_t>(n));
  double* attract = attraction.data_ptr<double>();
  double* repulse = repulsion.data_ptr<double>();
  const auto rows = [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const double* p_row = p + i * n;
      const double yi0 = y[2 * i];
      const double yi1 = y[2 * i + 1];
      double kernel_sum = 0, a0 = 0, a1 = 0, r0 = 0, r1 = 0;
      // j == i adds w_ii = 1 to the kernel sum (removed below) and nothing else: p_ii = 0 and
      // y_i - y_i = 0. Skipping it would cost a branch in the hot loop.
      for (std::int64_t j = 0; j < n; ++j) {
        const double d0 = yi0 - y[2 * j];
        const double d1 = yi1 - y[2 * j + 1];
        const double w = 1.0 / (1.0 + d0 * d0 + d1 * d1);
        kernel_sum += w;
        const double pw = p_row[j] * w;
        a0 += pw * d0;
        a1 += pw * d1;
        const double ww = w * w;
        r0 += ww * d0;
        r1 += ww * d1;
      }
      kernel_sums[static_cast<std::size_t>(i)] = kernel_sum - 1.0;
      attract[2 * i] = a0;
      attract[2 * i + 1] = a1;
      repulse[2 * i] = r0;
      repulse[2 * i + 1] = r1;
    }
  };
  // Blocks of at least ~256k pairs (about a millisecond), so that small maps stay on one thread.
  for_row_blocks(n, std::max<std::int64_t>(1, 262144 / n), rows);
  double normaliser = 0;
  for (double sum : kernel_sums) normaliser += sum;
  return 4.0 * (exaggeration * attraction - repulsion / normaliser);
}

}  // namespace

torch::Tensor tsne(const torch::Tensor& points, const TsneOptions& options) {
  const auto x = as_cpu_matrix(points, "tsne", 4, 1);
  require(std::isfinite(options.perplexity) && options.perplexity > 0,
          "tsne: perplexity must be > 0, found " + std::to_string(options.perplexity));
  require(options.iterations >= 0,
          "tsne: iterations must be >= 0, found " + std::to_string(options.iterations));
  require(std::isfinite(options.learning_rate) && options.learning_rate > 0,
          "tsne: learning_rate must be > 0, found " + std::to_string(options.learning_rate));
  require(
      std::isfinite(options.early_exaggeration) && options.early_exaggeration > 0,
      "tsne: early_exaggeration must be > 0, found " + std::to_string(options.early_exaggeration));
  require(options.exaggeration_iterations >= 0,
          "tsne: exaggeration_iterations must be >= 0, found " +
              std::to_string(options.exaggeration_iterations));

  const std::int64_t n = x.size(0);
  const double perplexity = std::min(options.perplexity, static_cast<double>(n - 1) / 3.0);
  const auto probabilities = joint_probabilities(x, perplexity);

  const auto double_options = torch::TensorOptions().dtype(torch::kFloat64);
  at::Generator generator = at::detail::createCPUGenerator(options.seed);
  auto map = kInitialStd * torch::randn({n, 2}, generator, double_options);
  auto update = torch::zeros({n, 2}, double_options);
  auto gains = torch::ones({n, 2}, double_options);
  for (std::int64_t iteration = 0; iteration < options.iterations; ++iteration) {
    // A long map answers SIGINT/SIGTERM within a few iterations, not when it is done.
    if (const int signal_number = StopSignalGuard::received())
      throw Interrupted("stopped by " + signal_name(signal_number) +
                            " while drawing the t-SNE map (iteration " + std::to_string(iteration) +
                            " of " + std::to_string(options.iterations) + ")",
                        signal_number);
    const bool exaggerating = iteration < options.exaggeration_iterations;
    const auto gradient =
        kl_gradient(probabilities, map, exaggerating ? options.early_exaggeration : 1.0);
    // Delta-bar-delta: grow the step where the gradient points against the last update.
    const auto grow = (gradient > 0) != (update > 0);
    gains = torch::where(grow, gains + 0.2, gains * 0.8).clamp_min_(kMinGain);
    const double momentum = exaggerating ? kInitialMomentum : kFinalMomentum;
    update = momentum * update - options.learning_rate * gains * gradient;
    map.add_(update);
    map.sub_(map.mean(0, /*keepdim=*/true));
  }
  return map;
}

torch::Tensor pca_2d(const torch::Tensor& points) {
  auto centred = as_cpu_matrix(points, "pca_2d", 2, 2);
  centred.sub_(centred.mean(0, /*keepdim=*/true));
  // Eigenvalues come back in ascending order: the two leading axes are the last two columns.
  const auto eigenvectors = std::get<1>(torch::linalg_eigh(torch::mm(centred.t(), centred)));
  const std::int64_t d = eigenvectors.size(1);
  auto axes = torch::stack({eigenvectors.select(1, d - 1), eigenvectors.select(1, d - 2)}, 1);
  const auto largest = axes.abs().argmax(0);
  const auto negative = (axes.gather(0, largest.unsqueeze(0)) < 0).to(torch::kFloat64);
  return torch::mm(centred, axes * (1.0 - 2.0 * negative));
}

}  // namespace aebench
