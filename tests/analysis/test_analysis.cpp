#include "aebench/analysis/analysis.h"
#include "support/catch.h"

TEST_CASE("sparseness is the mean fraction of units below the threshold") {
  // image 1: 1 of 4 units below 0.1; image 2: 3 of 4 -> mean 0.5
  const auto activations = torch::tensor({{0.0, 0.5, 0.9, 0.2}, {0.05, 0.0, 0.01, 0.7}});
  const auto activity = aebench::layer_activity("code", activations, 0.1);
  CHECK(activity.units == 4);
  CHECK(activity.sparseness == Approx(0.5));
  CHECK(activity.mean_activation == Approx((1.6 + 0.76) / 8));
}
