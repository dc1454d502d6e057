// Inputs that used to mislead, hang or leave stale results, each refused or handled at its root
// (issue "Nothing lost, round 3"): stale results, runaway threads, unreadable artefacts,
// misleading configs, flags and exits.

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "aebench/errors.h"
#include "aebench/io/cpu_cores.h"
#include "aebench/io/run_folder.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::read_json;
using aebench::testing::run_aebench;
using aebench::testing::ScratchFolder;
using aebench::testing::shell_quoted;
namespace fs = std::filesystem;

namespace {

// Synthetic data and a tiny config in `folder`, trained into folder/run unless `train` is false.
struct TinyRun {
  ScratchFolder folder;
  fs::path config;
  fs::path run;
  explicit TinyRun(const std::string& tag, bool train = true)
      : folder(tag), config(folder / "tiny.json"), run(folder / "run") {
    aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
    write(aebench::testing::tiny_config(folder / "data", run));
    if (train) REQUIRE(aebench(train_command("--quiet")) == 0);
  }
  void write(const nlohmann::json& document) const { std::ofstream(config) << document.dump(2); }
  std::string train_command(const std::string& flags) const {
    return "train " + shell_quoted(config) + " " + flags;
  }
  int aebench(const std::string& arguments) {
    output.clear();
    return run_aebench(arguments, &output);
  }
  std::string output;
};

}  // namespace

TEST_CASE("probe refuses a run whose training did not finish, and adds nothing to it") {
  TinyRun tiny("refuse_probe");
  fs::remove(tiny.run / aebench::kSummaryFile);  // as a run stopped after saving its model
  CHECK(tiny.aebench("probe " + shell_quoted(tiny.run)) == aebench::kExitUsageError);
  CHECK_THAT(tiny.output,
             Catch::Contains("expected a finished run") && Catch::Contains("--resume"));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kSummaryFile));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kProbeFolder));
}

TEST_CASE(
    "a resume that replaces the model removes the old model's results: eval/ probe/ export/ codes/ "
    "and summary.json") {
  TinyRun tiny("stale_results");
  REQUIRE(tiny.aebench("eval " + shell_quoted(tiny.run) + " --quiet") == 0);
  REQUIRE(tiny.aebench("probe " + shell_quoted(tiny.run) + " --quiet") == 0);
  REQUIRE(tiny.aebench("export " + shell_quoted(tiny.run) + " --quiet") == 0);
  REQUIRE(tiny.aebench("encode " + shell_quoted(tiny.run) + " --quiet --split val") == 0);
  REQUIRE(fs::exists(tiny.run / aebench::kExportFolder / aebench::kStateDictFile));
  REQUIRE(fs::exists(tiny.run / aebench::kCodesFolder / "val_codes.npy"));
  std::ofstream(tiny.run / aebench::kCodesFolder / "my_codes.npy") << "mine";
  REQUIRE(fs::exists(tiny.run / aebench::kEvalFolder / aebench::kSummaryFile));
  REQUIRE(read_json(tiny.run / aebench::kSummaryFile).contains("probe"));
  std::ofstream(tiny.run / aebench::kProbeFolder / "my_notes.txt") << "mine";
  REQUIRE(tiny.aebench(tiny.train_command("--resume --quiet --set train.epochs=4")) == 0);
  CHECK_FALSE(fs::exists(tiny.run / aebench::kEvalFolder));  // emptied, so removed
  CHECK_FALSE(fs::exists(tiny.run / aebench::kProbeFolder / "mlp.json"));
  CHECK(aebench::testing::file_contents(tiny.run / aebench::kProbeFolder / "my_notes.txt") ==
        "mine");
  CHECK_FALSE(fs::exists(tiny.run / aebench::kExportFolder));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kCodesFolder / "val_codes.npy"));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kCodesFolder / aebench::kCodesRecordFile));
  CHECK(aebench::testing::file_contents(tiny.run / aebench::kCodesFolder / "my_codes.npy") ==
        "mine");
  const auto summary = read_json(tiny.run / aebench::kSummaryFile);
  CHECK(summary["epochs_run"] == 4);
  CHECK_FALSE(summary.contains("probe"));
}

TEST_CASE("more threads than usable cores are capped to the cores, with a note") {
  TinyRun tiny("thread_cap", false);
  CHECK(tiny.aebench(tiny.train_command("--threads 1024")) == 0);
  const int cores = aebench::usable_cpu_cores();
  CHECK(read_json(tiny.run / aebench::kSummaryFile)["threads"] == cores);
  CHECK_THAT(tiny.output, Catch::Contains("threads 1024: capped to " + std::to_string(cores)));
}

TEST_CASE("a schedule refuses a min_lr above lr and a key its type ignores, naming the key") {
  TinyRun tiny("schedule_keys", false);
  struct Case {
    const char* schedule;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"type": "cosine", "min_lr": 25})", "train.schedule.min_lr: expected at most train.lr"},
      {R"({"type": "plateau", "min_lr": 0.5})", "train.schedule.min_lr: expected at most"},
      {R"({"type": "step", "min_lr": 0.0001})", "min_lr"},
      {R"({"type": "cosine", "gamma": 0.5})", "gamma"},
  };
  for (const auto& [schedule, expected] : cases) {
    INFO(schedule);
    CHECK(tiny.aebench(tiny.train_command("--set 'train.schedule=" + std::string(schedule) +
                                          "'")) == aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains(expected));
    CHECK(std::count(tiny.output.begin(), tiny.output.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(tiny.run));
  }
}

TEST_CASE("compare refuses a key no run has, with the nearest one, and keeps plots in --out") {
  TinyRun tiny("compare_keys");
  const std::string base =
      "compare " + shell_quoted(tiny.run) + " --out " + shell_quoted(tiny.folder / "table") + " ";
  CHECK(tiny.aebench(base + "--metric test.mes") == aebench::kExitUsageError);
  CHECK_THAT(tiny.output,
             Catch::Contains("--metric test.mes") && Catch::Contains("did you mean test.mse?"));
  CHECK(tiny.aebench(base + "--x config.model.latnt") == aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("did you mean config.model.latent?"));
  CHECK(tiny.aebench(base + "--series nothing.like.it") == aebench::kExitUsageError);
  for (const char* not_a_number : {"name", "test"}) {
    CHECK(tiny.aebench(base + "--metric " + not_a_number) == aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains("expected a key with a number"));
  }
  CHECK_FALSE(fs::exists(tiny.folder / "table"));
  CHECK(tiny.aebench(base + "--metric test.mse") == 0);
  CHECK(fs::exists(tiny.folder / "table" / "comparison_test.mse.png"));
}

