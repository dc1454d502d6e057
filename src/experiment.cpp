#include "aebench/experiment.h"

#include <sstream>

#include "aebench/checkpoint.h"
#include "aebench/dataset.h"
#include "aebench/figures.h"
#include "aebench/metrics.h"
#include "aebench/noise.h"
#include "aebench/png.h"
#include "aebench/run_context.h"
#include "aebench/run_folder.h"
#include "aebench/trainer.h"
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

std::string describe_split_sizes(const Dataset& data) {
  std::ostringstream text;
  text << "data: " << data.train.size() << " train, " << data.val.size() << " validation, "
       << data.test.size() << " test images";
  return text.str();
}

struct TestReport {
  ReconstructionMetrics metrics;
  nlohmann::json json;
};

// Test metrics, reconstructions.png and bottleneck.png into `folder`.
TestReport test_and_draw(AutoencoderImpl& model, const Split& test, const Config& config,
                         const RunContext& context, const fs::path& folder) {
  const auto inputs = fixed_noise_inputs(test.images, config.noise, test_noise_seed(config.seed),
                                         context.device);
  const auto targets = test.images.to(context.device);
  TestReport report;
  report.metrics = evaluate_reconstruction(model, inputs, targets);

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
          {"data", {{"train", data.train.size()}, {"val", data.val.size()}, {"test", data.test.size()}}},
          {"config", config_to_json(config)}};
}

std::shared_ptr<AutoencoderImpl> build_model(const Config& config, const RunContext& context) {
  torch::manual_seed(config.seed);
  auto model = make_autoencoder(config.model);
  model->to(context.device);
  return model;
}

}  // namespace

nlohmann::json run_training(const Config& config, const RunOptions& options) {
  const RunContext context = make_run_context(config.device, config.threads);
  const fs::path folder = config.output.dir;
  const Dataset data = load_dataset(config.data, config.seed);
  prepare_run_folder(folder, options.overwrite);
  write_json_file(folder / kConfigFile, config_to_json(config));

  auto model = build_model(config, context);
  ProgressReporter progress(options.log ? *options.log : std::cerr,
                            options.log ? choose_progress_style(options.quiet, options.log_is_terminal)
                                        : ProgressStyle::kQuiet);
  progress.note(config.name + ": " + describe_split_sizes(data) + "; " +
                std::to_string(count_parameters(*model)) + " parameters on " +
                device_name(context.device) + " with " + std::to_string(context.threads) + " threads");
  MetricsCsv metrics_csv(folder / kMetricsFile);
  const TrainingData training{
      data.train.images.to(context.device),
      fixed_noise_inputs(data.val.images, config.noise, val_noise_seed(config.seed), context.device),
      data.val.images.to(context.device)};
  const TrainingResult result =
      train_autoencoder(*model, training, config.train, config.noise, config.seed,
                        {&progress, [&](const EpochRecord& record) { metrics_csv.append(record); }});

  save_checkpoint(folder / kModelFile, *model, config_to_json(config));
  write_png(folder / kLossCurveFile,
            draw_loss_curve(result.history, config.name + ": training and validation loss",
                            config.train.loss));
  const TestReport test = test_and_draw(*model, data.test, config, context, folder);

  nlohmann::json summary = base_summary(config, context, data, *model);
  summary["test"] = test.json;
  summary["epochs_run"] = result.history.size();
  summary["best_epoch"] = result.best_epoch;
  summary["best_val_loss"] = result.best_val_loss;
  summary["stopped_early"] = result.stopped_early;
  summary["train_seconds"] = result.train_seconds;
  summary["samples_per_second"] = result.samples_per_second;
  write_json_file(folder / kSummaryFile, summary);
  progress.note("test: mse " + std::to_string(test.metrics.mse) + ", sse/image " +
                std::to_string(test.metrics.sse_per_image) + ", psnr " +
                std::to_string(test.metrics.psnr_db) + " dB; results in " + folder.string());
  return summary;
}

nlohmann::json run_evaluation(const fs::path& run_dir, const std::string& device,
                              std::int64_t threads, const RunOptions& options) {
  nlohmann::json document = read_json_file(run_dir / kConfigFile);
  if (!device.empty()) document["device"] = device;
  if (threads >= 0) document["threads"] = threads;
  const Config config = config_from_json(document, (run_dir / kConfigFile).string());
  const RunContext context = make_run_context(config.device, config.threads);
  const Dataset data = load_dataset(config.data, config.seed);
  auto model = build_model(config, context);
  load_checkpoint(run_dir / kModelFile, *model);

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

}  // namespace aebench
