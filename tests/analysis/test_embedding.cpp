#include <cmath>
#include <limits>
#include <stdexcept>

#include "aebench/analysis/embedding.h"
#include "aebench/data/noise.h"
#include "support/catch.h"

namespace {

constexpr std::int64_t kClusters = 3;
constexpr std::int64_t kPointsPerCluster = 40;

// [120, 10]: three blobs of unit spread whose centres are 20 apart; row r is in cluster r / 40.
torch::Tensor three_blobs() {
  auto points = torch::randn({kClusters * kPointsPerCluster, 10}, aebench::make_cpu_generator(7),
                             torch::kFloat64);
  for (std::int64_t cluster = 0; cluster < kClusters; ++cluster) {
    points.slice(0, cluster * kPointsPerCluster, (cluster + 1) * kPointsPerCluster)
        .select(1, cluster)
        .add_(20.0 / std::sqrt(2.0));
  }
  return points;
}

// Settings for ~100 points. The default learning rate of 200 suits maps of ~1000 points and
// more; at 120 points it throws the odd point far out of its cluster. 50 is scikit-learn's
// floor for its "auto" rate (n / early_exaggeration / 4).
aebench::TsneOptions quick_tsne(std::uint64_t seed) {
  aebench::TsneOptions options;
  options.perplexity = 10;
  options.iterations = 400;
  options.learning_rate = 50;
  options.exaggeration_iterations = 100;
  options.seed = seed;
  return options;
}

}  // namespace

TEST_CASE("t-SNE keeps well-separated clusters apart in the map") {
  const auto map = aebench::tsne(three_blobs(), quick_tsne(0));
  REQUIRE(map.sizes() == torch::IntArrayRef({kClusters * kPointsPerCluster, 2}));
  REQUIRE(map.scalar_type() == torch::kFloat64);
  REQUIRE(torch::isfinite(map).all().item<bool>());

  const auto labels = torch::arange(kClusters).repeat_interleave(kPointsPerCluster);
  auto distances = torch::cdist(map, map);
  distances.fill_diagonal_(std::numeric_limits<double>::infinity());
  const auto nearest = distances.argmin(1);
  const double agreement =
      (labels.index_select(0, nearest) == labels).to(torch::kFloat64).mean().item<double>();
  CHECK(agreement >= 0.95);

  const auto groups = map.view({kClusters, kPointsPerCluster, 2});
  const auto centroids = groups.mean(1);                                                // [3, 2]
  const auto spreads = (groups - centroids.unsqueeze(1)).pow(2).sum(2).sqrt().mean(1);  // [3]
  auto centroid_distances = torch::cdist(centroids, centroids);
  centroid_distances.fill_diagonal_(std::numeric_limits<double>::infinity());
  CHECK(centroid_distances.min().item<double>() > 3 * spreads.max().item<double>());
}

TEST_CASE("t-SNE is reproducible for a seed and differs between seeds") {
  const auto points = three_blobs().slice(0, 0, 60);
  auto options = quick_tsne(5);
  options.iterations = 100;
  const auto first = aebench::tsne(points, options);
  const auto again = aebench::tsne(points, options);
  CHECK(torch::equal(first, again));
  options.seed = 6;
  const auto other = aebench::tsne(points, options);
  CHECK((first - other).abs().max().item<double>() > 1e-3);
}

TEST_CASE("t-SNE on two threads is reproducible for a map large enough to be split") {
  struct RestoreThreads {
    int previous = torch::get_num_threads();
    ~RestoreThreads() { torch::set_num_threads(previous); }
  } restore;
  torch::set_num_threads(2);
  // 800 points: past the ~730 at which the gradient's rows are shared between threads.
  const auto points = torch::randn({800, 5}, aebench::make_cpu_generator(8), torch::kFloat64);
  aebench::TsneOptions options;
  options.iterations = 20;
  CHECK(torch::equal(aebench::tsne(points, options), aebench::tsne(points, options)));
}