TEST_CASE("report answers at once when run files are FIFOs or devices, and says so") {
  TinyRun tiny("fifo_files");
  for (const char* name : {aebench::kMetricsFile, aebench::kReconstructionsFile}) {
    fs::remove(tiny.run / name);
    REQUIRE(::mkfifo((tiny.run / name).c_str(), 0600) == 0);  // a reader would block on it
  }
  fs::remove(tiny.run / aebench::kLossCurveFile);
  fs::create_symlink("/dev/zero", tiny.run / aebench::kLossCurveFile);
  CHECK(tiny.aebench("report " + shell_quoted(tiny.run)) == 0);
  const std::string page = aebench::testing::file_contents(tiny.run / aebench::kReportFile);
  CHECK_THAT(page, Catch::Contains("a FIFO (named pipe), not a regular file") &&
                       Catch::Contains("a character device, not a regular file"));
}

TEST_CASE("sweep --bench refuses a FIFO at once, and bench --out an unwritable place first") {
  TinyRun tiny("bench_files", false);
  REQUIRE(::mkfifo((tiny.folder / "bench.fifo").c_str(), 0600) == 0);
  CHECK(tiny.aebench("sweep " + shell_quoted(tiny.config) + " --grid model.latent=3,4 --out " +
                     shell_quoted(tiny.folder / "sweep") + " --bench " +
                     shell_quoted(tiny.folder / "bench.fifo")) == aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("--bench") && Catch::Contains("FIFO"));
  CHECK(tiny.aebench("bench " + shell_quoted(tiny.config) + " --steps 2 --out " +
                     shell_quoted(tiny.folder / "no/such/folder/bench.json")) ==
        aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("no/such/folder/bench.json"));
  CHECK_THAT(tiny.output, !Catch::Contains("peak"));  // refused before any timing
}

TEST_CASE("a sweep.json field of the wrong type is a config error naming the file and key") {
  TinyRun tiny("sweep_record_types", false);
  const fs::path sweep = tiny.folder / "sweep";
  REQUIRE(tiny.aebench("sweep " + shell_quoted(tiny.config) + " --grid model.latent=3 --out " +
                       shell_quoted(sweep) + " --jobs 1") == 0);
  const auto record = read_json(sweep / "sweep.json");
  struct Case {
    const char* pointer;
    nlohmann::json value;
    const char* key;
  };
  const Case cases[] = {{"/base", 5, "base"},
                        {"/format_version", "1", "format_version"},
                        {"/points/0/state", 3, "points[0].state"},
                        {"/points/0/attempts", "many", "points[0]"},
                        {"/grid", 7, "grid"}};
  for (const auto& [pointer, value, key] : cases) {
    INFO(pointer);
    nlohmann::json broken = record;
    broken[nlohmann::json::json_pointer(pointer)] = value;
    std::ofstream(sweep / "sweep.json") << broken.dump(2);
    CHECK(tiny.aebench("sweep --status " + shell_quoted(sweep)) == aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains((sweep / "sweep.json").string() + ": " + key) ||
                                Catch::Contains("expected format_version"));
    CHECK(std::count(tiny.output.begin(), tiny.output.end(), '\n') == 1);
  }
}

TEST_CASE(
    "report writes only where aebench's run mark is: a user's folder with a config.json "
    "keeps its report.html") {
  TinyRun tiny("run_mark");
  const auto marker = read_json(tiny.run / aebench::kRunMarkerFile);
  CHECK(marker["format_version"] == aebench::kRunFormatVersion);
  CHECK(marker.contains("created"));
  CHECK(marker["sessions"][0].contains("libtorch"));

  const fs::path user = tiny.folder / "user_study";
  fs::create_directories(user / "nested");
  for (const fs::path& dir : {user, user / "nested"}) {
    std::ofstream(dir / aebench::kConfigFile) << R"({"model": {"latent": 2}})";
    std::ofstream(dir / aebench::kSummaryFile) << R"({"test": {"mse": 1}})";
    std::ofstream(dir / aebench::kReportFile) << "my own report";
  }
  CHECK(tiny.aebench("report " + shell_quoted(user)) == aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("expected a run folder"));
  CHECK(aebench::testing::file_contents(user / aebench::kReportFile) == "my own report");
  CHECK(aebench::testing::file_contents(user / "nested" / aebench::kReportFile) == "my own report");

  // In a sweep-like folder beside a real run, the user's folder is no run: nothing written there.
  const fs::path both = tiny.folder / "both";
  fs::create_directories(both);
  fs::rename(tiny.run, both / "real");
  fs::rename(user, both / "user_study");
  CHECK(tiny.aebench("report " + shell_quoted(both)) == 0);
  CHECK(fs::exists(both / "real" / aebench::kReportFile));
  CHECK(aebench::testing::file_contents(both / "user_study" / aebench::kReportFile) ==
        "my own report");
  CHECK(aebench::is_run_folder(both / "real"));
  CHECK_FALSE(aebench::is_run_folder(both / "user_study"));
}

TEST_CASE("overwrite, eval and probe never replace files in a folder aebench did not make") {
  TinyRun tiny("not_a_run");
  const fs::path user = tiny.folder / "user";
  fs::create_directories(user);
  for (const char* name : {aebench::kReportFile, aebench::kConfigFile})
    std::ofstream(user / name) << "mine";
  CHECK(tiny.aebench(tiny.train_command("--overwrite --out " + shell_quoted(user))) ==
        aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("no run.json"));
  // A copy of a run's model and config without aebench's mark: eval and probe write nothing.
  fs::copy_file(tiny.run / aebench::kModelFile, user / aebench::kModelFile);
  std::ofstream(user / aebench::kSummaryFile) << R"({"test": {"mse": 0.5}})";
  for (const char* command : {"eval", "probe"}) {
    INFO(command);
    CHECK(tiny.aebench(std::string(command) + " " + shell_quoted(user)) ==
          aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains("expected a run folder"));
  }
  CHECK(aebench::testing::file_contents(user / aebench::kSummaryFile) ==
        R"({"test": {"mse": 0.5}})");
  for (const char* name : {aebench::kReportFile, aebench::kConfigFile})
    CHECK(aebench::testing::file_contents(user / name) == "mine");
  CHECK_FALSE(fs::exists(user / aebench::kEvalFolder));
  CHECK_FALSE(fs::exists(user / aebench::kProbeFolder));
}

