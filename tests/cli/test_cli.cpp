#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "../../src/cli/startup_environment.h"
#include "aebench/errors.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::run_aebench;
using aebench::testing::ScratchFolder;
using aebench::testing::shell_quoted;
namespace fs = std::filesystem;

namespace {

fs::path write_config(const ScratchFolder& folder, const nlohmann::json& document) {
  const auto path = folder / "exp.json";
  std::ofstream(path) << document.dump(2);
  return path;
}

}  // namespace

TEST_CASE("help and version exit 0 and say what the tool is") {
  std::string output;
  CHECK(run_aebench("--help", &output) == 0);
  CHECK_THAT(output, Catch::Contains("train") && Catch::Contains("eval"));
  CHECK_THAT(output, Catch::Contains("Examples") && Catch::Contains("docs/config.md"));
  CHECK(run_aebench("train --help", &output) == 0);
  CHECK_THAT(output, Catch::Contains("--set") && Catch::Contains("Exit codes"));
  CHECK(run_aebench("--version", &output) == 0);
  CHECK_THAT(output, Catch::Contains("aebench") && Catch::Contains("LibTorch"));
}

TEST_CASE("each kind of failure exits with its documented code and a one-line message") {
  ScratchFolder folder("cli");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const auto config =
      write_config(folder, aebench::testing::tiny_config(folder / "data", folder / "run"));
  struct Case {
    std::string arguments;
    int exit_code;
    std::vector<std::string> fragments;
  };
  const std::vector<Case> cases = {
      {"", aebench::kExitUsageError, {"a subcommand is required"}},
      {"frobnicate", aebench::kExitUsageError, {}},
      {"train", aebench::kExitUsageError, {"CONFIG"}},
      {"train " + shell_quoted(folder / "missing.json"),
       aebench::kExitUsageError,
       {"missing.json"}},
      {"train " + shell_quoted(config) + " --set train.lerning_rate=1",
       aebench::kExitUsageError,
       {"unknown key train.lerning_rate", "did you mean train.lr?"}},
      {"train " + shell_quoted(config) + " --set model.latent=-3",
       aebench::kExitUsageError,
       {"model.latent", "found -3"}},
      {"train " + shell_quoted(config) + " --set data.dir=" + shell_quoted(folder / "nowhere"),
       aebench::kExitDataError,
       {"nowhere", "scripts/setup.sh"}},
      {"train " + shell_quoted(config) +
           " --set model.activation=linear --set model.output_activation=linear --set "
           "train.optimizer=sgd "
           "--set train.lr=100 --set train.batch_size=10 --out " +
           shell_quoted(folder / "diverged"),
       aebench::kExitTrainingError,
       {"epoch 1", "batch"}},
      {"eval " + shell_quoted(folder / "not-a-run"),
       aebench::kExitUsageError,
       {"not-a-run", "expected a run folder", "run.json"}},
      {"report " + shell_quoted(folder / "not-a-run"),
       aebench::kExitUsageError,
       {(folder / "not-a-run").string(), "expected a run folder"}},
      {"report " + shell_quoted(folder / "data"),
       aebench::kExitUsageError,
       {(folder / "data").string(), "found neither"}},
  };
  for (const auto& test : cases) {
    INFO(test.arguments);
    std::string output;
    CHECK(run_aebench(test.arguments, &output) == test.exit_code);
    INFO(output);
    for (const auto& fragment : test.fragments) CHECK_THAT(output, Catch::Contains(fragment));
    if (test.exit_code != aebench::kExitUsageError || !test.fragments.empty())
      CHECK(std::count(output.begin(), output.end(), '\n') <= 2);
  }
}

