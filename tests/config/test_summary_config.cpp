#include <filesystem>
#include <fstream>
#include <string>

#include "aebench/config/config.h"
#include "aebench/config/summary_config.h"
#include "aebench/io/checked_file.h"
#include "aebench/io/run_folder.h"
#include "support/catch.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using aebench::testing::ScratchFolder;
using json = nlohmann::json;

json resolved(const json& document) {
  return json(aebench::config_to_json(aebench::config_from_json(document, "test")));
}

json summary_made_with(const json& config) {
  return {{"test", {{"mse", 0.1}}}, {"config", config}};
}

}  // namespace

TEST_CASE("a summary.json belongs to the run whose config.json it was made with") {
  ScratchFolder run("summary_config");
  const json config = resolved({{"seed", 3}, {"model", {{"latent", 8}}}});
  std::ofstream(run / aebench::kConfigFile) << config.dump(2);
  CHECK(aebench::foreign_summary_problem(run.path(), summary_made_with(config)).empty());
  // Incidental keys say where and under what label, not what was computed.
  json renamed = config;
  renamed["name"] = "other";
  renamed["threads"] = 2;
  renamed["output"]["images"] = 3;
  CHECK(aebench::foreign_summary_problem(run.path(), summary_made_with(renamed)).empty());
  // Another seed, another model kind: another run's results.
  json reseeded = config;
  reseeded["seed"] = 4;
  CHECK_THAT(aebench::foreign_summary_problem(run.path(), summary_made_with(reseeded)),
             Catch::Contains("seed (3 -> 4)") && Catch::Contains("another run's results"));
  const json pca = resolved({{"seed", 3}, {"model", {{"type", "pca"}, {"latent", 8}}}});
  CHECK_THAT(aebench::foreign_summary_problem(run.path(), summary_made_with(pca)),
             Catch::Contains("model.type"));
  // eval may score other data (--set data.*): its data keys may differ, nothing else.
  json other_data = config;
  other_data["data"]["test_limit"] = 10;
  CHECK_THAT(aebench::foreign_summary_problem(run.path(), summary_made_with(other_data)),
             Catch::Contains("data.test_limit"));
  CHECK(aebench::foreign_summary_problem(run.path(), summary_made_with(other_data),
                                         aebench::SummaryWriter::kEval)
            .empty());
  CHECK_FALSE(aebench::foreign_summary_problem(run.path(), summary_made_with(reseeded),
                                               aebench::SummaryWriter::kEval)
                  .empty());
  // A key today's schema adds reads as its default in an older run's config.json.
  json older = config;
  older["train"].erase("precision");
  std::ofstream(run / aebench::kConfigFile) << older.dump(2);
  CHECK(aebench::foreign_summary_problem(run.path(), summary_made_with(config)).empty());
  // A summary without its config is not one train wrote.
  CHECK_THAT(aebench::foreign_summary_problem(run.path(), json{{"test", 1}}),
             Catch::Contains("holds no \"config\""));
  // A summary of another format, or whose model_crc32 is no CRC-32, cannot be told to be this
  // run's (a missing one is an older run's: it named no model).
  std::ofstream(run / aebench::kConfigFile) << config.dump(2);
  json versioned = summary_made_with(config);
  versioned["format_version"] = 9;
  CHECK_THAT(aebench::foreign_summary_problem(run.path(), versioned),
             Catch::Contains("format_version 9, expected 1"));
  for (const json& crc :
       {json(nullptr), json(5), json::array(), json(""), json("zz"), json("ABCDEF12")}) {
    INFO(crc.dump());
    json named = summary_made_with(config);
    named["model_crc32"] = crc;
    CHECK_THAT(aebench::foreign_summary_problem(run.path(), named),
               Catch::Contains("expected a CRC-32 of 8 hex digits"));
  }
  // Its model must be there: missing, truncated or extended, the results have no model.
  json own = summary_made_with(config);
  own["model_crc32"] = "0a1b2c3d";
  CHECK_THAT(aebench::foreign_summary_problem(run.path(), own),
             Catch::Contains("found none") && Catch::Contains("no longer there"));
  const std::string model = aebench::wrap_checked("a model's bytes");
  for (const std::string& damaged : {model.substr(0, model.size() - 1), model + "x"}) {
    std::ofstream(run / aebench::kModelFile, std::ios::binary) << damaged;
    CHECK_THAT(aebench::foreign_summary_problem(run.path(), own), Catch::Contains("damaged"));
  }
  std::ofstream(run / aebench::kModelFile, std::ios::binary) << model;
  own["model_crc32"] = aebench::checked_file_crc(run / aebench::kModelFile);
  CHECK(aebench::foreign_summary_problem(run.path(), own).empty());
  // Nothing to compare: the file's own reader reports what is wrong.
  CHECK(aebench::foreign_summary_problem(run.path(), json::array()).empty());
  std::ofstream(run / aebench::kConfigFile) << "{ damaged";
  CHECK(aebench::foreign_summary_problem(run.path(), summary_made_with(reseeded)).empty());
}
