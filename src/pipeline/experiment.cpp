#include "aebench/pipeline/experiment.h"

#include <algorithm>
#include <chrono>
#include <sstream>

#include "aebench/errors.h"

#include "aebench/analysis/analysis.h"
#include "aebench/train/checkpoint.h"
#include "aebench/data/dataset.h"
#include "aebench/plot/figures.h"
#include "aebench/train/metrics.h"
#include "aebench/data/noise.h"
#include "aebench/models/pca_autoencoder.h"
#include "aebench/train/pretraining.h"
#include "aebench/analysis/probe.h"
#include "aebench/analysis/ssim.h"
#include "aebench/plot/png.h"
#include "aebench/pipeline/preflight.h"
#include "aebench/pipeline/run_context.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stop_signal.h"
#include "aebench/train/trainer.h"
#include "aebench/version.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;

// Seeds of the fixed noise on validation and test inputs, derived from the config's seed so
// that every run (and `eval`) of one config sees the same corrupted images.
std::uint64_t val_noise_seed(std::uint64_t seed) { return seed * 2 + 1000003; }
std::uint64_t test_noise_seed(std::uint64_t seed) { return seed * 2 + 1000004; }

// Inputs as the model sees them: the clean images corrupted with fixed-seed noise.
torch::Tensor fixed_noise_inputs(const torch::Tensor& clean, const NoiseOptions& noise,
                                 std::uint64_t seed, const torch::Device& device) {
  return add_noise(clean.to(torch::kCPU), noise, make_cpu_generator(seed)).to(device);
}

std::string describe_split_sizes(const Dataset& data, const DataOptions& options) {
  std::ostringstream text;
  text << "data: " << data.train.size() << " train, ";
  if (options.val_fraction > 0)
    text << data.val.size() << " validation " << validation_source(options) << ", ";
  text << data.test.size() << " test images";
  if (options.val_fraction <= 0)
    text << "; validation = the test split (data.val \"test\"): do not read it as a held-out score";
  return text.str();
}

struct TestReport {
  ReconstructionMetrics metrics;
  nlohmann::json json;
  torch::Tensor inputs;  // the test images as the model sees them (noisy if denoising)
};

double mean_test_ssim(AutoencoderImpl& model, const torch::Tensor& inputs, const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  model.eval();
  double sum = 0;
  for (std::int64_t start = 0; start < inputs.size(0); start += kEvalBatchSize) {
    const auto length = std::min(kEvalBatchSize, inputs.size(0) - start);
    sum += ssim_per_image(model.forward(inputs.narrow(0, start, length)), targets.narrow(0, start, length))
               .sum().item<double>();
  }
  return sum / double(inputs.size(0));
}

// Test metrics, reconstructions.png and bottleneck.png into `folder`.
TestReport test_and_draw(AutoencoderImpl& model, const Split& test, const Config& config,
                         const RunContext& context, const fs::path& folder) {
  const auto inputs = fixed_noise_inputs(test.images, config.noise, test_noise_seed(config.seed),
                                         context.device);
  const auto targets = test.images.to(context.device);
  TestReport report;
  report.metrics = evaluate_reconstruction(model, inputs, targets);
  report.inputs = inputs;

  const std::int64_t shown = std::min<std::int64_t>(config.output.images, test.size());
  torch::NoGradGuard no_grad;
  const auto shown_inputs = inputs.narrow(0, 0, shown);
  const auto codes = model.encode(shown_inputs);
  const auto reconstructions = model.decode(codes);
  std::vector<std::string> labels;
  for (std::int64_t i = 0; i < shown; ++i)
    labels.push_back(std::to_string(test.labels[i].item<std::int64_t>()));

  std::vector<ImageRow> rows = {{"original", test.images.narrow(0, 0, shown)}};
  if (config.noise.enabled()) rows.push_back({"noisy input", shown_inputs});
  rows.push_back({"reconstruction", reconstructions.clamp(0.0, 1.0)});
  write_png(folder / kReconstructionsFile,
            draw_image_grid(rows, labels, {config.name + ": first test images", 3, 4, false}));

  std::vector<torch::Tensor> pictures;
  for (std::int64_t i = 0; i < shown; ++i) pictures.push_back(code_as_picture(codes[i]));
  const auto stacked = torch::stack(pictures);
  const int side = int(std::max(stacked.size(1), stacked.size(2)));
  const std::string shape = std::to_string(stacked.size(1)) + "x" + std::to_string(stacked.size(2));
  write_png(folder / kBottleneckFile,
            draw_image_grid({{"code " + shape, stacked}}, labels,
                            {config.name + ": bottleneck codes (each scaled to its own range)",
                             std::max(1, 84 / side), 4, true}));
  report.json = to_json(report.metrics);
  report.json["ssim"] = mean_test_ssim(model, inputs, targets);
  return report;
}

