// aebench writes, replaces and deletes only in folders it made (issue "Nothing lost, round 3"):
// a user's folder, an eval/ copy, a fake run.json, nested runs and a killed writer's temporaries.

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "aebench/errors.h"
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
  // A dry run refuses what the run would, the run folder itself too, and writes nothing.
  for (const fs::path& out : {tiny.run / "sweep", tiny.run}) {
    INFO(out);
    CHECK(tiny.aebench("sweep " + shell_quoted(tiny.config) + " --grid model.latent=4,8 --out " +
                       shell_quoted(out) + " --dry-run") == aebench::kExitOutputError);
    CHECK_THAT(tiny.output, Catch::Contains("sweep folder") && !Catch::Contains("valid point"));
  }
  CHECK(aebench::testing::file_contents(tiny.run / aebench::kExportFolder /
                                        aebench::kStateDictFile) == state);
  for (const char* made : {"new", "sweep", "export/x", "export/config.json"})
    CHECK_FALSE(fs::exists(tiny.run / made));
  // export, encode and compare --out: not into a run folder or one of its result folders (even
  // a run's own, named for another command), only into the command's own default there.
  const std::string run = shell_quoted(tiny.run);
  for (const std::string& command :
       {"export " + run + " --out " + run,
        "encode " + run + " --out " + shell_quoted(tiny.run / "probe"),
        "export " + run + " --out " + shell_quoted(tiny.run / "codes"),
        "compare " + run + " --out " + shell_quoted(tiny.run / "eval")}) {
    INFO(command);
    CHECK(tiny.aebench(command) == aebench::kExitOutputError);
    CHECK_THAT(tiny.output, Catch::Contains("run folder"));
  }
  CHECK_FALSE(fs::exists(tiny.run / aebench::kStateDictFile));
  CHECK_FALSE(fs::exists(tiny.run / "eval"));
  CHECK(tiny.aebench("export " + run + " --quiet --out " +
                     shell_quoted(tiny.run / aebench::kExportFolder)) == 0);
  CHECK(tiny.aebench("encode " + run + " --quiet --out " +
                     shell_quoted((tiny.run / aebench::kCodesFolder).string() + "/")) == 0);
  // The run folder itself with a trailing separator (as shell completion writes it) is not
  // inside itself: resume and overwrite take it.
  for (const std::string flags : {"--resume", "--overwrite"}) {
    INFO(flags);
    CHECK(tiny.aebench(tiny.train_command(flags + " --quiet --out " +
                                          shell_quoted(tiny.run.string() + "//"))) == 0);
  }
}

TEST_CASE("encode --out never replaces or removes a file of the user's that it did not write") {
  TinyRun tiny("encode_users_files");
  const std::string run = shell_quoted(tiny.run);
  const fs::path out = tiny.folder / "codes_out";
  aebench::testing::write_text(out / "test_images.npy", "mine");
  aebench::testing::write_text(out / "train_images.npy", "mine too");
  const std::string encode = "encode " + run + " --quiet --out " + shell_quoted(out);
  // Beside them, then again (an earlier encode's folder): neither is removed as stale images.
  for (const std::string& split : {"test", "test", "train"}) {
    INFO(split);
    REQUIRE(tiny.aebench(encode + " --split " + split) == 0);
    CHECK(aebench::testing::file_contents(out / "test_images.npy") == "mine");
    CHECK(aebench::testing::file_contents(out / "train_images.npy") == "mine too");
  }
  // Nor replaced: --images is refused before anything is written.
  CHECK(tiny.aebench(encode + " --images") == aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("test_images.npy is there, but no earlier encode wrote "
                                          "it (codes.json does not list it)"));
  CHECK(aebench::testing::file_contents(out / "test_images.npy") == "mine");
  // Its own images, listed, are replaced, and removed by an encode without --images.
  fs::remove(out / "test_images.npy");
  REQUIRE(tiny.aebench(encode + " --images") == 0);
  CHECK(fs::exists(out / "test_images.npy"));
  REQUIRE(tiny.aebench(encode) == 0);
  CHECK_FALSE(fs::exists(out / "test_images.npy"));
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
  // Any file the run writes, refused by --resume before it trains (not after hours of it), and
  // before the old model's results go: a FIFO, and a folder.
  const std::string history = aebench::testing::file_contents(tiny.run / aebench::kRunMarkerFile);
  for (const std::string name : {"loss_curve.png", "report.html", "weights.png"}) {
    INFO(name);
    const fs::path file = tiny.run / name;
    fs::remove(file);
    if (name == "weights.png")
      fs::create_directory(file);
    else
      REQUIRE(::mkfifo(file.c_str(), 0644) == 0);
    CHECK(tiny.aebench(tiny.train_command("--resume --set train.epochs=5")) ==
          aebench::kExitOutputError);
    CHECK_THAT(tiny.output, Catch::Contains(name) && Catch::Contains("not aebench's file") &&
                                !Catch::Contains("epoch "));
    CHECK(aebench::testing::file_contents(tiny.run / aebench::kRunMarkerFile) == history);
    fs::remove(file);
  }
}