TEST_CASE("a stopped resume leaves no result of the old model as current") {
  TinyRun tiny("stopped_resume");
  REQUIRE(tiny.aebench("eval " + shell_quoted(tiny.run) + " --quiet") == 0);
  // A resume that cannot finish: refused at the end of training by a planted file in the way.
  fs::remove(tiny.run / aebench::kLossCurveFile);
  fs::create_directories(tiny.run / aebench::kLossCurveFile);
  CHECK(tiny.aebench(tiny.train_command("--resume --quiet --set train.epochs=4")) != 0);
  CHECK_FALSE(fs::exists(tiny.run / aebench::kSummaryFile));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kEvalFolder));
  CHECK(tiny.aebench("probe " + shell_quoted(tiny.run)) == aebench::kExitUsageError);
}

TEST_CASE("a checkpoint-sized hole is refused from its header, before it is read") {
  TinyRun tiny("sparse_model");
  fs::remove(tiny.run / aebench::kModelFile);
  std::ofstream(tiny.run / aebench::kModelFile).close();
  fs::resize_file(tiny.run / aebench::kModelFile, std::uintmax_t{64} << 30);  // 64 GiB, sparse
  CHECK(tiny.aebench("eval " + shell_quoted(tiny.run)) == aebench::kExitDataError);
  CHECK_THAT(tiny.output, Catch::Contains("expected an aebench checkpoint"));
}

TEST_CASE("command-line mistakes are one line with the likely fix") {
  TinyRun tiny("usage_lines", false);
  struct Case {
    std::string arguments;
    std::string expected;
  };
  const Case cases[] = {
      {"tran " + shell_quoted(tiny.config), "did you mean train?"},
      {"train " + shell_quoted(tiny.config) + " train.lr=0.1", "use --set train.lr=0.1"},
      {"train " + shell_quoted(tiny.config) + " --threads 5000", "--threads"},
      {"train " + shell_quoted(tiny.config) + " --set lr=0.1", "did you mean train.lr?"},
      {"train " + shell_quoted(tiny.config) + " --resume --overwrite", "see aebench train --help"},
  };
  for (const auto& [arguments, expected] : cases) {
    INFO(arguments);
    CHECK(tiny.aebench(arguments) == aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::StartsWith("aebench: ") && Catch::Contains(expected));
    CHECK(std::count(tiny.output.begin(), tiny.output.end(), '\n') == 1);
  }
}

TEST_CASE("eval scores another split or other data of the model's shape and nothing else") {
  TinyRun tiny("eval_other_data");
  const std::string run = shell_quoted(tiny.run);
  REQUIRE(tiny.aebench("eval " + run + " --quiet --split train") == 0);
  auto evaluated = read_json(tiny.run / aebench::kEvalFolder / aebench::kSummaryFile);
  CHECK(evaluated["evaluated"]["split"] == "train");
  CHECK(evaluated["evaluated"]["images"] == evaluated["data"]["train"]);
  CHECK(evaluated.contains("train"));
  CHECK_FALSE(evaluated.contains("test"));  // no train score passed off as a test score

  aebench::testing::write_synthetic_dataset(tiny.folder / "other", 200, 30);
  const int status = tiny.aebench("eval " + run +
                                  " --quiet --set data.dir=" + shell_quoted(tiny.folder / "other") +
                                  " --set data.test_limit=null");
  INFO(tiny.output);
  REQUIRE(status == 0);
  evaluated = read_json(tiny.run / aebench::kEvalFolder / aebench::kSummaryFile);
  CHECK(evaluated["evaluated"]["images"] == 30);
  CHECK(evaluated["evaluated"]["overrides"].size() == 2);
  CHECK(evaluated["config"]["data"]["dir"] == fs::absolute(tiny.folder / "other").string());

  struct Refusal {
    std::string flags;
    const char* expected;
  };
  const Refusal refusals[] = {
      {"--set model.latent=3", "expected a data.KEY=VALUE override"},
      {"--set noise.type=gaussian", "expected a data.KEY=VALUE override"},
      {"--set data.dataset=cifar10", "expected a data set of the model's image shape 1x28x28"},
      {"--split validation", "--split: expected train, val or test"},
  };
  for (const auto& [flags, expected] : refusals) {
    INFO(flags);
    CHECK(tiny.aebench("eval " + run + " " + flags) == aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains(expected));
  }
}