TEST_CASE("train then eval from the command line writes the run folder and agrees") {
  ScratchFolder folder("cli");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const auto config =
      write_config(folder, aebench::testing::tiny_config(folder / "data", folder / "ignored"));
  const auto run = folder / "run";
  std::string output;
  REQUIRE(run_aebench(
              "train " + shell_quoted(config) + " --quiet --threads 1 --out " + shell_quoted(run),
              &output) == 0);
  CHECK(output == run.string() + "\n");  // --quiet: the run folder alone, for scripts
  const auto summary = aebench::testing::read_json(run / "summary.json");
  CHECK(summary["config"]["output"]["dir"] == run.string());
  CHECK(summary["threads"] == 1);
  REQUIRE(run_aebench("eval " + shell_quoted(run) + " --quiet", &output) == 0);
  CHECK(aebench::testing::read_json(run / "eval" / "summary.json")["test"] == summary["test"]);
  CHECK(run_aebench("train " + shell_quoted(config) + " --out " + shell_quoted(run), &output) ==
        aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("--overwrite"));
}

TEST_CASE("probe and compare work on finished runs from the command line") {
  ScratchFolder folder("cli-analysis");
  aebench::testing::write_synthetic_dataset(folder / "data", 200, 40);
  auto document = aebench::testing::tiny_config(folder / "data", folder / "unused");
  document["analysis"]["embedding"] = "none";
  const auto config = write_config(folder, document);
  std::string output;
  for (const char* latent : {"8", "16"})
    REQUIRE(run_aebench("train " + shell_quoted(config) + " --quiet --set model.latent=" + latent +
                        " --out " + shell_quoted(folder / (std::string("run") + latent))) == 0);
  REQUIRE(run_aebench("probe " + shell_quoted(folder / "run8") +
                          " --quiet --set probe.epochs=3 --set probe.pixels=false",
                      &output) == 0);
  const auto summary = aebench::testing::read_json(folder / "run8" / "summary.json");
  CHECK(summary["probe"]["mlp"].contains("test_accuracy"));
  CHECK_FALSE(summary["probe"].contains("pixels"));
  CHECK(summary.contains("test"));  // the rest of the summary is kept
  CHECK(run_aebench("probe " + shell_quoted(folder / "run8") + " --set train.lr=1", &output) ==
        aebench::kExitUsageError);
  REQUIRE(run_aebench("compare " + shell_quoted(folder / "run8") + " " +
                          shell_quoted(folder / "run16") + " --out " + shell_quoted(folder / "cmp"),
                      &output) == 0);
  CHECK_THAT(output, Catch::Contains("| run") && Catch::Contains("run16"));
  CHECK_THAT(output, Catch::Contains("model.latent"));  // the key the two runs differ in
  CHECK(fs::exists(folder / "cmp" / "comparison.csv"));
  CHECK(fs::exists(folder / "cmp" / "comparison.json"));
  CHECK(fs::exists(folder / "cmp" / "comparison_test.sse_per_image.png"));
  REQUIRE(run_aebench("compare " + shell_quoted(folder / "run8") + " " +
                          shell_quoted(folder / "run16") + " --json --out " +
                          shell_quoted(folder / "cmp"),
                      &output) == 0);
  const auto compared = nlohmann::json::parse(output);
  CHECK(compared["differing_config_keys"] == nlohmann::json::array({"model.latent"}));
  // A config key as the table names it, as in aebench --help's example.
  CHECK(run_aebench("compare " + shell_quoted(folder / "run8") + " " +
                        shell_quoted(folder / "run16") + " --x model.latent --out " +
                        shell_quoted(folder / "cmp"),
                    &output) == 0);
  CHECK(compared["runs"][1]["config"]["model.latent"] == 16);
  CHECK(compared["runs"][1]["metrics"]["test.mse"].is_number());
  // A folder that is neither a run nor a sweep is named, as report names it (usage, exit 2).
  CHECK(run_aebench("compare " + shell_quoted(folder / "data"), &output) ==
        aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("expected a run folder aebench train made"));

  // The folder of runs is a sweep folder (data/ and cmp/ hold no run files).
  REQUIRE(run_aebench("report " + shell_quoted(folder.path()), &output) == 0);
  CHECK(output == (folder / "report.html").string() + "\n");
  const auto read = [](const fs::path& path) {
    std::ifstream stream(path);
    return std::string(std::istreambuf_iterator<char>(stream), {});
  };
  const std::string sweep = read(folder / "report.html");
  CHECK_THAT(sweep, Catch::Contains(">model.latent</th>") &&
                        Catch::Contains("href=\"run8/report.html\"") &&
                        Catch::Contains("href=\"run16/report.html\"") &&
                        Catch::Contains("data-count=\"failed\">0<"));
  const std::string run8 = read(folder / "run8" / "report.html");
  CHECK_THAT(run8, Catch::Contains("data-key=\"probe.mlp.test_accuracy\""));
  const auto problems = run8.find("class=\"problems\"");
  INFO((problems == std::string::npos ? "" : run8.substr(problems, 400)));
  CHECK(problems == std::string::npos);
}

