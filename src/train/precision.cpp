#include "aebench/train/precision.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <fstream>
#include <sstream>

#include "aebench/errors.h"

// LibTorch 2.4 replaced the CPU-specific autocast calls by ones taking a device type (the old
// ones remain, deprecated). Both are used here only.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define AEBENCH_AUTOCAST_BY_DEVICE 1
#else
#define AEBENCH_AUTOCAST_BY_DEVICE 0
#endif

namespace aebench {
namespace {

bool autocast_enabled(bool cuda) {
#if AEBENCH_AUTOCAST_BY_DEVICE
  return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

at::ScalarType autocast_dtype(bool cuda) {
#if AEBENCH_AUTOCAST_BY_DEVICE
  return at::autocast::get_autocast_dtype(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_autocast(bool cuda, bool enabled, at::ScalarType dtype) {
#if AEBENCH_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_enabled(cuda ? at::kCUDA : at::kCPU, enabled);
  at::autocast::set_autocast_dtype(cuda ? at::kCUDA : at::kCPU, dtype);
#else
  if (cuda) {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}

std::string cpuinfo_value(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos || line.rfind(key, 0) != 0) continue;
    return line.substr(colon + 1);
  }
  return "";
}

bool has_flag(const std::string& flags, const std::string& flag) {
  return (flags + " ").find(" " + flag + " ") != std::string::npos;
}

}  // namespace

bool cpu_has_native_bf16() {
  std::ifstream stream("/proc/cpuinfo");
  const std::string cpuinfo((std::istreambuf_iterator<char>(stream)), {});
  const auto x86_flags = cpuinfo_value(cpuinfo, "flags");
  return has_flag(x86_flags, "avx512_bf16") || has_flag(x86_flags, "amx_bf16") ||
         has_flag(cpuinfo_value(cpuinfo, "Features"), "bf16");
}

Precision resolve_precision(const std::string& requested, bool cpu_has_native_bf16) {
  if (requested == "fp32") return Precision::kFp32;
  if (requested == "bf16") return Precision::kBf16;
  if (requested == "auto") return cpu_has_native_bf16 ? Precision::kBf16 : Precision::kFp32;
  throw ConfigError("--precision: expected fp32, bf16 or auto, found \"" + requested + "\"");
}

bool cpu_runs_bf16() {
  static const bool runs = [] {
    try {
      const auto bf16 = torch::TensorOptions().dtype(torch::kBFloat16);
      torch::conv2d(torch::ones({1, 2, 4, 4}, bf16), torch::ones({2, 2, 3, 3}, bf16));
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }();
  return runs;
}

void require_cpu_runs_bf16(const std::string& key) {
  if (cpu_runs_bf16()) return;
  throw ConfigError(key +
                    ": \"bf16\" needs a CPU on which oneDNN computes in bfloat16 (AVX-512, and "
                    "ONEDNN_MAX_CPU_ISA, if set, at AVX512_CORE or above); this one does not: "
                    "use \"auto\" or \"fp32\" (a bf16 run resumes only where bf16 runs)");
}

Precision training_precision(const std::string& requested, bool cuda) {
  if (requested == "auto" && cuda) return Precision::kFp32;
  return resolve_precision(requested, !cuda && cpu_has_native_bf16() && cpu_runs_bf16());
}

std::string precision_name(Precision precision) {
  return precision == Precision::kBf16 ? "bf16" : "fp32";
}

AutocastScope::AutocastScope(Precision precision, bool cuda) : cuda_(cuda) {
  if (precision != Precision::kBf16) return;
  active_ = true;
  was_enabled_ = autocast_enabled(cuda_);
  previous_dtype_ = static_cast<int>(autocast_dtype(cuda_));
  set_autocast(cuda_, true, at::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(cuda_, was_enabled_, static_cast<at::ScalarType>(previous_dtype_));
}

}  // namespace aebench
