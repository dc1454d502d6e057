#pragma once
// `aebench bench`: this machine's peak (large matrix products) and, per experiment config,
// training-step and inference throughput on the config's real training images, the FLOPs per
// image counted from the model's layers, and what fraction of the peak the steps reach.
// Compute only: run_benchmark returns the figures; bench_report.h writes and prints them.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "aebench/bench/flops.h"
#include "aebench/bench/layout.h"
#include "aebench/bench/machine.h"
#include "aebench/pipeline/thread_choice.h"

namespace aebench {

inline constexpr int kBenchFormatVersion = 1;  // of bench.json
inline constexpr int kTimedWindows = 5;        // timed windows per figure

struct BenchOptions {
  // Experiment configs; data from each config's data.dir.
  std::vector<std::string> config_paths = {"configs/dense_100.json",
                                           "configs/seed002_part2_conv.json"};
  // CPU threads; 0 = as `train` with threads 0: each config on one thread or on every usable
  // core, whichever its steps measure faster (pipeline/thread_choice.h). REQUIRES: >= 0
  std::int64_t threads = 0;
  std::int64_t steps = 20;  // steps per window (one untimed warm-up window first). REQUIRES: >= 1
  std::string precision = "auto";  // "fp32" | "bf16" | "auto" (as train.precision)
  std::ostream* log = nullptr;     // one line per stage (may be null)
};

struct ConfigFigures {
  std::string name;             // the config's name
  std::string path;             // as given
  std::string model_type;       // "dense" | "conv"
  std::string precision;        // used for the forward passes: "fp32" | "bf16"
  std::int64_t batch_size = 0;  // the config's, or the training split's size if smaller
  std::int64_t parameters = 0;
  std::int64_t train_images = 0;  // training split the batches are sliced from
  std::int64_t test_images = 0;
  int threads = 1;                            // the steps were timed on
  std::optional<ThreadChoice> thread_choice;  // how it was chosen, with --threads 0
  double peak_fp32_gflops = 0.0;   // the fp32 GEMM peak (median) on `threads`: the fractions' base
  double load_seconds = 0.0;       // load_dataset: decoding the IDX files into tensors
  FlopCount flops;                 // per image
  Spread train_images_per_second;  // forward + backward + optimizer step, one per window
  Spread infer_images_per_second;  // forward under NoGradGuard, one per window
  double train_gflops = 0.0;       // median images/s x train FLOPs per image / 1e9
  double infer_gflops = 0.0;       // median images/s x forward FLOPs per image / 1e9
  double train_fraction_of_peak = 0.0;  // train_gflops / peak_fp32_gflops
  double infer_fraction_of_peak = 0.0;  // infer_gflops / peak_fp32_gflops
};

struct BenchResult {
  MachineInfo machine;
  int threads = 0;                  // usable cores with --threads 0: the peak's threads
  std::string requested_precision;  // as given; each config records the one used
  std::int64_t steps = 0;
  GemmFigures fp32_gemm;
  std::optional<GemmFigures> fp32_gemm_one_thread;  // when a config ran on 1 of 2+ threads
  GemmFigures bf16_gemm;  // size 0: not measured (oneDNN has no bfloat16 here)
  std::vector<ConfigFigures> configs;
  std::int64_t peak_rss_bytes = 0;      // of the whole run, data and models included
  std::optional<LayoutFigures> layout;  // measured by child processes, unless --no-layout
};

// Measures everything in this process. Configs are read with load_config (ConfigError),
// their data with load_dataset (DataError). A PCA config is a ConfigError: it has no steps.
BenchResult run_benchmark(const BenchOptions& options);

}  // namespace aebench
