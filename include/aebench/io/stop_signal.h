#pragma once
// SIGINT / SIGTERM as a polite request: the first one sets a flag that a run checks after
// every step of training and pretraining and between the stages of its final phase (it then
// writes what is needed to go on and exits 130 / 143); a second one exits at once. The
// handler only sets the flag or exits (async-signal-safe). Free of LibTorch.

#include <string>

namespace aebench {

// While alive (nested ones too), a signal is a request that the work polls for. Make one per
// piece of work that stops at safe points (a run, an eval).
class StopSignalGuard {
 public:
  StopSignalGuard();
  ~StopSignalGuard();
  StopSignalGuard(const StopSignalGuard&) = delete;
  StopSignalGuard& operator=(const StopSignalGuard&) = delete;

  // The signal number received (SIGINT or SIGTERM), or 0 when none has arrived.
  static int received();
};

// The engine's handlers, installed once, first thing in main, for the whole process:
// - within a StopSignalGuard, the first signal is recorded (the work stops at its next safe
//   point) and a second one exits at once;
// - before any guard, a command without safe points (bench, compare, --help) stops at once with
//   one "aebench: interrupted" line on stderr and exit 128 + the signal;
// - once a guarded piece of work is over, or once the command has returned
//   (finish_stop_signals), the work is done: a signal is recorded and ignored, so that one sent
//   while the process prints its last lines and exits neither loses its output nor turns a
//   complete result into exit 130. A second one still exits at once.
void install_stop_signal_handlers();
void finish_stop_signals();

// A SIGINT or SIGTERM sent while the engine starts (LibTorch's libraries take ~0.2 s to load,
// before any handler can exist) would end it silently. So the launcher blocks both before it
// becomes the engine (block_stop_signals; the mask survives exec), and the engine's main first
// calls take_early_stop_signal: it takes a signal that arrived meanwhile (0 when none) and
// unblocks both (after install_stop_signal_handlers in the engine; with their default actions
// in the launcher).
void block_stop_signals();
int take_early_stop_signal();

// A lock file this process holds (RunLock), at `path` (kept alive by the caller until it calls
// unregister_held_lock): a handler that exits at once removes it, as its holder would have.
void register_held_lock(const char* path);
void unregister_held_lock(const char* path);

// "SIGINT", "SIGTERM", or "signal N".
std::string signal_name(int signal_number);

}  // namespace aebench
