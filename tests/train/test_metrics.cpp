#include <cmath>

#include "aebench/train/metrics.h"
#include "support/catch.h"

TEST_CASE("reconstruction metrics match their closed forms") {
  // Every pixel off by 0.1: mse 0.01, SSE per image 784 * 0.01, PSNR 20 dB.
  const auto targets = torch::full({4, 1, 28, 28}, 0.5);
  const auto outputs = targets + 0.1;
  aebench::ReconstructionAccumulator accumulator;
  accumulator.add(outputs.narrow(0, 0, 3), targets.narrow(0, 0, 3));
  accumulator.add(outputs.narrow(0, 3, 1), targets.narrow(0, 3, 1));
  const auto metrics = accumulator.finish();
  CHECK(metrics.images == 4);
  CHECK(metrics.mse == Approx(0.01).epsilon(1e-5));
  CHECK(metrics.sse_per_image == Approx(7.84).epsilon(1e-5));
  CHECK(metrics.psnr_db == Approx(20.0).epsilon(1e-5));
  const double expected_bce = -(0.5 * std::log(0.6) + 0.5 * std::log(0.4));
  CHECK(metrics.bce == Approx(expected_bce).epsilon(1e-5));
}

TEST_CASE("the mse training loss equals the mse metric") {
  const auto targets = torch::rand({8, 1, 28, 28});
  const auto outputs = torch::rand({8, 1, 28, 28});
  aebench::ReconstructionAccumulator accumulator;
  accumulator.add(outputs, targets);
  CHECK(aebench::reconstruction_loss(outputs, targets, "mse").item<double>() ==
        Approx(accumulator.finish().mse).epsilon(1e-5));
  CHECK(aebench::reconstruction_loss(outputs, targets, "bce").item<double>() ==
        Approx(accumulator.finish().bce).epsilon(1e-4));
}

TEST_CASE("a perfect reconstruction has zero error and infinite PSNR") {
  const auto images = torch::rand({2, 1, 28, 28});
  aebench::ReconstructionAccumulator accumulator;
  accumulator.add(images, images);
  const auto metrics = accumulator.finish();
  CHECK(metrics.mse == 0.0);
  CHECK(std::isinf(metrics.psnr_db));
}
