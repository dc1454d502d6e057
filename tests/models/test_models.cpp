#include <cmath>

#include "aebench/errors.h"
#include "aebench/models/autoencoder.h"
#include "support/catch.h"

using aebench::ModelOptions;

namespace {

ModelOptions conv_options() {
  ModelOptions options;
  options.type = "conv";
  options.latent = 0;
  return options;
}

}  // namespace

TEST_CASE("model.init xavier and he draw weights within their bounds and zero the biases") {
  for (const std::string init : {"xavier", "he"}) {
    INFO(init);
    ModelOptions options;
    options.dense.hidden = {64};
    options.latent = 16;
    options.init = init;
    torch::manual_seed(0);
    const auto model = aebench::make_autoencoder(options);
    for (const auto& parameter : model->parameters()) {
      if (parameter.dim() < 2) {
        CHECK(parameter.abs().max().item<double>() == 0.0);
        continue;
      }
      const double fan_out = double(parameter.size(0)), fan_in = double(parameter.size(1));
      const double bound =
          init == "xavier" ? std::sqrt(6.0 / (fan_in + fan_out)) : std::sqrt(6.0 / fan_in);
      CHECK(parameter.abs().max().item<double>() <= bound);
      CHECK(parameter.abs().max().item<double>() > 0.8 * bound);  // spread over the range
    }
  }
}

TEST_CASE("every model kind maps images to codes of code_shape and back to images") {
  struct Case {
    const char* name;
    ModelOptions options;
    std::vector<std::int64_t> code_shape;
  };
  ModelOptions dense;
  ModelOptions single_layer;
  single_layer.dense.hidden = {};
  single_layer.latent = 32;
  ModelOptions conv = conv_options();
  ModelOptions conv_latent = conv_options();
  conv_latent.latent = 20;
  ModelOptions transposed = conv_options();
  transposed.conv.upsample = "transposed";
  transposed.conv.channels = {4};
  ModelOptions softmax = single_layer;
  softmax.output_activation = "softmax";
  const std::vector<Case> cases = {
      {"dense 400-200-100", dense, {100}},
      {"dense single layer", single_layer, {32}},
      {"conv seed 002", conv, {8, 7, 7}},
      {"conv with dense bottleneck", conv_latent, {20}},
      {"conv one stage, transposed", transposed, {4, 14, 14}},
      {"dense softmax output", softmax, {32}},
  };
  for (const auto& test : cases) {
    INFO(test.name);
    torch::manual_seed(0);
    auto model = aebench::make_autoencoder(test.options);
    const auto images = torch::rand({5, 1, 28, 28});
    const auto codes = model->encode(images);
    std::vector<std::int64_t> expected = {5};
    expected.insert(expected.end(), test.code_shape.begin(), test.code_shape.end());
    CHECK(codes.sizes().vec() == expected);
    CHECK(model->code_shape() == test.code_shape);
    const auto output = model->forward(images);
    CHECK(output.sizes().vec() == std::vector<std::int64_t>{5, 1, 28, 28});
  }
}

TEST_CASE("the seed-002 conv model has exactly the specified layers") {
  auto model = aebench::make_autoencoder(conv_options());
  // conv 1->16, 16->8 in the encoder; 8->8, 8->16, 16->1 in the decoder; all 3x3 with bias
  const std::int64_t expected =
      (9 * 1 * 16 + 16) + (9 * 16 * 8 + 8) + (9 * 8 * 8 + 8) + (9 * 8 * 16 + 16) + (9 * 16 * 1 + 1);
  CHECK(aebench::count_parameters(*model) == expected);
}

TEST_CASE("a dense model's parameters follow its widths and read well in a checkpoint") {
  ModelOptions options;
  options.dense.hidden = {400, 200};
  options.latent = 100;
  auto model = aebench::make_autoencoder(options);
  const std::int64_t expected =
      2 * (784 * 400 + 400 * 200 + 200 * 100) + (400 + 200 + 100) + (200 + 400 + 784);
  CHECK(aebench::count_parameters(*model) == expected);
  const auto names = model->named_parameters().keys();
  CHECK(names.front() == "encoder.0.weight");
}

TEST_CASE("a sigmoid output stays in [0, 1] and a softmax output sums to one per image") {
  ModelOptions options;
  options.dense.hidden = {};
  options.latent = 8;
  const auto images = torch::rand({3, 1, 28, 28});
  auto sigmoid = aebench::make_autoencoder(options);
  const auto out = sigmoid->forward(images);
  CHECK(out.min().item<float>() >= 0.0f);
  CHECK(out.max().item<float>() <= 1.0f);
  options.output_activation = "softmax";
  auto softmax = aebench::make_autoencoder(options);
  const auto sums = softmax->forward(images).flatten(1).sum(1);
  CHECK(torch::allclose(sums, torch::ones({3}), 1e-4, 1e-5));
}

