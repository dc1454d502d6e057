#include <iostream>
#include <nlohmann/json.hpp>

#include "aebench/pipeline/model_export.h"
#include "commands.h"

namespace aebench::cli {

CLI::App* setup_export(CLI::App& app, ExportCommandOptions& options) {
  auto* command = app.add_subcommand(
      "export",
      "Write a finished run's model for PyTorch without aebench: state_dict.pt (torch.load), "
      "architecture.json and the loader aebench_model.py, into RUN_DIR/export");
  command->add_option("RUN_DIR", options.run_dir, "Folder written by aebench train")->required();
  command->add_option("--out", options.out_dir, "Another folder for the files (made if missing)")
      ->check(kNonEmptyPath);
  command->add_flag("-q,--quiet", options.quiet, "Print only the folder written");
  return command;
}

namespace {

// A Python string literal of `text`: JSON's escapes are Python's, so a folder name with a quote,
// a backslash or a newline pastes as it is.
std::string python_string(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

int run_export_command(const ExportCommandOptions& options) {
  const WrittenFiles written = run_export(options.run_dir, options.out_dir, SavedRunOptions{});
  if (!options.quiet) {
    std::cerr << "export: ";
    for (const auto& file : written.files) std::cerr << file << ' ';
    std::cerr << "in " << written.folder.string() << "; in Python: from aebench_model import "
              << "load_exported; model = load_exported(" << python_string(written.folder.string())
              << ")\n";
  }
  std::cout << written.folder.string() << '\n';
  return 0;
}

}  // namespace aebench::cli
