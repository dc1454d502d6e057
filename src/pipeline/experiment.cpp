#include "aebench/pipeline/experiment.h"

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <optional>
#include <sstream>

#include "aebench/analysis/analysis.h"
#include "aebench/analysis/probe.h"
#include "aebench/analysis/ssim.h"
#include "aebench/artefacts/artefacts.h"
#include "aebench/config/config_changes.h"
#include "aebench/config/data_location.h"
#include "aebench/config/schema.h"
#include "aebench/data/dataset.h"
#include "aebench/data/noise.h"
#include "aebench/errors.h"
#include "aebench/io/append_log.h"
#include "aebench/io/cpu_cores.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stop_signal.h"
#include "aebench/io/stopwatch.h"
#include "aebench/pipeline/preflight.h"
#include "aebench/pipeline/run_context.h"
#include "aebench/pipeline/run_record.h"
#include "aebench/pipeline/thread_choice.h"
#include "aebench/pipeline/thread_follower.h"
#include "aebench/plot/figures.h"
#include "aebench/report/report.h"
#include "aebench/train/checkpoint.h"
#include "aebench/train/metrics.h"
#include "aebench/train/precision.h"
#include "aebench/train/pretraining.h"
#include "aebench/train/trainer.h"
#include "aebench/version.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;

// Seeds of the fixed noise on validation and test inputs, derived from the config's seed so
// that every run (and `eval`) of one config sees the same corrupted images.
std::uint64_t val_noise_seed(std::uint64_t seed) {
  return seed * 2 + 1000003;
}
std::uint64_t test_noise_seed(std::uint64_t seed) {
  return seed * 2 + 1000004;
}

// Inputs as the model sees them: the clean images corrupted with fixed-seed noise.
torch::Tensor fixed_noise_inputs(const torch::Tensor& clean, const NoiseOptions& noise,
                                 std::uint64_t seed, const torch::Device& device) {
  return add_noise(clean.to(torch::kCPU), noise, make_cpu_generator(seed)).to(device);
}

std::string describe_split_sizes(const Dataset& data, const DataOptions& options) {
  std::ostringstream text;
  text << "data: " << data.train.size() << " train, ";
  if (options.val_fraction > 0)
    text << data.val.size() << " validation " << validation_source(options) << ", ";
  text << data.test.size() << " test images";
  if (options.val_fraction <= 0)
    text << "; validation = the test split (data.val \"test\"): do not read it as a held-out score";
  return text.str();
}

// A code value for a figure title: three significant digits.
std::string format_value(double value) {
  std::ostringstream text;
  text << std::setprecision(3) << value;
  return text.str();
}

struct TestReport {
  ReconstructionMetrics metrics;
  nlohmann::json json;
  torch::Tensor inputs;  // the test images as the model sees them (noisy if denoising)
  Artefacts artefacts;   // reconstructions.png, bottleneck.png
};

// SSIM per test image, averaged; a colour image's is the mean of its channels' SSIMs (as
// scikit-image's channel_axis).
double mean_test_ssim(AutoencoderImpl& model, const torch::Tensor& inputs,
                      const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  model.eval();
  const auto channels_apart = [](const torch::Tensor& images) {  // [n * C, 1, H, W]
    return images.reshape({-1, 1, images.size(2), images.size(3)});
  };
  const double channels = double(targets.size(1));
  double sum = 0;
  for (std::int64_t start = 0; start < inputs.size(0); start += kEvalBatchSize) {
    const auto length = std::min(kEvalBatchSize, inputs.size(0) - start);
    sum += ssim_per_image(channels_apart(model.forward(inputs.narrow(0, start, length))),
                          channels_apart(targets.narrow(0, start, length)))
               .sum()
               .item<double>() /
           channels;
  }
  return sum / double(inputs.size(0));
}

