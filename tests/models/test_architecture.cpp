#include <set>

#include "aebench/models/architecture.h"
#include "support/catch.h"

using aebench::ModelOptions;

namespace {

// Variants that between them build every layer kind and activation the models use.
std::vector<ModelOptions> model_variants() {
  std::vector<ModelOptions> variants;
  ModelOptions dense;
  dense.dense.hidden = {16, 8};
  dense.latent = 4;
  dense.batch_norm = true;
  dense.dropout = 0.1;
  for (const char* activation : {"relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu"}) {
    dense.activation = activation;
    variants.push_back(dense);
  }
  dense.latent_activation = "linear";
  dense.output_activation = "softmax";
  variants.push_back(dense);
  ModelOptions conv;
  conv.type = "conv";
  conv.latent = 0;
  conv.conv.channels = {4, 2};
  conv.batch_norm = true;
  variants.push_back(conv);
  conv.latent = 5;
  conv.conv.upsample = "transposed";
  variants.push_back(conv);
  conv.variational = true;
  conv.latent_activation = "linear";
  variants.push_back(conv);
  ModelOptions pca;
  pca.type = "pca";
  pca.latent = 3;
  variants.push_back(pca);
  return variants;
}

}  // namespace

TEST_CASE("every model's layers name only tensors of its state dict and use each weight") {
  const std::set<std::string> known_ops = {"flatten",
                                           "unflatten",
                                           "linear",
                                           "batch_norm",
                                           "conv2d",
                                           "conv_transpose2d",
                                           "max_pool2d",
                                           "upsample_nearest",
                                           "dropout",
                                           "relu",
                                           "sigmoid",
                                           "tanh",
                                           "identity",
                                           "gelu",
                                           "leaky_relu",
                                           "elu",
                                           "softmax_over_pixels",
                                           "gaussian_mean",
                                           "pca_project",
                                           "pca_reconstruct"};
  std::set<std::string> ops_seen;
  for (const auto& options : model_variants()) {
    INFO(options.type << " " << options.activation << " " << options.output_activation);
    const auto model = aebench::make_autoencoder(options);
    const auto architecture = aebench::describe_architecture(*model);
    const auto tensors = aebench::state_dict(*model);
    CHECK(architecture["code_shape"] == nlohmann::json(model->code_shape()));
    std::set<std::string> read;
    for (const char* part : {"encoder", "decoder"})
      for (const auto& layer : architecture[part]) {
        const std::string op = layer["op"];
        CHECK(known_ops.count(op) == 1);
        ops_seen.insert(op);
        for (const auto& item : layer.items())
          if (item.key() != "op" && item.value().is_string()) {
            const std::string name = item.value();
            CHECK(tensors.contains(name));
            read.insert(name);
          }
      }
    for (const auto& parameter : model->named_parameters()) CHECK(read.count(parameter.key()) == 1);
  }
  CHECK(ops_seen == known_ops);  // the variants exercise every op described
}

TEST_CASE("a state dict survives PyTorch's pickle format with every tensor's values and type") {
  for (const auto& options : model_variants()) {
    const auto model = aebench::make_autoencoder(options);
    const auto tensors = aebench::state_dict(*model);
    const auto bytes = torch::pickle_save(torch::IValue(tensors));
    const auto loaded = torch::pickle_load(bytes).toGenericDict();
    REQUIRE(loaded.size() == tensors.size());
    for (const auto& item : tensors) {
      INFO(item.key());
      const auto copy = loaded.at(item.key()).toTensor();
      CHECK(copy.scalar_type() == item.value().scalar_type());
      CHECK(torch::equal(copy, item.value()));
    }
  }
}

TEST_CASE(
    "a variational model's code is the mean of its Gaussian, and its KL term is the formula's") {
  for (const char* type : {"dense", "conv"}) {
    INFO(type);
    ModelOptions options;
    options.type = type;
    options.latent = 3;
    options.variational = true;
    options.latent_activation = "linear";
    options.conv.channels = {4};
    const auto model = aebench::make_autoencoder(options);
    model->eval();
    REQUIRE(model->is_variational());
    const auto images = torch::rand({5, 1, 28, 28});
    const auto gaussian = model->encode_gaussian(images);
    CHECK(gaussian.mean.sizes() == torch::IntArrayRef({5, 3}));
    CHECK(gaussian.log_variance.sizes() == torch::IntArrayRef({5, 3}));
    CHECK(torch::equal(model->encode(images), gaussian.mean));
    CHECK(model->code_shape() == std::vector<std::int64_t>{3});
    // The layers end in the means: what an export computes is the code.
    CHECK(aebench::describe_architecture(*model)["encoder"].back()["op"] == "gaussian_mean");
    const auto size = aebench::model_size(options);
    CHECK(size.parameters == aebench::count_parameters(*model));
  }
  // KL(N(m, s^2) || N(0, 1)) = (s^2 + m^2 - 1 - log s^2) / 2 per unit, summed.
  const aebench::GaussianCode code{torch::tensor({{0.0, 1.0}, {2.0, -1.0}}),
                                   torch::tensor({{0.0, 0.0}, {std::log(4.0), std::log(0.25)}})};
  const auto kl = aebench::kl_per_image(code);
  CHECK(kl[0].item<double>() == Approx(0.5));
  CHECK(kl[1].item<double>() ==
        Approx(0.5 * (4 + 4 - 1 - std::log(4.0)) + 0.5 * (0.25 + 1 - 1 - std::log(0.25))));
  ModelOptions plain;
  CHECK_THROWS_AS(aebench::make_autoencoder(plain)->encode_gaussian(torch::rand({1, 1, 28, 28})),
                  std::logic_error);
}