TEST_CASE("a sweep point folder holding another config's run is neither done nor tabulated") {
  ScratchFolder folder("foreign_point");
  const fs::path base = aebench::testing::write_sweep_base(folder.path());
  const fs::path sweep = folder / "sweep";
  std::string output;
  REQUIRE(run_aebench("sweep " + shell_quoted(base) + " --grid model.latent=3,4 --out " +
                          shell_quoted(sweep) + " --jobs 1 --threads 1 --quiet",
                      &output) == 0);
  // latent-4's folder now holds latent-3's finished run (copied over it).
  fs::remove_all(sweep / "latent-4");
  fs::copy(sweep / "latent-3", sweep / "latent-4", fs::copy_options::recursive);
  run_aebench("sweep --status " + shell_quoted(sweep), &output);
  CHECK_THAT(output, Catch::Contains("holds a run of another config"));
  CHECK_THAT(output, Catch::Contains("model.latent 3 -> 4"));
  CHECK_THAT(output, Catch::Contains("1/2 done"));
  run_aebench("sweep --report " + shell_quoted(sweep), &output);
  CHECK_THAT(output, Catch::Contains("1/2 done, 0 running, 1 failed"));
  const std::string table = aebench::testing::file_contents(sweep / "comparison.csv");
  CHECK(aebench::testing::count_of(table, "latent-3") == 1);
  CHECK(aebench::testing::count_of(table, "latent-4") == 0);
  // Only latent-3's summary.json copied in: still another config's result. An empty one ("{}")
  // is no result at all.
  fs::remove_all(sweep / "latent-4");
  REQUIRE(run_aebench("sweep " + shell_quoted(base) + " --grid model.latent=3,4 --out " +
                          shell_quoted(sweep) + " --jobs 1 --threads 1 --quiet",
                      &output) == 0);
  fs::copy_file(sweep / "latent-3" / aebench::kSummaryFile,
                sweep / "latent-4" / aebench::kSummaryFile, fs::copy_options::overwrite_existing);
  run_aebench("sweep --status " + shell_quoted(sweep), &output);
  CHECK_THAT(output, Catch::Contains("1/2 done") && Catch::Contains("model.latent 3 -> 4"));
  std::ofstream(sweep / "latent-4" / aebench::kSummaryFile) << "{}";
  run_aebench("sweep --status " + shell_quoted(sweep), &output);
  CHECK_THAT(output, Catch::Contains("1/2 done"));
  // compare takes the sweep folder for its finished points: latent-3 alone.
  REQUIRE(run_aebench("compare " + shell_quoted(sweep) + " --json --out " +
                          shell_quoted(folder / "compared"),
                      &output) == 0);
  const auto compared = nlohmann::json::parse(output);
  REQUIRE(compared["runs"].size() == 1);
  CHECK(compared["runs"][0]["run"] == "latent-3");
}

TEST_CASE("a stop signal that arrives while aebench starts is reported and nothing is written") {
  // The signal is pending before the program starts, as one sent while LibTorch loads would be.
  for (const int signal_number : {SIGINT, SIGTERM}) {
    INFO(signal_number);
    TinyRun tiny("early_signal", false);
    const fs::path errors = tiny.folder / "stderr.txt";
    const std::string binary = aebench::testing::aebench_binary().string();
    const std::string config = tiny.config.string(), out = (tiny.folder / "run").string();
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      std::freopen(errors.c_str(), "w", stderr);
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, signal_number);
      sigprocmask(SIG_BLOCK, &set, nullptr);
      ::raise(signal_number);
      ::execl(binary.c_str(), binary.c_str(), "train", config.c_str(), "--out", out.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const int status = aebench::testing::wait_for_exit(pid);
    CHECK(status == 128 + signal_number);
    CHECK_THAT(aebench::testing::file_contents(errors),
               Catch::Contains("aebench: interrupted: stopped by SIG") &&
                   Catch::Contains("while starting, before anything was read or written"));
    CHECK_FALSE(fs::exists(tiny.folder / "run"));
  }
}

TEST_CASE("eval/ and a copy of its summary.json are not run folders: nothing there is replaced") {
  TinyRun tiny("eval_not_a_run");
  REQUIRE(tiny.aebench("eval " + shell_quoted(tiny.run) + " --quiet") == 0);
  CHECK_FALSE(aebench::is_run_folder(tiny.run / aebench::kEvalFolder));
  const fs::path user = tiny.folder / "user";
  fs::create_directories(user);
  fs::copy_file(tiny.run / aebench::kEvalFolder / aebench::kSummaryFile, user / "summary.json");
  std::ofstream(user / aebench::kReportFile) << "mine";
  std::ofstream(user / aebench::kConfigFile) << "mine";
  CHECK_FALSE(aebench::is_run_folder(user));
  CHECK(tiny.aebench("report " + shell_quoted(user)) == aebench::kExitUsageError);
  CHECK(tiny.aebench("compare " + shell_quoted(tiny.run / aebench::kEvalFolder)) ==
        aebench::kExitUsageError);
  CHECK(tiny.aebench(tiny.train_command("--quiet --overwrite --out " + shell_quoted(user))) ==
        aebench::kExitOutputError);
  CHECK(aebench::testing::file_contents(user / aebench::kReportFile) == "mine");
  CHECK(aebench::testing::file_contents(user / aebench::kConfigFile) == "mine");
}

TEST_CASE("a model.pt copied in from another run is refused by every command that reads it") {
  TinyRun tiny("foreign_model");
  const fs::path other = tiny.folder / "other";
  REQUIRE(tiny.aebench(tiny.train_command("--quiet --set seed=4 --out " + shell_quoted(other))) ==
          0);
  fs::copy_file(other / aebench::kModelFile, tiny.run / aebench::kModelFile,
                fs::copy_options::overwrite_existing);
  const std::string before = aebench::testing::file_contents(tiny.run / aebench::kSummaryFile);
  for (const char* command : {"eval", "probe", "export", "encode"}) {
    INFO(command);
    CHECK(tiny.aebench(std::string(command) + " " + shell_quoted(tiny.run)) ==
          aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains("seed (4 -> 3)"));
  }
  CHECK(aebench::testing::file_contents(tiny.run / aebench::kSummaryFile) == before);
  CHECK_FALSE(fs::exists(tiny.run / aebench::kEvalFolder));
}

