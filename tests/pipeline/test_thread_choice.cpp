#include <ATen/CPUGeneratorImpl.h>
#include <sched.h>

#include "aebench/data/dataset.h"
#include "aebench/errors.h"
#include "aebench/io/cpu_cores.h"
#include "aebench/io/run_folder.h"
#include "aebench/pipeline/experiment.h"
#include "aebench/pipeline/thread_choice.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::metric_rows;
using aebench::testing::ScratchFolder;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A tiny denoising model with dropout, so that any random number the measurement drew from
// the run's generator would change the run, in batches of 2: enough steps to be measured.
json measured_config(const fs::path& data, const fs::path& out) {
  json document = aebench::testing::tiny_config(data, out);
  document["threads"] = 0;
  document["follow_load"] = false;  // the chosen count throughout, whatever else runs here
  document["model"]["dropout"] = 0.1;
  document["noise"] = {{"type", "gaussian"}, {"std", 0.2}};
  document["train"]["batch_size"] = 2;
  document["train"]["epochs"] = 14;
  document["analysis"] = nullptr;
  return document;
}

// measured_config's config and data, 100 training images.
std::pair<aebench::Config, aebench::Dataset> tiny_split(const ScratchFolder& folder) {
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 10);
  auto config =
      aebench::config_from_json(measured_config(folder / "data", folder / "out"), "test.json");
  auto data = aebench::load_dataset(config.data, config.seed);
  return {std::move(config), std::move(data)};
}

json train_config(const json& document) {
  return aebench::run_training(aebench::config_from_json(document, "test.json"), {});
}

// Restores LibTorch's thread count at the end of a test that changes it.
struct ThreadCountKeeper {
  int previous = torch::get_num_threads();
  ~ThreadCountKeeper() { torch::set_num_threads(previous); }
};

}  // namespace

TEST_CASE(
    "threads 0 times one thread against every usable core, then trains exactly as a run "
    "given the chosen count") {
  const ThreadCountKeeper keep_threads;
  ScratchFolder folder("thread-choice");
  aebench::testing::write_synthetic_dataset(folder / "data", 300, 20);
  for (const char* model : {"dense", "conv"}) {
    INFO(model);
    json document = measured_config(folder / "data", folder / (std::string(model) + "-measured"));
    if (std::string(model) == "conv") {
      document["model"] = {{"type", "conv"}, {"channels", {4}}, {"latent", nullptr}};
    }
    const json measured = train_config(document);
    const json& choice = measured.at("thread_choice");
    const int cores = aebench::usable_cpu_cores();
    CHECK(choice.at("cores") == cores);
    CHECK(measured.at("threads") == choice.at("threads"));
    CHECK_FALSE(choice.contains("changes"));  // follow_load false
    if (cores == 1) {
      CHECK(choice.at("measured") == false);
      CHECK(choice.at("threads") == 1);
    } else {
      REQUIRE(choice.at("measured") == true);
      CHECK(choice.at("one_thread_images_per_second").get<double>() > 0);
      CHECK(choice.at("all_cores_images_per_second").get<double>() > 0);
      const bool faster =
          choice.at("all_cores_images_per_second").get<double>() >=
          aebench::kAllCoresMinSpeedup * choice.at("one_thread_images_per_second").get<double>();
      CHECK(choice.at("threads") == (faster ? cores : 1));
    }

    json pinned = document;
    pinned["threads"] = choice.at("threads");
    pinned["output"]["dir"] = (folder / (std::string(model) + "-pinned")).string();
    const json explicit_run = train_config(pinned);
    CHECK_FALSE(explicit_run.contains("thread_choice"));
    CHECK(metric_rows(folder / (std::string(model) + "-measured") / aebench::kMetricsFile) ==
          metric_rows(folder / (std::string(model) + "-pinned") / aebench::kMetricsFile));
    CHECK(measured.at("test") == explicit_run.at("test"));
  }
}

TEST_CASE("summary.json lists the thread changes of a threads-0 run that chose several threads") {
  const ThreadCountKeeper keep_threads;
  ScratchFolder folder("thread-choice-follow");
  aebench::testing::write_synthetic_dataset(folder / "data", 300, 20);
  json document = measured_config(folder / "data", folder / "out");
  document.erase("follow_load");  // the default: true
  const json summary = train_config(document);
  const json& choice = summary.at("thread_choice");
  // The changes (ThreadFollower, tested on its own) depend on what else runs here; that they
  // are recorded does not.
  REQUIRE(choice.contains("changes") == (choice.at("threads") > 1));
  if (choice.contains("changes")) CHECK(choice.at("changes").is_array());
}

