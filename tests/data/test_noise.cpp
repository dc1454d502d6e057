#include "aebench/data/noise.h"
#include "support/catch.h"

using aebench::NoiseOptions;

namespace {

NoiseOptions noise(const std::string& type, double std, double fraction, bool clip = true) {
  NoiseOptions options;
  options.type = type;
  options.std = std;
  options.fraction = fraction;
  options.clip = clip;
  return options;
}

}  // namespace

TEST_CASE("gaussian noise without clipping has the configured standard deviation") {
  const auto clean = torch::full({200, 1, 28, 28}, 0.5);
  const auto noisy =
      aebench::add_noise(clean, noise("gaussian", 0.25, 0, false), aebench::make_cpu_generator(1));
  const auto difference = noisy - clean;
  CHECK(difference.mean().item<double>() == Approx(0.0).margin(0.002));
  CHECK(difference.std().item<double>() == Approx(0.25).epsilon(0.01));
}

TEST_CASE("clipped gaussian noise stays in [0, 1]") {
  const auto clean = torch::rand({50, 1, 28, 28});
  const auto noisy =
      aebench::add_noise(clean, noise("gaussian", 0.5, 0), aebench::make_cpu_generator(2));
  CHECK(noisy.min().item<float>() >= 0.0f);
  CHECK(noisy.max().item<float>() <= 1.0f);
}

TEST_CASE("masking zeroes the configured fraction of pixels and leaves the rest") {
  const auto clean = torch::full({100, 1, 28, 28}, 0.7);
  const auto noisy =
      aebench::add_noise(clean, noise("masking", 0, 0.2), aebench::make_cpu_generator(3));
  const double zeroed = (noisy == 0).to(torch::kFloat64).mean().item<double>();
  CHECK(zeroed == Approx(0.2).margin(0.005));
  CHECK(((noisy == 0) | (noisy == clean)).all().item<bool>());
}

TEST_CASE("salt and pepper sets half the hit pixels to 0 and half to 1") {
  const auto clean = torch::full({100, 1, 28, 28}, 0.5);
  const auto noisy =
      aebench::add_noise(clean, noise("salt_and_pepper", 0, 0.3), aebench::make_cpu_generator(4));
  CHECK((noisy == 0).to(torch::kFloat64).mean().item<double>() == Approx(0.15).margin(0.005));
  CHECK((noisy == 1).to(torch::kFloat64).mean().item<double>() == Approx(0.15).margin(0.005));
}

TEST_CASE("noise from equally seeded generators is identical, and none leaves images alone") {
  const auto clean = torch::rand({10, 1, 28, 28});
  const auto options = noise("gaussian", 0.3, 0);
  CHECK(torch::equal(aebench::add_noise(clean, options, aebench::make_cpu_generator(9)),
                     aebench::add_noise(clean, options, aebench::make_cpu_generator(9))));
  CHECK_FALSE(torch::equal(aebench::add_noise(clean, options, aebench::make_cpu_generator(9)),
                           aebench::add_noise(clean, options, aebench::make_cpu_generator(10))));
  CHECK(torch::equal(aebench::add_noise(clean, NoiseOptions{}), clean));
}
