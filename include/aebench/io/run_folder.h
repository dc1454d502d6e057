#pragma once
// The run folder (RUN_DIR): where every artefact of one run goes, and how files get there.
// Every file is written whole to a temporary name in the same folder, flushed, fsynced and
// renamed into place, so a reader (or a later `aebench eval`) never sees a torn file.
// Free of LibTorch.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace aebench {

// Version of the files aebench writes (summary.json, checkpoints); bumped on breaking change.
inline constexpr int kRunFormatVersion = 1;

// File names inside a run folder.
inline constexpr char kConfigFile[] = "config.json";
inline constexpr char kMetricsFile[] = "metrics.csv";
inline constexpr char kSummaryFile[] = "summary.json";
inline constexpr char kSweepFile[] = "sweep.json";  // a sweep folder's record
inline constexpr char kModelFile[] = "model.pt";
inline constexpr char kCheckpointFile[] = "checkpoint.pt";
inline constexpr char kLockFile[] = ".aebench.lock";
// aebench's mark that it made the folder a run folder, written when a run starts, and the record
// of how (pipeline/run_record.h). Only a folder with it is a run folder (is_run_folder).
inline constexpr char kRunMarkerFile[] = "run.json";
// What the run printed, each line with its UTC time (io/append_log.h), kept whatever --quiet.
inline constexpr char kTrainLogFile[] = "train.log";
inline constexpr char kLossCurveFile[] = "loss_curve.png";
inline constexpr char kReconstructionsFile[] = "reconstructions.png";
inline constexpr char kBottleneckFile[] = "bottleneck.png";
inline constexpr char kWeightsFile[] = "weights.png";
inline constexpr char kEmbeddingFile[] = "embedding.png";
// A variational model's decoded samples of its prior.
inline constexpr char kSamplesFile[] = "samples.png";
// Every model's test error per class (a bar chart), its worst-reconstructed test images, and
// decoded codes between two test images.
inline constexpr char kPerClassFile[] = "per_class_error.png";
inline constexpr char kWorstFile[] = "worst_reconstructions.png";
inline constexpr char kInterpolationFile[] = "interpolation.png";
// The first test images reconstructed at a few epochs during training, a strip per epoch.
inline constexpr char kEpochStripsFile[] = "reconstructions_by_epoch.png";
// The HTML report of the folder's files (aebench report; train, eval and probe refresh it).
// A sweep folder (a folder of run folders) has one of the same name.
inline constexpr char kReportFile[] = "report.html";
// A failed run's error, for reports: `aebench sweep` writes it beside a point's files when the
// point fails (and removes it when the point is retried); `aebench train` never does.
inline constexpr char kErrorFile[] = "error.txt";
inline constexpr char kProbeFolder[] = "probe";
inline constexpr char kEvalFolder[] = "eval";
// aebench export's default folder and files (pipeline/model_export.h).
inline constexpr char kExportFolder[] = "export";
inline constexpr char kStateDictFile[] = "state_dict.pt";
inline constexpr char kArchitectureFile[] = "architecture.json";
inline constexpr char kPythonLoaderFile[] = "aebench_model.py";
// aebench encode's default folder, and its record of the splits there: codes.json,
// {"format": "aebench-codes", "splits": {"test": {...}, ...}}, beside SPLIT_codes.npy,
// SPLIT_labels.npy and SPLIT_images.npy.
inline constexpr char kCodesFolder[] = "codes";
inline constexpr char kCodesRecordFile[] = "codes.json";

// The symbolic-link rule: aebench never writes, replaces or deletes through a symbolic link it
// did not make. The run folder a user names (--out, a sweep folder) may be a link; inside it,
// a subfolder aebench writes (eval/, probe/, export/, codes/), a sweep's point folder, the lock
// file and a temporary name are never followed: a link there is refused with an OutputError naming
// it, or (a leftover temporary name) removed as a name, its target untouched.

// Whether `path` itself is a symbolic link (lstat; false when it does not exist).
bool is_symbolic_link(const std::filesystem::path& path);

// Throws OutputError when `path` is a symbolic link; `what` names it ("point folder").
void refuse_symbolic_link(const std::filesystem::path& path, const std::string& what);