TEST_CASE("the measurement leaves the default generator as it found it and sets the count") {
  const ThreadCountKeeper keep_threads;
  ScratchFolder folder("thread-choice-generator");
  const auto [config, data] = tiny_split(folder);
  torch::manual_seed(11);
  const auto before = at::detail::getDefaultCPUGenerator().get_state();
  const auto choice = aebench::choose_training_threads(config, data.train.images,
                                                       aebench::usable_cpu_cores(), 1'000'000);
  CHECK(torch::equal(at::detail::getDefaultCPUGenerator().get_state(), before));
  CHECK(torch::get_num_threads() == choice.threads);
  CHECK((choice.threads == 1 || choice.threads == aebench::usable_cpu_cores()));
}

TEST_CASE("threads 0 does not measure a short run, a run on one core, or a set of one image") {
  const ThreadCountKeeper keep_threads;
  ScratchFolder folder("thread-choice-short");
  const auto [config, data] = tiny_split(folder);

  auto choice = aebench::choose_training_threads(config, data.train.images, 2, 10);
  CHECK_FALSE(choice.measured);
  CHECK(choice.threads == 1);
  CHECK_THAT(choice.reason, Catch::Contains("a short run (10 steps)"));

  choice = aebench::choose_training_threads(config, data.train.images, 1, 1'000'000);
  CHECK_FALSE(choice.measured);
  CHECK(choice.reason == "one usable core");

  choice =
      aebench::choose_training_threads(config, data.train.images.narrow(0, 0, 1), 2, 1'000'000);
  CHECK_FALSE(choice.measured);
  CHECK(choice.threads == 1);
  CHECK(torch::get_num_threads() == 1);
}

TEST_CASE("threads 0 counts only the cores this process may run on") {
  const ThreadCountKeeper keep_threads;
  cpu_set_t original;
  CPU_ZERO(&original);
  REQUIRE(::sched_getaffinity(0, sizeof(original), &original) == 0);
  int first_allowed = 0;
  while (!CPU_ISSET(first_allowed, &original)) ++first_allowed;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first_allowed, &one);
  ScratchFolder folder("thread-choice-affinity");
  aebench::testing::write_synthetic_dataset(folder / "data", 100, 10);
  const json document = measured_config(folder / "data", folder / "out");
  REQUIRE(::sched_setaffinity(0, sizeof(one), &one) == 0);
  json summary;
  try {
    summary = train_config(document);
  } catch (...) {
    ::sched_setaffinity(0, sizeof(original), &original);
    throw;
  }
  REQUIRE(::sched_setaffinity(0, sizeof(original), &original) == 0);
  CHECK(summary.at("threads") == 1);
  CHECK(summary.at("thread_choice").at("reason") == "one usable core");
}

TEST_CASE("a recorded thread choice is reused only when its count is a sane whole number") {
  const ThreadCountKeeper keep_threads;
  const auto choice = aebench::reuse_thread_choice(
      {{"threads", 2}, {"cores", 4}, {"measured", true}, {"changes", {{{"after_epoch", 3}}}}},
      "checkpoint.pt");
  CHECK(choice.changes == json::parse(R"([{"after_epoch": 3}])"));
  CHECK(aebench::reuse_thread_choice({{"threads", 2}, {"changes", 7}}, "checkpoint.pt").changes ==
        json::array());
  CHECK(choice.threads == 2);
  CHECK(choice.cores == 4);
  CHECK(torch::get_num_threads() == 2);
  for (const json& bad : {json{{"threads", 0}}, json{{"threads", 5000}}, json{{"threads", "2"}},
                          json{{"threads", 1.5}}, json::object(), json(nullptr)}) {
    INFO(bad.dump());
    CHECK_THROWS_MATCHES(
        aebench::reuse_thread_choice(bad, "run/checkpoint.pt"), aebench::DataError,
        Catch::Matchers::Message(
            "run/checkpoint.pt: thread_choice.threads: expected a whole number in [1, 1024], "
            "found " +
            (bad.is_object() && bad.contains("threads") ? bad.at("threads").dump() : "none")));
  }
}
