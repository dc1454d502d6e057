#include <string>
#include <vector>

#include "aebench/artefacts/artefacts.h"
#include "aebench/errors.h"
#include "support/catch.h"
#include "support/png_check.h"
#include "support/test_support.h"

using aebench::testing::ScratchFolder;
namespace fs = std::filesystem;

TEST_CASE("write_artefacts writes every figure and document under the run folder") {
  ScratchFolder folder("artefacts");
  aebench::Artefacts artefacts;
  artefacts.add("picture.png", aebench::Canvas(12, 7));
  artefacts.add("probe/mlp.json", nlohmann::json{{"test_accuracy", 0.5}});
  artefacts.add_text("sub/page.html", "<p>a</p>\n");
  CHECK(artefacts.file_list() == "picture.png, probe/mlp.json, sub/page.html");

  aebench::write_artefacts(folder.path(), artefacts);
  const auto png = aebench::testing::inspect_png(folder / "picture.png");
  CHECK(png.valid);
  CHECK(png.width == 12);
  CHECK(png.height == 7);
  CHECK(aebench::testing::read_json(folder / "probe" / "mlp.json")["test_accuracy"] == 0.5);
  CHECK(aebench::testing::read_lines(folder / "sub" / "page.html") ==
        std::vector<std::string>{"<p>a</p>"});
}

TEST_CASE("an artefact whose name leaves the run folder is refused and nothing is written") {
  ScratchFolder folder("artefacts-escape");
  const auto run = folder / "run";
  fs::create_directories(run);
  const std::vector<std::string> names = {"../outside.json", "sub/../../outside.json",
                                          (folder / "absolute.json").string(), ""};
  for (const auto& name : names) {
    INFO(name);
    aebench::Artefacts artefacts;
    artefacts.add(name, nlohmann::json::object());
    CHECK_THROWS_AS(aebench::write_artefacts(run, artefacts), aebench::OutputError);
  }
  CHECK_FALSE(fs::exists(folder / "outside.json"));
  CHECK_FALSE(fs::exists(folder / "absolute.json"));
}
