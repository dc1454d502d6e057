// Every result in a run folder belongs to the model that is there, and "done" means complete
// (issue "Nothing lost, round 3"): unfinished runs, resumes that replace the model, results,
// models and data that are another run's.

#include <csignal>
#include <fstream>
#include <functional>
#include <string>

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "aebench/pipeline/run_record.h"
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

TEST_CASE("probe refuses a run whose training did not finish, and adds nothing to it") {
  TinyRun tiny("refuse_probe");
  fs::remove(tiny.run / aebench::kSummaryFile);  // as a run stopped after saving its model
  CHECK(tiny.aebench("probe " + shell_quoted(tiny.run)) == aebench::kExitUsageError);
  CHECK_THAT(tiny.output,
             Catch::Contains("expected a finished run") && Catch::Contains("--resume"));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kSummaryFile));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kProbeFolder));
  // Nor one whose summary holds no test scores: "test": {} is no result.
  aebench::testing::write_text(tiny.run / aebench::kSummaryFile,
                               R"({"test": {}, "config": {}, "epochs_run": 3})");
  for (const char* command : {"probe", "compare"}) {
    INFO(command);
    CHECK(tiny.aebench(std::string(command) + " " + shell_quoted(tiny.run)) ==
          aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains("without them") && Catch::Contains("--resume"));
  }
  CHECK_FALSE(fs::exists(tiny.run / aebench::kProbeFolder));
  // A run stopped while it trained has no model.pt yet: eval says so, not that it is damaged.
  fs::remove(tiny.run / aebench::kModelFile);
  CHECK(tiny.aebench("eval " + shell_quoted(tiny.run)) == aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("training has not finished") &&
                              Catch::Contains("--resume") && !Catch::Contains("checkpoint file"));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kEvalFolder));
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

