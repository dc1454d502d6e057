#include "aebench/sweep/sweep_record.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "aebench/config/config.h"
#include "aebench/config/config_changes.h"
#include "aebench/config/summary_config.h"
#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_artefacts.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stopwatch.h"
#include "aebench/report/run_files.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

const std::vector<std::pair<PointState, std::string>> kStateNames = {
    {PointState::kPending, "pending"},
    {PointState::kRunning, "running"},
    {PointState::kDone, "done"},
    {PointState::kFailed, "failed"},
    {PointState::kInterrupted, "interrupted"},
};

PointState state_from_name(const std::string& name, const std::string& source) {
  for (const auto& [state, text] : kStateNames)
    if (text == name) return state;
  throw ConfigError(source + ": unknown point state \"" + name + "\"");
}

// Why `dir`'s entries cannot be listed (a folder of another user's), or "".
std::string unreadable_folder(const fs::path& dir) {
  std::error_code error;
  fs::directory_iterator listing(dir, error);
  if (error) return error.message();
  // Listed but not entered (no search permission): its files can be neither read nor written.
  if (::access(dir.c_str(), X_OK) != 0) return std::strerror(errno);
  return "";
}

bool holds_run_files(const fs::path& run_dir) {
  for (const char* name : {kConfigFile, kMetricsFile, kModelFile, kCheckpointFile})
    if (std::error_code error; fs::exists(run_dir / name, error) || error) return true;
  return false;
}

// The last line of every error.txt a sweep writes: it tells that file from a user's error.txt
// in a folder put at the point's path, which a retry would otherwise remove.
constexpr char kPointErrorMark[] =
    "(written by aebench sweep: the error of this point's last attempt; removed when it runs "
    "again)";

// Exactly what write_point_error writes: one line, then the mark. A file of any other shape (a
// user's notes with the mark copied in) is not the sweep's.
bool is_point_error_file(const fs::path& file) {
  if (is_symbolic_link(file)) return false;
  const RegularFileText text = read_regular_file(file, std::size_t{1} << 20);
  const std::string tail = std::string("\n") + kPointErrorMark + "\n";
  if (!text.ok() || text.bytes.size() <= tail.size()) return false;
  const std::size_t line_end = text.bytes.size() - tail.size();
  return text.bytes.compare(line_end, tail.size(), tail) == 0 && text.bytes.find('\n') == line_end;
}

// aebench's lock file: empty and regular (RunLock refuses any other, as a user's).
bool is_lock_file(const fs::path& file) {
  struct stat info {};
  return ::lstat(file.c_str(), &info) == 0 && S_ISREG(info.st_mode) && info.st_size == 0;
}

// Whether `dir` holds nothing but aebench's lock file, the error.txt a sweep wrote there and
// temporaries of aebench's form (a point that failed, or was killed, before its run.json).
bool holds_only_lock_and_error(const fs::path& dir) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const fs::path name = entry.path().filename();
    const bool ours = (name == kLockFile && is_lock_file(entry.path())) ||
                      (name == kErrorFile && is_point_error_file(entry.path())) ||
                      (is_aebench_temporary(entry.path()) && !is_symbolic_link(entry.path()));
    if (!ours) return false;
  }
  return !error;
}

bool summary_written(const fs::path& run_dir) {
  const RegularFileText file = read_regular_file(run_dir / kSummaryFile);
  if (!file.ok()) return false;
  const json summary = json::parse(file.bytes, nullptr, false);
  // Finished means train's last write, for this point's model.pt (not a copy of another's),
  // beside the config.json the run is read by (a folder swapped in mid-run has none).
  const RegularFileText config = read_regular_file(run_dir / kConfigFile);
  return holds_test_results(summary) && foreign_summary_problem(run_dir, summary).empty() &&
         config.ok() && json::parse(config.bytes, nullptr, false).is_object();
}

ordered_json overrides_to_json(const PointOverrides& overrides) {
  ordered_json object = ordered_json::object();
  for (const auto& [key, value] : overrides) object[key] = ordered_json::parse(value.dump());
  return object;
}

ordered_json executor_to_json(const ExecutorOptions& options) {
  return {{"type", options.type},       {"jobs", options.jobs},
          {"threads", options.threads}, {"partition", options.partition},
          {"time", options.time},       {"cpus_per_task", options.cpus_per_task},
          {"mem", options.mem},         {"max_parallel", options.max_parallel},
          {"gres", options.gres}};
}

