#pragma once
// The stages that train, eval and probe share once a model exists: the test pass with its
// pictures, the summary.json every one of them writes, and the report refreshed after it.

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "aebench/analysis/probe.h"
#include "aebench/artefacts/artefacts.h"
#include "aebench/config/config.h"
#include "aebench/data/dataset.h"
#include "aebench/models/autoencoder.h"
#include "aebench/pipeline/run_context.h"
#include "aebench/train/metrics.h"

namespace aebench {

// Seeds of the fixed noise on validation and test inputs, derived from the config's seed so
// that every run (and `eval`) of one config sees the same corrupted images.
std::uint64_t val_noise_seed(std::uint64_t seed);
std::uint64_t test_noise_seed(std::uint64_t seed);
// Seeds of a variational model's sampled codes when its validation and test ELBO are scored.
std::uint64_t val_elbo_seed(std::uint64_t seed);
std::uint64_t test_elbo_seed(std::uint64_t seed);

// Inputs as the model sees them: the clean images corrupted with fixed-seed noise.
torch::Tensor fixed_noise_inputs(const torch::Tensor& clean, const NoiseOptions& noise,
                                 std::uint64_t seed, const torch::Device& device);

struct TestReport {
  ReconstructionMetrics metrics;
  nlohmann::json json;
  torch::Tensor inputs;  // the test images as the model sees them (noisy if denoising)
  Artefacts artefacts;   // reconstructions.png, bottleneck.png
};

// Test metrics of `test` (SSIM included), with the reconstructions and bottleneck pictures of
// its first images. `stop_point` runs between slices of 1000 images: it throws (Interrupted) to
// stop when a signal has come.
TestReport test_and_draw(AutoencoderImpl& model, const Split& test, const Config& config,
                         const RunContext& context, const std::function<void()>& stop_point);

// The config's model on the context's device, its weights drawn from the config's seed.
std::shared_ptr<AutoencoderImpl> build_model(const Config& config, const RunContext& context);

// The precision train.precision resolves to on the run's device ("fp32" | "bf16").
std::string training_precision_name(const Config& config, const RunContext& context);

// What every summary.json states: format and versions, name, device, threads, precision,
// parameters, split sizes and the resolved config.
nlohmann::json base_summary(const Config& config, const RunContext& context, const Dataset& data,
                            const AutoencoderImpl& model);

// FOLDER/summary.json, its keys in a reading order (results first, the config last).
void write_summary(const std::filesystem::path& folder, const nlohmann::json& summary);

// report.html from the run folder's files as they are now (after its last artefact).
void write_report(const std::filesystem::path& run_dir);

// run_probes, stopped by a signal between probe epochs; `next()` says what the run has written
// and how to go on, appended to the Interrupted error. Each probe/NAME.json names the model.pt
// it probed (`model_crc32`), so that a probe/ copied from another run is not shown as this one's.
ProbeReport probes_or_stop(AutoencoderImpl& model, const Dataset& data, const Config& config,
                           const RunContext& context, const std::string& model_crc32,
                           const std::function<std::string()>& next);

}  // namespace aebench
