#include "aebench/pipeline/preflight.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "aebench/analysis/analysis.h"
#include "aebench/data/shape_text.h"
#include "aebench/errors.h"
#include "aebench/models/autoencoder.h"
#include "aebench/train/metrics.h"
#include "aebench/train/precision.h"

namespace aebench {
namespace {

constexpr std::int64_t kFloatBytes = 4;
constexpr std::int64_t kDoubleBytes = 8;
constexpr std::int64_t kMaxClasses = 10;

std::string gibibytes(std::int64_t bytes) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(1) << double(bytes) / double(1LL << 30) << " GiB";
  return text.str();
}

// 1234567890 -> "1.2 G"
std::string count_text(std::int64_t count) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(1);
  if (count >= 1000000000)
    text << double(count) / 1e9 << " G";
  else if (count >= 1000000)
    text << double(count) / 1e6 << " M";
  else
    text << std::setprecision(0) << double(count);
  return text.str();
}

// Copies of the parameters the optimizer keeps (Adam's two moments, a momentum buffer...).
std::int64_t optimizer_copies(const TrainOptions& train) {
  if (train.optimizer == "adam") return 2;
  if (train.optimizer == "rmsprop") return train.momentum > 0 ? 2 : 1;
  return train.momentum > 0 ? 1 : 0;
}

// The probe's largest classifier (the MLP on the codes, or softmax on the pixels), trained
// with Adam and a copy of its best weights: five copies of its parameters.
std::int64_t probe_bytes(const ProbeOptions& probe, std::int64_t code_size, std::int64_t pixels) {
  if (!probe.enabled) return 0;
  std::int64_t parameters = 0, width = code_size;
  for (const auto units : probe.hidden) parameters += width * units + units, width = units;
  parameters += width * kMaxClasses + kMaxClasses;
  parameters = std::max(parameters, probe.pixels ? pixels * kMaxClasses + kMaxClasses : 0);
  return 5 * kFloatBytes * parameters;
}

// A limit in a cgroup (v2 or v1) file; 0 when there is none or it cannot be read.
std::int64_t cgroup_limit(const char* path) {
  std::ifstream file(path);
  std::int64_t bytes = 0;
  return file >> bytes ? bytes : 0;
}

}  // namespace

MemoryEstimate estimate_memory(const Config& config, std::int64_t train_images,
                               std::int64_t val_images, std::int64_t test_images) {
  const ModelSize size = model_size(config.model);
  const std::int64_t pixels = config.model.image.pixels();  // values per image
  MemoryEstimate estimate;
  estimate.parameters = size.parameters;
  // Weights, gradients, optimizer state, the best weights (early stopping), and the
  // checkpoint of all these serialised into memory and then wrapped with its checksum.
  const bool best = config.train.early_stopping.enabled && config.train.early_stopping.restore_best;
  const std::int64_t state_copies = 1 + optimizer_copies(config.train) + (best ? 1 : 0);
  estimate.model_bytes = kFloatBytes * size.parameters * (1 + 1 + state_copies + 2 * state_copies);
  // The splits as bytes (read and selected: two copies), validation and test images scaled to
  // floats (and their noisy copies), and the training images as floats where the whole split
  // is used at once (pretraining, a closed-form fit, the probes).
  const std::int64_t images = train_images + val_images + test_images;
  const bool whole_train_split =
      config.pretrain.enabled || model_kind(config.model.type).closed_form || config.probe.enabled;
  estimate.data_bytes =
      pixels * 2 * images + kFloatBytes * pixels *
                                ((val_images + test_images) * (config.noise.enabled() ? 2 : 1) +
                                 (whole_train_split ? train_images : 0));
  // A training batch keeps its layer outputs and their gradients; an evaluation batch only
  // its outputs, but of up to kEvalBatchSize images.
  const std::int64_t batch = std::min(config.train.batch_size, train_images);
  const std::int64_t eval_batch = std::min(kEvalBatchSize, std::max(val_images, test_images));
  estimate.activation_bytes = kFloatBytes * size.activations_per_image * (2 * batch + eval_batch);
  const auto plan = plan_embedding(config.analysis, test_images, size.code_size);
  const std::int64_t tsne = plan.tsne ? 3 * kDoubleBytes * plan.points * plan.points : 0;
  const std::int64_t pca_fit =
      model_kind(config.model.type).closed_form ? 2 * kDoubleBytes * pixels * train_images : 0;
  estimate.analysis_bytes =
      std::max({tsne, probe_bytes(config.probe, size.code_size, pixels), pca_fit});
  return estimate;
}