TEST_CASE(
    "eval, probe, export and compare refuse a place they write that is taken before they work, "
    "and write nothing") {
  TinyRun tiny("taken_places");
  const std::string run = shell_quoted(tiny.run);
  const std::string summary = aebench::testing::file_contents(tiny.run / aebench::kSummaryFile);
  struct Case {
    std::string command, taken, kind;
  };
  const Case cases[] = {{"eval", "report.html", "folder"},
                        {"eval", "eval", "file"},
                        {"eval", "eval/summary.json", "folder"},
                        {"probe", "report.html", "fifo"},
                        {"probe", "probe/mlp.json", "folder"},
                        {"export", "export/state_dict.pt", "fifo"},
                        {"encode", "codes", "file"}};
  for (const auto& [command, taken, kind] : cases) {
    INFO(command << " with a " << kind << " at " << taken);
    const fs::path place = tiny.run / taken;
    fs::remove(place);
    fs::create_directories(place.parent_path());
    if (kind == "folder") fs::create_directory(place);
    if (kind == "file") aebench::testing::write_text(place, "MINE");
    if (kind == "fifo") REQUIRE(::mkfifo(place.c_str(), 0644) == 0);
    CHECK(tiny.aebench(command + " " + run) == aebench::kExitOutputError);
    CHECK_THAT(tiny.output, Catch::Contains(taken + " is a ") && Catch::Contains("move it"));
    CHECK(aebench::testing::file_contents(tiny.run / aebench::kSummaryFile) == summary);
    fs::remove(place);
    for (const char* folder : {"eval", "probe", "export", "codes"}) {
      INFO(folder);
      CHECK_FALSE(fs::exists(tiny.run / folder / "summary.json"));
      CHECK_FALSE(fs::exists(tiny.run / folder / "mlp.json"));
      CHECK_FALSE(fs::exists(tiny.run / folder / "architecture.json"));
      CHECK_FALSE(fs::exists(tiny.run / folder / "codes.json"));
    }
  }
  // compare's --out: a FIFO at one of its names, and a device for the folder itself.
  const fs::path table = tiny.folder / "table";
  fs::create_directories(table);
  REQUIRE(::mkfifo((table / "comparison.md").c_str(), 0644) == 0);
  CHECK(tiny.aebench("compare " + run + " --out " + shell_quoted(table)) ==
        aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("comparison.md is a FIFO (named pipe)"));
  CHECK_FALSE(fs::exists(table / "comparison.json"));
  CHECK(tiny.aebench("compare " + run + " --out /dev/null") == aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("expected a folder, found a character device"));
}

TEST_CASE("export, encode and compare write nowhere in a sweep folder: its points and files stay") {
  ScratchFolder folder("out_in_sweep");
  const fs::path base = aebench::testing::write_sweep_base(folder.path());
  const fs::path sweep = folder / "sweep";
  std::string output;
  REQUIRE(run_aebench(two_point_sweep(base, sweep, " --quiet"), &output) == 0);
  const std::string point = shell_quoted(sweep / "latent-3");
  for (const std::string& command :
       {"export " + point + " --out " + shell_quoted(sweep),
        "encode " + point + " --out " + shell_quoted(sweep / "logs"),
        "compare " + point + " --out " + shell_quoted(sweep / "new")}) {
    INFO(command);
    CHECK(run_aebench(command, &output) == aebench::kExitOutputError);
    CHECK_THAT(output, Catch::Contains("outside sweeps"));
  }
  CHECK_FALSE(fs::exists(sweep / aebench::kStateDictFile));
  CHECK_FALSE(fs::exists(sweep / "logs" / "codes.json"));
  CHECK_FALSE(fs::exists(sweep / "new"));
  // A point's own export folder is its run's, as for any run.
  CHECK(run_aebench("export " + point + " --quiet", &output) == 0);
  // The sweep folder with a trailing separator is the same sweep, not one inside it.
  for (const std::string& same : {sweep.string() + "/", sweep.string() + "/."}) {
    INFO(same);
    CHECK(run_aebench(two_point_sweep(base, same, " --quiet"), &output) == 0);
  }
}

TEST_CASE("a sweep folder that cannot be made is an output error in aebench's words") {
  ScratchFolder folder("sweep_out_uncreatable");
  const fs::path base = aebench::testing::write_sweep_base(folder.path());
  std::string output;
  for (const fs::path& out : {base / "sweep", folder / std::string(300, 'n')}) {
    INFO(out);
    CHECK(run_aebench(two_point_sweep(base, out), &output) == aebench::kExitOutputError);
    CHECK_THAT(output, Catch::Contains("cannot create it") && Catch::Contains("choose another"));
    CHECK_THAT(output, !Catch::Contains("filesystem error"));
    CHECK(std::count(output.begin(), output.end(), '\n') == 1);
  }
}

