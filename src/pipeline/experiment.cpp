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
#include "aebench/config/data_location.h"
#include "aebench/config/schema.h"
#include "aebench/data/dataset.h"
#include "aebench/data/noise.h"
#include "aebench/errors.h"
#include "aebench/io/append_log.h"
#include "aebench/io/checked_file.h"
#include "aebench/io/cpu_cores.h"
#include "aebench/io/metrics_csv.h"
#include "aebench/io/run_artefacts.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stop_signal.h"
#include "aebench/io/stopwatch.h"
#include "aebench/pipeline/epoch_strips.h"
#include "aebench/pipeline/preflight.h"
#include "aebench/pipeline/resume.h"
#include "aebench/pipeline/run_context.h"
#include "aebench/pipeline/run_record.h"
#include "aebench/pipeline/run_stages.h"
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

// Ends the run with an Interrupted error when a stop signal has arrived. `where`: how far the
// run got; `next`: what resuming does.
void stop_if_requested(const std::string& where, const std::string& next,
                       const RunOptions& options) {
  if (const int signal_number = StopSignalGuard::received())
    throw Interrupted("stopped by " + signal_name(signal_number) + " " + where + "; " + next +
                          ": " + options.resume_hint,
                      signal_number);
}

// The training loop with checkpoints every epoch, resume and stop on signals. `extras` (the
// summary's results from before training) go into the checkpoints; when `continuing`, the
// checkpoint's come back in the result's progress.summary_extras. A `threads` follower (may be
// null) sets the thread count at the end of every epoch; `strips` records its epochs' pictures
// and travels in the checkpoints.
TrainingResult train_with_checkpoints(AutoencoderImpl& model, const TrainingData& training,
                                      const Config& config, const RunOptions& options,
                                      ProgressReporter& progress, bool continuing,
                                      const nlohmann::json& extras, ThreadFollower* threads,
                                      EpochStrips& strips, const RunLock& lock) {
  const fs::path folder = config.output.dir;
  const nlohmann::json resolved = config_to_json(config);
  auto optimizer = make_optimizer(model, config.train);
  TrainingProgress start =
      continuing ? load_training_checkpoint(folder / kCheckpointFile, model, *optimizer).progress
                 : fresh_progress(config.seed);
  if (continuing) {
    progress.note("resuming after epoch " + std::to_string(start.epochs_done));
    keep_thread_choice_current(start.summary_extras, extras);
    start.summary_extras["data_fingerprint"] = extras.at("data_fingerprint");  // an older one's
    strips.restore(start.summary_extras);
  } else {
    start.summary_extras = extras;
  }
  MetricsCsv metrics_csv(folder / kMetricsFile, start.history, model.is_variational());
  TrainingHooks hooks;
  hooks.progress = &progress;
  hooks.on_epoch = [&](const EpochRecord& record) {
    lock.require_held();
    metrics_csv.append(record);
    strips.after_epoch(model, record.epoch);
    // After the last epoch nothing is left to train on another count.
    if (threads == nullptr || record.epoch >= config.train.epochs) return;
    if (const auto change = threads->after_epoch(record.epoch)) progress.note(*change);
  };
  hooks.save_checkpoint = [&](const TrainingProgress& state) {
    lock.require_held();
    // The strips and thread changes so far, for a resumed session to go on from.
    TrainingProgress with_changes = state;
    with_changes.summary_extras["epoch_strips"] = strips.to_json();
    if (threads != nullptr)
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

// Saves the model, draws the pictures, tests and writes summary.json. A stop signal ends the
// run after the stage in progress, naming the artefacts that are complete.
nlohmann::json finish_run(const Config& config, const RunContext& context, const Dataset& data,
                          AutoencoderImpl& model, const TrainingResult& result,
                          const RunOptions& options, const nlohmann::json& extras,
                          nlohmann::ordered_json& record, ProgressReporter& progress,
                          const EpochStrips& strips, const RunLock& lock) {
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
    lock.require_held();
    write_artefacts(folder, artefacts);
    stage_done(artefacts.file_list());
  };
  lock.require_held();
  save_model(folder / kModelFile, model, config_to_json(config));
  // The summary names the model it scored: a summary.json beside another model.pt is not its.
  const std::string model_crc = checked_file_crc(folder / kModelFile);
  stage_done(kModelFile);
  Artefacts loss_curve;
  loss_curve.add(kLossCurveFile,
                 draw_loss_curve(state.history, config.name + ": training and validation loss",
                                 config.train.loss));
  if (!strips.empty())
    loss_curve.add(kEpochStripsFile,
                   strips.draw(config.name + ": the first test images as training went on"));
  write_stage(loss_curve);
  // The stages after training take seconds each (a full test split, maps, probes): each says
  // what it does as it starts, so the run never sits silent.
  progress.note("testing on the " + std::to_string(data.test.size()) + " test images");
  const TestReport test = test_and_draw(model, data.test, config, context, [&] {
    stop_if_requested("while testing, with " + complete + " complete", rest_written_by, options);
  });
  write_stage(test.artefacts);
  nlohmann::json summary = base_summary(config, context, data, model);
  summary["model_crc32"] = model_crc;
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
  summary.erase("epoch_strips");      // pictures, in reconstructions_by_epoch.png
  summary.erase("data_fingerprint");  // in summary["data"] already
  progress.note("analyses: layer activity, first-layer weights" +
                (config.analysis.embedding == "none"
                     ? std::string()
                     : ", " + config.analysis.embedding + " map of up to " +
                           std::to_string(config.analysis.embedding_points) + " test codes"));
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
    progress.note("probes: classifiers on the codes");
    const ProbeReport probe = probes_or_stop(model, data, config, context, model_crc, [&] {
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
  lock.require_held();
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

}  // namespace

nlohmann::json run_training(const Config& config, const RunOptions& options) {
  const StopSignalGuard stop_signals;  // for the whole run: each phase stops at a safe point
  RunContext context = make_run_context(config.device, config.threads);
  const fs::path folder = config.output.dir;
  const Dataset data = load_dataset(config.data, config.seed);
  const std::vector<std::string> notes = preflight(config, data, context);
  refuse_nested_run_folder(folder);  // before the lock creates it
  if (options.resume) require_something_to_resume(folder);
  const RunLock lock(folder, "run folder", "a new train may also write elsewhere with --out DIR");
  const bool continuing = options.resume && check_resumable(folder, config_to_json(config));
  // A finished run resumed with its own config has nothing to train: its model and results
  // stay as they are (a resume would save the model again and drop eval/, probe/, ...).
  if (continuing && finished_with(folder, config)) return already_finished(folder, config, options);
  if (continuing) require_same_data(folder, config, data);
  // A killed writer's temporaries are removed only in a run folder: in a folder of the user's
  // that a run goes beside (--overwrite), a file of that form is theirs.
  const bool run_folder_before = is_run_folder(folder);
  if (!options.resume) prepare_run_folder(folder, options.overwrite);
  if (run_folder_before) remove_leftovers(folder);
  // A resume will save a new model: the old one's results go now, so none is shown as current
  // while it trains, or after it is stopped (a linked eval/ or probe/ is refused here, first).
  if (options.resume) remove_model_results(folder);
  Artefacts resolved_config;
  nlohmann::ordered_json record = start_run_record(
      folder, continuing, {options.command_line, options.overrides, torch_version()});
  // The marker first: a folder holding this run's config.json is then always a run folder,
  // even after a kill between the two.
  resolved_config.add(kRunMarkerFile, record);
  resolved_config.add(kConfigFile, config_to_json(config));
  write_artefacts(folder, resolved_config);
  // The report of the run as it now is (not finished, without the old model's results), so
  // that a resume stopped before its end leaves none that shows them.
  if (options.resume) write_report(folder);
  AppendLog train_log(folder / kTrainLogFile);

  auto model = build_model(config, context);
  nlohmann::json extras = {{"data_fingerprint", data.fingerprint}};  // checkpointed
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
      val_targets, val_elbo_seed(config.seed)};
  const std::int64_t shown = std::min<std::int64_t>(config.output.images, data.test.size());
  EpochStrips strips(unit_floats(data.test.images.narrow(0, 0, shown).to(context.device)),
                     model->fits_in_closed_form() ? 1 : config.train.epochs);
  TrainingResult result;
  if (model->fits_in_closed_form()) {
    result = fit_in_closed_form(*model, training, folder, extras);
    strips.after_epoch(*model, 1);
  } else {
    if (config.pretrain.enabled && !continuing)
      extras["pretraining"] =
          pretrain(*model, unit_floats(training.train_images), config, options, progress);
    result = train_with_checkpoints(*model, training, config, options, progress, continuing, extras,
                                    follower ? &*follower : nullptr, strips, lock);
    extras = result.progress.summary_extras;
    if (follower) {
      follower->return_to_chosen();  // evaluation and analyses run on the chosen count
      extras["thread_choice"]["changes"] = follower->changes();
    }
  }
  return finish_run(config, context, data, *model, result, options, extras, record, progress,
                    strips, lock);
}

}  // namespace aebench