// "train.epochs 2 -> 3, model.latent 4 -> 8" (at most three), or "" when they agree. Values
// compare as JSON values (30 and 30.0 are the same number), shown as written.
std::string config_differences(const json& saved, const json& current) {
  std::map<std::string, json> before, after;
  for (auto& [key, value] : flatten_json(saved)) before[key] = value;
  for (auto& [key, value] : flatten_json(current)) after[key] = value;
  std::string text;
  int shown = 0;
  const auto describe = [](const std::map<std::string, json>& values, const std::string& key) {
    const auto found = values.find(key);
    return found == values.end()
               ? std::string("(none)")
               : found->second.dump(-1, ' ', false, json::error_handler_t::replace);
  };
  std::set<std::string> keys;
  for (const auto& entry : before) keys.insert(entry.first);
  for (const auto& entry : after) keys.insert(entry.first);
  const auto same = [&](const std::string& key) {
    const auto was = before.find(key), is = after.find(key);
    return was != before.end() && is != after.end() && was->second == is->second;
  };
  for (const auto& key : keys) {
    if (is_incidental_key(key) || same(key)) continue;
    if (++shown > 3) return text + ", ...";
    text += (text.empty() ? "" : ", ") + key + " " + describe(before, key) + " -> " +
            describe(after, key);
  }
  return text;
}

}  // namespace

namespace {

// How the config.json in `entry`'s run folder differs from the config the sweep gives the point
// ("" when it does not, or when there is no readable config.json to compare).
std::string point_config_changes(const SweepPlan& plan, const PointRecord& entry) {
  const fs::path run_dir = plan.out_dir / entry.point.name;
  // A link in a point's place is read through by nothing: the point fails, naming the link. A
  // folder of the user's there (a config.json of theirs, no run.json) holds no run of any
  // config: it is a failed point, naming the folder.
  if (is_symbolic_link(run_dir) || !foreign_folder_problem(run_dir).empty()) return "";
  const json current = json::parse(config_to_json(load_point_config(plan, entry.point)).dump());
  // The run's config.json, and the config its summary.json was made with: a summary copied in
  // from another point is another config's too.
  const RegularFileText file = read_regular_file(run_dir / kConfigFile);
  const json saved = file.ok() ? json::parse(file.bytes, nullptr, false) : json();
  if (saved.is_object())  // a damaged config.json: the run's own checks report it
    if (std::string changes = config_differences(saved, current); !changes.empty()) return changes;
  const RegularFileText summary_file = read_regular_file(run_dir / kSummaryFile);
  const json summary = summary_file.ok() ? json::parse(summary_file.bytes, nullptr, false) : json();
  if (summary.is_object() && summary.contains("config") && summary["config"].is_object())
    return config_differences(summary["config"], current);
  return "";
}

}  // namespace

std::vector<std::string> mismatched_points(const SweepRecord& record) {
  std::vector<std::string> mismatches;
  for (const auto& entry : record.points)
    if (const std::string changes = point_config_changes(record.plan, entry); !changes.empty())
      mismatches.push_back(entry.point.name + ": " + changes);
  return mismatches;
}

std::string state_name(PointState state) {
  for (const auto& [known, text] : kStateNames)
    if (known == state) return text;
  return "unknown";
}

bool is_points_own_folder(const fs::path& run_dir) {
  std::error_code error;
  if (is_symbolic_link(run_dir)) return false;
  if (!fs::exists(fs::symlink_status(run_dir, error))) return true;
  return fs::is_directory(fs::symlink_status(run_dir, error)) &&
         (is_run_folder(run_dir) || holds_only_lock_and_error(run_dir));
}

std::string foreign_folder_problem(const fs::path& run_dir) {
  std::error_code error;
  if (!fs::is_directory(fs::symlink_status(run_dir, error)) ||
      !unreadable_folder(run_dir).empty() || is_points_own_folder(run_dir))
    return "";
  return "the point folder " + run_dir.string() +
         " holds files but no run (no run.json aebench wrote): not this sweep's; move them "
         "away, then run the sweep again";
}

void refuse_foreign_point_folder(const fs::path& run_dir) {
  if (const std::string problem = foreign_folder_problem(run_dir); !problem.empty())
    throw OutputError(problem);
}

