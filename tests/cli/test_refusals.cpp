// Inputs that used to hang, mislead or end with a wrong exit, each refused or handled at its root
// (issue "Nothing lost, round 3"): runaway threads, FIFOs and devices at files aebench reads,
// misleading configs, flags and exits, signals while starting.

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>

#include "aebench/errors.h"
#include "aebench/io/cpu_cores.h"
#include "aebench/io/run_folder.h"
#include "support/catch.h"
#include "support/test_support.h"
#include "support/tiny_run.h"

using aebench::testing::read_json;
using aebench::testing::run_aebench;
using aebench::testing::ScratchFolder;
using aebench::testing::shell_quoted;
using aebench::testing::TinyRun;
using aebench::testing::two_point_sweep;
namespace fs = std::filesystem;

TEST_CASE("more threads than usable cores are capped to the cores, with a note") {
  TinyRun tiny("thread_cap", false);
  CHECK(tiny.aebench(tiny.train_command("--threads 1024")) == 0);
  const int cores = aebench::usable_cpu_cores();
  CHECK(read_json(tiny.run / aebench::kSummaryFile)["threads"] == cores);
  CHECK_THAT(tiny.output, Catch::Contains("threads 1024: capped to " + std::to_string(cores)));
  for (const char* command : {"eval", "probe", "encode"}) {  // every command that computes says so
    INFO(command);
    CHECK(tiny.aebench(std::string(command) + " " + shell_quoted(tiny.run) + " --threads 1024") ==
          0);
    CHECK_THAT(tiny.output, Catch::Contains("threads 1024: capped to " + std::to_string(cores)));
  }
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
  // The same key for both (with or without its config. prefix) would plot one point per line.
  CHECK(tiny.aebench(base + "--x model.latent --series config.model.latent") ==
        aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("--series config.model.latent: expected a key other "
                                          "than --x's (config.model.latent), found the same one"));
  CHECK(tiny.aebench(base + "--series model.latent") == aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("(config.model.latent, the default)"));
  CHECK(tiny.aebench(base + "--metric test.mse --metric test.mse") == aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("--metric test.mse: expected each metric once"));
  for (const char* not_a_number : {"name", "test"}) {
    CHECK(tiny.aebench(base + "--metric " + not_a_number) == aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains("expected a key with a number"));
  }
  CHECK_FALSE(fs::exists(tiny.folder / "table"));
  CHECK(tiny.aebench(base + "--metric test.mse") == 0);
  CHECK(fs::exists(tiny.folder / "table" / "comparison_test.mse.png"));
  // A later comparison there removes the earlier one's plots it does not draw, and nothing else.
  aebench::testing::write_text(tiny.folder / "table" / "comparison_test.bce.png", "MINE");
  aebench::testing::write_text(tiny.folder / "table" / "notes.txt", "MINE");
  CHECK(tiny.aebench(base + "--metric test.psnr_db") == 0);
  CHECK(fs::exists(tiny.folder / "table" / "comparison_test.psnr_db.png"));
  CHECK_FALSE(fs::exists(tiny.folder / "table" / "comparison_test.mse.png"));
  for (const char* mine : {"comparison_test.bce.png", "notes.txt"})
    CHECK(aebench::testing::file_contents(tiny.folder / "table" / mine) == "MINE");
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
  // A --bench named that is missing is refused too, in a dry run as well, before anything.
  CHECK(tiny.aebench("sweep " + shell_quoted(tiny.config) + " --grid model.latent=3,4 --out " +
                     shell_quoted(tiny.folder / "sweep") + " --dry-run --bench " +
                     shell_quoted(tiny.folder / "no_bench.json")) == aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("no_bench.json") && Catch::Contains("no such file"));
  // --bench picks --jobs: given with a job count, or for Slurm, it is a contradiction.
  for (const char* other : {"--jobs 1", "--executor slurm"}) {
    INFO(other);
    CHECK(tiny.aebench("sweep " + shell_quoted(tiny.config) + " --grid model.latent=3,4 --out " +
                       shell_quoted(tiny.folder / "sweep") + " --dry-run " + other + " --bench " +
                       shell_quoted(tiny.folder / "no_bench.json")) == aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains("expected it only with the local executor and no job "
                                            "count (it picks --jobs)") &&
                                !Catch::Contains("pass --jobs"));
  }
  CHECK_FALSE(fs::exists(tiny.folder / "sweep"));
  CHECK(tiny.aebench("bench " + shell_quoted(tiny.config) + " --steps 2 --out " +
                     shell_quoted(tiny.folder / "no/such/folder/bench.json")) ==
        aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("no/such/folder/bench.json: expected its folder ") &&
                              Catch::Contains("no/such/folder to exist, found none"));
  CHECK_THAT(tiny.output, !Catch::Contains("peak"));  // refused before any timing
}

