#include <signal.h>
#include <sys/stat.h>

#include <cmath>
#include <fstream>

#include "aebench/errors.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::run_aebench;
using aebench::testing::ScratchFolder;
using aebench::testing::shell_quoted;
namespace fs = std::filesystem;

namespace {

fs::path write_config(const fs::path& path, const nlohmann::json& document) {
  std::ofstream(path) << document.dump(2);
  return path;
}

void check_positive(const nlohmann::json& object, const std::string& key) {
  INFO(key << " in " << object.dump());
  REQUIRE(object.contains(key));
  REQUIRE(object[key].is_number());
  const double value = object[key].get<double>();
  CHECK(std::isfinite(value));
  CHECK(value > 0);
}

void check_spread(const nlohmann::json& object, const std::string& key) {
  REQUIRE(object.contains(key));
  for (const char* part : {"median", "min", "max"}) check_positive(object[key], part);
  CHECK(object[key]["min"] <= object[key]["median"]);
  CHECK(object[key]["median"] <= object[key]["max"]);
}

}  // namespace

TEST_CASE("bench on a tiny dataset writes every figure, positive and finite, and compares") {
  ScratchFolder folder("bench");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const auto dense = write_config(folder / "dense.json",
                                  aebench::testing::tiny_config(folder / "data", folder / "run"));
  auto conv_document = aebench::testing::tiny_config(folder / "data", folder / "run");
  conv_document["name"] = "tiny_conv";
  conv_document["model"] = {{"type", "conv"}, {"channels", {4}}};
  const auto conv = write_config(folder / "conv.json", conv_document);
  const auto out = folder / "bench.json";
  std::string output;
  REQUIRE(run_aebench("bench " + shell_quoted(dense) + " " + shell_quoted(conv) +
                          " --steps 2 --threads 1 --out " + shell_quoted(out),
                      &output) == 0);
  INFO(output);
  CHECK_THAT(output, Catch::Contains("tiny_conv") && Catch::Contains("of peak"));

  const auto bench = aebench::testing::read_json(out);
  CHECK(bench["format_version"] == 1);
  CHECK(bench["threads"] == 1);
  CHECK(bench["precision"] == "auto");  // the default, as train.precision's
  const std::string used = bench["machine"]["cpu_has_native_bf16"] == true ? "bf16" : "fp32";
  for (const char* key : {"cpu_model", "torch_version", "blas"})
    CHECK_FALSE(bench["machine"][key].get<std::string>().empty());
  check_positive(bench["machine"], "cores");
  check_positive(bench, "peak_rss_mib");
  for (const char* gemm : {"fp32_gemm", "bf16_gemm"}) {
    check_positive(bench["peak"][gemm], "size");
    check_spread(bench["peak"][gemm], "gflops");
  }
  CHECK(bench["peak"]["fp32_gemm"]["is_peak"] == true);
  CHECK(bench["peak"]["bf16_gemm"]["relative_error"] < 0.1);  // a sane product
  REQUIRE(bench["configs"].size() == 2);
  for (const auto& config : bench["configs"]) {
    CHECK(config["precision"] == used);
    CHECK(config["train_images"] == 90);  // 100 less the default held-out validation tenth
    CHECK(config["batch_size"] == 32);
    for (const char* key :
         {"parameters", "load_seconds", "forward_flops_per_image", "train_flops_per_image",
          "train_gflops", "infer_gflops", "train_fraction_of_peak", "infer_fraction_of_peak"})
      check_positive(config, key);
    check_spread(config, "train_images_per_second");
    check_spread(config, "infer_images_per_second");
    CHECK(config["train_flops_per_image"] == 3 * config["forward_flops_per_image"].get<double>());
    CHECK(config["threads"] == 1);
    CHECK(config["peak_fp32_gflops"] == bench["peak"]["fp32_gemm"]["gflops"]["median"]);
    CHECK_FALSE(config.contains("thread_choice"));
  }
  CHECK_FALSE(bench["peak"].contains("fp32_gemm_one_thread"));
  // 784-32-16-32-784: 2 x (784x32 + 32x16) x 2.
  CHECK(bench["configs"][0]["forward_flops_per_image"] == 2.0 * (784 * 32 + 32 * 16) * 2);

  REQUIRE(run_aebench("bench " + shell_quoted(dense) + " --steps 1 --threads 1 --out " +
                          shell_quoted(folder / "again.json") + " --compare " + shell_quoted(out),
                      &output) == 0);
  CHECK_THAT(output, Catch::Contains("new/old") &&
                         Catch::Contains("configs.tiny.train_images_per_second.median"));
}

