#include "aebench/bench/flops.h"
#include "aebench/bench/machine.h"
#include "aebench/errors.h"
#include "aebench/train/precision.h"
#include "support/catch.h"

using aebench::count_flops;
using aebench::ModelOptions;

// Golden values worked out by hand from the layer sizes (2 FLOPs per multiply-add).
TEST_CASE("a dense model's FLOPs are 2 x in x out per linear layer") {
  ModelOptions options;  // 784-400-200-100 and mirror: seed 002 part 1
  options.type = "dense";
  auto model = aebench::make_autoencoder(options);
  const auto count = count_flops(*model);
  REQUIRE(count.layers.size() == 6);
  CHECK(count.layers.front().kind == "linear");
  CHECK(count.layers.front().forward_flops == 2.0 * 784 * 400);
  CHECK(count.forward_per_image == 2.0 * (784 * 400 + 400 * 200 + 200 * 100) * 2);
  CHECK(count.train_step_per_image == 3 * count.forward_per_image);
}

TEST_CASE("batch norm layers are not counted, like biases and activations") {
  for (const char* type : {"dense", "conv"}) {
    INFO(type);
    ModelOptions options;
    options.type = type;
    if (options.type == "conv") options.latent = 0;
    const auto plain = count_flops(*aebench::make_autoencoder(options));
    options.batch_norm = true;
    const auto normalised = count_flops(*aebench::make_autoencoder(options));
    CHECK(normalised.forward_per_image == plain.forward_per_image);
    CHECK(normalised.layers.size() == plain.layers.size());
  }
}

TEST_CASE("a conv model's FLOPs use each convolution's traced output size") {
  ModelOptions options;  // seed 002 part 2: convs at 28x28, 14x14 | 7x7, 14x14, 28x28
  options.type = "conv";
  options.latent = 0;
  auto model = aebench::make_autoencoder(options);
  const auto count = count_flops(*model);
  REQUIRE(count.layers.size() == 5);
  const double expected = 2.0 * (1 * 16 * 9 * 28 * 28 + 16 * 8 * 9 * 14 * 14 +  // encoder
                                 8 * 8 * 9 * 7 * 7 + 8 * 16 * 9 * 14 * 14 + 16 * 1 * 9 * 28 * 28);
  CHECK(count.forward_per_image == expected);
  CHECK(count.layers.front().name == "encoder.0");
  CHECK(count.layers.front().kind == "conv2d");
}

TEST_CASE("a transposed convolution counts its input positions, a dense bottleneck its weights") {
  ModelOptions options;
  options.type = "conv";
  options.conv.channels = {4};
  options.latent = 10;
  options.conv.upsample = "transposed";
  auto model = aebench::make_autoencoder(options);
  const auto count = count_flops(*model);
  // conv 1->4 at 28x28, linear 4*14*14->10 and back, conv 4->4 at 14x14, transposed 4->4 2x2
  // from 14x14, conv 4->1 at 28x28.
  const double expected = 2.0 * (4 * 9 * 28 * 28 + 784 * 10 * 2 + 4 * 4 * 9 * 14 * 14 +
                                 4 * 4 * 4 * 14 * 14 + 4 * 9 * 28 * 28);
  CHECK(count.forward_per_image == expected);
}

TEST_CASE("precision names resolve, auto follows the CPU, anything else names --precision") {
  using aebench::Precision;
  CHECK(aebench::resolve_precision("fp32", true) == Precision::kFp32);
  CHECK(aebench::resolve_precision("bf16", false) == Precision::kBf16);
  CHECK(aebench::resolve_precision("auto", true) == Precision::kBf16);
  CHECK(aebench::resolve_precision("auto", false) == Precision::kFp32);
  CHECK_THROWS_WITH(aebench::resolve_precision("fp16", true),
                    Catch::Contains("--precision") && Catch::Contains("fp16"));
}

TEST_CASE("bf16 autocast runs a linear layer in bfloat16 inside its scope only") {
  torch::nn::Linear linear(8, 4);
  const auto input = torch::rand({2, 8});
  {
    aebench::AutocastScope autocast(aebench::Precision::kBf16);
    CHECK(linear->forward(input).scalar_type() == torch::kBFloat16);
  }
  CHECK(linear->forward(input).scalar_type() == torch::kFloat);
  aebench::AutocastScope fp32(aebench::Precision::kFp32);
  CHECK(linear->forward(input).scalar_type() == torch::kFloat);
}

TEST_CASE("a spread is the median, min and max of its values") {
  const auto odd = aebench::spread_of({3.0, 1.0, 2.0});
  CHECK(odd.median == 2.0);
  CHECK(odd.min == 1.0);
  CHECK(odd.max == 3.0);
  CHECK(aebench::spread_of({4.0, 1.0, 2.0, 3.0}).median == 2.5);
}

TEST_CASE("a conv model on CIFAR-10 traces a 3x32x32 image: 3 input and 3 output maps") {
  ModelOptions options;
  options.type = "conv";
  options.latent = 0;
  options.image = {3, 32, 32};
  auto model = aebench::make_autoencoder(options);
  const auto count = count_flops(*model);
  REQUIRE(count.layers.size() == 5);
  const double expected = 2.0 * (3 * 16 * 9 * 32 * 32 + 16 * 8 * 9 * 16 * 16 +  // encoder
                                 8 * 8 * 9 * 8 * 8 + 8 * 16 * 9 * 16 * 16 + 16 * 3 * 9 * 32 * 32);
  CHECK(count.forward_per_image == expected);
}