TEST_CASE("a summary.json copied in from another run is no command's result for this run") {
  TinyRun tiny("foreign_summary");
  const fs::path other = tiny.folder / "other";
  REQUIRE(tiny.aebench(tiny.train_command("--quiet --set seed=4 --out " + shell_quoted(other))) ==
          0);
  // Another seed, and another model kind whose keys this run's config.json lacks.
  for (const std::string& set : {"seed=4", "model.type=\"pca\""}) {
    INFO(set);
    const fs::path source = tiny.folder / "source";
    fs::remove_all(source);
    REQUIRE(tiny.aebench(tiny.train_command("--quiet --set " + shell_quoted(set) + " --out " +
                                            shell_quoted(source))) == 0);
    fs::copy_file(source / aebench::kSummaryFile, tiny.run / aebench::kSummaryFile,
                  fs::copy_options::overwrite_existing);
    const std::string copied = aebench::testing::file_contents(tiny.run / aebench::kSummaryFile);
    CHECK(tiny.aebench("compare " + shell_quoted(tiny.run) + " --out " +
                       shell_quoted(tiny.folder / "compared")) == aebench::kExitDataError);
    CHECK_THAT(tiny.output, Catch::Contains("another config than config.json") &&
                                Catch::Contains("another run's results"));
    CHECK(tiny.aebench("probe " + shell_quoted(tiny.run)) == aebench::kExitDataError);
    CHECK_THAT(tiny.output, Catch::Contains("another run's results"));
    CHECK_FALSE(fs::exists(tiny.run / aebench::kProbeFolder));
    CHECK(aebench::testing::file_contents(tiny.run / aebench::kSummaryFile) == copied);
    // The report names the problem instead of showing the results as the run's.
    CHECK(tiny.aebench("report " + shell_quoted(tiny.run)) == 0);
    const std::string page = aebench::testing::file_contents(tiny.run / aebench::kReportFile);
    CHECK_THAT(page, Catch::Contains("another run&#39;s results") ||
                         Catch::Contains("another run's results"));
    CHECK_THAT(page, !Catch::Contains("id=\"results\""));
  }
  // Incidental keys (name, threads, output) are the same run's: the summary stays usable.
  fs::copy_file(other / aebench::kSummaryFile, tiny.run / aebench::kSummaryFile,
                fs::copy_options::overwrite_existing);
  nlohmann::json summary = read_json(tiny.run / aebench::kSummaryFile);
  summary["config"]["seed"] = read_json(tiny.run / aebench::kConfigFile)["seed"];
  summary["config"]["threads"] = 2;
  summary["config"]["name"] = "renamed";
  std::ofstream(tiny.run / aebench::kSummaryFile) << summary.dump(2);
  CHECK(tiny.aebench("compare " + shell_quoted(tiny.run) + " --out " +
                     shell_quoted(tiny.folder / "compared")) == 0);
}

TEST_CASE("export, encode and compare into a folder in use or holding a user's files refuse") {
  TinyRun tiny("out_folders");
  const std::string run = shell_quoted(tiny.run);
  const fs::path busy = tiny.folder / "busy";
  {
    const aebench::RunLock held(busy);  // another command writing there
    CHECK(tiny.aebench("export " + run + " --out " + shell_quoted(busy)) ==
          aebench::kExitOutputError);
    CHECK(tiny.aebench("encode " + run + " --out " + shell_quoted(busy)) ==
          aebench::kExitOutputError);
    CHECK(tiny.aebench("compare " + run + " --out " + shell_quoted(busy)) ==
          aebench::kExitOutputError);
  }
  CHECK(fs::is_empty(busy));
  const fs::path mine = tiny.folder / "mine";
  fs::create_directories(mine);
  std::ofstream(mine / "comparison.md") << "my table";
  CHECK(tiny.aebench("compare " + run + " --out " + shell_quoted(mine)) ==
        aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("holds comparison.md but no comparison.json"));
  CHECK(aebench::testing::file_contents(mine / "comparison.md") == "my table");
  // aebench's own earlier comparison there is replaced.
  const fs::path ours = tiny.folder / "ours";
  REQUIRE(tiny.aebench("compare " + run + " --out " + shell_quoted(ours)) == 0);
  CHECK(tiny.aebench("compare " + run + " --out " + shell_quoted(ours)) == 0);
}

TEST_CASE(
    "a second encode without --images removes the first one's images, which no longer match") {
  TinyRun tiny("stale_images");
  const std::string run = shell_quoted(tiny.run);
  REQUIRE(tiny.aebench("encode " + run + " --quiet --images") == 0);
  REQUIRE(fs::exists(tiny.run / aebench::kCodesFolder / "test_images.npy"));
  // A smaller split than the pictures' row (output.images 6): encode needs no pictures.
  REQUIRE(tiny.aebench("encode " + run +
                       " --quiet --set data.classes=[0,1] --set data.test_limit=4") == 0);
  CHECK_FALSE(fs::exists(tiny.run / aebench::kCodesFolder / "test_images.npy"));
  CHECK(read_json(tiny.run / aebench::kCodesFolder /
                  aebench::kCodesRecordFile)["splits"]["test"]["images"] == 4);
  // A bad override is named as one, not as the run's config.json.
  CHECK(tiny.aebench("encode " + run + " --set data.test_limit=-3") == aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("(with --set)"));
}

TEST_CASE("a resume of a finished run with its own config trains nothing and keeps its results") {
  TinyRun tiny("resume_finished");
  REQUIRE(tiny.aebench("eval " + shell_quoted(tiny.run) + " --quiet") == 0);
  REQUIRE(tiny.aebench("export " + shell_quoted(tiny.run) + " --quiet") == 0);
  const std::string summary = aebench::testing::file_contents(tiny.run / aebench::kSummaryFile);
  const std::string model = aebench::testing::file_contents(tiny.run / aebench::kModelFile);
  CHECK(tiny.aebench(tiny.train_command("--resume")) == 0);
  CHECK_THAT(tiny.output, Catch::Contains("nothing to resume, its results stay"));
  CHECK(aebench::testing::file_contents(tiny.run / aebench::kSummaryFile) == summary);
  CHECK(aebench::testing::file_contents(tiny.run / aebench::kModelFile) == model);
  CHECK(fs::exists(tiny.run / aebench::kEvalFolder / aebench::kSummaryFile));
  CHECK(fs::exists(tiny.run / aebench::kExportFolder / aebench::kStateDictFile));
  // Killed between its summary and its report: the resume writes the report and removes the
  // killed writer's temporaries, here and in eval/.
  const std::string report = aebench::testing::file_contents(tiny.run / aebench::kReportFile);
  fs::remove(tiny.run / aebench::kReportFile);
  std::ofstream(tiny.run / ".report.html.aebench-tmp-99999") << "<html";
  std::ofstream(tiny.run / aebench::kEvalFolder / ".summary.json.aebench-tmp-99998") << "{";
  CHECK(tiny.aebench(tiny.train_command("--resume")) == 0);
  CHECK(aebench::testing::file_contents(tiny.run / aebench::kReportFile) == report);
  CHECK_FALSE(fs::exists(tiny.run / ".report.html.aebench-tmp-99999"));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kEvalFolder / ".summary.json.aebench-tmp-99998"));
  CHECK(aebench::testing::file_contents(tiny.run / aebench::kSummaryFile) == summary);
  // Raising the epochs does train further, as before.
  CHECK(tiny.aebench(tiny.train_command("--resume --quiet --set train.epochs=4")) == 0);
  CHECK(read_json(tiny.run / aebench::kSummaryFile)["epochs_run"] == 4);
}