TEST_CASE("t-SNE clamps the perplexity for few points and maps them to finite coordinates") {
  const auto points = torch::randn({6, 3}, aebench::make_cpu_generator(1), torch::kFloat64);
  aebench::TsneOptions options;  // perplexity 30 > (6 - 1) / 3
  options.iterations = 50;
  const auto map = aebench::tsne(points.to(torch::kFloat32), options);
  CHECK(map.sizes() == torch::IntArrayRef({6, 2}));
  CHECK(torch::isfinite(map).all().item<bool>());
}

TEST_CASE("t-SNE rejects fewer than four points, non-matrix input and non-finite values") {
  CHECK_THROWS_AS(aebench::tsne(torch::zeros({3, 5})), std::invalid_argument);
  CHECK_THROWS_AS(aebench::tsne(torch::zeros({10})), std::invalid_argument);
  CHECK_THROWS_AS(aebench::tsne(torch::zeros({10, 2, 2})), std::invalid_argument);
  auto points = torch::randn({10, 4});
  points[3][1] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_AS(aebench::tsne(points), std::invalid_argument);
  aebench::TsneOptions options;
  options.perplexity = 0;
  CHECK_THROWS_AS(aebench::tsne(torch::randn({10, 4}), options), std::invalid_argument);
}

TEST_CASE("pca_2d recovers known principal axes in order of variance, with fixed signs") {
  // Points t u + s v + c in 5-D with orthonormal u, v; t and s are centred and uncorrelated,
  // var(t) = 5 > var(s) = 1, so the principal axes are exactly u and then v.
  const auto t = torch::tensor({-3.0, -1.0, 1.0, 3.0, -3.0, -1.0, 1.0, 3.0});
  const auto s = torch::tensor({-1.0, -1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0});
  // u's largest-magnitude loading (-0.8) is negative, so the first axis is -u; v's (0.6) is
  // positive, so the second is v.
  const auto u = torch::tensor({0.6, -0.8, 0.0, 0.0, 0.0}, torch::kFloat64);
  const auto v = torch::tensor({0.0, 0.0, 0.6, 0.0, 0.8}, torch::kFloat64);
  const auto offset = torch::tensor({10.0, -2.0, 3.0, 4.0, 5.0}, torch::kFloat64);
  const auto points =
      torch::outer(t.to(torch::kFloat64), u) + torch::outer(s.to(torch::kFloat64), v) + offset;

  const auto projection = aebench::pca_2d(points.to(torch::kFloat32));
  REQUIRE(projection.sizes() == torch::IntArrayRef({8, 2}));
  REQUIRE(projection.scalar_type() == torch::kFloat64);
  CHECK(torch::allclose(projection.select(1, 0), -t.to(torch::kFloat64), 0, 1e-5));
  CHECK(torch::allclose(projection.select(1, 1), s.to(torch::kFloat64), 0, 1e-5));
}

TEST_CASE("pca_2d puts the stretched direction of noisy data first") {
  const auto generator = aebench::make_cpu_generator(3);
  const auto direction = torch::tensor({1.0, 2.0, 2.0, 0.0}, torch::kFloat64) / 3.0;
  const auto stretch = 10.0 * torch::randn({500, 1}, generator, torch::kFloat64);
  const auto points = stretch * direction + torch::randn({500, 4}, generator, torch::kFloat64);
  const auto projection = aebench::pca_2d(points);
  const auto variances = projection.pow(2).mean(0);  // the projection is centred
  CHECK(variances[0].item<double>() > 20 * variances[1].item<double>());
  // The first coordinate is the stretch, up to the unit noise along the direction.
  const auto centred = stretch.squeeze(1) - stretch.mean();
  const double correlation = (projection.select(1, 0) * centred).sum().item<double>() /
                             (projection.select(1, 0).norm() * centred.norm()).item<double>();
  CHECK(correlation > 0.99);  // the largest loading of +direction is positive
}

TEST_CASE("pca_2d rejects a single point and one-dimensional data") {
  CHECK_THROWS_AS(aebench::pca_2d(torch::zeros({1, 5})), std::invalid_argument);
  CHECK_THROWS_AS(aebench::pca_2d(torch::zeros({5, 1})), std::invalid_argument);
  CHECK_THROWS_AS(aebench::pca_2d(torch::zeros({5})), std::invalid_argument);
}