TEST_CASE(
    "bench --threads 0 times each config on the threads train would choose, against the "
    "peak on those threads") {
  ScratchFolder folder("bench-threads");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  auto document = aebench::testing::tiny_config(folder / "data", folder / "run");
  document["train"]["epochs"] = 1000;  // steps enough for train to measure
  const auto measured = write_config(folder / "measured.json", document);
  document["name"] = "short";
  document["train"]["epochs"] = 1;
  const auto short_run = write_config(folder / "short.json", document);
  const auto out = folder / "bench.json";
  std::string output;
  REQUIRE(run_aebench("bench " + shell_quoted(measured) + " " + shell_quoted(short_run) +
                          " --steps 1 --threads 0 --no-layout --out " + shell_quoted(out),
                      &output) == 0);
  INFO(output);
  CHECK_THAT(output, Catch::Contains("short: 1 thread (threads 0: a short run (3 steps)"));
  const auto bench = aebench::testing::read_json(out);
  const int cores = bench["machine"]["cores"];
  CHECK(bench["threads"] == cores);
  REQUIRE(bench["configs"].size() == 2);
  const auto& chosen = bench["configs"][0];
  REQUIRE(chosen.contains("thread_choice"));
  CHECK(chosen["threads"] == chosen["thread_choice"]["threads"]);
  CHECK(chosen["thread_choice"]["measured"] == (cores > 1));
  CHECK(bench["configs"][1]["threads"] == 1);
  CHECK(bench["configs"][1]["thread_choice"]["measured"] == false);
  // Each config's fractions are of the peak on its own threads.
  for (const auto& config : bench["configs"]) {
    const bool one_of_several = config["threads"] == 1 && cores > 1;
    const auto& peak = bench["peak"][one_of_several ? "fp32_gemm_one_thread" : "fp32_gemm"];
    CHECK(config["peak_fp32_gflops"] == peak["gflops"]["median"]);
    CHECK(config["train_fraction_of_peak"].get<double>() ==
          Approx(config["train_gflops"].get<double>() / peak["gflops"]["median"].get<double>()));
  }
}

TEST_CASE("bench refuses bad flags and configs with exit 2 and a one-line message") {
  ScratchFolder folder("bench");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const auto config = write_config(folder / "tiny.json",
                                   aebench::testing::tiny_config(folder / "data", folder / "run"));
  auto pca_document = aebench::testing::tiny_config(folder / "data", folder / "run");
  pca_document["model"] = {{"type", "pca"}, {"latent", 4}};
  const auto pca = write_config(folder / "pca.json", pca_document);
  const std::string fast = " --steps 1 --threads 1 --out " + shell_quoted(folder / "bench.json");
  struct Case {
    std::string arguments;
    std::vector<std::string> fragments;
  };
  const std::vector<Case> cases = {
      {"bench " + shell_quoted(config) + fast + " --precision fp16", {"--precision", "fp16"}},
      {"bench " + shell_quoted(config) + " --steps 0", {"--steps"}},
      {"bench " + shell_quoted(config) + " --frobnicate", {"--frobnicate"}},
      {"bench " + shell_quoted(folder / "missing.json") + fast, {"missing.json"}},
      {"bench " + shell_quoted(pca) + fast, {"pca.json", "model.type", "pca"}},
      {"bench " + shell_quoted(config) + fast + " --compare " + shell_quoted(config),
       {"tiny.json", "bench.json", "format_version"}},
      // A run's summary.json has a format_version too, but no measured configs.
      {"bench " + shell_quoted(config) + fast + " --compare " + shell_quoted(folder / "fake.json"),
       {"fake.json", "bench.json", "no \"configs\""}},
  };
  aebench::testing::write_text(folder / "fake.json", R"({"format_version": 1, "test": {}})");
  // A bench.json whose entries are damaged: each named, never an empty comparison.
  for (const std::string& damaged :
       {std::string(R"({"format_version": 1, "configs": [5]})"),
        std::string(R"({"format_version": 1, "configs": [{}]})"),
        std::string(R"({"format_version": 1, "configs": [], "peak": "x"})")}) {
    INFO(damaged);
    aebench::testing::write_text(folder / "damaged.json", damaged);
    std::string output;
    CHECK(run_aebench("bench " + shell_quoted(config) + fast + " --compare " +
                          shell_quoted(folder / "damaged.json"),
                      &output) == aebench::kExitUsageError);
    CHECK_THAT(output, Catch::Contains("damaged.json: ") && Catch::Contains("expected an object"));
  }
  for (const auto& test : cases) {
    INFO(test.arguments);
    std::string output;
    CHECK(run_aebench(test.arguments, &output) == aebench::kExitUsageError);
    INFO(output);
    for (const auto& fragment : test.fragments) CHECK_THAT(output, Catch::Contains(fragment));
  }
  CHECK_FALSE(fs::exists(folder / "bench.json"));
  // --out over a user's file, or inside a run folder: refused before any timing (exit 5).
  aebench::testing::write_text(folder / "notes.txt", "mine");
  aebench::testing::write_text(folder / "run" / aebench::kRunMarkerFile,
                               R"({"format_version": 1, "sessions": [{"command": "aebench train x",
                                   "started": "2026-12-07T00:00:00Z"}]})");
  for (const fs::path& out : {folder / "notes.txt", folder / "run" / "bench.json"}) {
    INFO(out);
    std::string output;
    CHECK(run_aebench(
              "bench " + shell_quoted(config) + " --steps 1 --threads 1 --out " + shell_quoted(out),
              &output) == aebench::kExitOutputError);
    CHECK_THAT(output, Catch::Contains("bench --out") && Catch::Contains("choose another --out"));
  }
  CHECK(aebench::testing::file_contents(folder / "notes.txt") == "mine");
  CHECK_FALSE(fs::exists(folder / "run" / "bench.json"));
}