PointState observe_point(const fs::path& run_dir) {
  std::error_code error;
  // A point folder replaced by a link is refused by sweep-point (io/run_folder.h): nothing is
  // read through it.
  if (is_symbolic_link(run_dir)) return PointState::kFailed;
  if (!fs::is_directory(run_dir, error))  // a file of the user's in its place: not run over
    return fs::symlink_status(run_dir, error).type() == fs::file_type::not_found
               ? PointState::kPending
               : PointState::kFailed;
  if (!unreadable_folder(run_dir).empty()) return PointState::kFailed;
  if (!foreign_folder_problem(run_dir).empty()) return PointState::kFailed;  // a user's folder
  if (is_run_folder(run_dir) && summary_written(run_dir)) return PointState::kDone;
  if (fs::exists(run_dir / kErrorFile, error)) return PointState::kFailed;
  if (run_folder_in_use(run_dir)) return PointState::kRunning;
  if (holds_run_files(run_dir)) return PointState::kInterrupted;
  return PointState::kPending;
}

std::string error_file_problem(const fs::path& run_dir) {
  try {
    refuse_unreplaceable_names(run_dir, {kErrorFile}, "point folder " + run_dir.string());
  } catch (const OutputError& error) {
    return std::string("output error: ") + error.what();
  }
  return "";
}

bool write_point_error(const fs::path& run_dir, const std::string& line) {
  std::error_code error;
  if (!is_points_own_folder(run_dir)) return false;
  if (!error_file_problem(run_dir).empty()) return false;
  fs::create_directories(run_dir, error);
  std::string one_line = line.empty() ? "error" : line;  // as is_point_error_file reads it
  std::replace(one_line.begin(), one_line.end(), '\n', ' ');
  write_file_atomically(run_dir / kErrorFile, one_line + "\n" + kPointErrorMark + "\n");
  return true;
}

void clear_point_error(const fs::path& run_dir) {
  refuse_unreplaceable_names(run_dir, {kErrorFile}, "point folder " + run_dir.string());
  std::error_code error;
  if (!fs::remove(run_dir / kErrorFile, error) && error)
    throw OutputError("point folder " + run_dir.string() + ": cannot remove its " + kErrorFile +
                      " (" + error.message() + ") to run it again");
}

std::string recorded_error(const fs::path& run_dir) {
  if (is_symbolic_link(run_dir))
    return "output error: the point folder " + run_dir.string() +
           " is a symbolic link; remove it (its target stays)";
  if (std::error_code error;
      fs::exists(fs::symlink_status(run_dir, error)) && !fs::is_directory(run_dir, error))
    return "output error: the point folder " + run_dir.string() + " is " + what_is_at(run_dir) +
           "; move it away and run the sweep again";
  if (const std::string reason = unreadable_folder(run_dir); !reason.empty())
    return "output error: cannot read the point folder " + run_dir.string() + " (" + reason +
           "); give this user access to it, or move it away";
  if (const std::string problem = error_file_problem(run_dir); !problem.empty()) return problem;
  if (const std::string problem = foreign_folder_problem(run_dir); !problem.empty())
    return "output error: " + problem;
  std::istringstream stream(read_regular_file(run_dir / kErrorFile).bytes);
  std::string line;
  while (std::getline(stream, line))
    if (!line.empty()) return line.substr(0, 500);
  return "";
}

SweepRecord merge_record(const SweepPlan& plan, const std::vector<SweepPoint>& points,
                         const SweepRecord* previous) {
  std::map<std::string, const PointRecord*> known;
  if (previous != nullptr)
    for (const auto& point : previous->points) known[point.point.name] = &point;
  SweepRecord record;
  record.plan = plan;
  if (previous != nullptr) record.slurm_job_id = previous->slurm_job_id;
  for (const auto& point : points) {
    PointRecord entry;
    if (const auto found = known.find(point.name); found != known.end()) entry = *found->second;
    entry.point = point;
    record.points.push_back(entry);
  }
  refresh_states(record);
  return record;
}