TEST_CASE("only run.json as train writes it marks a run folder: fake or partial ones do not") {
  TinyRun tiny("run_markers", false);
  const fs::path user = tiny.folder / "user";
  fs::create_directories(user);
  std::ofstream(user / aebench::kReportFile) << "mine";
  std::ofstream(user / aebench::kConfigFile) << "mine";
  for (const char* marker :
       {R"({"format_version": 1, "sessions": []})", R"({"format_version": 1, "sessions": [{}]})",
        R"({"format_version": 999, "sessions": [{"command": "x", "started": "y"}]})",
        R"({"format_version": 1, "sessions": "x"})"}) {
    INFO(marker);
    std::ofstream(user / aebench::kRunMarkerFile) << marker;
    CHECK_FALSE(aebench::is_run_folder(user));
    CHECK(tiny.aebench("report " + shell_quoted(user)) == aebench::kExitUsageError);
    CHECK(tiny.aebench(tiny.train_command("--quiet --overwrite --out " + shell_quoted(user))) ==
          aebench::kExitOutputError);
  }
  CHECK(aebench::testing::file_contents(user / aebench::kReportFile) == "mine");
  CHECK(aebench::testing::file_contents(user / aebench::kConfigFile) == "mine");
}

TEST_CASE("a folder holding run folders keeps a report.html of the user's") {
  TinyRun tiny("foreign_report");
  const fs::path parent = tiny.folder / "parent";
  fs::create_directories(parent);
  fs::rename(tiny.run, parent / "run");
  std::ofstream(parent / aebench::kReportFile) << "my notes";
  CHECK(tiny.aebench("report " + shell_quoted(parent)) == aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("that aebench did not write"));
  CHECK(aebench::testing::file_contents(parent / aebench::kReportFile) == "my notes");
  fs::remove(parent / aebench::kReportFile);
  REQUIRE(tiny.aebench("report " + shell_quoted(parent)) == 0);
  CHECK(tiny.aebench("report " + shell_quoted(parent)) == 0);  // its own report it replaces
}

TEST_CASE("report waits for no one: a run folder in use is refused, not half reported") {
  TinyRun tiny("report_lock");
  const aebench::RunLock held(tiny.run);
  CHECK(tiny.aebench("report " + shell_quoted(tiny.run)) == aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("in use"));
}

TEST_CASE("a resume may raise train.epochs but not lower it") {
  TinyRun tiny("lower_epochs");
  CHECK(tiny.aebench(tiny.train_command("--resume --set train.epochs=1")) ==
        aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("train.epochs may be raised"));
  CHECK(read_json(tiny.run / aebench::kSummaryFile)["epochs_run"] == 3);
}

TEST_CASE("an empty --out is a usage error for every command that takes one") {
  TinyRun tiny("empty_out");
  const std::string run = shell_quoted(tiny.run);
  for (const std::string& command : {tiny.train_command("--out ''"), "export " + run + " --out ''",
                                     "encode " + run + " --out ''", "compare " + run + " --out ''",
                                     std::string("bench --out '' --steps 1")}) {
    INFO(command);
    CHECK(tiny.aebench(command) == aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains("expected a path, found an empty string"));
  }
}

TEST_CASE(
    "a FIFO in place of a sweep point's log is refused at once instead of blocking the sweep") {
  ScratchFolder folder("log_fifo");
  const fs::path base = aebench::testing::write_sweep_base(folder.path());
  const fs::path sweep = folder / "sweep";
  const std::string command = "sweep " + shell_quoted(base) + " --grid model.latent=3,4 --out " +
                              shell_quoted(sweep) + " --jobs 1 --threads 1 --quiet";
  std::string output;
  REQUIRE(run_aebench(command, &output) == 0);
  fs::remove_all(sweep / "latent-4");
  fs::remove(sweep / "logs" / "latent-4.log");
  REQUIRE(::mkfifo((sweep / "logs" / "latent-4.log").c_str(), 0644) == 0);
  CHECK(run_aebench(command, &output) == aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("latent-4.log: expected a regular file, found a FIFO"));
}

TEST_CASE(
    "every model kind draws its error per class, worst reconstructions, interpolation and epochs") {
  TinyRun tiny("research_pictures");
  // The other model kinds draw the same pictures (a variational one its prior samples too).
  for (const std::string kind :
       {"--set model.type=conv --set model.channels=[4] --set model.latent=null",
        "--set model.type=pca --set model.latent=5",
        "--set model.variational=true --set train.loss=bce"}) {
    INFO(kind);
    const fs::path other = tiny.folder / ("kind" + std::to_string(kind.size()));
    REQUIRE(tiny.aebench(tiny.train_command("--quiet " + kind + " --out " + shell_quoted(other))) ==
            0);
    for (const char* picture : {aebench::kPerClassFile, aebench::kWorstFile,
                                aebench::kInterpolationFile, aebench::kEpochStripsFile})
      CHECK(fs::file_size(other / picture) > 1000);
    CHECK(fs::exists(other / aebench::kSamplesFile) ==
          (kind.find("variational") != std::string::npos));
  }
  const auto summary = read_json(tiny.run / aebench::kSummaryFile);
  double weighted = 0;
  std::int64_t images = 0;
  for (const auto& [name, entry] : summary["test"]["per_class"].items()) {
    weighted += entry["sse_per_image"].get<double>() * entry["images"].get<double>();
    images += entry["images"].get<std::int64_t>();
  }
  CHECK(images == summary["test"]["images"]);
  CHECK(weighted / double(images) == Approx(summary["test"]["sse_per_image"].get<double>()));
  for (const char* picture : {aebench::kPerClassFile, aebench::kWorstFile,
                              aebench::kInterpolationFile, aebench::kEpochStripsFile}) {
    INFO(picture);
    CHECK(fs::file_size(tiny.run / picture) > 1000);
    CHECK_THAT(aebench::testing::file_contents(tiny.run / aebench::kReportFile),
               Catch::Contains(std::string("data-file=\"") + picture));
  }
  // eval draws them again for the split it scores.
  REQUIRE(tiny.aebench("eval " + shell_quoted(tiny.run) + " --quiet --split train") == 0);
  CHECK(fs::exists(tiny.run / aebench::kEvalFolder / aebench::kWorstFile));
}