nlohmann::json base_summary(const Config& config, const RunContext& context, const Dataset& data,
                            const AutoencoderImpl& model) {
  return {{"format_version", kRunFormatVersion},
          {"aebench_version", kVersion},
          {"torch_version", torch_version()},
          {"name", config.name},
          {"device", device_name(context.device)},
          {"threads", context.threads},
          {"parameters", count_parameters(model)},
          {"data", {{"train", data.train.size()},
                    {"val", data.val.size()},
                    {"test", data.test.size()},
                    {"val_source", validation_source(config.data)}}},
          {"config", config_to_json(config)}};
}

// Refuses to resume when there is nothing to resume or the config changes what the
// checkpoint was trained with (anything outside kResumableKeys).
void check_resumable(const fs::path& folder, const nlohmann::json& resolved) {
  const fs::path checkpoint = folder / kCheckpointFile;
  if (!fs::exists(checkpoint))
    throw ConfigError("--resume: expected a checkpoint in " + folder.string() + ", found none");
  const nlohmann::json saved = read_checkpoint_config(checkpoint);
  std::string changes;
  for (const auto& operation : nlohmann::json::diff(saved, resolved)) {
    const std::string path = operation.at("path");
    const bool allowed = std::any_of(std::begin(kResumableKeys), std::end(kResumableKeys),
                                     [&](const char* key) { return path.rfind(key, 0) == 0; });
    if (allowed) continue;
    const nlohmann::json::json_pointer pointer(path);
    const std::string before = saved.contains(pointer) ? saved.at(pointer).dump() : "(none)";
    const std::string after = resolved.contains(pointer) ? resolved.at(pointer).dump() : "(none)";
    std::string key = path.substr(1);
    std::replace(key.begin(), key.end(), '/', '.');
    changes += (changes.empty() ? "" : ", ") + key + " (" + before + " -> " + after + ")";
  }
  if (!changes.empty())
    throw ConfigError("--resume: the config differs from the checkpoint's in " + changes +
                      "; only train.epochs, train.early_stopping, output.*, device and threads may "
                      "change when resuming");
}

std::shared_ptr<AutoencoderImpl> build_model(const Config& config, const RunContext& context) {
  torch::manual_seed(config.seed);
  auto model = make_autoencoder(config.model);
  model->to(context.device);
  return model;
}

// The training loop with checkpoints every epoch, resume and stop on signals.
TrainingResult train_with_checkpoints(AutoencoderImpl& model, const TrainingData& training,
                                      const Config& config, const RunOptions& options,
                                      ProgressReporter& progress) {
  const fs::path folder = config.output.dir;
  const nlohmann::json resolved = config_to_json(config);
  auto optimizer = make_optimizer(model, config.train);
  TrainingProgress start = options.resume
      ? load_training_checkpoint(folder / kCheckpointFile, model, *optimizer).progress
      : fresh_progress(config.seed);
  if (options.resume) progress.note("resuming after epoch " + std::to_string(start.epochs_done));
  MetricsCsv metrics_csv(folder / kMetricsFile, start.history);
  const StopSignalGuard stop_signals;
  TrainingHooks hooks;
  hooks.progress = &progress;
  hooks.on_epoch = [&](const EpochRecord& record) { metrics_csv.append(record); };
  hooks.save_checkpoint = [&](const TrainingProgress& state) {
    save_training_checkpoint(folder / kCheckpointFile, model, *optimizer, state, resolved);
  };
  hooks.checkpoint_seconds = config.output.checkpoint_minutes * 60.0;
  hooks.stop_requested = &StopSignalGuard::received;
  try {
    return train_autoencoder(model, *optimizer, training, config.train, config.noise,
                             std::move(start), hooks);
  } catch (const Interrupted& interrupted) {
    throw Interrupted(std::string(interrupted.what()) + "; checkpoint written to " +
                          (folder / kCheckpointFile).string() + "; resume with: " + options.resume_hint,
                      interrupted.signal_number());
  }
}