void refresh_states(SweepRecord& record) {
  for (auto& entry : record.points) {
    const fs::path run_dir = record.plan.out_dir / entry.point.name;
    entry.state = observe_point(run_dir);
    entry.error = entry.state == PointState::kFailed ? recorded_error(run_dir) : "";
    if (entry.state != PointState::kDone && entry.state != PointState::kInterrupted) continue;
    // A folder holding another config's run (copied in, or left by an earlier grid) is not
    // this point's result: neither done nor resumable.
    std::string changes;
    try {
      (void)load_config(record.plan.base_config, {});
    } catch (const std::exception&) {
      continue;  // a base config that no longer loads: the sweep run itself reports it
    }
    try {
      changes = point_config_changes(record.plan, entry);
    } catch (const ConfigError& error) {
      // The base loads, but not with the recorded set and overrides (sweep.json edited): what
      // the point should be cannot be told, so it is not done.
      entry.state = PointState::kFailed;
      entry.error = "the sweep's settings for this point make no valid config (" +
                    std::string(error.what()) + "); run the sweep again from its command";
      continue;
    }
    if (changes.empty()) continue;
    entry.state = PointState::kFailed;
    entry.error = "the point folder " + run_dir.string() + " holds a run of another config (" +
                  changes + "); move it away and run the sweep again";
  }
}

void write_sweep_record(const SweepRecord& record) {
  const SweepPlan& plan = record.plan;
  ordered_json grid = ordered_json::object();
  for (const auto& [key, values] : plan.grid) grid[key] = ordered_json::parse(json(values).dump());
  ordered_json points = ordered_json::array();
  for (const auto& entry : record.points)
    points.push_back({{"name", entry.point.name},
                      {"overrides", overrides_to_json(entry.point.overrides)},
                      {"state", state_name(entry.state)},
                      {"error", entry.error},
                      {"attempts", entry.attempts},
                      {"seconds", entry.seconds},
                      {"started", entry.started},
                      {"finished", entry.finished}});
  const ordered_json document = {{"format_version", kSweepFormatVersion},
                                 {"base", plan.base_config.string()},
                                 {"set", overrides_to_json(plan.fixed)},
                                 {"grid", grid},
                                 {"executor", executor_to_json(plan.executor)},
                                 {"slurm_job_id", record.slurm_job_id},
                                 {"points", points}};
  write_json_file(plan.out_dir / kSweepFile, document);
}

bool has_sweep_record(const fs::path& sweep_dir) {
  // A user's sweep *file* may well be called sweep.json too: only a record counts.
  return is_sweep_folder(sweep_dir);
}

