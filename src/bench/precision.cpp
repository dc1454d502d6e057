#include "aebench/bench/precision.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

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

bool cpu_autocast_enabled() {
#if AEBENCH_AUTOCAST_BY_DEVICE
  return at::autocast::is_autocast_enabled(at::kCPU);
#else
  return at::autocast::is_cpu_enabled();
#endif
}

at::ScalarType cpu_autocast_dtype() {
#if AEBENCH_AUTOCAST_BY_DEVICE
  return at::autocast::get_autocast_dtype(at::kCPU);
#else
  return at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_cpu_autocast(bool enabled, at::ScalarType dtype) {
#if AEBENCH_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_enabled(at::kCPU, enabled);
  at::autocast::set_autocast_dtype(at::kCPU, dtype);
#else
  at::autocast::set_cpu_enabled(enabled);
  at::autocast::set_autocast_cpu_dtype(dtype);
#endif
}

}  // namespace

Precision resolve_precision(const std::string& requested, bool cpu_has_native_bf16) {
  if (requested == "fp32") return Precision::kFp32;
  if (requested == "bf16") return Precision::kBf16;
  if (requested == "auto") return cpu_has_native_bf16 ? Precision::kBf16 : Precision::kFp32;
  throw ConfigError("--precision: expected fp32, bf16 or auto, found \"" + requested + "\"");
}

std::string precision_name(Precision precision) {
  return precision == Precision::kBf16 ? "bf16" : "fp32";
}

AutocastScope::AutocastScope(Precision precision) {
  if (precision != Precision::kBf16) return;
  active_ = true;
  was_enabled_ = cpu_autocast_enabled();
  previous_dtype_ = static_cast<int>(cpu_autocast_dtype());
  set_cpu_autocast(true, at::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_cpu_autocast(was_enabled_, static_cast<at::ScalarType>(previous_dtype_));
}

}  // namespace aebench