TEST_CASE("dropout is active in training mode and off in eval mode") {
  ModelOptions options;
  options.dense.hidden = {64};
  options.latent = 16;
  options.dropout = 0.5;
  auto model = aebench::make_autoencoder(options);
  const auto images = torch::rand({4, 1, 28, 28});
  model->eval();
  CHECK(torch::equal(model->forward(images), model->forward(images)));
  model->train();
  CHECK_FALSE(torch::equal(model->forward(images), model->forward(images)));
}

TEST_CASE("model.batch_norm normalises every hidden layer over the batch, not the code") {
  for (const std::string init : {"default", "he"}) {
    INFO("init " << init);
    ModelOptions options;
    options.dense.hidden = {64, 32};
    options.latent = 8;
    options.init = init;
    options.batch_norm = true;
    auto model = aebench::make_autoencoder(options);
    int norms = 0;
    for (const auto& module : model->modules(false)) {
      const auto* norm = module->as<torch::nn::BatchNorm1dImpl>();
      if (norm == nullptr) continue;
      ++norms;
      CHECK(norm->weight.min().item<double>() == 1.0);  // init leaves the scales alone
      CHECK(norm->bias.abs().max().item<double>() == 0.0);
    }
    CHECK(norms == 4);  // 64 and 32 in the encoder, 32 and 64 in the decoder

    // In training mode each hidden unit's output is standardised over the batch before its
    // ReLU: the activations of a batch are those of the standardised pre-activations.
    model->train();
    const auto images = torch::rand({16, 1, 28, 28});
    const auto hidden = model->encoder_activations(images);
    REQUIRE(hidden.size() == 3);  // 64, 32, and the 8-unit code
    CHECK(hidden[0].size(1) == 64);
    CHECK(hidden[2].size(1) == 8);
    // About half of each standardised unit's values are above zero.
    const double active = hidden[0].gt(0).to(torch::kFloat).mean().item<double>();
    CHECK(active > 0.4);
    CHECK(active < 0.6);

    // Running statistics are buffers (saved in checkpoints); eval mode uses them, so a single
    // image works and gives the same output twice.
    CHECK(model->named_buffers().contains("encoder.1.running_mean"));
    model->eval();
    const auto one = torch::rand({1, 1, 28, 28});
    CHECK(torch::equal(model->forward(one), model->forward(one)));
  }
}

TEST_CASE("the size computed from the options equals the built model's parameters and code") {
  ModelOptions dense;
  ModelOptions single_unit_code;
  single_unit_code.dense.hidden = {};
  single_unit_code.latent = 1;
  ModelOptions conv = conv_options();
  ModelOptions conv_latent = conv_options();
  conv_latent.latent = 20;
  conv_latent.conv.kernel = 5;
  ModelOptions transposed = conv_options();
  transposed.conv.upsample = "transposed";
  transposed.conv.channels = {4};
  ModelOptions pca;
  pca.type = "pca";
  pca.latent = 30;
  ModelOptions dense_normalised = dense, conv_normalised = conv_latent,
               transposed_normalised = transposed;
  for (auto* options : {&dense_normalised, &conv_normalised, &transposed_normalised})
    options->batch_norm = true;
  for (const auto& options : {dense, single_unit_code, conv, conv_latent, transposed, pca,
                              dense_normalised, conv_normalised, transposed_normalised}) {
    INFO(options.type << ", latent " << options.latent << ", " << options.conv.channels.size()
                      << " stages");
    const auto model = aebench::make_autoencoder(options);
    const auto size = aebench::model_size(options);
    CHECK(size.parameters == aebench::count_parameters(*model));
    CHECK(size.code_size == model->encode(torch::rand({2, 1, 28, 28})).flatten(1).size(1));
    CHECK(size.activations_per_image > size.code_size);
  }
}

TEST_CASE("every model.type the config accepts has a registered model kind, and no other") {
  for (const auto& kind : aebench::model_kinds()) {
    INFO(kind.type);
    aebench::ModelOptions options =
        aebench::config_from_json({{"model", {{"type", kind.type}}}}, "t.json").model;
    const auto model = aebench::make_autoencoder(options);
    CHECK(model->fits_in_closed_form() == kind.closed_form);
    CHECK_FALSE(model->weight_tile_name().empty());
    CHECK(model->encoder_activations(torch::rand({2, 1, 28, 28})).size() >= 1);
  }
  CHECK_THROWS_AS(aebench::config_from_json({{"model", {{"type", "vae"}}}}, "t.json"),
                  aebench::ConfigError);
  CHECK_THROWS_WITH(aebench::model_kind("vae"), Catch::Contains("\"dense\", \"conv\", \"pca\"") &&
                                                    Catch::Contains("found \"vae\""));
}