TEST_CASE("a stopped resume leaves no result of the old model as current") {
  TinyRun tiny("stopped_resume");
  REQUIRE(tiny.aebench("eval " + shell_quoted(tiny.run) + " --quiet") == 0);
  // A resume stopped while it trains further.
  const fs::path log = tiny.folder / "resume.log";
  const int pid =
      aebench::testing::spawn_logged(tiny.train_command("--resume --set train.epochs=100000"), log);
  REQUIRE(aebench::testing::wait_for_text(pid, log, "epoch 5/"));
  ::kill(pid, SIGTERM);
  CHECK(aebench::testing::wait_for_exit(pid) == 128 + SIGTERM);
  CHECK_FALSE(fs::exists(tiny.run / aebench::kSummaryFile));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kEvalFolder));
  CHECK(tiny.aebench("probe " + shell_quoted(tiny.run)) == aebench::kExitUsageError);
  // Nor does its report.html: it is the run's as the resume left it, not the old one.
  const std::string report = aebench::testing::file_contents(tiny.run / aebench::kReportFile);
  CHECK_THAT(report, Catch::Contains("not finished") && !Catch::Contains("id=\"eval\"") &&
                         !Catch::Contains("eval/reconstructions.png"));
  CHECK_THAT(report, Catch::Contains("a train --resume started here has not finished: the "
                                     "pictures are of the model.pt saved before it"));
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
  // The section as one object sets the same keys.
  const nlohmann::json section = {{"dir", tiny.folder / "other"}, {"test_limit", nullptr}};
  REQUIRE(tiny.aebench("eval " + run + " --quiet --set " +
                       shell_quoted("data=" + section.dump())) == 0);
  evaluated = read_json(tiny.run / aebench::kEvalFolder / aebench::kSummaryFile);
  CHECK(evaluated["evaluated"]["images"] == 30);
  CHECK(evaluated["config"]["data"]["dir"] == fs::absolute(tiny.folder / "other").string());

  struct Refusal {
    std::string flags;
    const char* expected;
  };
  const Refusal refusals[] = {
      {"--set model.latent=3", "expected a data.KEY=VALUE override"},
      {"--set noise.type=gaussian", "expected a data.KEY=VALUE override"},
      {"--set data.dataset=cifar10", "expected a data set of the model's image shape 1x28x28"},
      {"--set 'data={\"dataset\": \"cifar10\"}'",
       "expected a data set of the model's image shape 1x28x28"},
      {"--set data=null",
       "expected a data.KEY=VALUE override (or data={...}), found a data that "
       "is no object"},
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
  REQUIRE(run_aebench(two_point_sweep(base, sweep, " --quiet"), &output) == 0);
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
  REQUIRE(run_aebench(two_point_sweep(base, sweep, " --quiet"), &output) == 0);
  fs::copy_file(sweep / "latent-3" / aebench::kSummaryFile,
                sweep / "latent-4" / aebench::kSummaryFile, fs::copy_options::overwrite_existing);
  run_aebench("sweep --status " + shell_quoted(sweep), &output);
  CHECK_THAT(output, Catch::Contains("1/2 done") && Catch::Contains("model.latent 3 -> 4"));
  std::ofstream(sweep / "latent-4" / aebench::kSummaryFile) << "{}";
  run_aebench("sweep --status " + shell_quoted(sweep), &output);
  CHECK_THAT(output, Catch::Contains("1/2 done"));
  // latent-3's own summary, naming another model.pt than the one beside it: not done either.
  nlohmann::json other_model = read_json(sweep / "latent-3" / aebench::kSummaryFile);
  const nlohmann::json own = other_model;
  other_model["model_crc32"] = "deadbeef";
  std::ofstream(sweep / "latent-3" / aebench::kSummaryFile) << other_model.dump(2);
  run_aebench("sweep --status " + shell_quoted(sweep), &output);
  CHECK_THAT(output, Catch::Contains("0/2 done"));
  std::ofstream(sweep / "latent-3" / aebench::kSummaryFile) << own.dump(2);
  // A config.json rewritten by another JSON tool (every integer as 30.0) is the same config.
  nlohmann::json rewritten = read_json(sweep / "latent-3" / aebench::kConfigFile);
  const std::function<void(nlohmann::json&)> as_floats = [&](nlohmann::json& value) {
    if (value.is_number_integer()) value = value.get<double>();
    if (value.is_structured())
      for (auto& item : value) as_floats(item);
  };
  as_floats(rewritten);
  REQUIRE(rewritten["model"]["latent"].is_number_float());
  std::ofstream(sweep / "latent-3" / aebench::kConfigFile) << rewritten.dump(2);
  run_aebench("sweep --status " + shell_quoted(sweep), &output);
  CHECK_THAT(output, Catch::Contains("1/2 done") && !Catch::Contains("latent-3:"));
  // compare takes the sweep folder for its finished points: latent-3 alone, naming the other.
  REQUIRE(run_aebench("compare " + shell_quoted(sweep) + " --json --out " +
                          shell_quoted(folder / "compared"),
                      &output) == 0);
  CHECK_THAT(output, Catch::Contains("left out the point " + sweep.string() + ": latent-4 (") &&
                         !Catch::Contains("not finished"));
  const auto compared = read_json(folder / "compared" / "comparison.json");
  REQUIRE(compared["runs"].size() == 1);
  CHECK(compared["runs"][0]["run"] == "latent-3");
}