// PCA is fitted, not trained: one "epoch" whose losses are the fitted model's MSE.
TrainingResult fit_principal_components(PcaAutoencoderImpl& model, const TrainingData& training,
                                        const fs::path& folder) {
  const auto start = std::chrono::steady_clock::now();
  model.fit(training.train_images);
  const auto train = evaluate_reconstruction(model, training.train_images, training.train_images);
  const auto val = evaluate_reconstruction(model, training.val_inputs, training.val_targets);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  TrainingResult result;
  result.progress.history.push_back({1, train.mse, val.mse, val.mse, val.psnr_db, seconds});
  result.progress.epochs_done = 1;
  result.progress.best_epoch = 1;
  result.progress.best_val_loss = val.mse;
  result.train_seconds = seconds;
  result.samples_per_second = double(training.train_images.size(0)) / seconds;
  MetricsCsv(folder / kMetricsFile, result.progress.history);
  return result;
}

// Share of the training split's total variance each kept component explains.
nlohmann::json explained_variance_ratio(const PcaAutoencoderImpl& model, const torch::Tensor& images) {
  const double total = images.flatten(1).to(torch::kFloat64).var(0).sum().item<double>();
  const auto ratio = (model.explained_variance() / total).to(torch::kCPU).contiguous();
  return std::vector<double>(ratio.data_ptr<double>(), ratio.data_ptr<double>() + ratio.numel());
}

// Saves the model, draws the pictures, tests and writes summary.json.
nlohmann::json finish_run(const Config& config, const RunContext& context, const Dataset& data,
                          AutoencoderImpl& model, const TrainingResult& result,
                          const RunOptions& options, const nlohmann::json& extras) {
  const fs::path folder = config.output.dir;
  const TrainingProgress& state = result.progress;
  save_model(folder / kModelFile, model, config_to_json(config));
  write_png(folder / kLossCurveFile,
            draw_loss_curve(state.history, config.name + ": training and validation loss",
                            config.train.loss));
  const TestReport test = test_and_draw(model, data.test, config, context, folder);
  nlohmann::json summary = base_summary(config, context, data, model);
  summary["test"] = test.json;
  summary["epochs_run"] = state.epochs_done;
  summary["best_epoch"] = state.best_epoch;
  summary["best_val_loss"] = state.best_val_loss;
  summary["stopped_early"] = result.stopped_early;
  summary["train_seconds"] = result.train_seconds;
  summary["samples_per_second"] = result.samples_per_second;
  if (extras.is_object()) summary.update(extras);
  summary["analysis"] = analyse_model(model, data.test, test.inputs, config, folder);
  if (config.probe.enabled) summary["probe"] = run_probes(model, data, config, context.device, folder);
  write_json_file(folder / kSummaryFile, summary);
  if (options.log && !options.quiet)
    *options.log << "test: mse " << test.metrics.mse << ", sse/image " << test.metrics.sse_per_image
                 << ", psnr " << test.metrics.psnr_db << " dB; results in " << folder.string() << '\n';
  return summary;
}

// A finished run brought back: its config (with `document`'s changes), data and saved model.
struct SavedRun {
  Config config;
  RunContext context;
  Dataset data;
  std::shared_ptr<AutoencoderImpl> model;
};

SavedRun reload_run(const fs::path& run_dir, nlohmann::json document, const std::string& device,
                    std::int64_t threads) {
  if (!device.empty()) document["device"] = device;
  if (threads >= 0) document["threads"] = threads;
  SavedRun run;
  run.config = config_from_json(document, (run_dir / kConfigFile).string());
  run.context = make_run_context(run.config.device, run.config.threads);
  run.data = load_dataset(run.config.data, run.config.seed);
  run.model = build_model(run.config, run.context);
  load_model(run_dir / kModelFile, *run.model);
  return run;
}

}  // namespace

