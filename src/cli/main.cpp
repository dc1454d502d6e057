// aebench: train and evaluate autoencoders from JSON experiment configs.
// main only wires the subcommands together and maps errors to the documented exit codes.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "aebench/config/config.h"
#include "aebench/errors.h"
#include "aebench/io/stop_signal.h"
#include "aebench/pipeline/run_context.h"
#include "aebench/version.h"
#include "commands.h"
#include "error_report.h"

namespace {

int report(const std::string& kind, const std::string& message, int exit_code) {
  std::cerr << "aebench: " << kind << ": " << aebench::cli::one_line(message) << '\n';
  return exit_code;
}

// What a command printed for scripts must arrive: a full disk or closed pipe behind stdout
// (aebench config-docs > docs/config.md) is an output error, not a silent success.
int with_output_written(int exit_code) {
  std::cout.flush();
  if (!std::cout.fail() && std::fflush(stdout) == 0) return exit_code;
  const int error = errno;
  std::cout.clear();
  return report("output error",
                std::string("cannot write to standard output: ") + std::strerror(error),
                exit_code == 0 ? aebench::kExitOutputError : exit_code);
}

struct AllOptions {
  aebench::cli::TrainCommandOptions train;
  aebench::cli::EvalCommandOptions eval;
  aebench::cli::ProbeCommandOptions probe;
  aebench::cli::ExportCommandOptions export_model;
  aebench::cli::EncodeCommandOptions encode;
  aebench::cli::CompareCommandOptions compare;
  aebench::cli::ReportCommandOptions report;
  aebench::cli::ConfigDocsCommandOptions config_docs;
  aebench::cli::BenchCommandOptions bench;
  aebench::cli::SweepCommandOptions sweep;
  aebench::cli::SweepPointCommandOptions sweep_point;
};

int dispatch(const CLI::App& app, const AllOptions& options) {
  if (app.got_subcommand("train")) return aebench::cli::run_train(options.train);
  if (app.got_subcommand("eval")) return aebench::cli::run_eval(options.eval);
  if (app.got_subcommand("probe")) return aebench::cli::run_probe_command(options.probe);
  if (app.got_subcommand("export")) return aebench::cli::run_export_command(options.export_model);
  if (app.got_subcommand("encode")) return aebench::cli::run_encode_command(options.encode);
  if (app.got_subcommand("compare")) return aebench::cli::run_compare(options.compare);
  if (app.got_subcommand("report")) return aebench::cli::run_report(options.report);
  if (app.got_subcommand("config-docs")) return aebench::cli::run_config_docs(options.config_docs);
  if (app.got_subcommand("bench")) return aebench::cli::run_bench(options.bench);
  if (app.got_subcommand("sweep")) return aebench::cli::run_sweep(options.sweep);
  if (app.got_subcommand("sweep-point")) return aebench::cli::run_sweep_point(options.sweep_point);
  return report("usage error",
                "a subcommand is required (train, eval, probe, export, encode, compare, "
                "report, sweep, bench or config-docs); "
                "see aebench --help",
                aebench::kExitUsageError);
}

// One line for a command line CLI11 refused (its own text is two lines, without the prefix),
// with the likely fix: the nearest subcommand, --set for a bare KEY=VALUE.
std::string usage_message(const CLI::ParseError& error, int argc, char** argv) {
  std::string message = error.what();
  static const char* const kSubcommands[] = {"train",   "eval",   "probe", "export", "encode",
                                             "compare", "report", "sweep", "bench",  "config-docs"};
  const std::string first = argc > 1 ? argv[1] : "";
  const bool known = std::any_of(std::begin(kSubcommands), std::end(kSubcommands),
                                 [&](const char* name) { return first == name; });
  if (!known && !first.empty() && first[0] != '-') {
    std::string nearest;
    std::size_t best = 3;
    for (const char* name : kSubcommands)
      if (const std::size_t distance = aebench::edit_distance(first, name); distance < best)
        best = distance, nearest = name;
    return "unknown subcommand \"" + first + "\"" +
           (nearest.empty() ? "" : "; did you mean " + nearest + "?") + "; see aebench --help";
  }
  for (int i = 2; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument.find('=') != std::string::npos && argument[0] != '-' &&
        message.find(argument) != std::string::npos)
      return message + "; to override a config key use --set " + argument;
  }
  return message + "; see aebench " + (known ? first + " " : "") + "--help";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace aebench;
  install_stop_signal_handlers();  // before the signals blocked at the start are unblocked
  if (const int signal_number = take_early_stop_signal())
    return report("interrupted",
                  "stopped by " + signal_name(signal_number) +
                      " while starting, before anything was read or written; run the same "
                      "command again",
                  128 + signal_number);
  CLI::App app{
      "aebench: an experiment runner for autoencoders on MNIST, Fashion-MNIST and CIFAR-10"};
  app.set_version_flag("--version",
                       std::string("aebench ") + kVersion + " (LibTorch " + torch_version() + ")");
  app.require_subcommand(0, 1);
  app.footer(
      "Examples:\n"
      "  aebench train configs/dense_100.json                 # -> runs/dense_100/\n"
      "  aebench train configs/smoke.json --set train.epochs=2 --out runs/try\n"
      "  aebench train configs/dense_100.json --resume        # continue after Ctrl-C\n"
      "  aebench eval runs/dense_100\n"
      "  aebench probe runs/dense_100\n"
      "  aebench export runs/dense_100                        # -> runs/dense_100/export/\n"
      "  aebench encode runs/dense_100 --split train          # -> runs/dense_100/codes/\n"
      "  aebench compare runs/* --metric test.sse_per_image --x model.latent\n"
      "  aebench report runs/dense_100                        # -> runs/dense_100/report.html\n"
      "  aebench sweep configs/sweeps/seed004_latent.json     # 16 points, 2 at a time\n"
      "  aebench sweep configs/dense_100.json --grid model.latent=15,30,50 --out runs/lat\n"
      "  aebench bench                                        # -> bench.json\n"
      "\n"
      "Each subcommand has its own --help. Config keys: docs/config.md; results and run\n"
      "folders: README.md.\n"
      "Exit codes: 0 success, 2 usage or config error, 3 data error, 4 training error,\n"
      "5 output error (a run folder that cannot be written, is in use or not empty),\n"
      "6 aebench sweep: some points failed, 130/143 stopped by SIGINT/SIGTERM, 1 anything else.");
  AllOptions options;
  cli::setup_train(app, options.train);
  cli::setup_eval(app, options.eval);
  cli::setup_probe(app, options.probe);
  cli::setup_export(app, options.export_model);
  cli::setup_encode(app, options.encode);
  cli::setup_compare(app, options.compare);
  cli::setup_report(app, options.report);
  cli::setup_config_docs(app, options.config_docs);
  cli::setup_bench(app, options.bench);
  cli::setup_sweep(app, options.sweep);
  cli::setup_sweep_point(app, options.sweep_point);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return with_output_written(app.exit(error));  // --help
    return report("usage error", usage_message(error, argc, argv), kExitUsageError);
  }
  int exit_code = 0;
  try {
    exit_code = dispatch(app, options);
  } catch (...) {
    const cli::ErrorReport error = cli::describe_exception(std::current_exception());
    exit_code = report(error.kind, error.message, error.exit_code);
  }
  // The command is over: a signal now (Ctrl-C as it exits) must not lose its printed output.
  finish_stop_signals();
  return with_output_written(exit_code);
}