void check_memory(const MemoryEstimate& estimate, std::int64_t available_bytes) {
  if (available_bytes <= 0 || estimate.total() <= available_bytes) return;
  throw ConfigError(
      "model: needs about " + gibibytes(estimate.total()) + " (" + count_text(estimate.parameters) +
      " parameters: " + gibibytes(estimate.model_bytes) +
      " for weights, gradients, optimizer state and checkpoint copies; data " +
      gibibytes(estimate.data_bytes) + "; activations of a batch " +
      gibibytes(estimate.activation_bytes) + "; t-SNE, probe or PCA fit " +
      gibibytes(estimate.analysis_bytes) + "), this machine has " + gibibytes(available_bytes) +
      "; use a smaller model.hidden, model.channels, model.latent, train.batch_size, "
      "probe.hidden or analysis.embedding_points");
}

std::int64_t available_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  std::int64_t bytes = pages > 0 && page_size > 0 ? std::int64_t(pages) * page_size : 0;
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    const std::int64_t limit = cgroup_limit(path);
    if (limit > 0 && (bytes == 0 || limit < bytes)) bytes = limit;
  }
  return bytes;
}

std::vector<std::string> preflight(const Config& config, const Dataset& data,
                                   const RunContext& context) {
  // The model is built for the shape data.dataset names; the files must hold that shape.
  const ImageShape& expected = config.model.image;
  for (const Split* split : {&data.train, &data.test}) {
    const auto& images = split->images;
    if (images.dim() != 4 || images.size(1) != expected.channels ||
        images.size(2) != expected.height || images.size(3) != expected.width)
      throw DataError(config.data.dir + ": expected " + config.data.dataset + " images of " +
                      describe_image_shape(expected) + ", found images of shape " +
                      shape_text(images));
  }
  // On CUDA the model lives in device memory, which this estimate does not model.
  if (context.device.is_cpu())
    check_memory(estimate_memory(config, data.train.size(), data.val.size(), data.test.size()),
                 available_memory_bytes());
  if (model_kind(config.model.type).closed_form && data.train.size() < 2)
    throw ConfigError("model.type: \"pca\" needs at least 2 training images to fit, found " +
                      std::to_string(data.train.size()) + "; use a larger data.train_limit");
  if (config.train.precision == "bf16" && context.device.is_cpu() &&
      !model_kind(config.model.type).closed_form)
    require_cpu_runs_bf16("train.precision");
  if (config.model.batch_norm && data.train.size() < 2)
    throw ConfigError(
        "model.batch_norm: needs at least 2 training images to normalise a batch, found " +
        std::to_string(data.train.size()) + "; use a larger data.train_limit");
  std::vector<std::string> notes =
      plan_embedding(config.analysis, data.test.size(), model_size(config.model).code_size).notes;
  for (const auto& key : config.ignored_keys)
    notes.push_back(key +
                    ": given, but it has no effect on this config (docs/config.md says "
                    "when it has), so it is ignored");
  if (std::string cap = thread_cap_note(config, context); !cap.empty())
    notes.push_back(std::move(cap));
  return notes;
}

std::string thread_cap_note(const Config& config, const RunContext& context) {
  return context.device.is_cpu() ? thread_cap_note(config.threads, context.threads) : "";
}

std::string thread_cap_note(std::int64_t asked, std::int64_t runs_with) {
  if (asked <= runs_with) return "";
  return "threads " + std::to_string(asked) + ": capped to " + std::to_string(runs_with) +
         ", the cores this process may run on (more threads only wait for each other)";
}

std::string validation_source(const DataOptions& data) {
  if (data.val_fraction <= 0) return "test split";
  std::ostringstream text;
  text << "held out from train (" << data.val_fraction * 100 << " %)";
  return text.str();
}

}  // namespace aebench
