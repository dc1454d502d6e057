#include <filesystem>
#include <iostream>

#include "aebench/bench/bench_report.h"
#include "aebench/bench/benchmark.h"
#include "aebench/config/config.h"
#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/cpu_cores.h"
#include "aebench/io/run_folder.h"
#include "aebench/pipeline/preflight.h"
#include "commands.h"

namespace aebench::cli {

CLI::App* setup_bench(CLI::App& app, BenchCommandOptions& options) {
  auto* command = app.add_subcommand(
      "bench", "Measure this machine's peak and each config's training and inference throughput");
  command->add_option("CONFIG", options.config_paths,
                      "Experiment configs (default: configs/dense_100.json "
                      "configs/seed002_part2_conv.json); data from each config's data.dir");
  command
      ->add_option("--threads", options.threads,
                   "CPU threads, 0 = per config as train measures it (1 or every core)")
      ->check(CLI::Range(0, 1024));
  command->add_option("--steps", options.steps, "Steps per timed window (5 windows, 1 warm-up)")
      ->check(CLI::Range(1, 1000000));
  command
      ->add_option("--precision", options.precision,
                   "fp32 | bf16 | auto (default auto, as train.precision)")
      ->check(CLI::IsMember({"fp32", "bf16", "auto"}));
  command->add_option("--out", options.out_file, "Where to write the figures (default bench.json)")
      ->check(kNonEmptyPath);
  command->add_option("--compare", options.compare_file,
                      "An older bench.json: print new/old per figure");
  command->add_flag("--no-layout", options.no_layout,
                    "Skip the layout figures (1 run x all threads vs one 1-thread run per core, "
                    "and 2 competing runs; measured by child processes)");
  command->footer(
      "Example:\n"
      "  aebench bench --threads 2 --out bench.json\n"
      "  aebench bench configs/dense_100.json --precision bf16 --compare bench.json\n");
  return command;
}

int run_bench(const BenchCommandOptions& options) {
  BenchOptions bench;
  if (!options.config_paths.empty()) bench.config_paths = options.config_paths;
  bench.threads = options.threads;
  bench.steps = options.steps;
  bench.precision = options.precision;
  bench.log = &std::cerr;
  if (const std::string cap = thread_cap_note(options.threads, usable_cpu_cores()); !cap.empty())
    std::cerr << cap << '\n';
  // Read the old figures first, so that a bad --compare file fails before minutes of timing.
  nlohmann::json old_figures;
  if (!options.compare_file.empty()) {
    old_figures = read_json_file(options.compare_file);
    check_bench_document(old_figures, options.compare_file);
  }
  refuse_bench_destination(options.out_file);
  require_writable_file(options.out_file);  // before minutes of timing, not after
  // The defaults are the checkout's: elsewhere, say so rather than name a file never given.
  if (options.config_paths.empty())
    for (const auto& path : bench.config_paths)
      if (std::error_code error; !std::filesystem::exists(path, error))
        throw ConfigError("bench: no CONFIG given, and its default " + path + " is not in " +
                          std::filesystem::current_path(error).string() +
                          "; run it in the aebench checkout, or name the configs to time");
  BenchResult result = run_benchmark(bench);
  // The layout compares thread counts: it needs more than one core and the default (all).
  if (!options.no_layout && result.machine.cores >= 2 && options.threads == 0) {
    LayoutOptions layout;
    layout.config_path = bench.config_paths.front();
    layout.cores = result.machine.cores;
    layout.steps = options.steps;
    layout.log = &std::cerr;
    result.layout = measure_layout(layout);
  }
  write_bench_json(options.out_file, result);
  print_bench_table(result, std::cout);
  if (result.layout) print_layout(*result.layout, std::cout);
  if (!options.compare_file.empty())
    print_comparison(bench_to_json(result), old_figures, options.compare_file, std::cout);
  std::cout << "figures written to " << options.out_file << '\n';
  return 0;
}

}  // namespace aebench::cli
