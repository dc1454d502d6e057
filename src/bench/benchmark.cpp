#include "aebench/bench/benchmark.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <ostream>

#include "aebench/config/config.h"
#include "aebench/data/dataset.h"
#include "aebench/data/noise.h"
#include "aebench/errors.h"
#include "aebench/io/stopwatch.h"
#include "aebench/models/autoencoder.h"
#include "aebench/pipeline/run_context.h"
#include "aebench/train/metrics.h"
#include "aebench/train/precision.h"
#include "aebench/train/trainer.h"

namespace aebench {
namespace {

// Images per second of `step` (which processes `images_per_step` images): one untimed window
// of `steps` steps, then kTimedWindows timed ones.
Spread images_per_second(const std::function<void()>& step, std::int64_t steps,
                         std::int64_t images_per_step) {
  for (std::int64_t i = 0; i < steps; ++i) step();
  std::vector<double> rates;
  for (int window = 0; window < kTimedWindows; ++window) {
    const auto start = SteadyClock::now();
    for (std::int64_t i = 0; i < steps; ++i) step();
    rates.push_back(double(steps * images_per_step) / seconds_since(start));
  }
  return spread_of(rates);
}

// Consecutive batches of `batch_size` rows of `images`, wrapping around at the end.
class BatchCycle {
 public:
  BatchCycle(torch::Tensor images, std::int64_t batch_size)
      : images_(std::move(images)), batch_size_(batch_size) {}
  torch::Tensor next() {
    if (first_ + batch_size_ > images_.size(0)) first_ = 0;
    auto batch = images_.narrow(0, first_, batch_size_);
    first_ += batch_size_;
    return batch;
  }

 private:
  torch::Tensor images_;  // [count, C, H, W]
  std::int64_t batch_size_;
  std::int64_t first_ = 0;
};

// The config at `path`, refused unless its model trains in steps.
Config load_bench_config(const std::string& path) {
  Config config = load_config(path, {});
  if (model_kind(config.model.type).closed_form)
    throw ConfigError(path +
                      ": model.type: expected a model trained in steps (dense or conv) "
                      "for aebench bench, found \"" +
                      config.model.type + "\"");
  return config;
}

ConfigFigures bench_config(const Config& config, const std::string& path, Precision precision,
                           std::int64_t steps, double fp32_peak_gflops) {
  ConfigFigures figures;
  figures.name = config.name;
  figures.path = path;
  figures.model_type = config.model.type;

  const auto load_start = SteadyClock::now();
  const Dataset data = load_dataset(config.data, config.seed);
  figures.load_seconds = seconds_since(load_start);
  figures.train_images = data.train.size();
  figures.test_images = data.test.size();
  if (figures.train_images == 0)
    throw ConfigError(path + ": data: expected training images to time steps on, found none");

  torch::manual_seed(config.seed);
  auto model = make_autoencoder(config.model);  // on the CPU
  model->use_memory_format(training_memory_format(precision));
  auto optimizer = make_optimizer(*model, config.train);
  figures.parameters = count_parameters(*model);
  figures.flops = count_flops(*model);
  figures.batch_size = std::min(config.train.batch_size, figures.train_images);
  BatchCycle batches(data.train.images, figures.batch_size);
  const auto& train = config.train;

  // As the trainer's step: noisy input, reconstruction loss plus activity penalties on the
  // code, backward, optimizer step, the loss read back. Autocast covers the forward only.
  model->train();
  const auto train_step = [&] {
    const auto clean = unit_floats(batches.next());
    const auto inputs = add_noise(clean, config.noise);
    optimizer->zero_grad();
    const auto loss = penalised_loss(*model, inputs, clean, train, precision);
    loss.backward();
    optimizer->step();
    const double value = loss.item<double>();
    if (!std::isfinite(value))
      throw TrainingError(path + ": the training loss became " + std::to_string(value) +
                          " during the benchmark; expected a finite loss");
  };
  figures.train_images_per_second = images_per_second(train_step, steps, figures.batch_size);

  model->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor output;
  const auto infer_step = [&] {
    AutocastScope autocast(precision);
    output = model->forward(unit_floats(batches.next()));
  };
  figures.infer_images_per_second = images_per_second(infer_step, steps, figures.batch_size);
  // What the forward pass really ran in: autocast leaves the output in float32 when it did
  // not apply.
  figures.precision = output.scalar_type() == torch::kBFloat16 ? "bf16" : "fp32";

  figures.train_gflops =
      figures.train_images_per_second.median * figures.flops.train_step_per_image / 1e9;
  figures.infer_gflops =
      figures.infer_images_per_second.median * figures.flops.forward_per_image / 1e9;
  figures.train_fraction_of_peak = figures.train_gflops / fp32_peak_gflops;
  figures.infer_fraction_of_peak = figures.infer_gflops / fp32_peak_gflops;
  return figures;
}

}  // namespace

BenchResult run_benchmark(const BenchOptions& options) {
  if (options.steps < 1)
    throw ConfigError("--steps: expected a whole number >= 1, found " +
                      std::to_string(options.steps));
  const auto log = [&](const std::string& line) {
    if (options.log) *options.log << "bench: " << line << std::endl;
  };
  BenchResult result;
  result.machine = describe_machine();
  const Precision precision =
      resolve_precision(options.precision, result.machine.cpu_has_native_bf16 && cpu_runs_bf16());
  if (precision == Precision::kBf16) require_cpu_runs_bf16("--precision");
  result.threads = make_run_context("cpu", options.threads).threads;
  result.requested_precision = options.precision;
  result.steps = options.steps;
  std::vector<Config> configs;  // all read first, so that a bad one fails before any timing
  for (const auto& path : options.config_paths) configs.push_back(load_bench_config(path));

  log("fp32 matrix product peak");
  result.fp32_gemm = measure_gemm(torch::kFloat, result.machine.cpu_has_native_bf16);
  if (cpu_runs_bf16()) {
    log("bf16 matrix product");
    result.bf16_gemm = measure_gemm(torch::kBFloat16, result.machine.cpu_has_native_bf16);
  } else {
    log("bf16 matrix product: not measured (oneDNN has no bfloat16 here)");
  }
  for (std::size_t i = 0; i < configs.size(); ++i) {
    const auto& path = options.config_paths[i];
    log(path);
    result.configs.push_back(
        bench_config(configs[i], path, precision, options.steps, result.fp32_gemm.gflops.median));
  }
  result.peak_rss_bytes = peak_rss_bytes();
  return result;
}

}  // namespace aebench