TEST_CASE("export's Python line is a string literal that pastes for any folder name") {
  TinyRun tiny("export_python_line");
  const fs::path odd = tiny.folder / "exp \"q\\\nline";
  REQUIRE(tiny.aebench("export " + shell_quoted(tiny.run) + " --out " + shell_quoted(odd)) == 0);
  CHECK(fs::exists(odd / aebench::kStateDictFile));
  // The folder as JSON writes it, which Python reads back as the same string.
  CHECK_THAT(tiny.output,
             Catch::Contains("load_exported(" + nlohmann::json(odd.string()).dump() + ")") &&
                 Catch::Contains("\\\"q\\\\\\nline"));
}

TEST_CASE("a run folder at a result folder's name is another run's: refused, its files stay") {
  TinyRun tiny("run_as_result_folder");
  const std::string run = shell_quoted(tiny.run);
  // A run trained at Q/probe, then Q made a run around it.
  const fs::path outer = tiny.folder / "outer";
  REQUIRE(tiny.aebench(tiny.train_command("--quiet --out " + shell_quoted(outer / "probe"))) == 0);
  const std::string inner_summary =
      aebench::testing::file_contents(outer / "probe" / aebench::kSummaryFile);
  CHECK(tiny.aebench(tiny.train_command("--quiet --overwrite --out " + shell_quoted(outer))) ==
        aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("holds the run probe/ (with its run.json)"));
  CHECK_FALSE(fs::exists(outer / aebench::kRunMarkerFile));
  // A run moved in by hand as eval/ or export/, under every command that writes or clears it.
  const fs::path copy = tiny.folder / "copy";
  fs::copy(tiny.run, copy, fs::copy_options::recursive);
  const std::pair<const char*, std::string> writers[] = {{aebench::kEvalFolder, "eval "},
                                                         {aebench::kExportFolder, "export "},
                                                         {aebench::kCodesFolder, "encode "},
                                                         {aebench::kProbeFolder, "probe "}};
  for (const auto& [folder, writer] : writers) {
    INFO(folder);
    fs::copy(copy, tiny.run / folder, fs::copy_options::recursive);
    const std::string summary =
        aebench::testing::file_contents(tiny.run / folder / aebench::kSummaryFile);
    for (const std::string& command :
         {writer + run, tiny.train_command("--quiet --overwrite"),
          tiny.train_command("--quiet --resume --set train.epochs=9")}) {
      INFO(command);
      CHECK(tiny.aebench(command) == aebench::kExitOutputError);
      CHECK_THAT(tiny.output,
                 Catch::Contains(std::string(folder) + "/ is a run folder of its own"));
    }
    CHECK(aebench::testing::file_contents(tiny.run / folder / aebench::kSummaryFile) == summary);
    fs::remove_all(tiny.run / folder);
  }
  CHECK(aebench::testing::file_contents(outer / "probe" / aebench::kSummaryFile) == inner_summary);
}

TEST_CASE("a run is not made around another run, at any depth, and a user's folder is named so") {
  TinyRun tiny("run_around_run", false);
  for (const std::string inner : {"inner", "probe/deep", "a/b/c"}) {
    INFO(inner);
    const fs::path outer = tiny.folder / "outer";
    fs::remove_all(outer);
    REQUIRE(tiny.aebench(tiny.train_command("--quiet --out " + shell_quoted(outer / inner))) == 0);
    const std::string summary =
        aebench::testing::file_contents(outer / inner / aebench::kSummaryFile);
    // Without --overwrite too, with no advice to pass it.
    CHECK(tiny.aebench(tiny.train_command("--quiet --out " + shell_quoted(outer))) ==
          aebench::kExitOutputError);
    CHECK_THAT(tiny.output, !Catch::Contains("pass --overwrite"));
    CHECK(tiny.aebench(tiny.train_command("--quiet --overwrite --out " + shell_quoted(outer))) ==
          aebench::kExitOutputError);
    CHECK_THAT(tiny.output, Catch::Contains("holds the run " + inner + "/ (with its run.json)") ||
                                Catch::Contains("is a run folder of its own"));
    CHECK_FALSE(fs::exists(outer / aebench::kRunMarkerFile));
    CHECK(aebench::testing::file_contents(outer / inner / aebench::kSummaryFile) == summary);
  }
  // A folder of the user's: not called a run folder, and no advice to --resume it.
  const fs::path mine = tiny.folder / "mine";
  fs::create_directory(mine);
  aebench::testing::write_text(mine / "notes.txt", "mine");
  // A file of the form of aebench's temporaries is the user's too, in a folder that is no run.
  aebench::testing::write_text(mine / ".summary.json.aebench-tmp-1", "mine too");
  CHECK(tiny.aebench(tiny.train_command("--quiet --out " + shell_quoted(mine))) ==
        aebench::kExitOutputError);
  CHECK_THAT(tiny.output, Catch::Contains("is not empty and holds no run") &&
                              Catch::Contains("--overwrite to write a run beside its files") &&
                              !Catch::Contains("--resume"));
  REQUIRE(tiny.aebench(tiny.train_command("--quiet --overwrite --out " + shell_quoted(mine))) == 0);
  CHECK(aebench::testing::file_contents(mine / "notes.txt") == "mine");
  CHECK(aebench::testing::file_contents(mine / ".summary.json.aebench-tmp-1") == "mine too");
}
