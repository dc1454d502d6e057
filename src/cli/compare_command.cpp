#include <iostream>

#include "aebench/analysis/compare.h"
#include "aebench/io/run_folder.h"
#include "aebench/sweep/sweep_results.h"
#include "commands.h"

namespace aebench::cli {

CLI::App* setup_compare(CLI::App& app, CompareCommandOptions& options) {
  auto* command = app.add_subcommand(
      "compare",
      "Tabulate the config keys that differ between finished runs and their metrics, and plot "
      "the metrics (Markdown on stdout, or JSON with --json; CSV, JSON and PNG in --out)");
  command
      ->add_option("RUN_DIR", options.run_dirs,
                   "Run folders written by aebench train, or sweep folders (their finished points)")
      ->required();
  command
      ->add_option("--out", options.out_dir,
                   "Where comparison.{md,csv,json} and the plots go (outside runs/, so the next "
                   "runs/* leaves it out)")
      ->check(kNonEmptyPath)
      ->capture_default_str();
  options.out_dir = "comparison";
  command->add_flag("--json", options.json, "Print the comparison as JSON instead of Markdown");
  command->callback([command, &options] { options.out_given = command->count("--out") > 0; });
  command
      ->add_option("--metric", options.metrics,
                   "Dotted summary.json key, e.g. probe.mlp.test_accuracy (repeatable; default "
                   "test.sse_per_image, test.mse, test.psnr_db)")
      ->allow_extra_args(false);
  command->add_option("--x", options.x_key, "Plot x axis: a dotted summary.json key")
      ->capture_default_str();
  options.x_key = CompareOptions{}.x_key;
  command->add_option("--series", options.series_key, "One plotted line per value of this key")
      ->capture_default_str();
  options.series_key = CompareOptions{}.series_key;
  return command;
}

int run_compare(const CompareCommandOptions& options) {
  CompareOptions compare;
  if (!options.metrics.empty()) compare.metrics = options.metrics;
  compare.x_key = options.x_key;
  compare.series_key = options.series_key;
  std::vector<NamedKey> named;
  for (const auto& metric : options.metrics) named.push_back({"--metric", metric});
  const CompareOptions defaults;
  if (options.x_key != defaults.x_key) named.push_back({"--x", options.x_key});
  if (options.series_key != defaults.series_key) named.push_back({"--series", options.series_key});
  // The default folder is not one the user named: a link there is not followed.
  if (!options.out_given) refuse_symbolic_link(options.out_dir, "default --out folder");
  std::vector<std::string> left_out;  // a sweep's points that are not done, with why
  const auto runs = runs_to_compare({options.run_dirs.begin(), options.run_dirs.end()}, &left_out);
  for (const auto& point : left_out)
    std::cerr << "aebench: compare: left out the point " << point << "\n";
  const WrittenComparison written = write_comparison(runs, compare, named, options.out_dir);
  std::cout << (options.json ? written.json.dump(2) + "\n" : written.markdown);
  return 0;
}

}  // namespace aebench::cli