// Test metrics, with the reconstructions and bottleneck pictures of the first test images.
TestReport test_and_draw(AutoencoderImpl& model, const Split& test, const Config& config,
                         const RunContext& context) {
  const auto targets = unit_floats(test.images.to(context.device));
  const auto inputs =
      fixed_noise_inputs(targets, config.noise, test_noise_seed(config.seed), context.device);
  TestReport report;
  report.metrics = evaluate_reconstruction(model, inputs, targets);
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
  report.json["ssim"] = mean_test_ssim(model, inputs, targets);
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
            {"val_source", validation_source(config.data)}}},
          {"config", config_to_json(config)}};
}

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
  static const char* const kLast[] = {"torch_version", "aebench_version", "format_version",
                                      "config"};
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

void write_summary(const fs::path& folder, const nlohmann::json& summary) {
  Artefacts artefacts;
  artefacts.add(kSummaryFile, in_reading_order(summary));
  write_artefacts(folder, artefacts);
}

// report.html from the run folder's files as they are now (after its last artefact).
void write_report(const fs::path& run_dir) {
  write_artefacts(run_dir, report_artefacts(run_dir));
}

bool starts_with_any(const std::string& path, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& prefix) { return path.rfind(prefix, 0) == 0; });
}

// Refuses to resume when there is nothing to resume or the config changes what the run was
// started with (anything the schema does not mark resumable). True when there is a training
// checkpoint to continue from; false when the run stopped before its first one (config.json but no
// checkpoint.pt), and starts over.
bool check_resumable(const fs::path& folder, const nlohmann::json& resolved) {
  const fs::path checkpoint = folder / kCheckpointFile;
  const bool has_checkpoint = fs::exists(checkpoint);
  if (!has_checkpoint && !fs::exists(folder / kConfigFile))
    throw ConfigError("--resume: expected a checkpoint in " + folder.string() +
                      ", found none: nothing was trained there yet; run the same command without "
                      "--resume to start the run");
  if (!is_run_folder(folder))
    throw ConfigError("--resume: expected a run folder aebench train made in " + folder.string() +
                      " (with its run.json), found files of another kind; use --out DIR");
  const nlohmann::json saved =
      has_checkpoint ? read_checkpoint_config(checkpoint) : read_json_file(folder / kConfigFile);
  const std::string changes = describe_changes(
      saved, resolved, [](const std::string& path) { return !resumable_key(path); });
  std::string allowed;
  for (const auto& key : resumable_keys()) allowed += (allowed.empty() ? "" : ", ") + key;
  if (!changes.empty())
    throw ConfigError("--resume: the config differs from the checkpoint's in " + changes +
                      "; only " + allowed + " may change when resuming");
  return has_checkpoint;
}

// Ends the run with an Interrupted error when a stop signal has arrived. `where`: how far the
// run got; `next`: what resuming does.
void stop_if_requested(const std::string& where, const std::string& next,
                       const RunOptions& options) {
  if (const int signal_number = StopSignalGuard::received())
    throw Interrupted("stopped by " + signal_name(signal_number) + " " + where + "; " + next +
                          ": " + options.resume_hint,
                      signal_number);
}

std::shared_ptr<AutoencoderImpl> build_model(const Config& config, const RunContext& context) {
  torch::manual_seed(config.seed);
  auto model = make_autoencoder(config.model);
  model->to(context.device);
  return model;
}

// A resumed run's summary extras come from its checkpoint; their thread_choice must describe
// this session: the recorded one when it was reused, this session's when the checkpoint had
// none, and none when this session was given a count.
void keep_thread_choice_current(nlohmann::json& checkpoint_extras,
                                const nlohmann::json& session_extras) {
  const bool measured_session = session_extras.contains("thread_choice");
  if (!measured_session) {
    if (checkpoint_extras.is_object()) checkpoint_extras.erase("thread_choice");
  } else if (!checkpoint_extras.is_object() || !checkpoint_extras.contains("thread_choice")) {
    checkpoint_extras["thread_choice"] = session_extras.at("thread_choice");
  }
}