TEST_CASE("a flag and a --set of its key are refused, not one dropped silently") {
  TinyRun tiny("flag_and_set", false);
  const std::pair<const char*, const char*> both[] = {
      {"--out elsewhere --set output.dir=other", "expected output.dir once, found --out"},
      {"--out elsewhere --set 'output={\"dir\": \"other\"}'", "found --out as well"},
      {"--threads 1 --set threads=2", "expected threads once, found --threads"},
      {"--device cpu --set device=cuda", "expected device once, found --device"}};
  for (const auto& [flags, expected] : both) {
    INFO(flags);
    CHECK(tiny.aebench(tiny.train_command(flags)) == aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains(expected));
  }
  CHECK_FALSE(fs::exists(tiny.run));
}

TEST_CASE("a reader that goes away does not end a run: it finishes, its lock removed") {
  TinyRun tiny("closed_pipe", false);
  const fs::path status = tiny.folder / "status";
  std::string output;
  // The run's output goes to `head`, which exits after one byte.
  aebench::testing::run_command("{ " + shell_quoted(aebench::testing::aebench_binary()) + " " +
                                    tiny.train_command("") + "; echo $? > " + shell_quoted(status) +
                                    "; } 2>&1 | head -c 1",
                                &output);
  // The run finished; the line naming its folder could not be written: exit 5, as documented
  // for an unwritable standard output, not a silent death by SIGPIPE (141).
  CHECK(aebench::testing::file_contents(status) ==
        std::to_string(aebench::kExitOutputError) + "\n");
  CHECK(fs::exists(tiny.run / aebench::kSummaryFile));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kLockFile));
}