SweepRecord read_sweep_record(const fs::path& sweep_dir) {
  const std::string at = what_is_at(sweep_dir);
  if (at != "a folder")  // a file, a device, nothing: named as given, not as FILE/sweep.json
    throw ConfigError(sweep_dir.string() + ": expected a sweep folder (with the " + kSweepFile +
                      " aebench sweep wrote), found " + at);
  const fs::path path = sweep_dir / kSweepFile;
  const std::string source = path.string();
  const RegularFileText file = read_regular_file(path);
  if (!file.ok())
    throw ConfigError(source + ": expected a sweep folder's " + kSweepFile +
                      " (written by aebench sweep), found " +
                      (file.missing ? "none" : file.problem()));
  const ordered_json document = ordered_json::parse(file.bytes, nullptr, false);
  if (document.is_discarded() || !document.is_object() || !document.contains("points"))
    throw ConfigError(source + ": expected a sweep record (JSON with \"points\"), found " +
                      (document.is_discarded() ? "invalid JSON" : "another document"));
  const auto version = document.find("format_version");
  if (version == document.end() || !version->is_number_integer() || *version != kSweepFormatVersion)
    throw ConfigError(source + ": expected format_version " + std::to_string(kSweepFormatVersion) +
                      ", found " +
                      (version == document.end() ? std::string("none") : version->dump()));
  // Each field read through a typed reader, so a wrong type names its key in aebench's words
  // (exit 2, "points[0].state: expected a string, found 5"), never the JSON library's.
  const auto fail = [&](const std::string& key_path, const std::string& expected,
                        const ordered_json& found) {
    throw ConfigError(source + ": " + key_path + ": expected " + expected + ", found " +
                      found.dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 80));
  };
  const auto path_of = [](const std::string& where, const std::string& key) {
    return where.empty() ? key : where + "." + key;
  };
  const auto field = [&](const ordered_json& object, const std::string& key,
                         const std::string& where) -> const ordered_json& {
    if (!object.is_object()) fail(where, "an object", object);
    const auto found = object.find(key);
    if (found == object.end())
      throw ConfigError(source + ": " + path_of(where, key) +
                        ": expected it (a sweep record names base, set, grid, executor and "
                        "points, each point its name, overrides and state), found none");
    return *found;
  };
  // "set", "grid", "executor" and "overrides" are objects: iterating a number or a string
  // would read it as one nameless key, silently.
  const auto object_field = [&](const ordered_json& object, const std::string& key,
                                const std::string& where) -> const ordered_json& {
    const ordered_json& value = field(object, key, where);
    if (!value.is_object()) fail(path_of(where, key), "an object", value);
    return value;
  };
  const auto text = [&](const ordered_json& object, const std::string& key,
                        const std::string& where, const char* fallback) -> std::string {
    if (fallback && !object.contains(key)) return fallback;
    const ordered_json& value = field(object, key, where);
    if (!value.is_string()) fail(path_of(where, key), "a string", value);
    return value.get<std::string>();
  };
  const auto number = [&](const ordered_json& object, const std::string& key,
                          const std::string& where, bool whole) -> double {
    if (!object.contains(key)) return 0;
    const ordered_json& value = field(object, key, where);
    if (whole ? !value.is_number_integer() : !value.is_number())
      fail(path_of(where, key), whole ? "a whole number" : "a number", value);
    return value.get<double>();
  };
  SweepRecord record;
  record.plan.out_dir = fs::absolute(sweep_dir);
  record.plan.base_config = text(document, "base", "", nullptr);
  record.plan.fixed = overrides_from_object(object_field(document, "set", ""), "set", source);
  for (const auto& [key, values] : object_field(document, "grid", "").items()) {
    if (!values.is_array()) fail("grid." + key, "a list of values", values);
    record.plan.grid.emplace_back(key, json::parse(values.dump()).get<std::vector<json>>());
  }
  record.plan.executor = executor_from_json(object_field(document, "executor", ""), source);
  record.slurm_job_id = text(document, "slurm_job_id", "", "");
  const auto& points = field(document, "points", "");
  // Every sweep has a point: none (or no list) is a damaged record, not an empty sweep.
  if (!points.is_array() || points.empty())
    throw ConfigError(source + ": points: expected a list of at least one point, found " +
                      points.dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 80));
  std::set<std::string> names;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const ordered_json& entry = points.at(i);
    const std::string where = "points[" + std::to_string(i) + "]";
    PointRecord point;
    point.point.name = text(entry, "name", where, nullptr);
    if (!is_point_name(point.point.name))
      throw ConfigError(
          source + ": point name " +
          json(point.point.name).dump(-1, ' ', false, json::error_handler_t::replace) +
          ": expected a plain folder name (letters, digits, \".\", \"-\", "
          "\"_\"; no \"/\" or leading \".\")");
    // Two entries of one name would be one folder counted, run and reported twice.
    if (!names.insert(point.point.name).second)
      throw ConfigError(
          source + ": " + where + ".name: expected each point once, found " +
          json(point.point.name).dump(-1, ' ', false, json::error_handler_t::replace) + " twice");
    point.point.overrides = overrides_from_object(object_field(entry, "overrides", where),
                                                  where + ".overrides", source);
    point.state = state_from_name(text(entry, "state", where, nullptr), source);
    point.error = text(entry, "error", where, "");
    point.attempts = static_cast<int>(std::clamp(number(entry, "attempts", where, true), 0.0, 1e9));
    point.seconds = number(entry, "seconds", where, false);
    point.started = text(entry, "started", where, "");
    point.finished = text(entry, "finished", where, "");
    record.points.push_back(point);
  }
  return record;
}

StateCounts count_states(const SweepRecord& record) {
  StateCounts counts;
  for (const auto& entry : record.points) switch (entry.state) {
      case PointState::kPending:
        ++counts.pending;
        break;
      case PointState::kRunning:
        ++counts.running;
        break;
      case PointState::kDone:
        ++counts.done;
        break;
      case PointState::kFailed:
        ++counts.failed;
        break;
      case PointState::kInterrupted:
        ++counts.interrupted;
        break;
    }
  return counts;
}

std::string describe_counts(const StateCounts& counts) {
  std::ostringstream text;
  text << counts.done << '/' << counts.total() << " done, " << counts.running << " running, "
       << counts.failed << " failed, " << counts.pending << " pending";
  if (counts.interrupted > 0) text << ", " << counts.interrupted << " interrupted";
  return text.str();
}

}  // namespace aebench