// The training loop with checkpoints every epoch, resume and stop on signals. `extras` (the
// summary's results from before training) go into the checkpoints; when `continuing`, the
// checkpoint's come back in the result's progress.summary_extras. A `threads` follower (may be
// null) sets the thread count at the end of every epoch.
TrainingResult train_with_checkpoints(AutoencoderImpl& model, const TrainingData& training,
                                      const Config& config, const RunOptions& options,
                                      ProgressReporter& progress, bool continuing,
                                      const nlohmann::json& extras, ThreadFollower* threads) {
  const fs::path folder = config.output.dir;
  const nlohmann::json resolved = config_to_json(config);
  auto optimizer = make_optimizer(model, config.train);
  TrainingProgress start =
      continuing ? load_training_checkpoint(folder / kCheckpointFile, model, *optimizer).progress
                 : fresh_progress(config.seed);
  if (continuing) {
    progress.note("resuming after epoch " + std::to_string(start.epochs_done));
    keep_thread_choice_current(start.summary_extras, extras);
  } else {
    start.summary_extras = extras;
  }
  MetricsCsv metrics_csv(folder / kMetricsFile, start.history);
  TrainingHooks hooks;
  hooks.progress = &progress;
  hooks.on_epoch = [&](const EpochRecord& record) {
    metrics_csv.append(record);
    // After the last epoch nothing is left to train on another count.
    if (threads == nullptr || record.epoch >= config.train.epochs) return;
    if (const auto change = threads->after_epoch(record.epoch)) progress.note(*change);
  };
  hooks.save_checkpoint = [&](const TrainingProgress& state) {
    if (threads == nullptr) {
      save_training_checkpoint(folder / kCheckpointFile, model, *optimizer, state, resolved);
      return;
    }
    // The changes so far, for a resumed session to go on from.
    TrainingProgress with_changes = state;
    with_changes.summary_extras["thread_choice"]["changes"] = threads->changes();
    save_training_checkpoint(folder / kCheckpointFile, model, *optimizer, with_changes, resolved);
  };
  hooks.checkpoint_seconds = config.output.checkpoint_minutes * 60.0;
  hooks.stop_requested = &StopSignalGuard::received;
  try {
    return train_autoencoder(model, *optimizer, training, config.train, config.noise,
                             std::move(start), hooks);
  } catch (const Interrupted& interrupted) {
    throw Interrupted(std::string(interrupted.what()) + "; checkpoint written to " +
                          (folder / kCheckpointFile).string() +
                          "; resume with: " + options.resume_hint,
                      interrupted.signal_number());
  }
}

// Greedy layer-wise pretraining, stopped by a signal like training. Nothing of it is saved: a
// resumed run pretrains again from the start, with the same result.
nlohmann::json pretrain(AutoencoderImpl& model, const torch::Tensor& images, const Config& config,
                        const RunOptions& options, ProgressReporter& progress) {
  try {
    return pretrain_layers(model, images, config, &progress, &StopSignalGuard::received);
  } catch (const Interrupted& interrupted) {
    throw Interrupted(std::string(interrupted.what()) +
                          "; pretraining is not checkpointed: resuming pretrains again from the "
                          "start (same result) with: " +
                          options.resume_hint,
                      interrupted.signal_number());
  }
}

// A model fitted in closed form (PCA): one "epoch" whose losses are the fitted model's MSE.
TrainingResult fit_in_closed_form(AutoencoderImpl& model, const TrainingData& training,
                                  const fs::path& folder, nlohmann::json& extras) {
  const auto start = SteadyClock::now();
  const auto train_images = unit_floats(training.train_images);
  const nlohmann::json fit = model.fit_closed_form(train_images);
  for (const auto& item : fit.items()) extras[item.key()] = item.value();
  const auto train = evaluate_reconstruction(model, train_images, train_images);
  const auto val = evaluate_reconstruction(model, training.val_inputs, training.val_targets);
  const double seconds = seconds_since(start);
  TrainingResult result;
  result.progress.history.push_back({1, train.mse, val.mse, val.mse, val.psnr_db, seconds});
  result.progress.epochs_done = 1;
  result.progress.best_epoch = 1;
  result.progress.best_val_loss = val.mse;
  result.train_seconds = seconds;
  result.samples_per_second = double(training.train_images.size(0)) / seconds;
  MetricsCsv(folder / kMetricsFile, result.progress.history);
  return result;
}

