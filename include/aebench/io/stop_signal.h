#pragma once
// SIGINT / SIGTERM as a polite request: the first one sets a flag that a run checks after
// every step of training and pretraining and between the stages of its final phase (it then
// writes what is needed to go on and exits 130 / 143); a second one exits at once. The
// handler itself only sets the flag. Free of LibTorch.

#include <string>

namespace aebench {

// Installs the handlers while alive and restores the previous ones on destruction.
// Signal handlers are process-wide by nature; make one of these per run.
class StopSignalGuard {
 public:
  StopSignalGuard();
  ~StopSignalGuard();
  StopSignalGuard(const StopSignalGuard&) = delete;
  StopSignalGuard& operator=(const StopSignalGuard&) = delete;

  // The signal number received (SIGINT or SIGTERM), or 0 when none has arrived.
  static int received();
};

// A SIGINT or SIGTERM sent while the engine starts (LibTorch's libraries take ~0.2 s to load,
// before any handler can exist) would end it silently. So the launcher blocks both before it
// becomes the engine (block_stop_signals; the mask survives exec), and the engine's main first
// calls take_early_stop_signal: it takes a signal that arrived meanwhile (0 when none) and
// unblocks both, restoring their default actions until a StopSignalGuard handles them.
void block_stop_signals();
int take_early_stop_signal();

// "SIGINT", "SIGTERM", or "signal N".
std::string signal_name(int signal_number);

}  // namespace aebench