namespace {

// A copy of the data folder `from` in which every image differs from the original by one pixel:
// another data set of the same shape and sizes, as Fashion-MNIST is to MNIST.
void write_other_data(const fs::path& from, const fs::path& to) {
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  for (const char* split : {"train", "t10k"}) {
    const fs::path images = to / (std::string(split) + "-images-idx3-ubyte");
    std::string bytes = aebench::testing::file_contents(images);
    for (std::size_t first_pixel = 16; first_pixel < bytes.size(); first_pixel += 784)
      bytes[first_pixel] = char(bytes[first_pixel] + 9);
    aebench::testing::write_text(images, bytes);
  }
}

}  // namespace

TEST_CASE(
    "a resume or a probe on other data than the run trained on is refused naming data.dir, and "
    "eval says whether it used them") {
  TinyRun tiny("other_data");
  const std::string run = shell_quoted(tiny.run);
  const int epochs = read_json(tiny.config)["train"]["epochs"].get<int>();
  fs::copy(tiny.folder / "data", tiny.folder / "moved", fs::copy_options::recursive);
  write_other_data(tiny.folder / "data", tiny.folder / "other");
  const auto resume_on = [&](const std::string& dir, int more) {
    return tiny.train_command(
        "--quiet --resume --set train.epochs=" + std::to_string(epochs + more) +
        " --set 'data.dir=\"" + (tiny.folder / dir).string() + "\"'");
  };
  const std::string summary = aebench::testing::file_contents(tiny.run / aebench::kSummaryFile);
  CHECK(tiny.aebench(resume_on("other", 1)) == aebench::kExitDataError);
  CHECK_THAT(tiny.output,
             Catch::Contains("aebench: data error: --resume: the data under data.dir") &&
                 Catch::Contains("differ from the data the run") &&
                 Catch::Contains("expected fingerprint \"crc32:"));
  CHECK(aebench::testing::count_of(tiny.output, "\n") == 1);
  CHECK(aebench::testing::file_contents(tiny.run / aebench::kSummaryFile) == summary);
  // The same files elsewhere are the same data: the run goes on from them.
  REQUIRE(tiny.aebench(resume_on("moved", 1)) == 0);
  CHECK(read_json(tiny.run / aebench::kSummaryFile)["epochs_run"] == epochs + 1);
  const auto fingerprint = read_json(tiny.run / aebench::kSummaryFile)["data"]["fingerprint"];
  CHECK(fingerprint == nlohmann::json::parse(summary)["data"]["fingerprint"]);
  CHECK_THAT(fingerprint.get<std::string>(), Catch::StartsWith("crc32:"));

  // The files under the run's data.dir replaced by other data of the same shape.
  write_other_data(tiny.folder / "other", tiny.folder / "moved");
  CHECK(tiny.aebench("probe " + run) == aebench::kExitDataError);
  CHECK_THAT(tiny.output, Catch::Contains("aebench: data error: probe: the data under data.dir"));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kProbeFolder));
  REQUIRE(tiny.aebench("eval " + run + " --quiet") == 0);
  CHECK(read_json(tiny.run / aebench::kEvalFolder /
                  aebench::kSummaryFile)["evaluated"]["same_data_as_training"] == false);
  REQUIRE(tiny.aebench("eval " + run + " --quiet --set 'data.dir=\"" +
                       (tiny.folder / "data").string() + "\"'") == 0);
  CHECK(read_json(tiny.run / aebench::kEvalFolder /
                  aebench::kSummaryFile)["evaluated"]["same_data_as_training"] == true);
}

TEST_CASE("a run names the keys it was given that have no effect on its model") {
  TinyRun tiny("ignored_keys", false);
  REQUIRE(tiny.aebench(tiny.train_command("--set train.beta=2 --set train.kl_warmup_epochs=3")) ==
          0);
  CHECK_THAT(tiny.output,
             Catch::Contains("train.beta: given, but it has no effect on this config") &&
                 Catch::Contains("train.kl_warmup_epochs: given, but it has no effect"));
  CHECK_FALSE(read_json(tiny.run / aebench::kConfigFile)["train"].contains("beta"));
}

TEST_CASE("a run folder inside another run's folder is refused, its results stay") {
  TinyRun tiny("nested_run");
  REQUIRE(tiny.aebench("export " + shell_quoted(tiny.run) + " --quiet") == 0);
  const std::string state =
      aebench::testing::file_contents(tiny.run / aebench::kExportFolder / aebench::kStateDictFile);
  for (const std::string inside : {"export", "eval", "new", "export/deeper"}) {
    INFO(inside);
    const fs::path out = tiny.run / inside;
    CHECK(tiny.aebench(tiny.train_command("--overwrite --out " + shell_quoted(out))) ==
          aebench::kExitOutputError);
    CHECK_THAT(tiny.output, Catch::Contains("inside the run folder " + tiny.run.string()));
  }
  // Through a path with ".." in it, too.
  CHECK(tiny.aebench(tiny.train_command(
            "--out " + shell_quoted(tiny.run / aebench::kExportFolder / ".." / "codes"))) ==
        aebench::kExitOutputError);
  CHECK(aebench::testing::file_contents(tiny.run / aebench::kExportFolder /
                                        aebench::kStateDictFile) == state);
  // Through a link that leads into the run, and a sweep whose points would be runs in it.
  fs::create_directory_symlink(tiny.run / aebench::kExportFolder, tiny.folder / "link");
  CHECK(tiny.aebench(tiny.train_command("--out " + shell_quoted(tiny.folder / "link" / "x"))) ==
        aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("inside the run folder"));
  CHECK(tiny.aebench("sweep " + shell_quoted(tiny.config) + " --grid model.latent=4,8 --out " +
                     shell_quoted(tiny.run / "sweep")) == aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("sweep folder") && Catch::Contains("inside the run"));
  CHECK(aebench::testing::file_contents(tiny.run / aebench::kExportFolder /
                                        aebench::kStateDictFile) == state);
  for (const char* made : {"new", "sweep", "export/x", "export/config.json"})
    CHECK_FALSE(fs::exists(tiny.run / made));
}

