// The config schema's tables for what is trained on: the top level, data, model, noise (the
// others: schema_tables_training.cpp). One entry per key, in reading order; docs/config.md is
// generated from these (`aebench config-docs`), so the docs text lives here.

#include "schema_tables.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "schema_builders.h"

namespace aebench {
namespace {

using namespace schema_builders;

// Caps that refuse absurd sizes before anything is allocated.
constexpr std::int64_t kMaxChannels = 1024;
constexpr std::int64_t kMaxSamples = 100000000;

const std::vector<std::string> kActivations = {"relu", "sigmoid", "tanh",  "leaky_relu",
                                               "elu",  "gelu",    "linear"};

std::string check_device(const Config&, const json& value) {
  const auto device = value.get<std::string>();
  if (device == "auto" || device == "cpu" || device == "cuda") return "";
  const std::string prefix = "cuda:";
  const bool indexed = device.rfind(prefix, 0) == 0 && device.size() > prefix.size() &&
                       std::all_of(device.begin() + prefix.size(), device.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
  return indexed ? "" : "expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\"";
}

bool is_dense(const Config& config) {
  return config.model.type == "dense";
}
// Dropout's place: the hidden layers of a dense model (conv layers have none).
bool has_dense_hidden_layers(const Config& config) {
  return config.model.type == "dense" && !config.model.dense.hidden.empty();
}
// Trained by gradient steps, not fitted in closed form (PCA).
bool is_trained(const Config& config) {
  return config.model.type != "pca";
}
bool is_conv(const Config& config) {
  return config.model.type == "conv";
}
bool is_gaussian(const Config& config) {
  return config.noise.type == "gaussian";
}

SectionSchema top_level() {
  SectionSchema top = plain_section("", "Top level", "");
  top.keys = {
      defaults_to(
          checked(
              resumable(on(
                  AEBENCH_FIELD(name),
                  key("name", ValueKind::kString,
                      "names the run and its default folder `runs/<name>`; a name that could "
                      "leave `runs/` (blank, `.`, `..`, `/`, `\\`, control characters) is refused, "
                      "not rewritten"))),
              [](const Config&, const json& value) { return check_run_name(value); }),
          "the config file's name without `.json`",
          [](const Config& config) { return json(config.name); }),
      on(AEBENCH_FIELD(seed), integer("seed", 0, std::numeric_limits<std::int64_t>::max(),
                                      "seeds weight init, shuffling, noise, subsets and splits")),
      section("data", "the dataset and its splits"),
      section("model", "the autoencoder"),
      section("noise", "input corruption for denoising autoencoders; `null` = none"),
      section("train", "the optimiser and the training loop"),
      section("pretrain", "greedy layer-wise pretraining; `null` = off"),
      resumable(section("probe", "classifiers on the codes; `null` = off")),
      resumable(section("analysis", "pictures and statistics of what the model learned")),
      resumable(section("output", "the run folder and its pictures")),
      checked(
          resumable(
              on(AEBENCH_FIELD(device),
                 key("device", ValueKind::kString,
                     "`auto` (CUDA when LibTorch sees a GPU, else CPU), `cpu`, `cuda`, `cuda:N`"))),
          check_device),
      resumable(on(AEBENCH_FIELD(threads),
                   integer("threads", 0, 1024,
                           "CPU threads for LibTorch and OpenBLAS; `0` = training "
                           "measures one thread against every core this process "
                           "may use (its CPU affinity) and keeps the faster; "
                           "eval, probe and PCA fits use every core"))),
      used_when(resumable(on(AEBENCH_FIELD(follow_load),
                             key("follow_load", ValueKind::kBoolean,
                                 "with `threads: 0`, a run that chose more than one thread gives "
                                 "threads back at an epoch's end while other processes keep the "
                                 "cores busy, and takes them back when they stop; `false` keeps "
                                 "the chosen count throughout (bit-identical reruns need "
                                 "`threads` N as well)"))),
                [](const Config& config) { return config.threads == 0; }),
      key("comment", ValueKind::kIgnored, "free text, ignored"),
      key("$schema", ValueKind::kIgnored, "ignored (for editors)"),
  };
  return top;
}

SectionSchema data_section() {
  SectionSchema data = plain_section("data", "`data`", "");
  data.notes =
      "Order of operations: class filter → limits → validation split. Test images keep the "
      "dataset's\norder, so \"the first ten test images\" are the canonical ones when no "
      "limit is set.";
  KeySchema classes = on(
      AEBENCH_FIELD(data.classes),
      integer_list("classes", 0, 9, "keep only these labels, e.g. `[0, 1, 2, 4, 7]` (distinct)"));
  classes.default_doc = "`null` (all ten)";
  classes.type_doc = "null or list of integers";
  classes.get = [](const Config& config) {
    return config.data.classes.empty() ? json(nullptr) : json(config.data.classes);
  };
  classes.set = [](Config& config, const json& value) {
    config.data.classes = value.is_null() ? std::vector<int>{} : value.get<std::vector<int>>();
  };
  classes.default_value = [](const Config&) { return json(nullptr); };
  classes.check = [](const Config&, const json& value) -> std::string {
    if (value.empty()) return "expected null or a non-empty list";
    for (const auto& label : value)
      if (std::count(value.begin(), value.end(), label) > 1) return "expected distinct labels";
    return "";
  };
  KeySchema val =
      key("val", ValueKind::kCustom,
          "validation split, used for early stopping, the probes and `val_*` metrics: a "
          "fraction in (0, 1) holds out that share of the training split, stratified by "
          "class and seeded, with at least one image of each class on both sides (a "
          "fraction that cannot give that is refused, naming the fractions and limits "
          "that would); `\"test\"` validates on the test split (then nothing may "
          "select on it: see the rules; the startup line and `summary.json` → "
          "`data.val_source` say so)");
  val.type_doc = "number or \"test\"";
  val.range_doc = "(0, 1) or `\"test\"`";
  val.get = [](const Config& config) {
    return config.data.val_fraction > 0 ? json(config.data.val_fraction) : json("test");
  };
  val.set = [](Config& config, const json& value) {
    config.data.val_fraction = value.is_string() ? 0.0 : value.get<double>();
  };
  val.default_value = [](const Config&) { return json(Config{}.data.val_fraction); };
  val.check = [](const Config&, const json& value) -> std::string {
    const bool fraction = value.is_number() && value.get<double>() > 0 && value.get<double>() < 1;
    return fraction || value == "test" ? "" : "expected \"test\" or a number in (0, 1)";
  };
  data.keys = {
      on(AEBENCH_FIELD(data.dataset),
         choice("dataset", {"mnist", "fashion-mnist", "cifar10"},
                "the dataset: `mnist`, `fashion-mnist` (1x28x28 grey) or `cifar10` "
                "(3x32x32 colour, the binary version: see docs/configs.md, \"CIFAR-10\")")),
      // Where the files are, not what they hold: a run trained where its data.dir was stored
      // relative, or whose data moved, may resume.
      resumable(defaults_to(
          checked(
              on(AEBENCH_FIELD(data.dir),
                 key("dir", ValueKind::kString,
                     "folder with the four IDX files (raw or `.gz`; `train-images-idx3-ubyte` or "
                     "`train-images.idx3-ubyte`), or for `cifar10` `data_batch_1.bin` .. "
                     "`data_batch_5.bin` and `test_batch.bin`. A relative folder is looked for "
                     "under the config file's folder and the one above it, then `$AEBENCH_DATA`, "
                     "the working folder and the installation's `share/aebench`; the run stores "
                     "the one it found")),
              check_path_text),
          "`\"data/<dataset>\"`",
          [](const Config& config) { return json("data/" + config.data.dataset); })),
      classes,
      val,
      null_when_zero(
          on(AEBENCH_FIELD(data.train_limit),
             integer("train_limit", 1, kMaxSamples,
                     "keep a stratified, seeded subset of this many training images (before the "
                     "validation split; at least one per class); `null` = all"))),
      null_when_zero(on(AEBENCH_FIELD(data.test_limit),
                        integer("test_limit", 1, kMaxSamples,
                                "the same for the test split (≥ `output.images`); `null` = all"))),
      null_when_zero(on(AEBENCH_FIELD(data.binarize),
                        number("binarize", 0.0, 1.0,
                               "binarised images (seed 003's binary MNIST): a pixel above this "
                               "threshold becomes 1, the rest 0, in every split, inputs and "
                               "targets alike; `null` = grey images",
                               true, true))),
  };
  return data;
}

SectionSchema model_section() {
  SectionSchema model = plain_section("model", "`model`", "");
  model.notes =
      "The conv decoder mirrors the encoder: for each stage in reverse, conv(channels) + "
      "activation +\n"
      "2x upsampling, then a conv to the image's channels (1 grey, 3 for CIFAR-10's RGB) with the\n"
      "output activation. With the defaults on MNIST this is exactly seed 002's part 2 network, "
      "whose\n"
      "8x7x7 bottleneck is pictured as 28x14. Keys that do not apply to `type` are checked but "
      "left\n"
      "out of the resolved config.";
  KeySchema latent = null_when_zero(
      on(AEBENCH_FIELD(model.latent),
         integer("latent", 1, kMaxLayerWidth,
                 "dense: width of the code layer; pca: components (at most the values per image: "
                 "784 for MNIST, 3072 for CIFAR-10); conv: optional dense "
                 "bottleneck of this size after the conv stages")));
  latent.default_doc = "dense and pca `100`, conv `null` (none)";
  latent.default_value = [](const Config& config) {
    return json(is_conv(config) ? 0 : Config{}.model.latent);
  };
  latent.check = [](const Config& config, const json& value) -> std::string {
    const std::int64_t values = dataset_image_shape(config.data.dataset).pixels();
    if (config.model.type == "pca" && value.get<std::int64_t>() > values)
      return "expected an integer in [1, " + std::to_string(values) + "] (the " +
             describe_image_shape(dataset_image_shape(config.data.dataset)) + " values of a " +
             config.data.dataset + " image)";
    return "";
  };
  model.keys = {
      on(AEBENCH_FIELD(model.type), choice("type", {"dense", "conv", "pca"},
                                           "`pca`: principal components of the training split, "
                                           "fitted exactly in double precision "
                                           "(only `latent` applies)")),
      applies_when(
          on(AEBENCH_FIELD(model.dense.hidden),
             integer_list(
                 "hidden", 1, kMaxLayerWidth,
                 "dense: encoder hidden widths; the decoder mirrors them (`[]` = a single-layer "
                 "autoencoder)")),
          is_dense),
      latent,
      used_when(on(AEBENCH_FIELD(model.activation),
                   choice("activation", kActivations, "of the hidden layers")),
                is_trained),
      applies_when(
          on(AEBENCH_FIELD(model.variational),
             key("variational", ValueKind::kBoolean,
                 "a variational autoencoder (Kingma & Welling 2014): the code layer gives the mean "
                 "and log-variance of a Gaussian per code unit; training decodes a sample "
                 "(reparameterised) and adds `train.beta` x KL(q(z|x) || N(0, I)) to the loss, "
                 "summed per image; the code (pictures, probes, `encode`) is the mean. dense, or "
                 "conv with a dense `latent`")),
          [](const Config& config) { return config.model.type != "pca"; }),
      used_when(
          defaults_to(
              on(AEBENCH_FIELD(model.latent_activation),
                 choice("latent_activation", kActivations,
                        "of the code layer (`linear` for an unconstrained code; a variational "
                        "model's must be `linear`)")),
              "same as `activation`; `linear` when `variational`",
              [](const Config& config) {
                return json(config.model.variational ? std::string("linear")
                                                     : config.model.activation);
              }),
          // A conv model has a code layer of its own only with a dense `latent`.
          [](const Config& config) {
            return is_trained(config) && (config.model.type != "conv" || config.model.latent > 0);
          }),
      used_when(on(AEBENCH_FIELD(model.output_activation),
                   choice("output_activation", {"sigmoid", "linear", "softmax"},
                          "of the reconstruction (`softmax`: over all values of the image, e.g. "
                          "MNIST's 784 pixels, as in seed 001)")),
                is_trained),
      applies_when(on(AEBENCH_FIELD(model.init),
                      choice("init", {"default", "xavier", "he"},
                             "weights of every linear and conv layer: `default` is LibTorch's "
                             "(as PyTorch), `xavier` Glorot uniform (Keras's default), `he` "
                             "Kaiming uniform for ReLU; with `xavier` and `he` biases start at 0")),
                   [](const Config& config) { return config.model.type != "pca"; }),
      used_when(on(AEBENCH_FIELD(model.dropout),
                   number("dropout", 0.0, 1.0,
                          "dropout probability after each hidden layer of a dense model (not "
                          "the code, not the output)",
                          false, true)),
                has_dense_hidden_layers),
      applies_when(
          on(AEBENCH_FIELD(model.batch_norm),
             key("batch_norm", ValueKind::kBoolean,
                 "batch normalisation (BatchNorm1d / BatchNorm2d) of every hidden layer's linear "
                 "map or convolution, before its activation; not the code layer, not the output. "
                 "Training batches then hold at least 2 images (a last batch of 1 joins the one "
                 "before it); tests use the running statistics")),
          [](const Config& config) { return config.model.type != "pca"; }),
      applies_when(
          checked(on(AEBENCH_FIELD(model.conv.channels),
                     integer_list(
                         "channels", 1, kMaxChannels,
                         "conv: feature maps per encoder stage (the image side must divide by "
                         "2^stages: 1 or 2 stages for MNIST's 28, 1 to 5 for CIFAR-10's 32); each "
                         "stage is conv + activation + 2x2 max-pool")),
                  [](const Config& config, const json& value) -> std::string {
                    const std::int64_t side = dataset_image_shape(config.data.dataset).height;
                    std::size_t most = 0;
                    while (side % (std::int64_t{2} << most) == 0) ++most;
                    if (!value.empty() && value.size() <= most) return "";
                    return "expected 1 " + std::string(most == 2 ? "or " : "to ") +
                           std::to_string(most) + " stages (" + std::to_string(side) +
                           " must divide by 2^stages)";
                  }),
          is_conv),
      applies_when(checked(on(AEBENCH_FIELD(model.conv.kernel),
                              integer("kernel", 1, 27, "conv: odd kernel size, \"same\" padding")),
                           [](const Config&, const json& value) {
                             return value.get<std::int64_t>() % 2 == 0
                                        ? "expected an odd kernel size"
                                        : "";
                           }),
                   is_conv),
      applies_when(
          on(AEBENCH_FIELD(model.conv.upsample),
             choice(
                 "upsample", {"nearest", "transposed"},
                 "conv decoder: 2x nearest-neighbour, or a learned 2x2 stride-2 transposed conv")),
          is_conv),
  };
  return model;
}

SectionSchema noise_section() {
  SectionSchema noise;
  noise.path = "noise";
  noise.title = "`noise` (denoising autoencoders)";
  noise.intro =
      "`null` (default) trains a plain autoencoder. An object with a `type` turns any model into "
      "a\n"
      "denoising one: the input is corrupted, the clean image is the target. Training batches get\n"
      "fresh noise every time; validation and test inputs get noise from a fixed seed (derived "
      "from\n"
      "`seed`), so their numbers are comparable across runs and with `aebench eval`. `std` and "
      "`clip`\n"
      "apply to `gaussian` only, `fraction` to the others; a key that does not apply is an error.";
  noise.optional = true;
  noise.strict = true;
  noise.required_key = "type";
  noise.enabled = [](const Config& config) { return config.noise.enabled(); };
  noise.enable = [](Config& config, bool on) { config.noise.type = on ? "gaussian" : "none"; };
  noise.keys = {
      defaults_to(
          on(AEBENCH_FIELD(noise.type),
             choice(
                 "type", {"gaussian", "masking", "salt_and_pepper"},
                 "`gaussian`: add `std` × N(0, 1) per pixel; `masking`: set each pixel to 0 with "
                 "probability `fraction`; `salt_and_pepper`: set it to 0 or 1 (equally likely) "
                 "with probability `fraction`")),
          "required", [](const Config&) { return json("gaussian"); }),
      applies_when(on(AEBENCH_FIELD(noise.std),
                      number("std", 0.0, 10.0,
                             "gaussian: standard deviation, pixel values in [0, 1]", true, false)),
                   is_gaussian),
      applies_when(on(AEBENCH_FIELD(noise.clip), key("clip", ValueKind::kBoolean,
                                                     "gaussian: clamp the noisy image to [0, 1]")),
                   is_gaussian),
      applies_when(
          on(AEBENCH_FIELD(noise.fraction),
             number("fraction", 0.0, 1.0, "masking, salt_and_pepper: share of pixels changed")),
          [](const Config& config) { return !is_gaussian(config); }),
  };
  return noise;
}

}  // namespace

std::vector<SectionSchema> make_config_sections() {
  return {top_level(),     data_section(),           model_section(),    noise_section(),
          train_section(), early_stopping_section(), schedule_section(), pretrain_section(),
          probe_section(), analysis_section(),       output_section()};
}

}  // namespace aebench