TEST_CASE("eval and probe refuse a config.json edited after training, naming each changed key") {
  ScratchFolder folder("cli-edited");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const auto config =
      write_config(folder, aebench::testing::tiny_config(folder / "data", folder / "ignored"));
  const auto run = folder / "run";
  REQUIRE(run_aebench("train " + shell_quoted(config) + " --quiet --out " + shell_quoted(run)) ==
          0);
  auto edited = aebench::testing::read_json(run / "config.json");
  edited["model"]["activation"] = "sigmoid";
  edited["model"]["hidden"] = {48};
  edited["output"]["images"] = 3;  // does not change the model: not reported
  std::ofstream(run / "config.json") << edited.dump(2);
  for (const std::string command : {"eval", "probe"}) {
    INFO(command);
    std::string output;
    CHECK(run_aebench(command + " " + shell_quoted(run), &output) == aebench::kExitUsageError);
    CHECK_THAT(output, Catch::Contains("config.json") && Catch::Contains("model.pt") &&
                           Catch::Contains("model.activation (\"relu\" -> \"sigmoid\")") &&
                           Catch::Contains("model.hidden ([32] -> [48])"));
    CHECK(output.find("output.images") == std::string::npos);
    CHECK(std::count(output.begin(), output.end(), '\n') == 1);
  }
  CHECK_FALSE(fs::exists(run / "eval"));
}