nlohmann::json run_training(const Config& config, const RunOptions& options) {
  const RunContext context = make_run_context(config.device, config.threads);
  const fs::path folder = config.output.dir;
  const Dataset data = load_dataset(config.data, config.seed);
  const std::vector<std::string> notes = preflight(config, data, context);
  const RunLock lock(folder);
  if (options.resume) check_resumable(folder, config_to_json(config));
  else prepare_run_folder(folder, options.overwrite);
  remove_leftovers(folder);
  write_json_file(folder / kConfigFile, config_to_json(config));

  auto model = build_model(config, context);
  ProgressReporter progress(options.log ? *options.log : std::cerr,
                            options.log ? choose_progress_style(options.quiet, options.log_is_terminal)
                                        : ProgressStyle::kQuiet);
  progress.note(config.name + ": " + describe_split_sizes(data, config.data) + "; " +
                std::to_string(count_parameters(*model)) + " parameters on " +
                device_name(context.device) + " with " + std::to_string(context.threads) + " threads");
  for (const auto& note : notes) progress.note(note);
  const TrainingData training{
      data.train.images.to(context.device),
      fixed_noise_inputs(data.val.images, config.noise, val_noise_seed(config.seed), context.device),
      data.val.images.to(context.device)};
  nlohmann::json extras;
  TrainingResult result;
  if (auto* pca = dynamic_cast<PcaAutoencoderImpl*>(model.get())) {
    result = fit_principal_components(*pca, training, folder);
    extras["explained_variance_ratio"] = explained_variance_ratio(*pca, training.train_images);
  } else {
    auto* dense = dynamic_cast<DenseAutoencoderImpl*>(model.get());
    if (config.pretrain.enabled && dense && !options.resume)
      extras["pretraining"] = pretrain_layers(*dense, training.train_images, config, &progress);
    result = train_with_checkpoints(*model, training, config, options, progress);
  }
  return finish_run(config, context, data, *model, result, options, extras);
}

nlohmann::json run_evaluation(const fs::path& run_dir, const std::string& device,
                              std::int64_t threads, const RunOptions& options) {
  const SavedRun run = reload_run(run_dir, read_json_file(run_dir / kConfigFile), device, threads);
  const auto& [config, context, data, model] = run;
  const fs::path folder = run_dir / "eval";
  fs::create_directories(folder);
  const TestReport test = test_and_draw(*model, data.test, config, context, folder);
  nlohmann::json summary = base_summary(config, context, data, *model);
  summary["test"] = test.json;
  write_json_file(folder / kSummaryFile, summary);
  if (options.log && !options.quiet)
    *options.log << "eval: test mse " << test.metrics.mse << ", sse/image "
                 << test.metrics.sse_per_image << ", psnr " << test.metrics.psnr_db
                 << " dB; results in " << folder.string() << '\n';
  return summary;
}

nlohmann::json run_probe(const fs::path& run_dir, const std::vector<std::string>& overrides,
                         const std::string& device, std::int64_t threads, const RunOptions& options) {
  nlohmann::json document = read_json_file(run_dir / kConfigFile);
  if (document["probe"].is_null()) document["probe"] = nlohmann::json::object();
  for (const auto& assignment : overrides) {
    if (assignment.rfind("probe.", 0) != 0)
      throw ConfigError("--set " + assignment + ": expected a probe.KEY=VALUE override, found another key");
    apply_override(document, assignment);
  }
  const SavedRun run = reload_run(run_dir, document, device, threads);
  const auto& [config, context, data, model] = run;
  const RunLock lock(run_dir);
  const nlohmann::json probe = run_probes(*model, data, config, context.device, run_dir);
  nlohmann::json summary = fs::exists(run_dir / kSummaryFile) ? read_json_file(run_dir / kSummaryFile)
                                                              : nlohmann::json::object();
  summary["probe"] = probe;
  write_json_file(run_dir / kSummaryFile, summary);
  if (options.log && !options.quiet)
    for (const auto& [name, result] : probe.items())
      if (result.is_object())
        *options.log << "probe " << name << ": val accuracy " << result["val_accuracy"].get<double>()
                     << ", test accuracy " << result["test_accuracy"].get<double>() << '\n';
  return probe;
}

}  // namespace aebench
