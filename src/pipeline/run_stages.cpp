#include "aebench/pipeline/run_stages.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "aebench/analysis/ssim.h"
#include "aebench/data/noise.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stop_signal.h"
#include "aebench/plot/bar_chart.h"
#include "aebench/plot/figures.h"
#include "aebench/report/report.h"
#include "aebench/train/precision.h"
#include "aebench/train/trainer.h"
#include "aebench/version.h"

namespace aebench {

namespace fs = std::filesystem;

// Seeds of the fixed noise on validation and test inputs, derived from the config's seed so
// that every run (and `eval`) of one config sees the same corrupted images.
std::uint64_t val_noise_seed(std::uint64_t seed) {
  return seed * 2 + 1000003;
}
std::uint64_t val_elbo_seed(std::uint64_t seed) {
  return seed * 2 + 1000005;
}
std::uint64_t test_elbo_seed(std::uint64_t seed) {
  return seed * 2 + 1000006;
}
std::uint64_t test_noise_seed(std::uint64_t seed) {
  return seed * 2 + 1000004;
}

// Inputs as the model sees them: the clean images corrupted with fixed-seed noise.
torch::Tensor fixed_noise_inputs(const torch::Tensor& clean, const NoiseOptions& noise,
                                 std::uint64_t seed, const torch::Device& device) {
  return add_noise(clean.to(torch::kCPU), noise, make_cpu_generator(seed)).to(device);
}

namespace {

// A code value for a figure title: three significant digits.
std::string format_value(double value) {
  std::ostringstream text;
  text << std::setprecision(3) << value;
  return text.str();
}

struct SliceScores {
  ReconstructionMetrics metrics;
  torch::Tensor squared_error;  // [n] float64 on the CPU: each image's, summed over its values
  double ssim = 0;  // per image, averaged; a colour image's is the mean of its channels' SSIMs
                    // (as scikit-image's channel_axis)
};

// The reconstruction metrics and SSIM of `inputs` against `targets`, one slice of
// kEvalBatchSize images at a time, each reconstructed once; `stop_point` runs before each
// slice (it throws to stop: a full split takes seconds).
SliceScores score_in_slices(AutoencoderImpl& model, const torch::Tensor& inputs,
                            const torch::Tensor& targets, const std::function<void()>& stop_point) {
  torch::NoGradGuard no_grad;
  model.eval();
  const auto channels_apart = [](const torch::Tensor& images) {  // [n * C, 1, H, W]
    return images.reshape({-1, 1, images.size(2), images.size(3)});
  };
  const double channels = double(targets.size(1));
  ReconstructionAccumulator accumulator;
  std::vector<torch::Tensor> squared_errors;
  double ssim_sum = 0;
  for (std::int64_t start = 0; start < inputs.size(0); start += kEvalBatchSize) {
    if (stop_point) stop_point();
    const auto length = std::min(kEvalBatchSize, inputs.size(0) - start);
    const auto reconstructions = model.forward(inputs.narrow(0, start, length));
    const auto slice_targets = targets.narrow(0, start, length);
    accumulator.add(reconstructions, slice_targets);
    squared_errors.push_back(
        (reconstructions.to(torch::kFloat64) - slice_targets.to(torch::kFloat64))
            .pow(2)
            .flatten(1)
            .sum(1)
            .to(torch::kCPU));
    ssim_sum += ssim_per_image(channels_apart(reconstructions), channels_apart(slice_targets))
                    .sum()
                    .item<double>() /
                channels;
  }
  return {accumulator.finish(),
          squared_errors.empty() ? torch::zeros({0}, torch::kFloat64) : torch::cat(squared_errors),
          ssim_sum / double(inputs.size(0))};
}

// 64 images decoded from codes drawn from the prior N(0, I) (a fixed seed), in 8 rows.
Canvas draw_prior_samples(AutoencoderImpl& model, const Config& config) {
  torch::NoGradGuard no_grad;
  model.eval();
  auto generator = make_cpu_generator(config.seed * 2 + 1000007);
  const auto device = model.parameters().front().device();
  const auto codes = torch::randn({64, config.model.latent}, generator,
                                  torch::TensorOptions().dtype(torch::kFloat32))
                         .to(device);
  const auto images = model.decode(codes).clamp(0.0, 1.0).to(torch::kCPU);
  std::vector<ImageRow> rows;
  for (std::int64_t row = 0; row < 8; ++row) rows.push_back({"", images.narrow(0, row * 8, 8)});
  return draw_image_grid(rows, {},
                         {config.name + ": decoded samples of the prior N(0, I)", 3, 4, false});
}

// The mean squared error per image of each class present, as summary.json's test.per_class
// ({"3": {"images": 1010, "sse_per_image": 12.5}, ...}), and the bar chart of it.
nlohmann::json per_class_errors(const torch::Tensor& squared_error, const torch::Tensor& labels,
                                const Config& config, Artefacts& artefacts) {
  nlohmann::json table = nlohmann::json::object();
  std::vector<std::string> names;
  std::vector<double> values;
  const auto classes = labels.to(torch::kCPU);
  for (std::int64_t c = 0; c < 10; ++c) {
    const auto mask = classes == c;
    const std::int64_t count = mask.sum().item<std::int64_t>();
    if (count == 0) continue;
    const double mean = squared_error.index({mask}).mean().item<double>();
    table[std::to_string(c)] = {{"images", count}, {"sse_per_image", mean}};
    names.push_back(std::to_string(c));
    values.push_back(mean);
  }
  PlotOptions plot;
  plot.title = config.name + ": test error per class";
  plot.x_label = "class";
  plot.y_label = "squared error per image";
  artefacts.add(kPerClassFile, render_bar_chart(names, values, plot));
  return table;
}

// The test images reconstructed worst (largest squared error), as many as output.images.
Canvas draw_worst(const torch::Tensor& squared_error, const torch::Tensor& inputs,
                  const torch::Tensor& targets, const torch::Tensor& labels, AutoencoderImpl& model,
                  const Config& config) {
  const std::int64_t shown = std::min<std::int64_t>(config.output.images, squared_error.size(0));
  const auto worst = std::get<1>(squared_error.topk(shown)).to(inputs.device());
  const auto worst_inputs = inputs.index_select(0, worst);
  std::vector<std::string> names;
  const auto worst_cpu = worst.to(torch::kCPU);
  for (std::int64_t i = 0; i < shown; ++i) {
    const std::int64_t index = worst_cpu[i].item<std::int64_t>();
    char error[32];
    std::snprintf(error, sizeof error, "%.3g", squared_error[index].item<double>());
    names.push_back(std::to_string(labels[index].item<std::int64_t>()) + ": " + error);
  }
  std::vector<ImageRow> rows = {{"original", targets.index_select(0, worst)}};
  if (config.noise.enabled()) rows.push_back({"noisy input", worst_inputs});
  rows.push_back({"reconstruction", model.forward(worst_inputs).clamp(0.0, 1.0)});
  return draw_image_grid(
      rows, names,
      {config.name + ": the worst-reconstructed test images (class: squared error)", 3, 4, false});
}

// Codes on the straight line between the codes of two test images of different classes,
// decoded: a row per pair, from the first image (left) to the second (right).
Canvas draw_interpolation(const torch::Tensor& inputs, const torch::Tensor& labels,
                          AutoencoderImpl& model, const Config& config) {
  constexpr int kSteps = 9;
  const auto classes = labels.to(torch::kCPU);
  std::vector<ImageRow> rows;
  std::int64_t first = 0;
  for (int pair = 0; pair < 3 && first < classes.size(0); ++pair) {
    std::int64_t second = first + 1;
    while (second < classes.size(0) &&
           classes[second].item<std::int64_t>() == classes[first].item<std::int64_t>())
      ++second;
    if (second >= classes.size(0)) break;
    const auto codes = model.encode(
        inputs.index_select(0, torch::tensor({first, second}, torch::kInt64).to(inputs.device())));
    std::vector<torch::Tensor> steps;
    for (int step = 0; step < kSteps; ++step) {
      const double t = double(step) / (kSteps - 1);
      steps.push_back((1.0 - t) * codes[0] + t * codes[1]);
    }
    rows.push_back({std::to_string(classes[first].item<std::int64_t>()) + " to " +
                        std::to_string(classes[second].item<std::int64_t>()),
                    model.decode(torch::stack(steps)).clamp(0.0, 1.0)});
    first = second + 1;
  }
  return draw_image_grid(rows, {},
                         {config.name + ": decoded codes between two test images", 3, 4, false});
}

}  // namespace

// Test metrics, with the reconstructions and bottleneck pictures of the first test images.
TestReport test_and_draw(AutoencoderImpl& model, const Split& test, const Config& config,
                         const RunContext& context, const std::function<void()>& stop_point) {
  const auto targets = unit_floats(test.images.to(context.device));
  const auto inputs =
      fixed_noise_inputs(targets, config.noise, test_noise_seed(config.seed), context.device);
  TestReport report;
  const SliceScores scores = score_in_slices(model, inputs, targets, stop_point);
  report.metrics = scores.metrics;
  report.inputs = inputs;

  const std::int64_t shown = std::min<std::int64_t>(config.output.images, test.size());
  torch::NoGradGuard no_grad;
  const auto shown_inputs = inputs.narrow(0, 0, shown);
  const auto codes = model.encode(shown_inputs);
  const auto reconstructions = model.decode(codes);
  std::vector<std::string> labels;
  for (std::int64_t i = 0; i < shown; ++i)
    labels.push_back(std::to_string(test.labels[i].item<std::int64_t>()));

  std::vector<ImageRow> rows = {{"original", targets.narrow(0, 0, shown)}};
  if (config.noise.enabled()) rows.push_back({"noisy input", shown_inputs});
  rows.push_back({"reconstruction", reconstructions.clamp(0.0, 1.0)});
  report.artefacts.add(
      kReconstructionsFile,
      draw_image_grid(rows, labels, {config.name + ": first test images", 3, 4, false}));

  std::vector<torch::Tensor> pictures;
  for (std::int64_t i = 0; i < shown; ++i) pictures.push_back(code_as_picture(codes[i]));
  const auto stacked = torch::stack(pictures);
  const int side = int(std::max(stacked.size(1), stacked.size(2)));
  const std::string shape = std::to_string(stacked.size(1)) + "x" + std::to_string(stacked.size(2));
  // One scale for all codes, stated in the title, so magnitudes compare across images.
  const double low = stacked.min().item<double>(), high = stacked.max().item<double>();
  const auto scaled = high > low ? (stacked - low) / (high - low) : torch::zeros_like(stacked);
  report.artefacts.add(kBottleneckFile,
                       draw_image_grid({{"code " + shape, scaled}}, labels,
                                       {config.name + ": bottleneck codes, black = " +
                                            format_value(low) + ", white = " + format_value(high),
                                        std::max(1, 84 / side), 4, false}));
  report.json = to_json(report.metrics);
  report.json["ssim"] = scores.ssim;
  report.json["per_class"] =
      per_class_errors(scores.squared_error, test.labels, config, report.artefacts);
  report.artefacts.add(
      kWorstFile, draw_worst(scores.squared_error, inputs, targets, test.labels, model, config));
  report.artefacts.add(kInterpolationFile, draw_interpolation(inputs, test.labels, model, config));
  if (model.is_variational()) {
    const ElboTerms elbo =
        evaluate_elbo(model, inputs, targets, config.train.loss, test_elbo_seed(config.seed));
    report.json["elbo"] = {{"reconstruction", elbo.reconstruction},
                           {"kl", elbo.kl},
                           {"lower_bound", elbo.lower_bound()}};
    report.artefacts.add(kSamplesFile, draw_prior_samples(model, config));
  }
  return report;
}

// The precision train.precision resolves to on the run's device ("fp32" | "bf16").
std::string training_precision_name(const Config& config, const RunContext& context) {
  return precision_name(training_precision(config.train.precision, context.device.is_cuda()));
}

nlohmann::json base_summary(const Config& config, const RunContext& context, const Dataset& data,
                            const AutoencoderImpl& model) {
  return {{"format_version", kRunFormatVersion},
          {"aebench_version", kVersion},
          {"torch_version", torch_version()},
          {"name", config.name},
          {"device", device_name(context.device)},
          {"threads", context.threads},
          {"precision",
           model.fits_in_closed_form() ? "fp64" : training_precision_name(config, context)},
          {"parameters", count_parameters(model)},
          {"data",
           {{"train", data.train.size()},
            {"val", data.val.size()},
            {"test", data.test.size()},
            {"val_source", validation_source(config.data)},
            {"fingerprint", data.fingerprint}}},
          {"config", config_to_json(config)}};
}

namespace {

// summary.json with its keys in a reading order: what was run and how it scored first, the
// provenance and the full config last. Keys not listed keep their place after those listed.
nlohmann::ordered_json in_reading_order(const nlohmann::json& summary) {
  static const char* const kOrder[] = {"name",
                                       "data",
                                       "test",
                                       "epochs_run",
                                       "best_epoch",
                                       "best_val_loss",
                                       "stopped_early",
                                       "train_seconds",
                                       "train_seconds_total",
                                       "samples_per_second",
                                       "parameters",
                                       "device",
                                       "threads",
                                       "precision",
                                       "probe",
                                       "analysis",
                                       "pretraining",
                                       "explained_variance_ratio"};
  static const char* const kLast[] = {"model_crc32", "torch_version", "aebench_version",
                                      "format_version", "config"};
  nlohmann::ordered_json ordered = nlohmann::ordered_json::object();
  auto copy = [&](const std::string& key) {
    if (summary.contains(key)) ordered[key] = nlohmann::ordered_json::parse(summary.at(key).dump());
  };
  for (const char* key : kOrder) copy(key);
  for (const auto& item : summary.items())
    if (!ordered.contains(item.key()) &&
        std::none_of(std::begin(kLast), std::end(kLast),
                     [&](const char* last) { return item.key() == last; }))
      copy(item.key());
  for (const char* key : kLast) copy(key);
  return ordered;
}

}  // namespace

void write_summary(const fs::path& folder, const nlohmann::json& summary) {
  Artefacts artefacts;
  artefacts.add(kSummaryFile, in_reading_order(summary));
  write_artefacts(folder, artefacts);
}

// report.html from the run folder's files as they are now (after its last artefact).
void write_report(const fs::path& run_dir) {
  write_artefacts(run_dir, report_artefacts(run_dir));
}

std::shared_ptr<AutoencoderImpl> build_model(const Config& config, const RunContext& context) {
  torch::manual_seed(config.seed);
  auto model = make_autoencoder(config.model);
  model->to(context.device);
  return model;
}

// run_probes, stopped by a signal between probe epochs; `next` says what the run has written
// and how to go on.
ProbeReport probes_or_stop(AutoencoderImpl& model, const Dataset& data, const Config& config,
                           const RunContext& context, const std::string& model_crc32,
                           const std::function<std::string()>& next) {
  try {
    ProbeReport report =
        run_probes(model, data, config, context.device, &StopSignalGuard::received);
    for (auto& document : report.artefacts.documents) document.content["model_crc32"] = model_crc32;
    return report;
  } catch (const Interrupted& interrupted) {
    throw Interrupted(std::string(interrupted.what()) + " " + next(), interrupted.signal_number());
  }
}

}  // namespace aebench
