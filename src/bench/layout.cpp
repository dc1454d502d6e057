#include "aebench/bench/layout.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "aebench/errors.h"

extern char** environ;

namespace aebench {
namespace {

namespace fs = std::filesystem;

struct Child {
  pid_t pid = -1;
  std::string command;
  fs::path out;  // its bench.json
  fs::path log;  // its stderr
};

std::string last_line(const fs::path& path) {
  std::ifstream stream(path);
  std::string line, last;
  while (std::getline(stream, line))
    if (!line.empty()) last = line;
  return last;
}

Child start_child(const LayoutOptions& options, int threads, const fs::path& folder, int index) {
  Child child;
  child.out = folder / ("child-" + std::to_string(index) + ".json");
  child.log = folder / ("child-" + std::to_string(index) + ".log");
  std::vector<std::string> arguments = {options.executable.string(),
                                        "bench",
                                        options.config_path,
                                        "--threads",
                                        std::to_string(threads),
                                        "--steps",
                                        std::to_string(options.steps),
                                        "--no-layout",
                                        "--out",
                                        child.out.string()};
  for (const auto& argument : arguments)
    child.command += (child.command.empty() ? "" : " ") + argument;
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, child.log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int error = posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0)
    throw OutputError("bench layout: could not start " + child.command + ": " +
                      std::strerror(error));
  return child;
}

// Waits for `child`; its median training images/s.
double finish_child(const Child& child) {
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw OutputError("bench layout: expected " + child.command + " to succeed, found " +
                      (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                         : std::string("a crash")) +
                      ": " + last_line(child.log));
  std::ifstream stream(child.out);
  const auto figures = nlohmann::json::parse(stream, nullptr, false);
  const auto pointer = "/configs/0/train_images_per_second/median"_json_pointer;
  if (figures.is_discarded() || !figures.contains(pointer) || !figures.at(pointer).is_number())
    throw OutputError("bench layout: expected " + child.out.string() +
                      " to hold configs[0].train_images_per_second, found none");
  return figures.at(pointer).get<double>();
}

// `runs` concurrent children of `threads` threads each; their images/s.
std::vector<double> run_together(const LayoutOptions& options, int runs, int threads,
                                 const fs::path& folder) {
  std::vector<Child> children;
  for (int i = 0; i < runs; ++i) children.push_back(start_child(options, threads, folder, i));
  std::vector<double> speeds;
  for (const auto& child : children) speeds.push_back(finish_child(child));
  return speeds;
}

// A folder of its own for the children's files, removed (only it) when done.
class ScratchDir {
 public:
  ScratchDir() {
    path_ = fs::temp_directory_path() / ("aebench-layout-" + std::to_string(::getpid()));
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

LayoutFigures measure_layout(const LayoutOptions& options) {
  const auto log = [&](const std::string& line) {
    if (options.log) *options.log << "bench: layout: " << line << std::endl;
  };
  const ScratchDir scratch;
  const int cores = options.cores;
  LayoutFigures figures;
  figures.config = options.config_path;
  figures.cores = cores;
  log("1 run x " + std::to_string(cores) + " threads");
  figures.one_run_all_threads = run_together(options, 1, cores, scratch.path()).front();
  log("1 run x 1 thread");
  figures.one_run_one_thread = run_together(options, 1, 1, scratch.path()).front();
  log(std::to_string(cores) + " runs x 1 thread");
  for (const double speed : run_together(options, cores, 1, scratch.path()))
    figures.runs_per_core_total += speed;
  log("2 runs x " + std::to_string(cores) + " threads");
  const auto contended = run_together(options, 2, cores, scratch.path());
  figures.contended_all_threads = (contended[0] + contended[1]) / 2.0;
  figures.contended_over_one_thread = figures.contended_all_threads / figures.one_run_one_thread;
  const bool per_core = figures.runs_per_core_total > figures.one_run_all_threads;
  figures.faster_layout = per_core ? std::to_string(cores) + " runs x 1 thread"
                                   : "1 run x " + std::to_string(cores) + " threads";
  figures.suggested_jobs = per_core ? cores : 1;
  return figures;
}

}  // namespace aebench