TEST_CASE("bench without a config, outside the checkout, says its defaults are not there") {
  const ScratchFolder folder("bench_elsewhere");
  std::string output;
  CHECK(aebench::testing::run_command("cd " + shell_quoted(folder.path()) + " && " +
                                          shell_quoted(aebench::testing::aebench_binary()) +
                                          " bench --steps 1",
                                      &output) == aebench::kExitUsageError);
  CHECK_THAT(output, Catch::Contains("bench: no CONFIG given, and its default "
                                     "configs/dense_100.json is not in ") &&
                         Catch::Contains("run it in the aebench checkout, or name the configs"));
  CHECK_FALSE(fs::exists(folder / "bench.json"));
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
  // A loop of links where a folder is expected is named in aebench's words.
  fs::create_symlink("loop", tiny.folder / "loop");
  for (const char* command : {"compare", "eval", "probe", "report"}) {
    INFO(command);
    CHECK(tiny.aebench(std::string(command) + " " + shell_quoted(tiny.folder / "loop")) ==
          aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::StartsWith("aebench: ") && !Catch::Contains("filesystem error"));
    CHECK(std::count(tiny.output.begin(), tiny.output.end(), '\n') == 1);
  }
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

TEST_CASE("report waits for no one: a run folder in use is refused, not half reported") {
  TinyRun tiny("report_lock");
  const aebench::RunLock held(tiny.run);
  CHECK(tiny.aebench("report " + shell_quoted(tiny.run)) == aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("in use"));
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
  const std::string command = two_point_sweep(base, sweep, " --quiet");
  std::string output;
  REQUIRE(run_aebench(command, &output) == 0);
  fs::remove_all(sweep / "latent-4");
  fs::remove(sweep / "logs" / "latent-4.log");
  REQUIRE(::mkfifo((sweep / "logs" / "latent-4.log").c_str(), 0644) == 0);
  CHECK(run_aebench(command, &output) == aebench::kExitOutputError);
  CHECK_THAT(output,
             Catch::Contains("latent-4.log: expected a regular file (or none), found a FIFO"));
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

TEST_CASE("a resume never replaces a run.json it cannot read: the run's history stays") {
  TinyRun tiny("damaged_run_record");
  const fs::path marker = tiny.run / aebench::kRunMarkerFile;
  for (const std::string damaged :
       {"", "[]", "{\"format_vers", R"({"format_version": 2, "sessions": [], "future": 1})",
        R"({"format_version": 1, "sessions": 5})"}) {
    INFO(damaged);
    aebench::testing::write_text(marker, damaged);
    CHECK(tiny.aebench(tiny.train_command("--resume --quiet --set train.epochs=4")) ==
          aebench::kExitDataError);
    CHECK_THAT(tiny.output, Catch::Contains(marker.string() + ": expected aebench's run record"));
    CHECK(aebench::testing::file_contents(marker) == damaged);
  }
  // A resume of nothing leaves no folder behind (a mistyped --out).
  const fs::path nothing = tiny.folder / "nothing" / "a" / "b";
  CHECK(tiny.aebench(tiny.train_command("--resume --out " + shell_quoted(nothing))) ==
        aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("nothing was trained there yet"));
  CHECK_FALSE(fs::exists(tiny.folder / "nothing"));
  // --overwrite replaces the run, its history with it.
  CHECK(tiny.aebench(tiny.train_command("--overwrite --quiet")) == 0);
  CHECK(read_json(marker)["sessions"].size() == 1);
}

TEST_CASE("a run folder holding only its run.json is started again with --overwrite, as told") {
  TinyRun tiny("run_marker_only");
  const fs::path stopped = tiny.folder / "stopped";
  fs::create_directories(stopped);
  fs::copy_file(tiny.run / aebench::kRunMarkerFile, stopped / aebench::kRunMarkerFile);
  const std::string train = tiny.train_command("--quiet --out " + shell_quoted(stopped));
  CHECK(tiny.aebench(train + " --resume") == aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("found only its run.json") &&
                              Catch::Contains("with --overwrite instead of --resume"));
  CHECK(tiny.aebench(train) == aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("holds only the run.json") &&
                              Catch::Contains("pass --overwrite to start it again") &&
                              !Catch::Contains("--resume"));
  CHECK(tiny.aebench(train + " --overwrite") == 0);
  CHECK(fs::exists(stopped / aebench::kSummaryFile));
}

TEST_CASE("an error naming a path with a line break is still one line, the break escaped") {
  TinyRun tiny("line_break_path", false);
  const std::string name = shell_quoted(tiny.folder / "new\nline");
  for (const std::string& command : {"compare " + name, "eval " + name, "report " + name,
                                     "sweep --status " + name, "probe " + name}) {
    INFO(command);
    CHECK(tiny.aebench(command) == aebench::kExitUsageError);
    CHECK(aebench::testing::count_of(tiny.output, "\n") == 1);
    CHECK_THAT(tiny.output, Catch::Contains("new\\nline"));
  }
}

TEST_CASE("compare of one run named twice, however it is written, is refused naming both") {
  TinyRun tiny("compare_twice");
  const std::string run = shell_quoted(tiny.run);
  const std::string dotted = shell_quoted(tiny.folder / "." / "run" / "");
  for (const std::string& again : {run, dotted}) {
    INFO(again);
    CHECK(tiny.aebench("compare " + run + " " + again + " --out " +
                       shell_quoted(tiny.folder / "compared")) == aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains("expected each run once, found it named twice"));
  }
  CHECK_FALSE(fs::exists(tiny.folder / "compared"));
}