// Makes the folder `dir / relative` part by part and returns it; throws OutputError naming the
// first part under `dir` that is a symbolic link or not a folder. `dir` itself may be a link.
std::filesystem::path make_real_subfolder(const std::filesystem::path& dir,
                                          const std::filesystem::path& relative);

// Whether aebench made `dir` a run folder: its run.json (not a link), or in a run made before
// run.json existed its summary.json, is a regular file holding a JSON object with an integer
// "format_version", or its checkpoint.pt starts with aebench's checked-file magic (an
// interrupted run of then). A copied model.pt and config.json do not make a run folder. Any
// other folder, one with a config.json of its own included, is not one: `aebench report` and sweeps
// never write into it.
bool is_run_folder(const std::filesystem::path& dir);

// What is wrong with `dir`'s run.json, in a message's words ("invalid JSON", "format_version 2
// (written by another aebench version)", ...), or "" when it is train's, absent (a run of a
// version before run.json) or a link (replaced as a name). Never throws.
std::string run_marker_problem(const std::filesystem::path& dir);

// Whether aebench sweep made `dir` a sweep folder: its sweep.json is a record (an object with
// an integer "format_version" and a "points" list), not a user's sweep file of that name.
bool is_sweep_folder(const std::filesystem::path& dir);

// What is wrong with `dir`'s sweep.json as a sweep record (unreadable, invalid JSON, neither a
// record nor a sweep file, a point named twice), else "" (none, a record, or a user's sweep
// file of that name: an object with "base"). Never throws.
std::string damaged_sweep_record(const std::filesystem::path& dir);

// The point names `dir`'s sweep.json records (none when it is no sweep folder). Never throws.
std::vector<std::string> sweep_point_names(const std::filesystem::path& dir);

// `path` without a trailing separator ("runs/x/" -> "runs/x"): the folder it names, whose
// parent is the folder above it (the parent of "runs/x/" is "runs/x" itself).
std::filesystem::path without_trailing_separator(const std::filesystem::path& path);

// What is at `path`, in a message's words, when a command expected a folder there:
// "a folder" (the caller says of what kind), "no such folder", "a file, not a folder", or
// "no folder (Too many levels of symbolic links)". Never throws.
std::string what_is_at(const std::filesystem::path& path);

// What `path`, which exists and is no folder, is: "a file", "a FIFO (named pipe)", "a
// character device" (/dev/null), ...
std::string non_folder_kind(const std::filesystem::path& path);

// Throws OutputError naming `what` (run folder, sweep folder) when a folder above `dir`, as
// written or as its links lead, is a run folder: a run there would mix with that run's results
// (its eval/, export/ and codes/ are cleared by its --resume).
void refuse_nested_run_folder(const std::filesystem::path& dir,
                              const std::string& what = "run folder");

// Holds an exclusive lock on RUN_DIR/.aebench.lock (flock) while alive, so that two processes
// never write one run folder, and removes the lock file when it lets go, or when a stop signal
// ends the process at once (a process killed outright leaves it behind, harmlessly). Creates the
// folder. Throws OutputError when another process holds the lock, or when the lock file's name is a
// symbolic link.
class RunLock {
 public:
  // `what` names the folder in the message when another process holds it ("sweep folder"), and
  // `advice` adds a way out that fits the command.
  explicit RunLock(const std::filesystem::path& dir, const std::string& what = "run folder",
                   const std::string& advice = "");
  ~RunLock();
  // Throws OutputError unless the folder's path still leads to this lock: a run folder moved,
  // removed or replaced (by a link, or another folder) while a run writes it is not written
  // through its old name into whatever is there now.
  void require_held() const;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  std::filesystem::path path_;
  int descriptor_ = -1;
};

// Whether `folder`'s run.json says a train --resume started there and has not finished: its last
// session, after the first, has no "finished" time.
bool resume_unfinished(const std::filesystem::path& folder);

// Whether a live process holds RUN_DIR's lock (a RunLock) right now. Never blocks, never
// creates anything.
bool run_folder_in_use(const std::filesystem::path& dir);

// The folder's own name, also for "runs/a/" and "." (its absolute path's last part).
std::string folder_name(const std::filesystem::path& dir);

}  // namespace aebench