// run_probes, stopped by a signal between probe epochs; `next` says what the run has written
// and how to go on.
template <typename Next>
ProbeReport probes_or_stop(AutoencoderImpl& model, const Dataset& data, const Config& config,
                           const RunContext& context, Next next) {
  try {
    return run_probes(model, data, config, context.device, &StopSignalGuard::received);
  } catch (const Interrupted& interrupted) {
    throw Interrupted(std::string(interrupted.what()) + " " + next(), interrupted.signal_number());
  }
}

// Saves the model, draws the pictures, tests and writes summary.json. A stop signal ends the
// run after the stage in progress, naming the artefacts that are complete.
nlohmann::json finish_run(const Config& config, const RunContext& context, const Dataset& data,
                          AutoencoderImpl& model, const TrainingResult& result,
                          const RunOptions& options, const nlohmann::json& extras,
                          nlohmann::ordered_json& record, ProgressReporter& progress) {
  const fs::path folder = config.output.dir;
  const TrainingProgress& state = result.progress;
  const bool checkpointed = fs::exists(folder / kCheckpointFile);  // PCA has none: it refits
  std::string complete =
      std::string(kMetricsFile) + (checkpointed ? std::string(", ") + kCheckpointFile : "");
  const std::string rest_written_by =
      checkpointed ? "the rest (summary.json last) is written, without training again, by"
                   : "the rest (summary.json last) is written by";
  const auto stage_done = [&](const std::string& files) {
    complete += ", " + files;
    stop_if_requested("after training, with " + complete + " complete", rest_written_by, options);
  };
  // Each stage's artefacts are written before the next stage starts, so a stop between
  // stages keeps them.
  const auto write_stage = [&](const Artefacts& artefacts) {
    write_artefacts(folder, artefacts);
    stage_done(artefacts.file_list());
  };
  save_model(folder / kModelFile, model, config_to_json(config));
  stage_done(kModelFile);
  Artefacts loss_curve;
  loss_curve.add(kLossCurveFile,
                 draw_loss_curve(state.history, config.name + ": training and validation loss",
                                 config.train.loss));
  write_stage(loss_curve);
  const TestReport test = test_and_draw(model, data.test, config, context);
  write_stage(test.artefacts);
  nlohmann::json summary = base_summary(config, context, data, model);
  summary["test"] = test.json;
  summary["epochs_run"] = state.epochs_done;
  summary["best_epoch"] = state.best_epoch;
  summary["best_val_loss"] = state.best_val_loss;
  summary["stopped_early"] = result.stopped_early;
  summary["train_seconds"] = result.train_seconds;
  double all_sessions = 0.0;  // a resumed run's earlier sessions are in its history
  for (const auto& record : state.history) all_sessions += record.seconds;
  summary["train_seconds_total"] = all_sessions;
  summary["samples_per_second"] = result.samples_per_second;
  if (extras.is_object()) summary.update(extras);
  const ModelAnalysis analysis = [&] {
    try {
      return analyse_model(model, data.test, test.inputs, config);
    } catch (const Interrupted& stop) {  // within a long t-SNE map: say how to go on
      throw Interrupted(std::string(stop.what()) + ", with " + complete + " complete; " +
                            rest_written_by + ": " + options.resume_hint,
                        stop.signal_number());
    }
  }();
  summary["analysis"] = analysis.summary;
  write_stage(analysis.artefacts);
  if (config.probe.enabled) {
    const ProbeReport probe = probes_or_stop(model, data, config, context, [&] {
      return "after training, with " + complete + " complete; " + rest_written_by + ": " +
             options.resume_hint;
    });
    summary["probe"] = probe.summary;
    write_stage(probe.artefacts);
  }
  finish_run_record(record);
  summary["provenance"] = nlohmann::json::parse(session_provenance(record).dump());
  Artefacts record_file;
  record_file.add(kRunMarkerFile, record);
  write_artefacts(folder, record_file);
  write_summary(folder, summary);
  try {
    write_report(folder);
  } catch (...) {
    // "Done" means complete: without its report (a full disk) the run is not finished, and
    // --resume writes both again from the checkpoint.
    std::error_code error;
    fs::remove(folder / kSummaryFile, error);
    throw;
  }
  std::ostringstream result_line;
  result_line << "test: mse " << test.metrics.mse << ", sse/image " << test.metrics.sse_per_image
              << ", psnr " << test.metrics.psnr_db << " dB; results in " << folder.string();
  progress.note(result_line.str());
  return summary;
}

