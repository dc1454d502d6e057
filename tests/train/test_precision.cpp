#include <torch/version.h>

#include <cstdlib>
#include <fstream>

#include "aebench/errors.h"
#include "aebench/train/precision.h"
#include "support/catch.h"
#include "support/test_support.h"

using aebench::testing::ScratchFolder;
namespace fs = std::filesystem;

namespace {

// Trains a 1-epoch conv model of `precision` into folder/out; returns the exit code.
int train_conv(const ScratchFolder& folder, const std::string& precision, const std::string& out,
               std::string& output) {
  auto document = aebench::testing::tiny_config(folder / "data", folder / out);
  document["model"]["type"] = "conv";
  document["model"]["channels"] = {4};
  document["train"]["epochs"] = 1;
  document["train"]["precision"] = precision;
  const auto path = folder / (out + ".json");
  std::ofstream(path) << document.dump();
  return aebench::testing::run_aebench("train '" + path.string() + "' --quiet", &output);
}

}  // namespace

TEST_CASE(
    "bf16 is refused before a run exactly where oneDNN cannot compute in it, and auto then "
    "falls back to fp32") {
  ScratchFolder folder("bf16-unavailable");
  aebench::testing::write_synthetic_dataset(folder / "data", 200, 20);
  // Capped at AVX2, LibTorch 1.13's oneDNN has no bfloat16 convolution on any CPU (it threw,
  // and the run failed with exit 1 after its folder was made). LibTorch 2.x computes it there
  // all the same: then a bf16 run must train in bf16, and auto may choose it.
  ::setenv("ONEDNN_MAX_CPU_ISA", "AVX2", 1);
  std::string output;
  const int status = train_conv(folder, "bf16", "refused", output);
  INFO(output);
  if (status == aebench::kExitSuccess) {
    CHECK(TORCH_VERSION_MAJOR >= 2);  // 1.13 cannot: the refusal below must have happened
    CHECK(aebench::testing::read_json(folder / "refused" / "summary.json")["precision"] == "bf16");
  } else {
    CHECK(status == aebench::kExitUsageError);
    CHECK(output ==
          "aebench: config error: train.precision: \"bf16\" needs a CPU on which oneDNN computes "
          "in bfloat16 (AVX-512, and ONEDNN_MAX_CPU_ISA, if set, at AVX512_CORE or above); this "
          "one does not: use \"auto\" or \"fp32\" (a bf16 run resumes only where bf16 runs)\n");
    CHECK_FALSE(fs::exists(folder / "refused"));
  }
  CHECK(train_conv(folder, "auto", "automatic", output) == aebench::kExitSuccess);
  const bool bf16_runs = status == aebench::kExitSuccess && aebench::cpu_has_native_bf16();
  CHECK(aebench::testing::read_json(folder / "automatic" / "summary.json")["precision"] ==
        (bf16_runs ? "bf16" : "fp32"));
  ::unsetenv("ONEDNN_MAX_CPU_ISA");
}
