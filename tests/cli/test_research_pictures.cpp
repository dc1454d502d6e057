// The research pictures every model kind draws: error per class, worst reconstructions,
// interpolation and reconstructions by epoch, in the run and again by eval.

#include <fstream>
#include <string>

#include "aebench/errors.h"
#include "aebench/io/run_folder.h"
#include "support/catch.h"
#include "support/test_support.h"
#include "support/tiny_run.h"

using aebench::testing::read_json;
using aebench::testing::shell_quoted;
using aebench::testing::TinyRun;
namespace fs = std::filesystem;

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