TEST_CASE("on CIFAR-10's 3x32x32 images every model kind reads and writes colour images") {
  const aebench::ImageShape cifar{3, 32, 32};
  ModelOptions dense;
  dense.dense.hidden = {64};
  dense.latent = 16;
  ModelOptions conv = conv_options();
  conv.conv.channels = {8, 8, 4};  // 32 -> 16 -> 8 -> 4
  ModelOptions conv_latent = conv_options();
  conv_latent.latent = 12;
  ModelOptions transposed = conv_options();
  transposed.conv.upsample = "transposed";
  ModelOptions pca;
  pca.type = "pca";
  pca.latent = 5;
  struct Case {
    ModelOptions options;
    std::vector<std::int64_t> code_shape;
    std::vector<std::int64_t> weights_shape;  // first_layer_weights()
  };
  const std::vector<Case> cases = {{dense, {16}, {64, 3, 32, 32}},
                                   {conv, {4, 4, 4}, {8, 3, 3, 3}},
                                   {conv_latent, {12}, {16, 3, 3, 3}},
                                   {transposed, {8, 8, 8}, {16, 3, 3, 3}},
                                   {pca, {5}, {5, 3, 32, 32}}};
  for (auto test : cases) {
    test.options.image = cifar;
    INFO(test.options.type << ", latent " << test.options.latent << ", "
                           << test.options.conv.channels.size() << " stages");
    torch::manual_seed(0);
    const auto model = aebench::make_autoencoder(test.options);
    CHECK(model->image_shape() == cifar);
    const auto images = torch::rand({2, 3, 32, 32});
    if (model->fits_in_closed_form()) model->fit_closed_form(torch::rand({20, 3, 32, 32}));
    const auto codes = model->encode(images);
    CHECK(codes.sizes().slice(1).vec() == test.code_shape);
    CHECK(model->decode(codes).sizes() == torch::IntArrayRef({2, 3, 32, 32}));
    CHECK(model->first_layer_weights().sizes().vec() == test.weights_shape);
    const auto size = aebench::model_size(test.options);
    CHECK(size.parameters == aebench::count_parameters(*model));
    CHECK(size.code_size == codes.flatten(1).size(1));
  }
}

TEST_CASE("data.dataset decides the image shape models are built for") {
  const auto model_of = [](const char* dataset) {
    return aebench::config_from_json({{"data", {{"dataset", dataset}}}}, "t.json").model;
  };
  CHECK(model_of("mnist").image == aebench::ImageShape{1, 28, 28});
  CHECK(model_of("fashion-mnist").image == aebench::ImageShape{1, 28, 28});
  CHECK(model_of("cifar10").image == aebench::ImageShape{3, 32, 32});
  const auto dense = aebench::make_autoencoder(model_of("cifar10"));
  CHECK(aebench::count_parameters(*dense) ==
        2 * (3072 * 400 + 400 * 200 + 200 * 100) + 400 + 200 + 100 + 200 + 400 + 3072);
}

TEST_CASE("GELU's gradient is right whatever the memory layouts of its input and gradient") {
  // A conv decoder hands GELU a contiguous map and gets back a channels-last gradient; LibTorch
  // 1.13's own gelu then read its input wrongly.
  auto gelu = aebench::make_activation(aebench::Activation::kGelu);
  const auto input = torch::randn({3, 4, 6, 6});
  const auto incoming = torch::randn({3, 4, 6, 6});
  const auto cdf = 0.5 * (1.0 + torch::erf(input / std::sqrt(2.0)));
  const auto density = torch::exp(-0.5 * input * input) / std::sqrt(2.0 * M_PI);
  const auto expected = incoming * (cdf + input * density);
  for (const bool input_channels_last : {false, true})
    for (const bool gradient_channels_last : {false, true}) {
      INFO("input channels-last " << input_channels_last << ", gradient channels-last "
                                  << gradient_channels_last);
      const auto layout = [](const torch::Tensor& tensor, bool channels_last) {
        return channels_last ? tensor.contiguous(torch::MemoryFormat::ChannelsLast)
                             : tensor.clone();
      };
      auto x = layout(input, input_channels_last).requires_grad_(true);
      const auto y = gelu.forward(x);
      CHECK(torch::allclose(y, input * cdf, 1e-5, 1e-6));
      y.backward(layout(incoming, gradient_channels_last));
      CHECK(torch::allclose(x.grad(), expected, 1e-4, 1e-5));
    }
}
