#pragma once
// A tiny run for command-line tests: synthetic data and a tiny config in a scratch folder,
// trained into folder/run unless asked not to, and aebench run with its output kept.

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/catch.h"
#include "support/test_support.h"

namespace aebench::testing {

struct TinyRun {
  ScratchFolder folder;
  std::filesystem::path config;
  std::filesystem::path run;
  explicit TinyRun(const std::string& tag, bool train = true)
      : folder(tag), config(folder / "tiny.json"), run(folder / "run") {
    write_synthetic_dataset(folder / "data", 100, 20);
    write(tiny_config(folder / "data", run));
    if (train) REQUIRE(aebench(train_command("--quiet")) == 0);
  }
  void write(const nlohmann::json& document) const { std::ofstream(config) << document.dump(2); }
  std::string train_command(const std::string& flags) const {
    return "train " + shell_quoted(config) + " " + flags;
  }
  // Runs aebench with `arguments`, keeping what it printed in `output`; returns its exit code.
  int aebench(const std::string& arguments) {
    output.clear();
    return run_aebench(arguments, &output);
  }
  std::string output;
};

}  // namespace aebench::testing
