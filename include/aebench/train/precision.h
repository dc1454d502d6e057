#pragma once
// The arithmetic precision of the forward passes (train.precision, bench --precision), and the
// one place that switches LibTorch's autocast (whose C++ API changed in LibTorch 2.4). Master
// weights, gradients, the loss and the optimizer state stay float32 in every precision.

#include <string>

namespace aebench {

enum class Precision { kFp32, kBf16 };

// x86 avx512_bf16 or amx_bf16, or Arm bf16, in /proc/cpuinfo: the CPU multiplies bfloat16 in
// hardware (elsewhere LibTorch emulates it, many times slower than float32).
bool cpu_has_native_bf16();

// Whether oneDNN, LibTorch's CPU kernel library, convolves bfloat16 here at all: it needs
// AVX-512, and ONEDNN_MAX_CPU_ISA may rule it out (it then throws, where float32 runs). Tried
// once on a tiny convolution and remembered.
bool cpu_runs_bf16();
// Throws a ConfigError naming `key` (the config key or flag that asked for bf16) when
// cpu_runs_bf16 is false, so that the run stops before it starts instead of failing later.
void require_cpu_runs_bf16(const std::string& key);

// "fp32" | "bf16" | "auto" (bf16 when the CPU multiplies bfloat16 natively, else fp32).
// Anything else is a ConfigError naming --precision.
Precision resolve_precision(const std::string& requested, bool cpu_has_native_bf16);

std::string precision_name(Precision precision);  // "fp32" | "bf16"

// train.precision on the device the model trains on: "auto" is bf16 on a CPU with native
// bf16 that oneDNN uses (cpu_runs_bf16) and fp32 elsewhere (CUDA included: not every GPU has
// bf16).
Precision training_precision(const std::string& requested, bool cuda);

// While alive with kBf16, this thread's ops on autocast's lower-precision list (linear,
// convolutions, matrix products) on the CPU (or, with `cuda`, on CUDA devices) run in
// bfloat16; the rest stays float32. kFp32 does nothing.
// Restores the previous autocast state and, leaving the outermost scope, drops the cached
// bfloat16 copies of the weights (which go stale at the next optimizer step), as Python's
// `torch.autocast("cpu")` does. Wrap forward passes only, not backward.
class AutocastScope {
 public:
  explicit AutocastScope(Precision precision, bool cuda = false);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool was_enabled_ = false;
  int previous_dtype_ = 0;  // at::ScalarType before the scope
};

}  // namespace aebench
