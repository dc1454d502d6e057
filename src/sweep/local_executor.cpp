#include "aebench/sweep/local_executor.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/child_process.h"
#include "aebench/io/progress.h"
#include "aebench/io/regular_file.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stop_signal.h"
#include "aebench/io/stopwatch.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;

struct RunningPoint {
  std::size_t index = 0;  // into record.points
  SteadyClock::time_point started;
};

void pause_briefly() {
  const timespec interval{0, 100'000'000};  // 0.1 s; a signal ends it early, which is fine
  ::nanosleep(&interval, nullptr);
}

constexpr std::size_t kMaxBenchBytes = std::size_t{1} << 20;  // bench.json is a few KiB

// The last non-empty line of a point's log: what a crashed child said last.
std::string last_log_line(const fs::path& log_file) {
  std::istringstream stream(read_regular_file(log_file).bytes);
  std::string line, last;
  while (std::getline(stream, line))
    if (!line.empty()) last = line;
  return last.substr(0, 300);
}

class SweepRunner {
 public:
  SweepRunner(SweepRecord& record, const LocalExecutorOptions& options)
      : record_(record), options_(options), queue_(runnable_points(record, options.retry_failed)) {}

  int run() {
    StopSignalGuard guard;
    make_real_subfolder(record_.plan.out_dir, kSweepLogFolder);  // never a link
    while (!queue_.empty() || !running_.empty()) {
      if (const int signal_number = StopSignalGuard::received(); signal_number != 0) {
        pass_on(signal_number);
        queue_.clear();  // points not started stay pending
      }
      while (stop_signal_ == 0 && !queue_.empty() &&
             static_cast<std::int64_t>(running_.size()) < options_.jobs)
        launch_next();
      reap_finished();
      draw_status(false);
      if (!running_.empty()) pause_briefly();
    }
    draw_status(true);
    return stop_signal_;
  }

 private:
  fs::path run_dir(std::size_t index) const {
    return record_.plan.out_dir / record_.points[index].point.name;
  }
  fs::path log_file(std::size_t index) const {
    return record_.plan.out_dir / kSweepLogFolder / (record_.points[index].point.name + ".log");
  }

  void launch_next() {
    const std::size_t index = queue_.front();
    queue_.erase(queue_.begin());
    PointRecord& entry = record_.points[index];
    // runnable_points left out one it cannot clear; a folder not the point's own keeps its
    // files, and sweep-point refuses it.
    if (entry.state == PointState::kFailed && is_points_own_folder(run_dir(index)))
      clear_point_error(run_dir(index));
    const std::vector<std::string> argv = {options_.executable.string(),
                                           "sweep-point",
                                           record_.plan.out_dir.string(),
                                           entry.point.name,
                                           "--threads",
                                           std::to_string(options_.threads)};
    // logs/ swapped for a link (or removed) since the sweep began: never written through.
    make_real_subfolder(record_.plan.out_dir, kSweepLogFolder);
    const pid_t pid = start_logged_child(argv, log_file(index));
    running_[pid] = {index, SteadyClock::now()};
    entry.state = PointState::kRunning;
    entry.error.clear();
    entry.attempts += 1;
    entry.started = utc_timestamp();
    entry.finished.clear();
    write_sweep_record(record_);
    event(entry.point.name + " started (" + describe_overrides(entry.point.overrides) + ")");
  }

  void reap_finished() {
    for (auto it = running_.begin(); it != running_.end();) {
      int status = 0;
      if (::waitpid(it->first, &status, WNOHANG) != it->first) {
        ++it;
        continue;
      }
      finish(it->second, exit_code_of(status));
      it = running_.erase(it);
    }
  }

  void finish(const RunningPoint& running, int exit_code) {
    PointRecord& entry = record_.points[running.index];
    entry.seconds = seconds_since(running.started);
    entry.finished = utc_timestamp();
    entry.state = observe_point(run_dir(running.index));
    std::string unwritten;  // an error that only sweep.json may keep
    if (exit_code == 130 || exit_code == 143) {
      entry.state = PointState::kInterrupted;
    } else if (exit_code != 0 && entry.state != PointState::kFailed) {
      // The child died without saying why (killed, out of memory): record what is known.
      const std::string last = last_log_line(log_file(running.index));
      const std::string line = "exited with code " + std::to_string(exit_code) +
                               (last.empty() ? "" : "; its log ends: " + last);
      entry.state = PointState::kFailed;
      // Not into a link or a folder put at the point's path meanwhile: then sweep.json alone.
      if (!write_point_error(run_dir(running.index), line)) unwritten = line;
    }
    if (entry.state == PointState::kFailed)
      entry.error = unwritten.empty() ? recorded_error(run_dir(running.index)) : unwritten;
    if (entry.state == PointState::kDone) finished_seconds_.push_back(entry.seconds);
    write_sweep_record(record_);
    event(entry.point.name + " " + state_name(entry.state) + " after " +
          format_duration(entry.seconds) + (entry.error.empty() ? "" : ": " + entry.error) +
          (entry.state == PointState::kFailed ? " (log: " + log_file(running.index).string() + ")"
                                              : ""));
  }

  void pass_on(int signal_number) {
    if (stop_signal_ != 0) return;
    stop_signal_ = signal_number;
    for (const auto& [pid, running] : running_) ::kill(pid, signal_number);
    event(signal_name(signal_number) + ": stopping " + std::to_string(running_.size()) +
          " running point(s) at their next step; run the same command again to continue");
  }

  std::string status_text() const {
    StateCounts counts = count_states(record_);
    std::string text = "sweep: " + describe_counts(counts);
    if (!finished_seconds_.empty() && stop_signal_ == 0 && !(queue_.empty() && running_.empty())) {
      double mean = 0;
      for (const double seconds : finished_seconds_) mean += seconds;
      mean /= static_cast<double>(finished_seconds_.size());
      const double left = static_cast<double>(queue_.size() + running_.size());
      text += ", ETA " + format_duration(mean * left / static_cast<double>(options_.jobs));
    }
    return text;
  }

