// The config schema's tables for how a run trains and what it writes: train, early stopping,
// pretrain, probe, analysis, output, and the rules between keys.

#include <cstdint>
#include <sstream>

#include "schema_builders.h"
#include "schema_tables.h"

namespace aebench {

using namespace schema_builders;

namespace {

constexpr std::int64_t kMaxEpochs = 1000000;
constexpr std::int64_t kMaxBatchSize = 1 << 20;
constexpr std::int64_t kMaxImages = 100;
constexpr std::int64_t kMaxAugmentShift = 8;  // a third of MNIST's side: more moves digits out

bool draws_tsne(const Config& config) {
  return config.analysis.embedding == "tsne" || config.analysis.embedding == "both";
}

}  // namespace

SectionSchema train_section() {
  SectionSchema train = plain_section("train", "`train`", "");
  // PCA is fitted in closed form: nothing of training applies to it.
  train.used = [](const Config& config) { return config.model.type != "pca"; };
  train.notes =
      "The training loss in `metrics.csv` includes the activity penalties; validation and test\n"
      "numbers are pure reconstruction error.";
  train.keys = {
      resumable(on(AEBENCH_FIELD(train.epochs),
                   integer("epochs", 1, kMaxEpochs, "passes over the training split"))),
      on(AEBENCH_FIELD(train.batch_size),
         integer("batch_size", 1, kMaxBatchSize,
                 "images per step; the last batch of an epoch may be smaller")),
      on(AEBENCH_FIELD(train.optimizer),
         choice("optimizer", {"adam", "sgd", "rmsprop"}, "the optimiser")),
      on(AEBENCH_FIELD(train.lr), number("lr", 0.0, 100.0, "learning rate", true, false)),
      // PyTorch's and Keras's defaults: momentum for SGD is customary, RMSprop's is off.
      used_when(defaults_to(on(AEBENCH_FIELD(train.momentum),
                               number("momentum", 0.0, 1.0, "for sgd and rmsprop (adam has none)",
                                      false, true)),
                            "sgd `0.9`, rmsprop `0`",
                            [](const Config& config) {
                              return json(config.train.optimizer == "rmsprop" ? 0.0 : 0.9);
                            }),
                [](const Config& config) { return config.train.optimizer != "adam"; }),
      on(AEBENCH_FIELD(train.weight_decay),
         number("weight_decay", 0.0, 100.0, "L2 penalty applied by the optimizer")),
      on(AEBENCH_FIELD(train.loss),
         choice("loss", {"mse", "bce"}, "per pixel; `bce` needs a sigmoid or softmax output")),
      on(AEBENCH_FIELD(train.precision),
         choice("precision", {"auto", "fp32", "bf16"},
                "of the training forward passes: `bf16` runs linear layers and convolutions in "
                "bfloat16 (autocast; weights, gradients, loss and optimizer stay float32); "
                "`auto` is `bf16` on a CPU that multiplies bfloat16 natively (avx512_bf16, "
                "amx_bf16), else `fp32` (and `fp32` on CUDA). Validation, test and the "
                "analyses run in float32. summary.json `precision` says which ran")),
      on(AEBENCH_FIELD(train.activity_l1), number("activity_l1", 0.0, 1e6,
                                                  "L1 activity penalty on the code: adds λ × mean "
                                                  "over images of Σ\\|code\\| to the training "
                                                  "loss (seed 003)")),
      on(AEBENCH_FIELD(train.activity_l2),
         number("activity_l2", 0.0, 1e6,
                "L2 activity penalty: adds λ × mean over images of Σ code²")),
      applies_when(on(AEBENCH_FIELD(train.beta),
                      number("beta", 0.0, 1e6,
                             "variational models: the weight of the KL term (1: the evidence "
                             "lower bound; other values: a β-VAE)")),
                   [](const Config& config) { return config.model.variational; }),
      applies_when(on(AEBENCH_FIELD(train.kl_warmup_epochs),
                      integer("kl_warmup_epochs", 0, 1000000,
                              "variational models: the KL weight rises linearly over this many "
                              "epochs, epoch e training with beta × min(1, e / kl_warmup_epochs); "
                              "0 = beta from the start")),
                   [](const Config& config) { return config.model.variational; }),
      null_when_zero(on(AEBENCH_FIELD(train.clip_grad_norm),
                        number("clip_grad_norm", 0.0, 1e6,
                               "rescale the gradients of each step so that their global L2 norm "
                               "is at most this; `null` = off",
                               true, false))),
      on(AEBENCH_FIELD(train.augment_shift),
         integer("augment_shift", 0, kMaxAugmentShift,
                 "data augmentation: each training step moves every image of its batch by its "
                 "own random whole-pixel offset, drawn from -n..n down and across (the border "
                 "filled with 0), input and target alike; validation and test images, and "
                 "pretraining, are never shifted. `0` = off")),
      resumable(
          section("early_stopping", "stop when the validation loss stops improving; `null` = off")),
      section("schedule", "the learning rate per epoch; `null` = constant `lr`"),
  };
  return train;
}

namespace {

bool schedule_is(const Config& config, const char* type) {
  return config.train.schedule.type == type;
}

}  // namespace

SectionSchema schedule_section() {
  SectionSchema schedule = optional_section(
      "train.schedule", "`train.schedule` (learning-rate schedule)",
      "`null` (default: `lr` throughout) or an object. The rate changes between epochs, never "
      "within one;\n"
      "`metrics.csv` records each epoch's `lr`, and an exact resume continues the schedule "
      "(plateau state\n"
      "included). `plateau` needs a held-out validation split (`data.val` a fraction).",
      AEBENCH_FIELD(train.schedule.enabled));
  schedule.strict = true;  // a key the chosen type ignores is refused, not silently kept
  schedule.keys = {
      on(AEBENCH_FIELD(train.schedule.type),
         choice("type", {"constant", "step", "cosine", "plateau", "onecycle"},
                "`step`: × `gamma` every `step_size` epochs; `cosine`: from `lr` down towards "
                "`min_lr` (PyTorch's CosineAnnealingLR); `plateau`: × `factor` after `patience` "
                "epochs without a lower validation loss; `onecycle`: `lr`/25 up to `lr` over "
                "the first 30 % of the epochs, then down to `lr`/25/10⁴ (PyTorch's OneCycleLR "
                "defaults)")),
      applies_when(on(AEBENCH_FIELD(train.schedule.step_size),
                      integer("step_size", 1, kMaxEpochs, "step: epochs between cuts")),
                   [](const Config& config) { return schedule_is(config, "step"); }),
      applies_when(on(AEBENCH_FIELD(train.schedule.gamma),
                      number("gamma", 0.0, 1.0, "step: the factor of each cut", true, false)),
                   [](const Config& config) { return schedule_is(config, "step"); }),
      applies_when(on(AEBENCH_FIELD(train.schedule.warmup_epochs),
                      integer("warmup_epochs", 0, kMaxEpochs,
                              "linear warm-up first: epoch e of the warm-up trains at "
                              "`lr` × e / (`warmup_epochs` + 1)")),
                   [](const Config& config) {
                     return !schedule_is(config, "onecycle") && !schedule_is(config, "constant");
                   }),
      applies_when(on(AEBENCH_FIELD(train.schedule.min_lr),
                      number("min_lr", 0.0, 100.0,
                             "cosine: the rate it falls towards; plateau: the lowest rate")),
                   [](const Config& config) {
                     return schedule_is(config, "cosine") || schedule_is(config, "plateau");
                   }),
      applies_when(on(AEBENCH_FIELD(train.schedule.factor),
                      number("factor", 0.0, 1.0, "plateau: the factor of each cut", true, true)),
                   [](const Config& config) { return schedule_is(config, "plateau"); }),
      applies_when(on(AEBENCH_FIELD(train.schedule.patience),
                      integer("patience", 1, kMaxEpochs,
                              "plateau: epochs without a lower validation loss before a cut")),
                   [](const Config& config) { return schedule_is(config, "plateau"); }),
  };
  return schedule;
}

SectionSchema early_stopping_section() {
  SectionSchema early = optional_section(
      "train.early_stopping", "`train.early_stopping`",
      "`null` (default) or an object: stop after `patience` epochs whose validation loss did not\n"
      "improve by more than `min_delta`. Needs a held-out validation split (`data.val` a "
      "fraction).",
      AEBENCH_FIELD(train.early_stopping.enabled));
  early.keys = {
      on(AEBENCH_FIELD(train.early_stopping.patience),
         integer("patience", 1, kMaxEpochs, "epochs without improvement before stopping")),
      on(AEBENCH_FIELD(train.early_stopping.min_delta),
         number("min_delta", 0.0, 1e9, "an improvement smaller than this does not count")),
      on(AEBENCH_FIELD(train.early_stopping.restore_best),
         key("restore_best", ValueKind::kBoolean, "test and save the best epoch's weights")),
  };
  return early;
}

SectionSchema pretrain_section() {
  SectionSchema pretrain = optional_section(
      "pretrain", "`pretrain` (greedy layer-wise pretraining, dense models)",
      "`null` (default) or an object. Each encoder layer and its mirrored decoder layer are first\n"
      "trained as a shallow autoencoder on the codes of the layers below (the first on the "
      "images,\n"
      "with `train.loss`; deeper ones with MSE), in place; then the whole stack is fine-tuned by\n"
      "`train`. The per-stage losses go to `summary.json` under `pretraining`.",
      AEBENCH_FIELD(pretrain.enabled));
  pretrain.keys = {
      on(AEBENCH_FIELD(pretrain.epochs), integer("epochs", 1, kMaxEpochs, "epochs per stage")),
      on(AEBENCH_FIELD(pretrain.lr),
         number("lr", 0.0, 100.0, "Adam learning rate of the stages", true, false)),
      on(AEBENCH_FIELD(pretrain.batch_size),
         integer("batch_size", 1, kMaxBatchSize, "images per step")),
  };
  return pretrain;
}

SectionSchema probe_section() {
  SectionSchema probe = optional_section(
      "probe", "`probe` (classifiers on the codes)",
      "`null` (default) or an object; `aebench probe RUN_DIR [--set probe.KEY=VALUE]` runs it "
      "later on\n"
      "a finished run. Train, validation and test images are encoded, the codes standardised with "
      "the\n"
      "training codes' statistics, and three classifiers trained with early stopping on the\n"
      "validation loss (so `data.val` must be a held-out fraction): `softmax` (softmax regression "
      "on\n"
      "the codes), `mlp` (on the codes) and `pixels` (softmax regression on the raw pixels, the\n"
      "baseline). Accuracies, per-class precision / recall / F1 / support and confusion matrices "
      "go\n"
      "to `RUN_DIR/probe/` (JSON and a labelled heat map per classifier) and `summary.json` under\n"
      "`probe`.",
      AEBENCH_FIELD(probe.enabled));
  probe.keys = {
      on(AEBENCH_FIELD(probe.hidden),
         integer_list("hidden", 1, kMaxLayerWidth,
                      "the MLP's hidden widths (ReLU), e.g. seed 000's `[512, 512, 512]`, `[512, "
                      "256, 128, 64]`; `[]` = none, which makes `mlp` the same classifier as "
                      "`softmax`")),
      on(AEBENCH_FIELD(probe.epochs), integer("epochs", 1, kMaxEpochs, "at most")),
      on(AEBENCH_FIELD(probe.patience),
         integer("patience", 1, kMaxEpochs,
                 "epochs without a lower validation loss before stopping")),
      on(AEBENCH_FIELD(probe.batch_size),
         integer("batch_size", 1, kMaxBatchSize, "codes per step")),
      on(AEBENCH_FIELD(probe.lr), number("lr", 0.0, 100.0, "Adam learning rate", true, false)),
      on(AEBENCH_FIELD(probe.loss),
         choice("loss", {"cross_entropy", "center"},
                "`center`: cross entropy plus center loss on the penultimate features (seed 001)")),
      on(AEBENCH_FIELD(probe.center_weight),
         number("center_weight", 0.0, 1e6, "weight of the center-loss term")),
      on(AEBENCH_FIELD(probe.pixels),
         key("pixels", ValueKind::kBoolean, "also train the raw-pixel baseline")),
  };
  return probe;
}

SectionSchema analysis_section() {
  SectionSchema analysis = plain_section(
      "analysis", "`analysis`",
      "Always on; writes `weights.png` (first-layer weights or filters; PCA's components, the\n"
      "\"eigen-digits\"), `embedding.png` and the `analysis` object of `summary.json` (per layer:\n"
      "units, mean activation and sparseness).");
  analysis.keys = {
      on(AEBENCH_FIELD(analysis.embedding),
         choice(
             "embedding", {"none", "tsne", "pca", "both"},
             "2-D maps of the test codes coloured by class (`both`: side by side). The default is "
             "the "
             "cheap PCA map; ask for t-SNE explicitly (it takes seconds to minutes). A 1-D code "
             "has "
             "no PCA map: its panel shows the code's value by class. t-SNE needs 4 test images, "
             "PCA "
             "2; a map the test split is too small for is left out, with a note on stderr and in "
             "`summary.json` → `analysis.embedding.notes`")),
      used_when(on(AEBENCH_FIELD(analysis.embedding_points),
                   integer("embedding_points", 10, 10000,
                           "test images mapped (a stratified subset; exact t-SNE is O(n²))")),
                [](const Config& config) { return config.analysis.embedding != "none"; }),
      used_when(on(AEBENCH_FIELD(analysis.perplexity),
                   number("perplexity", 1.0, 1000.0, "t-SNE perplexity (clamped to (n-1)/3)")),
                draws_tsne),
      used_when(on(AEBENCH_FIELD(analysis.tsne_iterations),
                   integer("tsne_iterations", 10, 100000, "t-SNE iterations")),
                draws_tsne),
      on(AEBENCH_FIELD(analysis.weight_units),
         integer("weight_units", 1, 1024,
                 "units (or filters, or components) pictured in `weights.png`")),
      on(AEBENCH_FIELD(analysis.sparsity_threshold),
         number("sparsity_threshold", -1e6, 1e6,
                "sparseness = fraction of a layer's units whose activation is below this, averaged "
                "over "
                "test images (seed 003's table)")),
  };
  return analysis;
}

SectionSchema output_section() {
  SectionSchema output = plain_section("output", "`output`", "");
  output.keys = {
      defaults_to(
          checked(
              on(AEBENCH_FIELD(output.dir),
                 key("dir", ValueKind::kString,
                     "the run folder; taken as given (absolute, or relative to the working folder, "
                     "`..` allowed: `--out DIR` sets it), but without control characters")),
              check_path_text),
          "`\"runs/<name>\"`", [](const Config& config) { return json("runs/" + config.name); }),
      on(AEBENCH_FIELD(output.images),
         integer("images", 1, kMaxImages, "how many test images the pictures show")),
      // PCA is fitted in closed form, in one step: it writes no checkpoint.
      used_when(on(AEBENCH_FIELD(output.checkpoint_minutes),
                   number("checkpoint_minutes", 0.0, 1e6,
                          "besides the checkpoint after every epoch, also write one every this "
                          "many minutes within an epoch; `0` or `null` = epochs only (not for "
                          "`pca`, which writes no checkpoint)")),
                [](const Config& config) { return config.model.type != "pca"; }),
  };
  return output;
}

std::vector<RuleSchema> make_config_rules() {
  const std::string use_fraction = "use a held-out fraction such as \"val\": 0.1";
  return {
      {"`train.loss` `\"bce\"` needs `model.output_activation` `\"sigmoid\"` or `\"softmax\"`",
       [](const Config& config) -> std::string {
         const auto& output = config.model.output_activation;
         if (config.train.loss != "bce" || output == "sigmoid" || output == "softmax") return "";
         return "train.loss: \"bce\" needs model.output_activation \"sigmoid\" or \"softmax\", "
                "found \"" +
                output + "\"";
       }},
      {"`train.schedule.min_lr` is at most `train.lr` (the rate falls to it, never rises)",
       [](const Config& config) -> std::string {
         const auto& schedule = config.train.schedule;
         if (!schedule.enabled || (schedule.type != "cosine" && schedule.type != "plateau") ||
             schedule.min_lr <= config.train.lr)
           return "";
         std::ostringstream text;
         text << "train.schedule.min_lr: expected at most train.lr (" << config.train.lr << ": the "
              << schedule.type << " schedule lowers the rate to min_lr), found " << schedule.min_lr;
         return text.str();
       }},
      {"`pretrain` needs `model.type` `\"dense\"`",
       [](const Config& config) -> std::string {
         if (!config.pretrain.enabled || config.model.type == "dense") return "";
         return "pretrain: layer-wise pretraining needs model.type \"dense\", found \"" +
                config.model.type + "\"";
       }},
      {"`model.variational` needs a dense code: `model.type` `\"dense\"`, or `\"conv\"` with "
       "`model.latent`",
       [](const Config& config) -> std::string {
         if (!config.model.variational || config.model.type != "conv" || config.model.latent > 0)
           return "";
         return "model.variational: a conv model needs a dense bottleneck for its Gaussian code, "
                "expected model.latent set, found null";
       }},
      {"`model.variational` needs `model.latent_activation` `\"linear\"` (a mean and a "
       "log-variance are unbounded)",
       [](const Config& config) -> std::string {
         if (!config.model.variational || config.model.latent_activation == "linear") return "";
         return "model.latent_activation: a variational model's code layer gives a mean and a "
                "log-variance, expected \"linear\", found \"" +
                config.model.latent_activation + "\"";
       }},
      {"`pretrain` needs a model that is not `variational`",
       [](const Config& config) -> std::string {
         if (!config.pretrain.enabled || !config.model.variational) return "";
         return "pretrain: layer-wise pretraining trains plain autoencoder stages, expected "
                "model.variational false, found true";
       }},
      {"`pretrain` needs `model.batch_norm` off",
       [](const Config& config) -> std::string {
         if (!config.pretrain.enabled || !config.model.batch_norm) return "";
         return "pretrain: layer-wise pretraining trains the linear layers alone, expected "
                "model.batch_norm false, found true";
       }},
      {"`model.batch_norm` needs `train.batch_size` ≥ 2",
       [](const Config& config) -> std::string {
         if (!config.model.batch_norm || config.train.batch_size >= 2) return "";
         return "train.batch_size: model.batch_norm needs batches of at least 2 images, found " +
                std::to_string(config.train.batch_size);
       }},
      {"`output.images` ≤ `data.test_limit` when a test limit is set",
       [](const Config& config) -> std::string {
         if (config.data.test_limit == 0 || config.data.test_limit >= config.output.images)
           return "";
         return "output.images: expected at most data.test_limit (" +
                std::to_string(config.data.test_limit) + ") images, found " +
                std::to_string(config.output.images);
       }},
      {"`data.val` `\"test\"` cannot drive `train.early_stopping`: it would select the epoch on "
       "the "
       "test split",
       [use_fraction](const Config& config) -> std::string {
         if (config.data.val_fraction > 0 || !config.train.early_stopping.enabled) return "";
         return "data.val: \"test\" cannot drive train.early_stopping: early stopping would select "
                "on the test split; " +
                use_fraction;
       }},
      {"`data.val` `\"test\"` cannot drive a `plateau` schedule: it would tune the rate on the "
       "test split",
       [use_fraction](const Config& config) -> std::string {
         if (config.data.val_fraction > 0 || !config.train.schedule.enabled ||
             config.train.schedule.type != "plateau")
           return "";
         return "data.val: \"test\" cannot drive train.schedule \"plateau\": the schedule would "
                "tune the learning rate on the test split; " +
                use_fraction;
       }},
      {"`data.val` `\"test\"` cannot drive `probe`: the probes early-stop on the validation split",
       [use_fraction](const Config& config) -> std::string {
         if (config.data.val_fraction > 0 || !config.probe.enabled) return "";
         return "data.val: \"test\" cannot drive probe: the probes early-stop on the validation "
                "split and would select on the test split; " +
                use_fraction;
       }},
  };
}

}  // namespace aebench
