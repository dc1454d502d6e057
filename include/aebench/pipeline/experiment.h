#pragma once
// The training flow, readable in one screen:
//   config -> data -> model -> training -> test metrics -> artefacts in RUN_DIR
// The details live one call below, in the modules it includes; the commands that reopen a
// finished run are in saved_run.h and model_export.h.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "aebench/config/config.h"

namespace aebench {

struct RunOptions {
  bool overwrite = false;        // replace an existing run in the output folder
  bool resume = false;           // continue the run in the output folder from its checkpoint
  std::string resume_hint;       // the command that resumes this run, for the interrupt message
  bool quiet = false;            // print nothing but errors
  std::ostream* log = nullptr;   // progress output; null = nothing
  bool log_is_terminal = false;  // draw a live progress bar
  bool log_timestamps = false;   // start each line of `log` with its UTC time (a sweep's logs)
  // train: how the run was started, for run.json, summary.json's provenance and the report.
  std::string command_line;
  std::vector<std::string> overrides;
};

// Trains as `config` says and writes config.json, metrics.csv, checkpoint.pt (every epoch),
// model.pt, summary.json, loss_curve.png, reconstructions.png and bottleneck.png into
// config.output.dir. With options.resume, continues the run there from its checkpoint
// (refused when the config changes a key that resumable_key, config/schema.h, refuses).
// SIGINT/SIGTERM stop it after a checkpoint with an Interrupted error. Returns the summary that was
// written.

nlohmann::json run_training(const Config& config, const RunOptions& options);

}  // namespace aebench