  // On a terminal: the status line redrawn in place every second and after each event.
  void draw_status(bool final_line) {
    if (options_.log == nullptr || !options_.log_is_terminal) return;
    if (!final_line && seconds_since(last_draw_) < 1.0) return;
    last_draw_ = SteadyClock::now();
    *options_.log << "\r\033[K" << status_text() << (final_line ? "\n" : "") << std::flush;
  }

  void event(const std::string& line) {
    if (options_.log == nullptr) return;
    if (options_.log_is_terminal)
      *options_.log << "\r\033[K" << line << '\n' << status_text() << std::flush;
    else
      *options_.log << line << " [" << status_text() << "]\n" << std::flush;
    last_draw_ = SteadyClock::now();
  }

  SweepRecord& record_;
  const LocalExecutorOptions& options_;
  std::vector<std::size_t> queue_;
  std::map<pid_t, RunningPoint> running_;
  std::vector<double> finished_seconds_;
  int stop_signal_ = 0;
  SteadyClock::time_point last_draw_ = SteadyClock::now();
};

}  // namespace

std::int64_t suggested_jobs(const fs::path& bench_json, bool named) {
  const auto refuse = [&](const std::string& found) {
    return ConfigError(bench_json.string() +
                       " (the bench file that picks --jobs: --bench, default ./bench.json): "
                       "expected a bench.json aebench bench wrote, found " +
                       found + "; " + (named ? "name another, " : "remove it, ") +
                       "run aebench bench, or pass --jobs N");
  };
  const RegularFileText file = read_regular_file(bench_json, kMaxBenchBytes);
  if (file.missing && !named) return 0;  // no measurement made: one point per core
  // A FIFO or a device would hang the sweep, /dev/zero exhaust its memory.
  if (!file.ok()) throw refuse(file.missing ? "no such file" : file.problem(kMaxBenchBytes));
  const auto document = nlohmann::json::parse(file.bytes, nullptr, false);
  if (document.is_discarded()) throw refuse("invalid JSON");
  if (!document.is_object()) throw refuse(std::string("a JSON ") + document.type_name());
  const auto layout = document.find("layout");
  if (layout == document.end() || layout->is_null()) {  // bench --no-layout measured none
    if (named) throw refuse("no measured layout (it was made with --no-layout)");
    return 0;
  }
  const auto jobs = layout->is_object() ? layout->find("suggested_jobs") : layout->end();
  if (jobs == layout->end() || !jobs->is_number_integer() || jobs->get<std::int64_t>() < 1)
    throw refuse("no positive integer layout.suggested_jobs");
  return jobs->get<std::int64_t>();
}

void refuse_unusable_point_logs(const SweepRecord& record) {
  for (const auto& entry : record.points) {
    const fs::path log = record.plan.out_dir / kSweepLogFolder / (entry.point.name + ".log");
    refuse_symbolic_link(log, "point log");
    struct stat info {};
    if (::lstat(log.c_str(), &info) == 0 && !S_ISREG(info.st_mode))
      throw OutputError("point log " + log.string() + ": expected a regular file (or none), " +
                        "found " + file_kind_name(info.st_mode) + "; move it away, then run again");
  }
}

bool should_run(PointState state, bool retry_failed) {
  return state == PointState::kPending || state == PointState::kInterrupted ||
         (retry_failed && state == PointState::kFailed);
}

std::vector<std::size_t> runnable_points(const SweepRecord& record, bool retry_failed) {
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < record.points.size(); ++i) {
    const PointRecord& entry = record.points[i];
    // A failed point whose error.txt, or whose whole folder, is the user's stays failed,
    // naming it: a retry would remove or write nothing there.
    const fs::path run_dir = record.plan.out_dir / entry.point.name;
    const bool blocked =
        entry.state == PointState::kFailed &&
        (!error_file_problem(run_dir).empty() || !foreign_folder_problem(run_dir).empty());
    if (should_run(entry.state, retry_failed) && !blocked) indices.push_back(i);
  }
  return indices;
}

JobLayout choose_job_layout(std::int64_t requested_jobs, std::int64_t requested_threads, int cores,
                            std::int64_t runnable, const fs::path& bench_json, bool bench_named) {
  JobLayout layout;
  cores = std::max(cores, 1);
  if (requested_jobs > 0) {
    layout.jobs = requested_jobs;
    layout.reason = "as asked";
  } else if (const std::int64_t measured = suggested_jobs(bench_json, bench_named); measured > 0) {
    layout.jobs = measured;
    layout.reason = "the layout measured in " + bench_json.string();
  } else {
    layout.jobs = cores;
    layout.reason = "one point per core (aebench bench measures the best layout)";
  }
  layout.jobs =
      std::max<std::int64_t>(1, std::min(layout.jobs, std::max<std::int64_t>(runnable, 1)));
  // One job at a time: each point measures whether one thread or every core trains it faster
  // (threads 0); several share the cores evenly.
  layout.threads = requested_threads > 0 ? requested_threads
                   : layout.jobs == 1    ? 0
                                         : std::max<std::int64_t>(1, cores / layout.jobs);
  if (layout.threads > cores)  // as train caps them (its note is in each point's log)
    layout.reason += "; each point caps threads " + std::to_string(layout.threads) + " to the " +
                     std::to_string(cores) + " cores it may run on";
  return layout;
}

int run_local_sweep(SweepRecord& record, const LocalExecutorOptions& options) {
  return SweepRunner(record, options).run();
}

}  // namespace aebench