// Throws ConfigError unless aebench made RUN_DIR a run folder (io/run_folder.h): eval and probe
// write into a run folder only.
void require_run_folder(const fs::path& run_dir, const std::string& command) {
  if (is_run_folder(run_dir)) return;
  throw ConfigError(run_dir.string() + ": " + command +
                    " expected a run folder aebench train made (with its run.json), found " +
                    (fs::is_directory(run_dir) ? "a folder without one" : "no such folder") +
                    "; nothing was written");
}

// Throws ConfigError unless RUN_DIR holds a finished run: a summary.json with test results,
// written last by train. `command` adds to it (probe), so on an unfinished run it would make
// the run look done.
void require_finished_run(const fs::path& run_dir, const std::string& command) {
  require_run_folder(run_dir, command);
  const RegularFileText file = read_regular_file(run_dir / kSummaryFile);
  const nlohmann::json summary =
      file.ok() ? nlohmann::json::parse(file.bytes, nullptr, false) : nlohmann::json();
  if (summary.is_object() && summary.contains("test") && !summary.contains("error")) return;
  throw ConfigError(run_dir.string() + ": " + command +
                    " expected a finished run (summary.json with test results), found " +
                    (file.ok() ? "a summary.json without them" : "summary.json " + file.problem()) +
                    "; finish the run first (aebench train CONFIG --out " + run_dir.string() +
                    " --resume)");
}

// A finished run brought back: its config (with `document`'s changes), data and saved model.
struct SavedRun {
  Config config;
  RunContext context;
  Dataset data;
  std::shared_ptr<AutoencoderImpl> model;
};

// Config keys that decide what the saved model computes on the test images: eval and probe
// refuse a config.json that differs from model.pt's own in any of them.
const std::vector<std::string> kModelDefiningKeys = {"/model", "/noise", "/data/dataset"};

SavedRun reload_run(const fs::path& run_dir, nlohmann::json document, const std::string& device,
                    std::int64_t threads) {
  if (!device.empty()) document["device"] = device;
  if (threads >= 0) document["threads"] = threads;
  SavedRun run;
  const fs::path config_file = run_dir / kConfigFile;
  run.config = config_from_json(document, config_file.string());
  resolve_data_dir(run.config.data, run_dir);  // a run trained before data.dir was stored absolute
  const std::string changes = describe_changes(
      read_checkpoint_config(run_dir / kModelFile), config_to_json(run.config),
      [](const std::string& path) { return starts_with_any(path, kModelDefiningKeys); });
  if (!changes.empty())
    throw ConfigError(config_file.string() + ": expected the config " + kModelFile +
                      " was trained with, found changes in " + changes +
                      "; undo them, or train a new run with the new config");
  run.context = make_run_context(run.config.device, run.config.threads);
  run.data = load_dataset(run.config.data, run.config.seed);
  run.model = build_model(run.config, run.context);
  load_model(run_dir / kModelFile, *run.model);
  return run;
}

