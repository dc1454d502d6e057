// Nothing lost: real signals and kills against the aebench binary.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>

#include "aebench/errors.h"
#include "aebench/io/checked_file.h"
#include "aebench/io/run_folder.h"
#include "aebench/io/stop_signal.h"
#include "aebench/pipeline/model_export.h"
#include "support/catch.h"
#include "support/png_check.h"
#include "support/test_support.h"

using aebench::testing::file_contents;
using aebench::testing::metric_rows;
using aebench::testing::ScratchFolder;
using aebench::testing::shell_quoted;
using aebench::testing::spawn_logged;
using aebench::testing::wait_for_text;
namespace fs = std::filesystem;

namespace {

fs::path write_config(const ScratchFolder& folder, std::int64_t epochs) {
  auto document = aebench::testing::tiny_config(folder / "data", folder / "unused");
  document["train"]["epochs"] = epochs;
  document["train"]["batch_size"] = 10;
  document["model"]["dropout"] = 0.1;
  document["noise"] = {{"type", "gaussian"}, {"std", 0.2}};
  const auto path = folder / "exp.json";
  std::ofstream(path) << document.dump();
  return path;
}

std::vector<std::string> train_arguments(const fs::path& config, const fs::path& out) {
  return {"train", config.string(), "--out", out.string(), "--threads", "1", "--quiet"};
}

// Waits until `metrics` has `rows` lines; false when process `pid` ended without writing them
// (it stays waitable), so that a run failing at its start fails the test instead of hanging it.
bool wait_for_rows(int pid, const fs::path& metrics, std::size_t rows) {
  for (;;) {
    if (aebench::testing::read_lines(metrics).size() >= rows) return true;
    siginfo_t info{};
    if (::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
      return aebench::testing::read_lines(metrics).size() >= rows;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// Stops run `pid` with SIGINT once `metrics` has `rows` lines, and requires exit status 130.
void interrupt_after_rows(int pid, const fs::path& metrics, std::size_t rows) {
  REQUIRE(wait_for_rows(pid, metrics, rows));
  ::kill(pid, SIGINT);
  REQUIRE(aebench::testing::wait_for_exit(pid) == 130);
}

// Every file a run folder holds is complete: JSON parses, CSV rows have seven numbers, PNGs
// are valid, checkpoints pass their checksum. Temporary leftovers are allowed.
void check_only_complete_files(const fs::path& folder) {
  for (const auto& entry : fs::directory_iterator(folder)) {
    const auto path = entry.path();
    const auto name = path.filename().string();
    INFO(path.string());
    if (name.find(".aebench-tmp-") != std::string::npos || name == aebench::kLockFile) continue;
    if (path.extension() == ".json") CHECK_NOTHROW(aebench::testing::read_json(path));
    if (path.extension() == ".png") CHECK(aebench::testing::inspect_png(path).valid);
    if (path.extension() == ".pt")
      CHECK_NOTHROW(aebench::unwrap_checked(file_contents(path), name));
    if (name == aebench::kMetricsFile) {
      const auto lines = aebench::testing::read_lines(path);
      REQUIRE_FALSE(lines.empty());
      for (std::size_t i = 1; i < lines.size(); ++i) {
        CHECK(std::count(lines[i].begin(), lines[i].end(), ',') == 6);
        CHECK_NOTHROW(std::stod(lines[i].substr(lines[i].rfind(',') + 1)));
      }
    }
  }
}

// A finished one-epoch run over `train_images` synthetic images, at folder/run.
fs::path trained_run(const ScratchFolder& folder, int train_images, int test_images) {
  aebench::testing::write_synthetic_dataset(folder / "data", train_images, test_images);
  const auto run = folder / "run";
  REQUIRE(aebench::testing::wait_for_exit(
              aebench::testing::spawn_aebench(train_arguments(write_config(folder, 1), run))) == 0);
  return run;
}

// Runs `command` (its output in `log`), does `act` with its pid once it holds `run`'s lock, and
// returns its exit status.
int act_once_locked(const std::string& command, const fs::path& log, const fs::path& run,
                    const std::function<void(int)>& act) {
  const int pid = spawn_logged(command, log);
  while (!fs::exists(run / aebench::kLockFile))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  act(pid);
  return aebench::testing::wait_for_exit(pid);
}

int signal_once_locked(const std::string& command, const fs::path& log, const fs::path& run,
                       int signal) {
  return act_once_locked(command, log, run, [&](int pid) { ::kill(pid, signal); });
}

// The resume command an interrupted run printed in `log`, without the leading "aebench".
std::string printed_resume_command(const fs::path& log) {
  const std::string text = file_contents(log);
  const auto start = text.rfind("aebench train ");
  if (start == std::string::npos) return "";
  const auto end = text.find('\n', start);
  return text.substr(start + 8, end == std::string::npos ? std::string::npos : end - start - 8);
}

}  // namespace

TEST_CASE("a run stopped by SIGINT and resumed ends exactly like an uninterrupted run") {
  ScratchFolder folder("resume");
  aebench::testing::write_synthetic_dataset(folder / "data", 400, 40);
  const auto config = write_config(folder, 12);
  REQUIRE(aebench::testing::wait_for_exit(
              aebench::testing::spawn_aebench(train_arguments(config, folder / "full"))) == 0);

  const int pid = aebench::testing::spawn_aebench(train_arguments(config, folder / "stopped"));
  interrupt_after_rows(pid, folder / "stopped" / aebench::kMetricsFile, 3);
  CHECK_FALSE(fs::exists(folder / "stopped" / aebench::kSummaryFile));
  auto resume = train_arguments(config, folder / "stopped");
  resume.push_back("--resume");
  REQUIRE(aebench::testing::wait_for_exit(aebench::testing::spawn_aebench(resume)) == 0);

  CHECK(metric_rows(folder / "stopped" / aebench::kMetricsFile) ==
        metric_rows(folder / "full" / aebench::kMetricsFile));
  const auto full = aebench::testing::read_json(folder / "full" / aebench::kSummaryFile);
  const auto resumed = aebench::testing::read_json(folder / "stopped" / aebench::kSummaryFile);
  CHECK(resumed["test"] == full["test"]);
  // The training time covers both sessions: every epoch's seconds from metrics.csv.
  std::ifstream csv(folder / "stopped" / aebench::kMetricsFile);
  double epoch_seconds = 0.0;
  std::string line;
  std::getline(csv, line);  // header
  while (std::getline(csv, line)) epoch_seconds += std::stod(line.substr(line.rfind(',') + 1));
  // (metrics.csv rounds each epoch's seconds to hundredths)
  CHECK(resumed["train_seconds_total"].get<double>() == Approx(epoch_seconds).margin(0.1));
}

TEST_CASE(
    "a scheduled, clipped, shift-augmented run resumes exactly and metrics.csv records each "
    "epoch's rate") {
  ScratchFolder folder("resume-schedule");
  aebench::testing::write_synthetic_dataset(folder / "data", 400, 40);
  auto document = aebench::testing::read_json(write_config(folder, 6));
  document["train"]["lr"] = 0.01;
  document["train"]["clip_grad_norm"] = 0.5;
  document["train"]["augment_shift"] = 2;
  document["train"]["schedule"] = {
      {"type", "step"}, {"step_size", 2}, {"gamma", 0.5}, {"warmup_epochs", 1}};
  const auto config = folder / "scheduled.json";
  std::ofstream(config) << document.dump();
  REQUIRE(aebench::testing::wait_for_exit(
              aebench::testing::spawn_aebench(train_arguments(config, folder / "full"))) == 0);
  std::vector<double> rates;
  for (const auto& row : metric_rows(folder / "full" / aebench::kMetricsFile))
    if (row.rfind("epoch", 0) != 0) rates.push_back(std::stod(row.substr(row.rfind(',') + 1)));
  CHECK(rates == std::vector<double>{0.005, 0.01, 0.01, 0.005, 0.005, 0.0025});
  // The shifts take effect: the same run without them has other losses.
  document["train"]["augment_shift"] = 0;
  const auto unshifted = folder / "unshifted.json";
  std::ofstream(unshifted) << document.dump();
  REQUIRE(aebench::testing::wait_for_exit(aebench::testing::spawn_aebench(
              train_arguments(unshifted, folder / "unshifted"))) == 0);
  CHECK(metric_rows(folder / "unshifted" / aebench::kMetricsFile) !=
        metric_rows(folder / "full" / aebench::kMetricsFile));

  const int pid = aebench::testing::spawn_aebench(train_arguments(config, folder / "stopped"));
  interrupt_after_rows(pid, folder / "stopped" / aebench::kMetricsFile, 3);
  auto resume = train_arguments(config, folder / "stopped");
  resume.push_back("--resume");
  REQUIRE(aebench::testing::wait_for_exit(aebench::testing::spawn_aebench(resume)) == 0);
  CHECK(metric_rows(folder / "stopped" / aebench::kMetricsFile) ==
        metric_rows(folder / "full" / aebench::kMetricsFile));
}

TEST_CASE(
    "a threads-0 run resumes with the thread count it measured, exactly as a run given "
    "that count") {
  ScratchFolder folder("resume-thread-choice");
  aebench::testing::write_synthetic_dataset(folder / "data", 400, 40);
  auto document = aebench::testing::read_json(write_config(folder, 12));
  document["train"]["batch_size"] = 2;  // steps enough to be measured
  document["follow_load"] = false;      // the measured count throughout
  document["model"] = {{"type", "conv"}, {"channels", {4}}, {"latent", nullptr}};
  const auto config = folder / "measured.json";
  std::ofstream(config) << document.dump();
  auto arguments = train_arguments(config, folder / "stopped");
  arguments.at(5) = "0";  // --threads 0
  const int pid = aebench::testing::spawn_aebench(arguments);
  interrupt_after_rows(pid, folder / "stopped" / aebench::kMetricsFile, 3);
  const std::string resume = "train " + shell_quoted(config) + " --out " +
                             shell_quoted(folder / "stopped") + " --threads 0 --resume";
  REQUIRE(aebench::testing::wait_for_exit(spawn_logged(resume, folder / "resume.log")) == 0);
  CHECK_THAT(file_contents(folder / "resume.log"),
             Catch::Contains("(threads 0: as chosen when the run started)"));
  // summary.json keeps what the first session measured.
  const auto resumed = aebench::testing::read_json(folder / "stopped" / aebench::kSummaryFile);
  const auto& choice = resumed.at("thread_choice");
  CHECK(choice.at("reason") != "as chosen when the run started");
  CHECK(resumed.at("threads") == choice.at("threads"));

  auto pinned = train_arguments(config, folder / "pinned");
  pinned.at(5) = std::to_string(choice.at("threads").get<int>());
  REQUIRE(aebench::testing::wait_for_exit(aebench::testing::spawn_aebench(pinned)) == 0);
  CHECK(metric_rows(folder / "stopped" / aebench::kMetricsFile) ==
        metric_rows(folder / "pinned" / aebench::kMetricsFile));
  CHECK(resumed.at("test") ==
        aebench::testing::read_json(folder / "pinned" / aebench::kSummaryFile).at("test"));
}

TEST_CASE(
    "a run resumed with another thread setting keeps the count its session trained on, "
    "and summary.json describes the count used") {
  ScratchFolder folder("resume-thread-setting");
  aebench::testing::write_synthetic_dataset(folder / "data", 400, 40);
  const auto config = write_config(folder, 12);
  const auto stop_after_two_epochs = [&](const std::string& run, const std::string& threads) {
    auto arguments = train_arguments(config, folder / run);
    arguments.at(5) = threads;
    const int pid = aebench::testing::spawn_aebench(arguments);
    interrupt_after_rows(pid, folder / run / aebench::kMetricsFile, 3);
  };
  const auto resume = [&](const std::string& run, const std::string& threads) {
    const std::string command = "train " + shell_quoted(config) + " --out " +
                                shell_quoted(folder / run) + " --threads " + threads + " --resume";
    REQUIRE(aebench::testing::wait_for_exit(spawn_logged(command, folder / (run + ".log"))) == 0);
    return aebench::testing::read_json(folder / run / aebench::kSummaryFile);
  };

  // Given one thread, resumed with threads 0: still one thread, not re-measured.
  stop_after_two_epochs("given", "1");
  const auto given = resume("given", "0");
  CHECK_THAT(file_contents(folder / "given.log"),
             Catch::Contains("with 1 thread (threads 0: as the interrupted session ran)"));
  CHECK(given.at("threads") == 1);
  CHECK(given.at("thread_choice").at("threads") == 1);

  // Measured, resumed with a count: summary.json has that count and no stale choice.
  stop_after_two_epochs("measured", "0");
  const auto pinned = resume("measured", "2");
  CHECK(pinned.at("threads") == 2);
  CHECK_FALSE(pinned.contains("thread_choice"));
}

TEST_CASE("SIGTERM also checkpoints and exits 143") {
  ScratchFolder folder("sigterm");
  aebench::testing::write_synthetic_dataset(folder / "data", 400, 40);
  const auto config = write_config(folder, 50);
  const int pid = aebench::testing::spawn_aebench(train_arguments(config, folder / "run"));
  REQUIRE(wait_for_rows(pid, folder / "run" / aebench::kMetricsFile, 2));
  ::kill(pid, SIGTERM);
  CHECK(aebench::testing::wait_for_exit(pid) == 143);
  CHECK(fs::exists(folder / "run" / aebench::kCheckpointFile));
  CHECK_FALSE(fs::exists(folder / "run" / aebench::kLockFile));
}

TEST_CASE(
    "a pretraining run stopped in pretraining and in training, resumed by the printed command, "
    "ends like an uninterrupted one") {
  ScratchFolder folder("pretrain-signals");
  aebench::testing::write_synthetic_dataset(folder / "data", 200, 40);
  auto document = aebench::testing::tiny_config(folder / "data", folder / "unused");
  document["train"]["epochs"] = 12;
  document["train"]["batch_size"] = 10;
  document["pretrain"] = {{"epochs", 300}, {"batch_size", 10}};
  const auto config = folder / "exp.json";
  std::ofstream(config) << document.dump();
  const std::string flags = " --threads 1 --set train.lr=0.002 --set 'name=\"pre trained\"'";
  REQUIRE(aebench::testing::run_aebench("train " + shell_quoted(config) + flags +
                                        " --quiet --out " + shell_quoted(folder / "full")) == 0);

  const auto run = folder / "run";
  int pid = spawn_logged("train " + shell_quoted(config) + flags + " --out " + shell_quoted(run),
                         folder / "first.log");
  REQUIRE(wait_for_text(pid, folder / "first.log", "pretraining stage 1/"));
  ::kill(pid, SIGINT);
  REQUIRE(aebench::testing::wait_for_exit(pid) == 130);
  CHECK_THAT(file_contents(folder / "first.log"), Catch::Contains("during pretraining"));
  CHECK_FALSE(fs::exists(run / aebench::kCheckpointFile));
  const std::string resume = printed_resume_command(folder / "first.log");
  CHECK_THAT(resume, Catch::StartsWith("train " + config.string()) &&
                         Catch::Contains(" --set train.lr=0.002 --set 'name=\"pre trained\"'") &&
                         Catch::Contains(" --threads 1") && Catch::EndsWith(" --resume"));

  pid = spawn_logged(resume, folder / "second.log");
  REQUIRE(wait_for_rows(pid, run / aebench::kMetricsFile, 3));
  ::kill(pid, SIGTERM);
  REQUIRE(aebench::testing::wait_for_exit(pid) == 143);
  CHECK(printed_resume_command(folder / "second.log") == resume);
  REQUIRE(aebench::testing::run_aebench(resume + " --quiet") == 0);

  CHECK(metric_rows(run / aebench::kMetricsFile) ==
        metric_rows(folder / "full" / aebench::kMetricsFile));
  const auto full = aebench::testing::read_json(folder / "full" / aebench::kSummaryFile);
  const auto resumed = aebench::testing::read_json(run / aebench::kSummaryFile);
  REQUIRE(resumed.contains("pretraining"));
  CHECK(resumed["pretraining"] == full["pretraining"]);
  CHECK(resumed["test"] == full["test"]);
  CHECK(resumed["name"] == "pre trained");
}

TEST_CASE(
    "a signal after training stops after the current final stage, and --resume finishes without "
    "training again") {
  ScratchFolder folder("final-phase");
  aebench::testing::write_synthetic_dataset(folder / "data", 200, 400);
  auto document = aebench::testing::tiny_config(folder / "data", folder / "unused");
  document["probe"] = {{"hidden", {16}}, {"epochs", 100}};
  const auto config = folder / "exp.json";
  std::ofstream(config) << document.dump();
  REQUIRE(aebench::testing::run_aebench("train " + shell_quoted(config) + " --quiet --out " +
                                        shell_quoted(folder / "full")) == 0);

  const auto run = folder / "run";
  const int pid =
      spawn_logged("train " + shell_quoted(config) + " --out " + shell_quoted(run), folder / "log");
  interrupt_after_rows(pid, run / aebench::kMetricsFile, 4);  // the header and all 3 epochs
  CHECK_THAT(file_contents(folder / "log"),
             Catch::Contains("after training, with metrics.csv, checkpoint.pt, model.pt"));
  CHECK_FALSE(fs::exists(run / aebench::kSummaryFile));
  const std::string checkpoint = file_contents(run / aebench::kCheckpointFile);

  std::string output;
  REQUIRE(aebench::testing::run_aebench(printed_resume_command(folder / "log"), &output) == 0);
  CHECK_THAT(output, Catch::Contains("resuming after epoch 3"));
  CHECK(file_contents(run / aebench::kCheckpointFile) == checkpoint);  // no step was taken
  const auto full = aebench::testing::read_json(folder / "full" / aebench::kSummaryFile);
  const auto finished = aebench::testing::read_json(run / aebench::kSummaryFile);
  for (const char* key : {"test", "analysis", "probe", "epochs_run", "best_epoch"}) {
    INFO(key);
    CHECK(finished[key] == full[key]);
  }
}

TEST_CASE(
    "a user's files in a run folder survive a run, an --overwrite run and a --resume run, and no "
    "lock is left") {
  ScratchFolder folder("user-files");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const auto config = write_config(folder, 2);
  const auto run = folder / "run";
  fs::create_directories(run / "mine");
  fs::create_directories(run / aebench::kProbeFolder);
  const std::vector<std::string> users = {"thesis.tmp-draft.txt", "notes.txt", "mine/data.csv",
                                          "probe/my-notes.txt"};
  for (const auto& name : users) std::ofstream(run / name) << "mine";
  std::ofstream(run / ".summary.json.aebench-tmp-99999") << "a killed run's";
  const auto check_user_files = [&](const std::string& after) {
    INFO("after " << after);
    for (const auto& name : users) CHECK(file_contents(run / name) == "mine");
    CHECK_FALSE(fs::exists(run / aebench::kLockFile));
  };
  const std::string train =
      "train " + shell_quoted(config) + " --threads 1 --quiet --out " + shell_quoted(run);
  CHECK(aebench::testing::run_aebench(train) == aebench::kExitOutputError);
  check_user_files("a refused run");
  REQUIRE(aebench::testing::run_aebench(train + " --overwrite") == 0);
  check_user_files("an --overwrite run into the user's folder");
  // A file of that form in a folder of the user's may be theirs: it goes only once the folder is
  // a run folder, where it is a killed run's.
  CHECK(fs::exists(run / ".summary.json.aebench-tmp-99999"));
  REQUIRE(aebench::testing::run_aebench(train + " --overwrite --set 'probe={\"epochs\": 2}'") == 0);
  check_user_files("an --overwrite run over a run with a probe");
  CHECK_FALSE(fs::exists(run / ".summary.json.aebench-tmp-99999"));
  REQUIRE(aebench::testing::run_aebench(train + " --resume --set train.epochs=3") == 0);
  check_user_files("a --resume run");
  CHECK(metric_rows(run / aebench::kMetricsFile).size() == 4);
}

TEST_CASE("SIGKILL at random moments leaves only complete files, and the run resumes") {
  ScratchFolder folder("sigkill");
  aebench::testing::write_synthetic_dataset(folder / "data", 400, 40);
  const auto config = write_config(folder, 6);
  for (unsigned seed = 1; seed <= 4; ++seed) {
    INFO("seed " << seed);
    const fs::path out = folder / ("run" + std::to_string(seed));
    std::mt19937 generator(seed);
    const int delay_ms = std::uniform_int_distribution<int>(100, 1500)(generator);
    const int pid = aebench::testing::spawn_aebench(train_arguments(config, out));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, SIGKILL);
    aebench::testing::wait_for_exit(pid);
    if (!fs::exists(out)) continue;
    check_only_complete_files(out);
    if (!fs::exists(out / aebench::kCheckpointFile)) continue;
    auto resume = train_arguments(config, out);
    resume.push_back("--resume");
    REQUIRE(aebench::testing::wait_for_exit(aebench::testing::spawn_aebench(resume)) == 0);
    check_only_complete_files(out);
    for (const auto& entry : fs::directory_iterator(out))
      CHECK(entry.path().filename().string().find(".aebench-tmp-") == std::string::npos);
    CHECK(metric_rows(out / aebench::kMetricsFile).size() == 7);
    CHECK(fs::exists(out / aebench::kReportFile));
  }
}

TEST_CASE("resuming with a changed model or optimizer is refused naming the keys") {
  ScratchFolder folder("resume-refused");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const auto config = write_config(folder, 2);
  const std::string run = "'" + (folder / "run").string() + "'";
  REQUIRE(aebench::testing::run_aebench("train '" + config.string() + "' --quiet --out " + run) ==
          0);
  std::string output;
  CHECK(aebench::testing::run_aebench("train '" + config.string() + "' --out " + run +
                                          " --resume --set model.latent=9 --set train.lr=0.5",
                                      &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("model.latent (16 -> 9)") && Catch::Contains("train.lr"));
  CHECK_FALSE(fs::exists(folder / "run" / aebench::kLockFile));  // gone after an error too
  CHECK(aebench::testing::run_aebench("train '" + config.string() + "' --quiet --out " + run +
                                      " --resume --set train.epochs=3") == 0);
  CHECK(metric_rows(folder / "run" / aebench::kMetricsFile).size() == 4);
  CHECK(aebench::testing::run_aebench(
            "train '" + config.string() + "' --out '" + (folder / "empty").string() + "' --resume",
            &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("expected a checkpoint"));
}

TEST_CASE("a run folder in use by another process is refused") {
  ScratchFolder folder("locked");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const auto config = write_config(folder, 1);
  const aebench::RunLock lock(folder / "run");
  std::string output;
  CHECK(aebench::testing::run_aebench(
            "train '" + config.string() + "' --out '" + (folder / "run").string() + "'", &output) ==
        aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("in use"));
}

TEST_CASE("an output folder that cannot be created is an output error naming it") {
  ScratchFolder folder("unwritable");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const auto config = write_config(folder, 1);
  std::ofstream(folder / "a-file") << "x";
  std::string output;
  CHECK(aebench::testing::run_aebench(
            "train '" + config.string() + "' --out '" + (folder / "a-file" / "run").string() + "'",
            &output) == aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("a-file"));
}

TEST_CASE(
    "aebench probe stopped by SIGINT while training its classifiers exits 130 and leaves the run "
    "as it was") {
  ScratchFolder folder("probe-signal");
  const auto run = trained_run(folder, 400, 100);
  const std::string summary = file_contents(run / aebench::kSummaryFile);
  // Enough epochs that the probes are still training when the signal lands.
  REQUIRE(signal_once_locked("probe " + shell_quoted(run) +
                                 " --threads 1 --set probe.epochs=100000 --set "
                                 "probe.patience=100000 --set probe.batch_size=8",
                             folder / "log", run, SIGINT) == 130);
  CHECK_THAT(file_contents(folder / "log"),
             Catch::Contains("while training the softmax probe (epoch ") &&
                 Catch::Contains(") before anything was written") && !Catch::Contains(" ;"));
  CHECK(file_contents(run / aebench::kSummaryFile) == summary);
  CHECK_FALSE(fs::exists(run / aebench::kProbeFolder));
  CHECK_FALSE(fs::exists(run / aebench::kLockFile));
}

TEST_CASE("aebench encode stopped by SIGTERM exits 143 and leaves no codes/ folder behind") {
  ScratchFolder folder("encode-signal");
  // Enough images that the signal, sent once the lock is taken, lands before the encoding ends.
  const auto run = trained_run(folder, 20000, 100);
  REQUIRE(signal_once_locked("encode " + shell_quoted(run) + " --split train --images --threads 1",
                             folder / "log", run, SIGTERM) == 143);
  CHECK_THAT(file_contents(folder / "log"), Catch::Contains("nothing was written"));
  CHECK_FALSE(fs::exists(run / aebench::kCodesFolder));
  CHECK_FALSE(fs::exists(run / aebench::kLockFile));
}

TEST_CASE("export stopped before its first file writes nothing, in the run or in --out") {
  ScratchFolder folder("export-signal");
  const auto run = trained_run(folder, 100, 20);
  for (const fs::path& out : {fs::path(), folder / "exported"}) {
    INFO(out.string());
    // The stop arrives while export reads the model (its guard nests in this one).
    const aebench::StopSignalGuard stop_signals;
    ::raise(SIGTERM);
    CHECK_THROWS_WITH(aebench::run_export(run, out, {}),
                      Catch::Contains("stopped by SIGTERM while exporting; nothing was written"));
    CHECK_FALSE(fs::exists(run / aebench::kExportFolder));
    CHECK((!fs::exists(folder / "exported") || fs::is_empty(folder / "exported")));
    CHECK_FALSE(fs::exists(run / aebench::kLockFile));
  }
}

TEST_CASE("eval and probe never write into what replaced their run folder while they worked") {
  ScratchFolder folder("moved-under-eval");
  const auto run = trained_run(folder, 400, 20000);  // many test images: eval takes a while
  const fs::path users = folder / "users";
  aebench::testing::write_text(users / aebench::kSummaryFile, "{}");
  const std::vector<std::string> commands = {
      "eval " + shell_quoted(run) + " --threads 1",
      "probe " + shell_quoted(run) +
          " --threads 1 --set probe.epochs=200 --set probe.patience=1000"};
  for (const auto& command : commands) {
    INFO(command);
    const fs::path moved = folder / "moved";
    const int status = act_once_locked(command, folder / "log", run, [&](int) {
      // Most often while it works (its checks after the lock take milliseconds); a swap that
      // lands before them is refused by them (no model there, exit 3) just as well.
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      fs::rename(run, moved);
      fs::create_directory_symlink(users, run);
    });
    CHECK((status == aebench::kExitOutputError || status == aebench::kExitDataError));
    CHECK_THAT(file_contents(folder / "log"), !Catch::Contains("results in"));
    CHECK(file_contents(users / aebench::kSummaryFile) == "{}");
    CHECK_FALSE(fs::exists(users / aebench::kEvalFolder));
    CHECK_FALSE(fs::exists(users / aebench::kProbeFolder));
    fs::remove(run);
    fs::rename(moved, run);
    fs::remove(run / aebench::kLockFile);  // left by the moved folder's holder
  }
}

TEST_CASE(
    "a bf16 run (train.precision) stopped by SIGINT and resumed ends exactly like an "
    "uninterrupted bf16 run, and summary.json says bf16") {
  ScratchFolder folder("resume-bf16");
  aebench::testing::write_synthetic_dataset(folder / "data", 400, 40);
  const auto config = write_config(folder, 8);
  auto arguments = [&](const fs::path& out) {
    auto list = train_arguments(config, out);
    list.insert(list.end(), {"--set", "train.precision=bf16"});
    return list;
  };
  REQUIRE(aebench::testing::wait_for_exit(
              aebench::testing::spawn_aebench(arguments(folder / "full"))) == 0);
  const int pid = aebench::testing::spawn_aebench(arguments(folder / "stopped"));
  interrupt_after_rows(pid, folder / "stopped" / aebench::kMetricsFile, 3);
  auto resume = arguments(folder / "stopped");
  resume.push_back("--resume");
  REQUIRE(aebench::testing::wait_for_exit(aebench::testing::spawn_aebench(resume)) == 0);

  CHECK(metric_rows(folder / "stopped" / aebench::kMetricsFile) ==
        metric_rows(folder / "full" / aebench::kMetricsFile));
  const auto full = aebench::testing::read_json(folder / "full" / aebench::kSummaryFile);
  const auto resumed = aebench::testing::read_json(folder / "stopped" / aebench::kSummaryFile);
  CHECK(full["precision"] == "bf16");
  CHECK(resumed["test"] == full["test"]);
}

TEST_CASE(
    "a variational run with KL warm-up stopped by SIGINT resumes exactly and records its ELBO") {
  ScratchFolder folder("resume-variational");
  aebench::testing::write_synthetic_dataset(folder / "data", 400, 40);
  auto document = aebench::testing::read_json(write_config(folder, 8));
  document["model"]["variational"] = true;
  document["train"]["loss"] = "bce";
  document["train"]["kl_warmup_epochs"] = 3;
  document["train"]["beta"] = 0.5;
  const auto config = folder / "variational.json";
  std::ofstream(config) << document.dump();
  REQUIRE(aebench::testing::wait_for_exit(
              aebench::testing::spawn_aebench(train_arguments(config, folder / "full"))) == 0);
  const auto rows = metric_rows(folder / "full" / aebench::kMetricsFile);
  REQUIRE(rows.size() == 9);
  CHECK(rows[0] == "epoch,train_loss,val_loss,val_mse,val_psnr_db,lr,val_reconstruction,val_kl");
  // val_loss is the objective with the full beta: reconstruction + 0.5 x KL, per image.
  for (std::size_t i = 1; i < rows.size(); ++i) {
    std::vector<double> cells;
    std::stringstream line(rows[i]);
    for (std::string cell; std::getline(line, cell, ',');) cells.push_back(std::stod(cell));
    REQUIRE(cells.size() == 8);
    CHECK(cells[2] == Approx(cells[6] + 0.5 * cells[7]).epsilon(1e-6));
    CHECK(cells[7] > 0);  // the codes are not the prior
  }
  const auto summary = aebench::testing::read_json(folder / "full" / aebench::kSummaryFile);
  const auto& elbo = summary["test"]["elbo"];
  CHECK(elbo["lower_bound"].get<double>() ==
        Approx(-(elbo["reconstruction"].get<double>() + elbo["kl"].get<double>())));
  CHECK(fs::exists(folder / "full" / aebench::kSamplesFile));

  const int pid = aebench::testing::spawn_aebench(train_arguments(config, folder / "stopped"));
  interrupt_after_rows(pid, folder / "stopped" / aebench::kMetricsFile, 3);
  auto resume = train_arguments(config, folder / "stopped");
  resume.push_back("--resume");
  REQUIRE(aebench::testing::wait_for_exit(aebench::testing::spawn_aebench(resume)) == 0);
  CHECK(metric_rows(folder / "stopped" / aebench::kMetricsFile) == rows);
  CHECK(aebench::testing::read_json(folder / "stopped" / aebench::kSummaryFile)["test"] ==
        summary["test"]);
  // The strips of the epochs before the stop came back from the checkpoint: the same picture.
  CHECK(aebench::testing::file_contents(folder / "stopped" / aebench::kEpochStripsFile) ==
        aebench::testing::file_contents(folder / "full" / aebench::kEpochStripsFile));
  CHECK_FALSE(aebench::testing::read_json(folder / "stopped" / aebench::kSummaryFile)
                  .contains("epoch_strips"));
}
