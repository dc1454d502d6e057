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
#include "aebench/train/training_steps.h"

namespace aebench {
namespace {

// Images per second of `step` (which processes `images_per_step` images): one untimed window
// of `steps` steps, then kTimedWindows timed ones.
Spread windowed_images_per_second(const std::function<void()>& step, std::int64_t steps,
                                  std::int64_t images_per_step) {
  for (std::int64_t i = 0; i < steps; ++i) step();
  std::vector<double> rates;
  for (int window = 0; window < kTimedWindows; ++window)
    rates.push_back(images_per_second(step, steps, images_per_step));
  return spread_of(rates);
}

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

// The fp32 GEMM peak on `threads`: the run's (all its threads), or one thread's, measured the
// first time a config runs on one thread of several.
double fp32_peak_on(int threads, BenchResult& result) {
  if (threads == result.threads) return result.fp32_gemm.gflops.median;
  if (!result.fp32_gemm_one_thread) {
    const int previous = torch::get_num_threads();
    apply_thread_count(1);
    result.fp32_gemm_one_thread = measure_gemm(torch::kFloat, result.machine.cpu_has_native_bf16);
    apply_thread_count(previous);
  }
  return result.fp32_gemm_one_thread->gflops.median;
}

// The count a config's steps are timed on: --threads, or with 0 what `train` would choose.
void choose_config_threads(const Config& config, const Dataset& data, Precision precision,
                           const BenchOptions& options, int cores, ConfigFigures& figures) {
  if (options.threads > 0) {
    figures.threads = apply_thread_count(options.threads);
    return;
  }
  Config timed = config;
  timed.train.precision = precision_name(precision);
  figures.thread_choice = choose_training_threads(
      timed, data.train.images, cores, planned_training_steps(config, data.train.size()));
  figures.threads = figures.thread_choice->threads;
}

ConfigFigures bench_config(const Config& config, const std::string& path, Precision precision,
                           const BenchOptions& options, BenchResult& result) {
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
  choose_config_threads(config, data, precision, options, result.threads, figures);
  figures.peak_fp32_gflops = fp32_peak_on(figures.threads, result);
  const std::int64_t steps = options.steps;

  torch::manual_seed(config.seed);
  auto model = make_autoencoder(config.model);  // on the CPU
  model->use_memory_format(training_memory_format(precision));
  auto optimizer = make_optimizer(*model, config.train);
  figures.parameters = count_parameters(*model);
  figures.flops = count_flops(*model);
  figures.batch_size = std::min(config.train.batch_size, figures.train_images);
  BatchCycle batches(data.train.images, figures.batch_size);

  model->train();
  const auto train_step = [&] {
    take_timed_step(*model, *optimizer, batches.next(), config.train, config.noise, precision,
                    path);
  };
  figures.train_images_per_second =
      windowed_images_per_second(train_step, steps, figures.batch_size);

  model->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor output;
  const auto infer_step = [&] {
    AutocastScope autocast(precision);
    output = model->forward(unit_floats(batches.next()));
  };
  figures.infer_images_per_second =
      windowed_images_per_second(infer_step, steps, figures.batch_size);
  // What the forward pass really ran in: autocast leaves the output in float32 when it did
  // not apply.
  figures.precision = output.scalar_type() == torch::kBFloat16 ? "bf16" : "fp32";

  figures.train_gflops =
      figures.train_images_per_second.median * figures.flops.train_step_per_image / 1e9;
  figures.infer_gflops =
      figures.infer_images_per_second.median * figures.flops.forward_per_image / 1e9;
  figures.train_fraction_of_peak = figures.train_gflops / figures.peak_fp32_gflops;
  figures.infer_fraction_of_peak = figures.infer_gflops / figures.peak_fp32_gflops;
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
    result.configs.push_back(bench_config(configs[i], path, precision, options, result));
  }
  result.peak_rss_bytes = peak_rss_bytes();
  return result;
}

}  // namespace aebench