// The thread count the interrupted session trained on, from its checkpoint: a resumed run
// keeps it, so that it computes what the uninterrupted run would have. The checkpoint holds
// the choice of a measured session; a session given a count holds it in its config; a threads
// 0 session from before the measurement existed used every usable core.
ThreadChoice recorded_thread_choice(const fs::path& folder) {
  const fs::path checkpoint = folder / kCheckpointFile;
  const CheckpointHeader header = read_checkpoint_header(checkpoint);
  const nlohmann::json& extras = header.summary_extras;
  if (extras.is_object() && extras.contains("thread_choice"))
    return reuse_thread_choice(extras.at("thread_choice"), checkpoint.string());
  const nlohmann::json saved = header.config.value("threads", nlohmann::json(0));
  const bool given = saved.is_number_integer() && saved.get<std::int64_t>() > 0;
  ThreadChoice choice = reuse_thread_choice(
      {{"threads", given ? saved.get<std::int64_t>() : usable_cpu_cores()}}, checkpoint.string());
  choice.reason = "as the interrupted session ran";
  return choice;
}

}  // namespace

nlohmann::json run_training(const Config& config, const RunOptions& options) {
  const StopSignalGuard stop_signals;  // for the whole run: each phase stops at a safe point
  RunContext context = make_run_context(config.device, config.threads);
  const fs::path folder = config.output.dir;
  const Dataset data = load_dataset(config.data, config.seed);
  const std::vector<std::string> notes = preflight(config, data, context);
  const RunLock lock(folder);
  const bool continuing = options.resume && check_resumable(folder, config_to_json(config));
  if (!options.resume) prepare_run_folder(folder, options.overwrite);
  remove_leftovers(folder);
  // A resume will save a new model: the old one's results go now, so none is shown as current
  // while it trains, or after it is stopped (a linked eval/ or probe/ is refused here, first).
  if (options.resume) remove_model_results(folder);
  Artefacts resolved_config;
  resolved_config.add(kConfigFile, config_to_json(config));
  nlohmann::ordered_json record = start_run_record(
      folder, continuing, {options.command_line, options.overrides, torch_version()});
  resolved_config.add(kRunMarkerFile, record);
  write_artefacts(folder, resolved_config);
  AppendLog train_log(folder / kTrainLogFile);

  auto model = build_model(config, context);
  nlohmann::json extras;
  std::string thread_note;
  std::optional<ThreadFollower> follower;
  if (config.threads == 0 && !context.device.is_cuda() && !model->fits_in_closed_form()) {
    const ThreadChoice choice =
        continuing ? recorded_thread_choice(folder)
                   : choose_training_threads(config, data.train.images, context.threads,
                                             planned_training_steps(config, data.train.size()));
    context.threads = choice.threads;
    extras["thread_choice"] = thread_choice_json(choice);
    thread_note = " (threads 0: " + choice.reason + ")";
    // Only a count threads 0 measured (now or for the interrupted session) follows the load: a
    // count the interrupted session was given stays as given.
    if (config.follow_load && choice.measured && choice.threads > 1)
      follower.emplace(choice.threads, usable_cpu_cores(), choice.changes);
  }
  ProgressReporter progress(options.log ? *options.log : std::cerr,
                            options.log
                                ? choose_progress_style(options.quiet, options.log_is_terminal)
                                : ProgressStyle::kQuiet);
  progress.keep_log(&train_log);
  progress.timestamp_lines(options.log_timestamps);
  if (!options.command_line.empty()) train_log.line(options.command_line);
  progress.note(config.name + ": " + describe_split_sizes(data, config.data) + "; " +
                std::to_string(count_parameters(*model)) + " parameters on " +
                device_name(context.device) + " with " + thread_count_text(context.threads) +
                thread_note +
                (model->fits_in_closed_form() ? std::string()
                                              : ", " + training_precision_name(config, context)));
  for (const auto& note : notes) progress.note(note);
  stop_if_requested("before training started",
                    continuing ? "resume with" : "resume (it starts from the beginning) with",
                    options);
  const auto val_targets = unit_floats(data.val.images.to(context.device));
  const TrainingData training{
      data.train.images.to(context.device),
      fixed_noise_inputs(val_targets, config.noise, val_noise_seed(config.seed), context.device),
      val_targets};
  TrainingResult result;
  if (model->fits_in_closed_form()) {
    result = fit_in_closed_form(*model, training, folder, extras);
  } else {
    if (config.pretrain.enabled && !continuing)
      extras["pretraining"] =
          pretrain(*model, unit_floats(training.train_images), config, options, progress);
    result = train_with_checkpoints(*model, training, config, options, progress, continuing, extras,
                                    follower ? &*follower : nullptr);
    extras = result.progress.summary_extras;
    if (follower) {
      follower->return_to_chosen();  // evaluation and analyses run on the chosen count
      extras["thread_choice"]["changes"] = follower->changes();
    }
  }
  return finish_run(config, context, data, *model, result, options, extras, record, progress);
}

