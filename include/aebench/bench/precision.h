#pragma once
// The arithmetic precision the benchmark runs the models in, and the one place that switches
// LibTorch's CPU autocast (whose C++ API changed in LibTorch 2.4).

#include <string>

namespace aebench {

enum class Precision { kFp32, kBf16 };

// "fp32" | "bf16" | "auto" (bf16 when the CPU multiplies bfloat16 natively, else fp32).
// Anything else is a ConfigError naming --precision.
Precision resolve_precision(const std::string& requested, bool cpu_has_native_bf16);

std::string precision_name(Precision precision);  // "fp32" | "bf16"

// While alive with kBf16, this thread's CPU ops on autocast's lower-precision list (linear,
// convolutions, matrix products) run in bfloat16; the rest stays float32. kFp32 does nothing.
// Restores the previous autocast state and, leaving the outermost scope, drops the cached
// bfloat16 copies of the weights (which go stale at the next optimizer step), as Python's
// `torch.autocast("cpu")` does. Wrap forward passes only, not backward.
class AutocastScope {
 public:
  explicit AutocastScope(Precision precision);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool was_enabled_ = false;
  int previous_dtype_ = 0;  // at::ScalarType before the scope
};

}  // namespace aebench