TEST_CASE(
    "a finished run whose model.pt is missing or damaged is not done: compare and report say so, "
    "--resume saves it again from the checkpoint") {
  TinyRun tiny("model_gone");
  const std::string run = shell_quoted(tiny.run);
  const std::string saved = aebench::testing::file_contents(tiny.run / aebench::kModelFile);
  const std::string compare = "compare " + run + " --out " + shell_quoted(tiny.folder / "cmp");
  std::string changed = saved;  // one byte changed in place: same length, same header
  changed[changed.size() / 2] = static_cast<char>(changed[changed.size() / 2] ^ 0x20);
  for (const std::string damage : {"missing", "truncated", "extended", "changed"}) {
    INFO(damage);
    fs::remove(tiny.run / aebench::kModelFile);
    if (damage != "missing")
      aebench::testing::write_text(tiny.run / aebench::kModelFile,
                                   damage == "truncated" ? saved.substr(0, saved.size() / 2)
                                   : damage == "changed" ? changed
                                                         : saved + "more");
    CHECK(tiny.aebench(compare) == aebench::kExitDataError);
    CHECK_THAT(tiny.output, Catch::Contains("summary.json: scored a model.pt of CRC-32") &&
                                Catch::Contains(damage == "missing" ? "found none" : "damaged"));
    REQUIRE(tiny.aebench("report " + run) == 0);
    const std::string page = aebench::testing::file_contents(tiny.run / aebench::kReportFile);
    CHECK_THAT(page, Catch::Contains("no longer there") && !Catch::Contains("class=\"cards\""));
    // Not "finished, nothing to resume": the complete checkpoint gives the model back.
    REQUIRE(tiny.aebench(tiny.train_command("--resume")) == 0);
    CHECK_THAT(tiny.output, !Catch::Contains("nothing to resume"));
    CHECK(aebench::testing::file_contents(tiny.run / aebench::kModelFile) == saved);
    CHECK(tiny.aebench(compare) == 0);
  }
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
  fs::copy_file(tiny.run / aebench::kConfigFile, tiny.folder / "config.json.own");
  const nlohmann::json own_summary = read_json(tiny.run / aebench::kSummaryFile);
  REQUIRE(own_summary["model_crc32"].get<std::string>().size() == 8);
  // Another seed, and another model kind whose keys this run's config.json lacks.
  for (const std::string set : {"seed=4", "model.type=\"pca\""}) {
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
    CHECK_THAT(page, !Catch::Contains("id=\"results\"") && !Catch::Contains("class=\"cards\""));
  }
  // An eval/ copied in from another run scored another model: the report says so. The run's own
  // eval of other data (--set data.*) is its own.
  REQUIRE(tiny.aebench("eval " + shell_quoted(other) + " --quiet") == 0);
  fs::copy(other / aebench::kEvalFolder, tiny.run / aebench::kEvalFolder,
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  REQUIRE(tiny.aebench("report " + shell_quoted(tiny.run)) == 0);
  CHECK_THAT(aebench::testing::file_contents(tiny.run / aebench::kReportFile),
             Catch::Contains("eval/summary.json: was made with another config") &&
                 Catch::Contains("its pictures are not shown") &&
                 !Catch::Contains("eval/reconstructions.png") &&
                 !Catch::Contains("eval/bottleneck.png"));
  // Its pictures without its summary.json are of no eval known either.
  fs::remove(tiny.run / aebench::kEvalFolder / aebench::kSummaryFile);
  REQUIRE(tiny.aebench("report " + shell_quoted(tiny.run)) == 0);
  CHECK_THAT(aebench::testing::file_contents(tiny.run / aebench::kReportFile),
             !Catch::Contains("eval/reconstructions.png"));
  // The same config under another name trains another model.pt: its eval/ is not this run's.
  const fs::path twin = tiny.folder / "twin";
  REQUIRE(tiny.aebench(tiny.train_command("--quiet --set name=twin --out " + shell_quoted(twin))) ==
          0);
  REQUIRE(tiny.aebench("eval " + shell_quoted(twin) + " --quiet") == 0);
  fs::remove_all(tiny.run / aebench::kEvalFolder);
  fs::copy(twin / aebench::kEvalFolder, tiny.run / aebench::kEvalFolder,
           fs::copy_options::recursive);
  REQUIRE(tiny.aebench("report " + shell_quoted(tiny.run)) == 0);
  CHECK_THAT(aebench::testing::file_contents(tiny.run / aebench::kReportFile),
             Catch::Contains("eval/summary.json: scored a model.pt of CRC-32"));
  fs::remove_all(tiny.run / aebench::kEvalFolder);
  // So is the twin's probe/: its tables and confusion matrices are named, not shown.
  REQUIRE(tiny.aebench("probe " + shell_quoted(twin) + " --quiet") == 0);
  CHECK(read_json(twin / aebench::kProbeFolder / "mlp.json")["model_crc32"] ==
        read_json(twin / aebench::kSummaryFile)["model_crc32"]);
  fs::copy(twin / aebench::kProbeFolder, tiny.run / aebench::kProbeFolder,
           fs::copy_options::recursive);
  REQUIRE(tiny.aebench("report " + shell_quoted(tiny.run)) == 0);
  const std::string probed = aebench::testing::file_contents(tiny.run / aebench::kReportFile);
  CHECK_THAT(probed, Catch::Contains("probe/mlp.json: scored a model.pt of CRC-32") &&
                         Catch::Contains("probe/softmax.json: scored a model.pt of CRC-32"));
  CHECK_THAT(probed, !Catch::Contains("mlp_confusion.png"));
  CHECK_THAT(aebench::testing::file_contents(twin / aebench::kReportFile),
             Catch::Contains("mlp_confusion.png") && !Catch::Contains("scored a model.pt"));
  fs::remove_all(tiny.run / aebench::kProbeFolder);
  fs::copy_file(other / aebench::kSummaryFile, tiny.run / aebench::kSummaryFile,
                fs::copy_options::overwrite_existing);  // the other seed's: eval does not read it
  REQUIRE(tiny.aebench("eval " + shell_quoted(tiny.run) + " --quiet --set data.test_limit=10") ==
          0);
  REQUIRE(tiny.aebench("report " + shell_quoted(tiny.run)) == 0);
  CHECK_THAT(aebench::testing::file_contents(tiny.run / aebench::kReportFile),
             !Catch::Contains("eval/summary.json: was made"));
  // config.json and summary.json copied in together agree, but scored another model.pt.
  for (const char* file : {aebench::kConfigFile, aebench::kSummaryFile})
    fs::copy_file(other / file, tiny.run / file, fs::copy_options::overwrite_existing);
  CHECK(tiny.aebench("compare " + shell_quoted(tiny.run)) == aebench::kExitDataError);
  CHECK_THAT(tiny.output, Catch::Contains("scored a model.pt of CRC-32"));
  fs::copy_file(tiny.folder / "config.json.own", tiny.run / aebench::kConfigFile,
                fs::copy_options::overwrite_existing);
  // Without its config it is no summary train wrote.
  nlohmann::json stripped = read_json(other / aebench::kSummaryFile);
  stripped.erase("config");
  std::ofstream(tiny.run / aebench::kSummaryFile) << stripped.dump(2);
  CHECK(tiny.aebench("compare " + shell_quoted(tiny.run)) == aebench::kExitDataError);
  CHECK_THAT(tiny.output, Catch::Contains("holds no \"config\""));
  // Incidental keys (name, threads, output) are the same run's: the summary stays usable.
  nlohmann::json summary = own_summary;
  summary["config"]["threads"] = 2;
  summary["config"]["name"] = "renamed";
  std::ofstream(tiny.run / aebench::kSummaryFile) << summary.dump(2);
  CHECK(tiny.aebench("compare " + shell_quoted(tiny.run) + " --out " +
                     shell_quoted(tiny.folder / "compared")) == 0);
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
  // A bad override is named as one, not as the run's config.json; a flag is named as itself.
  CHECK(tiny.aebench("encode " + run + " --set data.test_limit=-3") == aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("(with --set)"));
  CHECK(tiny.aebench("encode " + run + " --set data.test_limit=-3 --threads 1") ==
        aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("(with --set, --threads)"));
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

TEST_CASE("a resume may raise train.epochs but not lower it") {
  TinyRun tiny("lower_epochs");
  CHECK(tiny.aebench(tiny.train_command("--resume --set train.epochs=1")) ==
        aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("train.epochs may be raised"));
  CHECK(read_json(tiny.run / aebench::kSummaryFile)["epochs_run"] == 3);
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

TEST_CASE(
    "a run in use or part way through a resume is named as such by eval, probe, export and "
    "encode") {
  TinyRun tiny("in_use");
  const std::string run = shell_quoted(tiny.run);
  const std::vector<std::string> commands = {"eval " + run, "probe " + run, "export " + run,
                                             "encode " + run, "compare " + run};
  {
    const aebench::RunLock resume(tiny.run);  // as a train --resume working there holds it
    for (const auto& command : commands) {
      INFO(command);
      CHECK(tiny.aebench(command) == aebench::kExitOutputError);
      CHECK_THAT(tiny.output, Catch::Contains("is in use by another aebench process"));
    }
  }
  // A resume that raised train.epochs, then failed (a full disk) before saving its model: it
  // left its config.json and its unfinished session in run.json, as train writes them first.
  auto config = read_json(tiny.run / aebench::kConfigFile);
  const int epochs = config["train"]["epochs"].get<int>() + 5;
  config["train"]["epochs"] = epochs;
  aebench::testing::write_text(tiny.run / aebench::kConfigFile, config.dump(2));
  const auto record = aebench::start_run_record(
      tiny.run, true,
      {"aebench train tiny.json --resume --set train.epochs=" + std::to_string(epochs),
       {"train.epochs=" + std::to_string(epochs)},
       ""});
  aebench::testing::write_text(tiny.run / aebench::kRunMarkerFile, record.dump(2));
  CHECK(tiny.aebench("eval " + run) == aebench::kExitUsageError);
  CHECK_THAT(tiny.output, Catch::Contains("model.pt is from before the last train --resume") &&
                              Catch::Contains("train.epochs") && Catch::Contains("--resume)"));
}

TEST_CASE(
    "a model.pt trained further than config.json says, with no resume under way, is not blamed on "
    "a resume") {
  TinyRun tiny("copied_further_model");
  const std::string run = shell_quoted(tiny.run);
  const fs::path twin = tiny.folder / "twin";
  fs::copy(tiny.run, twin, fs::copy_options::recursive);
  const int epochs = read_json(tiny.run / aebench::kConfigFile)["train"]["epochs"].get<int>();
  REQUIRE(tiny.aebench(tiny.train_command("--quiet --resume --out " + shell_quoted(twin) +
                                          " --set train.epochs=" + std::to_string(epochs + 1))) ==
          0);
  const std::string config_before =
      aebench::testing::file_contents(tiny.run / aebench::kConfigFile);
  fs::copy_file(twin / aebench::kModelFile, tiny.run / aebench::kModelFile,
                fs::copy_options::overwrite_existing);
  for (const char* command : {"export", "encode", "probe", "eval"}) {
    INFO(command);
    CHECK(tiny.aebench(std::string(command) + " " + run) == aebench::kExitUsageError);
    CHECK_THAT(tiny.output, Catch::Contains("a model.pt of another run (copied in)") &&
                                Catch::Contains("train.epochs") &&
                                !Catch::Contains("from before the last train --resume"));
  }
  CHECK(aebench::testing::file_contents(tiny.run / aebench::kConfigFile) == config_before);
  CHECK_FALSE(fs::exists(tiny.run / aebench::kExportFolder));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kEvalFolder));
}

TEST_CASE("encode keeps in a run's codes/ only the codes of the model that is there") {
  TinyRun tiny("codes_of_one_model");
  const std::string run = shell_quoted(tiny.run);
  const fs::path twin = tiny.folder / "twin";
  REQUIRE(tiny.aebench(
              tiny.train_command("--quiet --out " + shell_quoted(twin) + " --set seed=7")) == 0);
  REQUIRE(tiny.aebench("encode " + shell_quoted(twin) + " --quiet --split test") == 0);
  fs::copy(twin / aebench::kCodesFolder, tiny.run / aebench::kCodesFolder,
           fs::copy_options::recursive);  // another model's codes, copied in
  REQUIRE(tiny.aebench("encode " + run + " --quiet --split train") == 0);
  const auto record = read_json(tiny.run / aebench::kCodesFolder / aebench::kCodesRecordFile);
  CHECK(record["splits"].size() == 1);
  CHECK(record["splits"].contains("train"));
  CHECK_FALSE(fs::exists(tiny.run / aebench::kCodesFolder / "test_codes.npy"));
  // This model's own splits stay side by side.
  REQUIRE(tiny.aebench("encode " + run + " --quiet --split val") == 0);
  const auto both = read_json(tiny.run / aebench::kCodesFolder / aebench::kCodesRecordFile);
  CHECK(both["splits"].size() == 2);
  CHECK(fs::exists(tiny.run / aebench::kCodesFolder / "train_codes.npy"));
  CHECK(both["splits"]["train"]["model_crc32"] == both["splits"]["val"]["model_crc32"]);
}