namespace {

// The environment `pid` was started (or last re-executed) with, one "NAME=VALUE" per entry.
std::vector<std::string> environment_of(int pid) {
  std::ifstream stream("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::vector<std::string> entries;
  for (std::string entry; std::getline(stream, entry, '\0');) entries.push_back(entry);
  return entries;
}

// The OMP_WAIT_POLICY, GOMP_SPINCOUNT and GLIBC_TUNABLES entries of a training run started with
// `preset` in its environment, sorted, space-separated.
std::string startup_environment_of_run(const ScratchFolder& folder, const char* preset) {
  // A fresh run folder each time: an earlier run's metrics.csv would end the wait below before
  // this process has even been exec'd.
  static int runs = 0;
  const auto run = folder / ("run" + std::to_string(++runs));
  for (const char* name : {"GOMP_SPINCOUNT", "OMP_WAIT_POLICY", "GLIBC_TUNABLES"}) ::unsetenv(name);
  if (preset) ::putenv(const_cast<char*>(preset));
  auto document = aebench::testing::tiny_config(folder / "data", folder / "unused");
  document["train"]["epochs"] = 100000;
  const int pid = aebench::testing::spawn_aebench(
      {"train", write_config(folder, document).string(), "--out", run.string()});
  // metrics.csv exists once the (re-executed) process is training.
  while (!fs::exists(run / "metrics.csv"))
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::vector<std::string> found;
  for (const auto& entry : environment_of(pid))
    for (const char* name : {"GOMP_SPINCOUNT=", "OMP_WAIT_POLICY=", "GLIBC_TUNABLES="})
      if (entry.rfind(name, 0) == 0) found.push_back(entry);
  ::kill(pid, SIGKILL);
  aebench::testing::wait_for_exit(pid);
  std::sort(found.begin(), found.end());
  std::string joined;
  for (const auto& entry : found) joined += (joined.empty() ? "" : " ") + entry;
  return joined;
}

}  // namespace

TEST_CASE(
    "aebench's OpenMP threads wait passively and malloc keeps freed memory unless the environment "
    "chooses") {
  ScratchFolder folder("startup-environment");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  // The process's own copy of its environment (/proc/PID/environ) shows GLIBC_TUNABLES cut
  // after its first tunable where glibc ends each with a NUL in place as it reads them
  // (Debian 12's 2.36); Debian 13's glibc parses a copy and leaves the whole string.
  const std::string all = aebench::cli::kDefaultMallocTunables;
  const std::string seen = startup_environment_of_run(folder, nullptr);
  const std::string tunables =
      "GLIBC_TUNABLES=" +
      (seen.rfind("GLIBC_TUNABLES=" + all + " ", 0) == 0 ? all : all.substr(0, all.find(':')));
  CHECK(seen == tunables + " OMP_WAIT_POLICY=PASSIVE");
  CHECK(startup_environment_of_run(folder, "OMP_WAIT_POLICY=ACTIVE") ==
        tunables + " OMP_WAIT_POLICY=ACTIVE");
  CHECK(startup_environment_of_run(folder, "GOMP_SPINCOUNT=5") == tunables + " GOMP_SPINCOUNT=5");
  CHECK(startup_environment_of_run(folder, "GLIBC_TUNABLES=glibc.malloc.hugetlb=0") ==
        "GLIBC_TUNABLES=glibc.malloc.hugetlb=0 OMP_WAIT_POLICY=PASSIVE");
  for (const char* name : {"GOMP_SPINCOUNT", "GLIBC_TUNABLES"})
    ::unsetenv(name);  // later tests' runs choose their own
}

namespace {

// Runs `program --version`; returns its exit code and its output's lines (stdout and stderr).
int version_of(const ScratchFolder& folder, const fs::path& program,
               std::vector<std::string>& lines) {
  const auto output = folder / "version.txt";
  const int status = std::system(
      (shell_quoted(program) + " --version > " + shell_quoted(output) + " 2>&1").c_str());
  lines = aebench::testing::read_lines(output);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE(
    "the aebench launcher runs aebench-engine from its own folder and says so when it lacks it") {
  ScratchFolder folder("launcher");
  std::vector<std::string> lines;
  // Through a symbolic link, aebench still finds the engine beside the file it points to.
  fs::create_symlink(aebench::testing::aebench_binary(), folder / "linked-aebench");
  CHECK(version_of(folder, folder / "linked-aebench", lines) == aebench::kExitSuccess);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("aebench ", 0) == 0);
  // A copy alone in another folder has no engine to run.
  const auto lonely = folder / aebench::cli::kLauncherName;
  fs::copy_file(aebench::testing::aebench_binary(), lonely);
  CHECK(version_of(folder, lonely, lines) == aebench::kExitOtherError);
  CHECK(lines == std::vector<std::string>{
                     "aebench: cannot start " + (folder / aebench::cli::kEngineName).string() +
                     ": No such file or directory; expected aebench-engine in the folder of "
                     "aebench (both are built together)"});
}

TEST_CASE("output that cannot be written to stdout is an output error, not a silent success") {
  // stderr goes to /dev/full too (run_aebench adds 2>&1): the exit code says it.
  for (const char* command : {"config-docs", "--version", "--help"}) {
    INFO(command);
    CHECK(run_aebench(std::string(command) + " >/dev/full") == aebench::kExitOutputError);
    CHECK(run_aebench(std::string(command) + " >/dev/null") == 0);
  }
}
