#include "aebench/io/stop_signal.h"

#include <unistd.h>

#include <csignal>
#include <ctime>

namespace aebench {
namespace {

// Written by the handler and by the guards (a signal may interrupt either).
volatile std::sig_atomic_t received_signal = 0;
volatile std::sig_atomic_t guard_depth = 0;
volatile std::sig_atomic_t deferring = 0;  // a guard has begun, or the command has returned
bool handlers_installed = false;

// One line each, ready before any signal: a handler may only write() what exists.
constexpr char kInterruptLine[] =
    "aebench: interrupted: stopped by SIGINT before the command finished; the files it wrote "
    "are complete, the rest were not written; run it again\n";
constexpr char kTerminateLine[] =
    "aebench: interrupted: stopped by SIGTERM before the command finished; the files it wrote "
    "are complete, the rest were not written; run it again\n";
constexpr char kSecondInterruptLine[] =
    "aebench: interrupted: stopped at once by a second SIGINT, without waiting for a safe "
    "point; the files written are complete; resume a run with train --resume, run other "
    "commands again\n";
constexpr char kSecondTerminateLine[] =
    "aebench: interrupted: stopped at once by a second SIGTERM, without waiting for a safe "
    "point; the files written are complete; resume a run with train --resume, run other "
    "commands again\n";

// The lock files this process holds (RunLock), for a handler that exits at once: it removes
// them as their holders would (unlink() is async-signal-safe), so a stop leaves none behind.
constexpr int kMaxHeldLocks = 8;
const char* volatile held_locks[kMaxHeldLocks] = {};

void remove_held_locks() {
  for (int i = 0; i < kMaxHeldLocks; ++i)
    if (const char* path = held_locks[i]) ::unlink(path);
}

// Writes a line made before any signal came: write() is async-signal-safe.
void write_line(const char* line, std::size_t length) {
  [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, line, length);
}

extern "C" void on_stop_signal(int signal_number) {
  const bool interrupt = signal_number == SIGINT;
  // A second signal means "now": skip the checkpoint. _exit is async-signal-safe.
  if (received_signal != 0) {
    if (interrupt)
      write_line(kSecondInterruptLine, sizeof kSecondInterruptLine - 1);
    else
      write_line(kSecondTerminateLine, sizeof kSecondTerminateLine - 1);
    remove_held_locks();
    ::_exit(128 + signal_number);
  }
  if (guard_depth == 0 && deferring == 0) {  // nothing polls for it: stop now, saying so
    if (interrupt)
      write_line(kInterruptLine, sizeof kInterruptLine - 1);
    else
      write_line(kTerminateLine, sizeof kTerminateLine - 1);
    remove_held_locks();
    ::_exit(128 + signal_number);
  }
  received_signal = signal_number;
}

}  // namespace

void register_held_lock(const char* path) {
  for (int i = 0; i < kMaxHeldLocks; ++i)
    if (held_locks[i] == nullptr) {
      held_locks[i] = path;
      return;
    }
}

void unregister_held_lock(const char* path) {
  for (int i = 0; i < kMaxHeldLocks; ++i)
    if (held_locks[i] == path) held_locks[i] = nullptr;
}

void install_stop_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // A reader that went away (aebench train ... | head) must not end a run without a word, its
  // lock left behind: output to it then fails quietly and the work goes on.
  std::signal(SIGPIPE, SIG_IGN);
  handlers_installed = true;
}

void finish_stop_signals() {
  deferring = 1;
}

StopSignalGuard::StopSignalGuard() {
  if (!handlers_installed) install_stop_signal_handlers();  // a library user without main's
  if (guard_depth == 0) received_signal = 0;
  guard_depth = guard_depth + 1;
  deferring = 1;
}

StopSignalGuard::~StopSignalGuard() {
  guard_depth = guard_depth - 1;
}

int StopSignalGuard::received() {
  return received_signal;
}

namespace {

sigset_t stop_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void block_stop_signals() {
  const sigset_t set = stop_signal_set();
  sigprocmask(SIG_BLOCK, &set, nullptr);
}

int take_early_stop_signal() {
  const sigset_t set = stop_signal_set();
  sigset_t pending;
  sigemptyset(&pending);
  int taken = 0;
  if (sigpending(&pending) == 0 &&
      (sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1)) {
    const timespec now{0, 0};
    taken = sigtimedwait(&set, nullptr, &now);  // takes it off, so unblocking delivers nothing
    if (taken < 0) taken = 0;
  }
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  return taken;
}

std::string signal_name(int signal_number) {
  if (signal_number == SIGINT) return "SIGINT";
  if (signal_number == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(signal_number);
}

}  // namespace aebench
