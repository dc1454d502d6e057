#pragma once
// What a sweep runs: a base config, the overrides of each point (a grid of dotted keys and
// values, and explicit points for combinations a grid cannot express), and the folder the
// points' run folders go into. Built from a sweep file (JSON, see docs/sweeps.md) or from
// `aebench sweep CONFIG --grid KEY=V1,V2`, then expanded and validated as a whole before any
// point runs. Free of LibTorch.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "aebench/config/config.h"

namespace aebench {

// How the points run (the sweep file's "executor"; command-line flags override it).
struct ExecutorOptions {
  std::string type = "local";  // "local" | "slurm"
  // local: concurrent runs (0 = chosen from bench.json's layout, else one per core) and CPU
  // threads per run (0 = the machine's cores divided between the runs).
  std::int64_t jobs = 0;
  std::int64_t threads = 0;
  // slurm: sbatch options; "" / 0 = not passed (the cluster's default).
  std::string partition;
  std::string time;  // --time, e.g. "1:00:00"
  std::int64_t cpus_per_task = 1;
  std::string mem;                // --mem, e.g. "4G"
  std::int64_t max_parallel = 0;  // the array's %K: at most K tasks at once
  std::string gres;               // e.g. "gpu:1"
};

// Dotted config key -> JSON value, in the order the sweep names them.
using PointOverrides = std::vector<std::pair<std::string, nlohmann::json>>;

struct SweepPlan {
  std::filesystem::path base_config;  // absolute
  std::filesystem::path out_dir;      // absolute; holds sweep.json and one folder per point
  PointOverrides fixed;               // applied to every point ("set"), not part of names
  std::vector<std::pair<std::string, std::vector<nlohmann::json>>> grid;
  std::vector<PointOverrides> explicit_points;  // "points"
  ExecutorOptions executor;
};

struct SweepPoint {
  std::string name;  // its run folder's name inside the sweep folder
  PointOverrides overrides;
};

// Reads a sweep file. Paths in it ("base", "out") are relative to the working folder, as in a
// config. Unknown keys, wrong types, an empty grid list and a sweep without any point are
// ConfigErrors naming the file and key.
SweepPlan read_sweep_file(const std::filesystem::path& path);

// Whether a JSON file is a sweep file (an object with "base") rather than a config.
bool is_sweep_document(const nlohmann::json& document);

// "model.latent=15,30,50" -> ("model.latent", [15, 30, 50]). Each value is JSON when it parses
// as JSON, else a string (data.dataset=mnist,fashion-mnist); a value list that is one JSON
// array ("model.hidden=[[400,200],[1000]]") gives its elements. A missing "=" or value is a
// ConfigError naming the flag.
std::pair<std::string, std::vector<nlohmann::json>> parse_grid_flag(const std::string& flag);

// "train.epochs=5" (a --set flag) -> ("train.epochs", 5): the value is JSON or a string, checked
// as `aebench train --set` checks it; output.dir cannot be set (ConfigError naming the flag).
std::pair<std::string, nlohmann::json> parse_set_flag(const std::string& flag);

// Every point: the grid's combinations (the last key varies fastest), then the explicit
// points. Names are the varied keys' last parts and values ("latent-15_dataset-mnist"), with a
// key's full dotted form where last parts clash, made filesystem-safe (letters, digits, ".",
// "-", "_"), at most 100 characters, and unique (a "-2" suffix on a clash). Two points with the
// same overrides are a ConfigError.
std::vector<SweepPoint> expand_points(const SweepPlan& plan);

// A sweep file's (or record's) "executor" object, each key checked: ConfigError naming
// `source` and the key ("executor.jobs: expected a whole number in [0, 1024], found ...").
ExecutorOptions executor_from_json(const nlohmann::ordered_json& document,
                                   const std::string& source);

// An object of dotted config keys and values (a sweep's "set", a point's "overrides") at
// `where` in `source`, each key checked for shape: ConfigError naming them.
PointOverrides overrides_from_object(const nlohmann::ordered_json& object, const std::string& where,
                                     const std::string& source);

// The config-file overrides of a point as --set assignments: the plan's fixed ones, then the
// point's own, then output.dir (the point's run folder).
std::vector<std::string> point_assignments(const SweepPlan& plan, const SweepPoint& point);

// The point's config: the base file with point_assignments, then `more` (a --threads given
// now); a ConfigError names the file "(with the sweep's settings)", not a --set never given.
Config load_point_config(const SweepPlan& plan, const SweepPoint& point,
                         const std::vector<std::string>& more = {});

// Loads every point's config (the base file with its assignments), so that a bad value fails
// before anything runs: a ConfigError naming the point, then the config's own message.
void validate_points(const SweepPlan& plan, const std::vector<SweepPoint>& points);

// Whether `name` can be a point's folder: one path component of letters, digits, ".", "-" and
// "_", not starting with ".", at most 100 characters (what expand_points makes). sweep.json is a
// file users can edit: a name such as "../x" must never lead a point outside its sweep folder.
bool is_point_name(const std::string& name);

// Checks the Slurm settings before they go into a job script: a partition, time, mem or gres
// value holding anything but letters, digits and ":._,=/+-" (a space or a line break would end
// the #SBATCH line and run the rest as a command) is a ConfigError naming the key.
void check_executor(const ExecutorOptions& executor);

// A JSON file read with read_json_file's checks (regular file, size, nesting, duplicate keys),
// its objects keeping their keys' order.
nlohmann::ordered_json read_json_in_order(const std::filesystem::path& path);

// "model.latent=15 data.dataset=mnist": a point's overrides for messages and tables.
std::string describe_overrides(const PointOverrides& overrides);

}  // namespace aebench