TEST_CASE(
    "bench on all cores measures the layout with child runs: 1 run x all threads, one 1-thread "
    "run per core, and 2 competing runs") {
  ScratchFolder folder("bench-layout");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const auto dense = write_config(folder / "dense.json",
                                  aebench::testing::tiny_config(folder / "data", folder / "run"));
  const auto out = folder / "bench.json";
  std::string output;
  REQUIRE(run_aebench("bench " + shell_quoted(dense) + " --steps 1 --out " + shell_quoted(out),
                      &output) == 0);
  INFO(output);
  const auto bench = aebench::testing::read_json(out);
  const int cores = bench["machine"]["cores"];
  if (cores < 2) {  // nothing to lay out on one core
    CHECK_FALSE(bench.contains("layout"));
    return;
  }
  const auto& layout = bench["layout"];
  CHECK(layout["cores"] == cores);
  for (const char* key : {"one_run_all_threads", "one_run_one_thread", "runs_per_core_total",
                          "contended_all_threads", "contended_over_one_thread"})
    check_positive(layout, key);
  const bool per_core = layout["runs_per_core_total"] > layout["one_run_all_threads"];
  CHECK(layout["suggested_jobs"] == (per_core ? cores : 1));
  CHECK_THAT(output, Catch::Contains("layout (") && Catch::Contains("faster: "));
  // The children's scratch folder is gone.
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path()))
    CHECK_THAT(entry.path().filename().string(), !Catch::StartsWith("aebench-layout-"));

  REQUIRE(run_aebench("bench " + shell_quoted(dense) + " --steps 1 --no-layout --out " +
                      shell_quoted(out)) == 0);
  CHECK_FALSE(aebench::testing::read_json(out).contains("layout"));
}

TEST_CASE("bench stopped by a signal says so in one line, with its exit code, and writes nothing") {
  ScratchFolder folder("bench_signal");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 20);
  const auto config = write_config(folder / "dense.json",
                                   aebench::testing::tiny_config(folder / "data", folder / "run"));
  for (const int signal_number : {SIGINT, SIGTERM}) {
    INFO(signal_number);
    // A log of its own: the first one's "bench: " must not stand for this one's start.
    const fs::path log = folder / ("stderr-" + std::to_string(signal_number) + ".txt");
    const int pid = aebench::testing::spawn_logged("bench " + shell_quoted(config) +
                                                       " --steps 1000000 --threads 1 --out " +
                                                       shell_quoted(folder / "bench.json"),
                                                   log);
    REQUIRE(aebench::testing::wait_for_text(pid, log, "bench: "));
    ::kill(pid, signal_number);
    CHECK(aebench::testing::wait_for_exit(pid) == 128 + signal_number);
    const std::string errors = aebench::testing::file_contents(log);
    CHECK(aebench::testing::count_of(errors, "aebench: ") == 1);
    CHECK_THAT(errors, Catch::Contains("aebench: interrupted: stopped by SIG"));
    CHECK_FALSE(fs::exists(folder / "bench.json"));
  }
}

TEST_CASE(
    "bench --out naming a FIFO or a device is refused before timing, and it stays as it was") {
  ScratchFolder folder("bench_special_out");
  const fs::path fifo = folder / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  std::string output;
  CHECK(run_aebench("bench --steps 1 --threads 1 --out " + shell_quoted(fifo), &output) ==
        aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("expected a regular file there") && Catch::Contains("a FIFO"));
  CHECK(aebench::testing::count_of(output, "\n") == 1);  // refused before any timing line
  CHECK(fs::is_fifo(fifo));
  // As root a rename would replace even the system's /dev/null.
  CHECK(run_aebench("bench --steps 1 --threads 1 --out /dev/null", &output) ==
        aebench::kExitOutputError);
  CHECK_THAT(output, Catch::Contains("a character device"));
  CHECK(fs::is_character_file("/dev/null"));
}