TEST_CASE(
    "a run in use or part way through a resume is named as such by eval, probe, export and "
    "encode") {
  TinyRun tiny("in_use");
  const std::string run = shell_quoted(tiny.run);
  const std::vector<std::string> commands = {"eval " + run, "probe " + run, "export " + run,
                                             "encode " + run};
  {
    const aebench::RunLock resume(tiny.run);  // as a train --resume working there holds it
    for (const auto& command : commands) {
      INFO(command);
      CHECK(tiny.aebench(command) == aebench::kExitOutputError);
      CHECK_THAT(tiny.output, Catch::Contains("is in use by another aebench process"));
    }
  }
  // A resume that raised train.epochs, then failed (a full disk) before saving its model.
  auto config = read_json(tiny.run / aebench::kConfigFile);
  config["train"]["epochs"] = config["train"]["epochs"].get<int>() + 5;
  aebench::testing::write_text(tiny.run / aebench::kConfigFile, config.dump(2));
  CHECK(tiny.aebench("eval " + run) == aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("model.pt is from before the last train --resume") &&
                              Catch::Contains("train.epochs") && Catch::Contains("--resume)"));
}

TEST_CASE("report and compare --out remove a killed writer's temporaries, links as names") {
  TinyRun tiny("report_leftovers");
  const fs::path victim = tiny.folder / "victim.txt";
  aebench::testing::write_text(victim, "mine");
  aebench::testing::write_text(tiny.run / ".report.html.aebench-tmp-99999", "<html");
  fs::create_symlink(victim, tiny.run / ".summary.json.aebench-tmp-1");
  REQUIRE(tiny.aebench("report " + shell_quoted(tiny.run)) == 0);
  CHECK_FALSE(fs::exists(tiny.run / ".report.html.aebench-tmp-99999"));
  CHECK_FALSE(fs::is_symlink(tiny.run / ".summary.json.aebench-tmp-1"));
  const fs::path out = tiny.folder / "compared";
  REQUIRE(tiny.aebench("compare " + shell_quoted(tiny.run) + " --out " + shell_quoted(out)) == 0);
  fs::create_symlink(victim, out / ".comparison.json.aebench-tmp-77");
  aebench::testing::write_text(out / ".notes.txt.aebench-tmp-5", "a user's, not ours");
  REQUIRE(tiny.aebench("compare " + shell_quoted(tiny.run) + " --out " + shell_quoted(out)) == 0);
  CHECK_FALSE(fs::is_symlink(out / ".comparison.json.aebench-tmp-77"));
  CHECK(fs::exists(out / ".notes.txt.aebench-tmp-5"));
  CHECK(aebench::testing::file_contents(victim) == "mine");
}

TEST_CASE("a FIFO in the lock file's place is refused by every command that locks, none hangs") {
  TinyRun tiny("fifo_lock");
  const std::string run = shell_quoted(tiny.run);
  const fs::path lock = tiny.run / aebench::kLockFile;
  REQUIRE(::mkfifo(lock.c_str(), 0644) == 0);
  for (const std::string& command :
       {"eval " + run, "probe " + run, "export " + run, "encode " + run, "report " + run,
        tiny.train_command("--resume --set train.epochs=9")}) {
    INFO(command);
    CHECK(tiny.aebench(command) == aebench::kExitOutputError);
    CHECK_THAT(tiny.output, Catch::Contains("lock file") && Catch::Contains("a FIFO"));
    CHECK(fs::is_fifo(lock));
  }
}

TEST_CASE("a FIFO in model.pt's or checkpoint.pt's place is named as what it is") {
  TinyRun tiny("fifo_model");
  for (const char* name : {aebench::kModelFile, aebench::kCheckpointFile}) {
    INFO(name);
    fs::remove(tiny.run / name);
    REQUIRE(::mkfifo((tiny.run / name).c_str(), 0644) == 0);
  }
  CHECK(tiny.aebench("eval " + shell_quoted(tiny.run)) == aebench::kExitDataError);
  CHECK_THAT(tiny.output, Catch::Contains("model.pt: expected a checkpoint file, found a FIFO"));
  CHECK(tiny.aebench(tiny.train_command("--resume --set train.epochs=9")) ==
        aebench::kExitDataError);
  CHECK_THAT(tiny.output,
             Catch::Contains("checkpoint.pt: expected a checkpoint file, found a FIFO"));
}

TEST_CASE(
    "train --overwrite and --resume replace only aebench's files, a user's results folder or a "
    "FIFO stays") {
  TinyRun tiny("foreign_artefacts");
  // A folder aebench did not make, with files of result names in its subfolders.
  const fs::path user = tiny.folder / "user";
  for (const char* file :
       {"probe/mlp.json", "eval/summary.json", "export/state_dict.pt", "codes/codes.json"}) {
    INFO(file);
    fs::remove_all(user);
    aebench::testing::write_text(user / file, "MINE");
    CHECK(tiny.aebench(tiny.train_command("--overwrite --out " + shell_quoted(user))) ==
          aebench::kExitOutputError);
    CHECK_THAT(tiny.output, Catch::Contains("holds " + std::string(file)) &&
                                Catch::Contains("no run of aebench's"));
    CHECK(aebench::testing::file_contents(user / file) == "MINE");
  }
  // A FIFO at an artefact's name in a run folder, at the top and in eval/.
  REQUIRE(tiny.aebench("eval " + shell_quoted(tiny.run) + " --quiet") == 0);
  for (const std::string name : {"metrics.csv", "summary.json", "eval/summary.json"}) {
    INFO(name);
    const fs::path fifo = tiny.run / name;
    fs::remove(fifo);
    fs::create_directories(fifo.parent_path());  // a refused resume may have cleared eval/
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    for (const char* flags : {"--overwrite", "--resume --set train.epochs=5"}) {
      INFO(flags);
      CHECK(tiny.aebench(tiny.train_command(flags)) == aebench::kExitOutputError);
      CHECK_THAT(tiny.output, Catch::Contains(name) && Catch::Contains(" a FIFO"));
      CHECK(fs::is_fifo(fifo));
    }
    fs::remove(fifo);
  }
}