nlohmann::json run_evaluation(const fs::path& run_dir, const std::string& device,
                              std::int64_t threads, const RunOptions& options) {
  require_run_folder(run_dir, "eval");  // before reading anything of it
  const StopSignalGuard stop_signals;
  const SavedRun run = reload_run(run_dir, read_json_file(run_dir / kConfigFile), device, threads);
  const auto& [config, context, data, model] = run;
  const RunLock lock(run_dir);  // no resume or probe may change the folder meanwhile
  const fs::path folder = run_dir / kEvalFolder;
  refuse_symbolic_link(folder, "eval folder");
  const TestReport test = test_and_draw(*model, data.test, config, context);
  if (const int signal_number = StopSignalGuard::received())
    throw Interrupted("stopped by " + signal_name(signal_number) +
                          " before eval/ was written; nothing was written: run aebench eval " +
                          run_dir.string() + " again",
                      signal_number);
  make_real_subfolder(run_dir, kEvalFolder);
  write_artefacts(folder, test.artefacts);
  nlohmann::json summary = base_summary(config, context, data, *model);
  summary["test"] = test.json;
  write_summary(folder, summary);
  write_report(run_dir);
  if (options.log && !options.quiet)
    *options.log << "eval: test mse " << test.metrics.mse << ", sse/image "
                 << test.metrics.sse_per_image << ", psnr " << test.metrics.psnr_db
                 << " dB; results in " << folder.string() << '\n';
  return summary;
}

nlohmann::json run_probe(const fs::path& run_dir, const std::vector<std::string>& overrides,
                         const std::string& device, std::int64_t threads,
                         const RunOptions& options) {
  require_finished_run(run_dir, "probe");  // before reading anything of it
  nlohmann::json document = read_json_file(run_dir / kConfigFile);
  if (document["probe"].is_null()) document["probe"] = nlohmann::json::object();
  for (const auto& assignment : overrides) {
    if (assignment.rfind("probe.", 0) != 0)
      throw ConfigError("--set " + assignment +
                        ": expected a probe.KEY=VALUE override, found another key");
    apply_override(document, assignment);
  }
  const StopSignalGuard stop_signals;
  const SavedRun run = reload_run(run_dir, document, device, threads);
  const auto& [config, context, data, model] = run;
  const RunLock lock(run_dir);
  require_finished_run(run_dir, "probe");  // again, now that no resume can be replacing it
  const ProbeReport report = probes_or_stop(*model, data, config, context, [&] {
    return "; nothing was written (probe/ and summary.json are as before): run aebench probe " +
           run_dir.string() + " again";
  });
  write_artefacts(run_dir, report.artefacts);
  const nlohmann::json& probe = report.summary;
  nlohmann::json summary = fs::exists(run_dir / kSummaryFile)
                               ? read_json_file(run_dir / kSummaryFile)
                               : nlohmann::json::object();
  summary["probe"] = probe;
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
