#include "aebench/pipeline/saved_run.h"

#include "aebench/config/config_changes.h"
#include "aebench/config/data_location.h"
#include "aebench/config/schema.h"
#include "aebench/config/summary_config.h"
#include "aebench/errors.h"
#include "aebench/io/checked_file.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_artefacts.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stop_signal.h"
#include "aebench/pipeline/preflight.h"
#include "aebench/pipeline/run_stages.h"
#include "aebench/train/checkpoint.h"

namespace aebench {

namespace fs = std::filesystem;

namespace {

// Throws ConfigError unless aebench made RUN_DIR a run folder (io/run_folder.h).
void require_run_marker(const fs::path& run_dir, const std::string& command) {
  if (is_run_folder(run_dir)) return;
  const std::string found = what_is_at(run_dir);
  throw ConfigError(run_dir.string() + ": " + command +
                    " expected a run folder aebench train made (with its run.json), found " +
                    (found == "a folder" ? "a folder without one" : found) +
                    "; nothing was written");
}

}  // namespace

void require_run_folder(const fs::path& run_dir, const std::string& command) {
  require_run_marker(run_dir, command);
  // While a train --resume works there its files are half old, half new: say so, rather than
  // what is missing or changed (the lock the command takes next stays the real guard).
  if (run_folder_in_use(run_dir))
    throw OutputError("run folder " + run_dir.string() + " is in use by another aebench " +
                      "process (a train, or an eval); " + command +
                      " wrote nothing: run it again when that has finished");
}

// Throws ConfigError unless RUN_DIR holds a finished run: a summary.json with test results,
// written last by train. `command` adds to it (probe), so on an unfinished run it would make
// the run look done.
void require_finished_run(const fs::path& run_dir, const std::string& command) {
  require_run_marker(run_dir, command);
  const RegularFileText file = read_regular_file(run_dir / kSummaryFile);
  const nlohmann::json summary =
      file.ok() ? nlohmann::json::parse(file.bytes, nullptr, false) : nlohmann::json();
  if (holds_test_results(summary)) return;
  throw ConfigError(run_dir.string() + ": " + command +
                    " expected a finished run (summary.json with test results), found " +
                    (file.ok() ? "a summary.json without them" : "summary.json " + file.problem()) +
                    "; finish the run first (aebench train CONFIG --out " + run_dir.string() +
                    " --resume)");
}

namespace {

// Refuses, before a command computes anything, a name among `top` or the files it writes in
// RUN_DIR/`folder` that holds something it could not replace (refuse_unreplaceable_names).
void refuse_unwritable_results(const fs::path& run_dir, std::vector<std::string> top,
                               const std::string& folder) {
  const std::vector<std::string> inside = result_files(folder);
  top.insert(top.end(), inside.begin(), inside.end());
  refuse_unreplaceable_names(run_dir, top, "run folder " + run_dir.string());
  refuse_unwritable_places(run_dir, top, "run folder " + run_dir.string());
}

// The run's config.json as it was saved, checked against the config model.pt was saved with
// (both read through the schema, so that keys newer than the run read as their defaults). They
// may differ only in incidental keys: a model.pt copied in from another run (another seed,
// another schedule) is not taken for this run's.
Config saved_config(const fs::path& run_dir, const nlohmann::json& document) {
  const fs::path config_file = run_dir / kConfigFile;
  Config config = config_from_json(document, config_file.string());
  const nlohmann::json trained = read_checkpoint_config(run_dir / kModelFile);
  nlohmann::json trained_resolved;
  try {
    trained_resolved = config_to_json(config_from_json(trained, (run_dir / kModelFile).string()));
  } catch (const ConfigError&) {
    trained_resolved = trained;  // an older schema: compare what it says as it says it
  }
  const std::string changes =
      describe_changes(trained_resolved, config_to_json(config),
                       [](const std::string& path) { return !is_incidental_pointer(path); });
  if (changes.empty()) return config;
  // Changes a resume may make: model.pt is from before a train --resume that did not finish.
  const std::string beyond_resume = describe_changes(
      trained_resolved, config_to_json(config),
      [](const std::string& path) { return !is_incidental_pointer(path) && !resumable_key(path); });
  if (beyond_resume.empty() && resume_unfinished(run_dir))
    throw ConfigError(run_dir.string() + ": " + kModelFile + " is from before the last " +
                      "train --resume, which changed " + changes + " and did not finish; finish " +
                      "it (aebench train CONFIG --out " + run_dir.string() + " --resume)");
  // No resume is under way, so neither file can be blamed: name both ways it comes about.
  if (beyond_resume.empty())
    throw ConfigError(
        (run_dir / kModelFile).string() + ": expected the model of config.json, " +
        "found one whose config differs in " + changes + ", and no train " +
        "--resume unfinished here: a model.pt of another run (copied in), or a config.json " +
        "edited after training; put back the run's own files, or train a new run");
  throw ConfigError(config_file.string() + ": expected the config " + kModelFile +
                    " was trained with, found changes in " + changes +
                    "; undo them, or train a new run with the new config");
}

// Throws DataError when RUN_DIR's summary.json holds another config's results (a copy of
// another run's): `command` adds to it. Asked once config.json is known to be model.pt's, so
// that an edited config.json is named as such, not as a foreign summary.
void require_own_summary(const fs::path& run_dir, const std::string& command) {
  const RegularFileText file = read_regular_file(run_dir / kSummaryFile);
  const nlohmann::json summary =
      file.ok() ? nlohmann::json::parse(file.bytes, nullptr, false) : nlohmann::json();
  if (const std::string foreign = foreign_summary_problem(run_dir, summary); !foreign.empty())
    throw DataError((run_dir / kSummaryFile).string() + ": " + foreign + "; config.json " +
                    "agrees with model.pt, so " + command + " wrote nothing: remove the " +
                    "summary.json and finish the run (aebench train CONFIG --out " +
                    run_dir.string() + " --resume)");
}

// The fingerprint of the data the run trained on, from its summary.json; null for a run made
// before fingerprints were kept, one without a summary, or one whose summary is another run's.
nlohmann::json trained_fingerprint(const fs::path& run_dir) {
  const RegularFileText file = read_regular_file(run_dir / kSummaryFile);
  const nlohmann::json summary =
      file.ok() ? nlohmann::json::parse(file.bytes, nullptr, false) : nlohmann::json();
  if (!summary.is_object() || !summary.contains("data") || !summary["data"].is_object() ||
      !foreign_summary_problem(run_dir, summary).empty())
    return nullptr;
  return summary["data"].value("fingerprint", nlohmann::json());
}

std::string shape_text(const ImageShape& shape) {
  return std::to_string(shape.channels) + "x" + std::to_string(shape.height) + "x" +
         std::to_string(shape.width);
}

}  // namespace

SavedRun reload_run(const fs::path& run_dir, const SavedRunOptions& options,
                    const std::string& section, ReloadData data) {
  const fs::path config_file = run_dir / kConfigFile;
  nlohmann::json document = read_json_file(config_file);
  const Config saved = saved_config(run_dir, document);
  if (!options.device.empty()) document["device"] = options.device;
  if (options.threads >= 0) document["threads"] = options.threads;
  if (document[section].is_null()) document[section] = nlohmann::json::object();  // its defaults
  bool names_dataset = false, names_dir = false;
  for (const auto& assignment : options.overrides) {
    nlohmann::json given;  // what this assignment sets, alone: section.KEY, or section={...}
    apply_override(given, assignment);
    const bool in_section = given.size() == 1 && given.contains(section);
    if (!in_section || !given[section].is_object())
      throw ConfigError("--set " + assignment + ": expected a " + section + ".KEY=VALUE " +
                        "override (or " + section + "={...}), found " +
                        (in_section ? "a " + section + " that is no object" : "another key"));
    names_dataset = names_dataset || (section == "data" && given[section].contains("dataset"));
    names_dir = names_dir || (section == "data" && given[section].contains("dir"));
    apply_override(document, assignment);
  }
  // The stored folder holds the run's own data set, not the one named now.
  if (names_dataset && !names_dir && document["data"].is_object()) document["data"].erase("dir");
  // A smaller test split than the pictures' row of images: the pictures show the split whole.
  if (section == "data" && document["data"].is_object()) {
    const nlohmann::json limit = document["data"].value("test_limit", nlohmann::json());
    const nlohmann::json images = document.contains("output") && document["output"].is_object()
                                      ? document["output"].value("images", nlohmann::json())
                                      : nlohmann::json();
    const std::int64_t shown =
        images.is_number_integer() ? images.get<std::int64_t>() : Config{}.output.images;
    if (limit.is_number_integer() && limit.get<std::int64_t>() > 0 &&
        limit.get<std::int64_t>() < shown)
      document["output"]["images"] = limit;
  }
  SavedRun run;
  std::vector<std::string> flags;  // what changed config.json's values here, for messages
  if (!options.overrides.empty()) flags.push_back("--set");
  if (!options.device.empty()) flags.push_back("--device");
  if (options.threads >= 0) flags.push_back("--threads");
  run.config = config_from_json(document, config_file.string() + changed_by_note(flags));
  // A folder named on this command line is the user's, relative to where they are; the
  // stored one is absolute, or relative to the run (a run trained before it was stored so).
  resolve_data_dir(run.config.data, names_dataset || names_dir ? fs::path() : run_dir);
  if (run.config.model.image != saved.model.image)
    throw ConfigError("--set data.dataset: expected a data set of the model's image shape " +
                      shape_text(saved.model.image) + ", found " + run.config.data.dataset + " (" +
                      shape_text(run.config.model.image) + ")");
  run.context = make_run_context(run.config.device, run.config.threads);
  if (std::string cap = thread_cap_note(run.config, run.context); !cap.empty())
    run.notes.push_back(std::move(cap));
  if (data == ReloadData::kYes) run.data = load_dataset(run.config.data, run.config.seed);
  run.model = build_model(run.config, run.context);
  load_model(run_dir / kModelFile, *run.model);
  return run;
}

nlohmann::json run_evaluation(const fs::path& run_dir, const SavedRunOptions& saved,
                              SplitKind split, const RunOptions& options) {
  require_run_folder(run_dir, "eval");  // before reading anything of it
  // A run stopped while it trained has a checkpoint but no model yet: it is not a damaged one.
  std::error_code error;
  if (!fs::exists(fs::symlink_status(run_dir / kModelFile, error)) &&
      fs::exists(run_dir / kCheckpointFile, error))
    throw ConfigError(run_dir.string() +
                      ": eval expected a trained model (model.pt), found none: the run's "
                      "training has not finished; finish it first (aebench train CONFIG --out " +
                      run_dir.string() + " --resume)");
  const StopSignalGuard stop_signals;
  const SavedRun run = reload_run(run_dir, saved, "data");
  const auto& [config, context, data, model, notes] = run;
  if (options.log && !options.quiet)
    for (const auto& note : notes) *options.log << note << '\n';
  const RunLock lock(run_dir);  // no resume or probe may change the folder meanwhile
  const fs::path folder = run_dir / kEvalFolder;
  refuse_symbolic_link(folder, "eval folder");
  refuse_unwritable_results(run_dir, {kReportFile}, kEvalFolder);  // before the work, not after
  const std::string name = split_name(split);
  const Split& images = split_of(data, split);
  const auto stop_point = [&] {
    if (const int signal_number = StopSignalGuard::received())
      throw Interrupted("stopped by " + signal_name(signal_number) +
                            " before eval/ was written; nothing was written: run aebench eval " +
                            run_dir.string() + " again",
                        signal_number);
  };
  const TestReport test = test_and_draw(*model, images, config, context, stop_point);
  stop_point();
  lock.require_held();  // a run folder moved or replaced meanwhile is not written into
  make_real_subfolder(run_dir, kEvalFolder);
  remove_leftovers(run_dir);
  write_artefacts(folder, test.artefacts);
  nlohmann::json summary = base_summary(config, context, data, *model);
  summary[name] = test.json;
  summary["model_crc32"] = checked_file_crc(run_dir / kModelFile);  // the model it scored
  summary["evaluated"] = {{"split", name},
                          {"dataset", config.data.dataset},
                          {"images", images.size()},
                          {"overrides", saved.overrides}};
  // Whether these are the data the model trained on (the same files under the same selection);
  // null when the run does not say.
  const nlohmann::json trained_on = trained_fingerprint(run_dir);
  summary["evaluated"]["same_data_as_training"] =
      trained_on.is_string() ? nlohmann::json(trained_on == data.fingerprint) : nlohmann::json();
  lock.require_held();
  write_summary(folder, summary);
  write_report(run_dir);
  if (options.log && !options.quiet)
    *options.log << "eval on " << images.size() << " " << name << " images: mse "
                 << test.metrics.mse << ", sse/image " << test.metrics.sse_per_image << ", psnr "
                 << test.metrics.psnr_db << " dB; results in " << folder.string() << '\n';
  return summary;
}

nlohmann::json run_probe(const fs::path& run_dir, const SavedRunOptions& saved,
                         const RunOptions& options) {
  require_run_folder(run_dir, "probe");  // before reading anything of it
  require_finished_run(run_dir, "probe");
  const StopSignalGuard stop_signals;
  const SavedRun run = reload_run(run_dir, saved, "probe");
  const auto& [config, context, data, model, notes] = run;
  if (options.log && !options.quiet)
    for (const auto& note : notes) *options.log << note << '\n';
  const RunLock lock(run_dir);
  require_finished_run(run_dir, "probe");  // again, now that no resume can be replacing it
  require_own_summary(run_dir, "probe");
  refuse_unwritable_results(run_dir, {kReportFile, kSummaryFile}, kProbeFolder);
  // The probe's results join the run's own: on other data than it trained on they would not
  // be its results.
  if (const nlohmann::json trained_on = trained_fingerprint(run_dir);
      trained_on.is_string() && trained_on != data.fingerprint)
    throw DataError("probe: the data under data.dir " + config.data.dir + " (" +
                    config.data.dataset + ") differ from the data the run in " + run_dir.string() +
                    " trained on: expected fingerprint " + trained_on.dump() + ", found \"" +
                    data.fingerprint + "\"; point the run's data.dir at the files it trained on");
  const std::string model_crc = checked_file_crc(run_dir / kModelFile);  // the model it probes
  const ProbeReport report = probes_or_stop(*model, data, config, context, model_crc, [&] {
    return "before anything was written (probe/ and summary.json are as before): run aebench "
           "probe " +
           run_dir.string() + " again";
  });
  lock.require_held();  // a run folder moved or replaced meanwhile is not written into
  remove_leftovers(run_dir);
  write_artefacts(run_dir, report.artefacts);
  const nlohmann::json& probe = report.summary;
  nlohmann::json summary = fs::exists(run_dir / kSummaryFile)
                               ? read_json_file(run_dir / kSummaryFile)
                               : nlohmann::json::object();
  summary["probe"] = probe;
  lock.require_held();
  write_summary(run_dir, summary);
  write_report(run_dir);
  if (options.log && !options.quiet)
    for (const auto& [name, result] : probe.items())
      if (result.is_object())
        *options.log << "probe " << name << ": val accuracy "
                     << result["val_accuracy"].get<double>() << ", test accuracy "
                     << result["test_accuracy"].get<double>() << '\n';
  return probe;
}

}  // namespace aebench
