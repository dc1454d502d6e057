#include "aebench/io/stop_signal.h"

#include <unistd.h>

#include <csignal>
#include <ctime>

namespace aebench {
namespace {

volatile std::sig_atomic_t received_signal = 0;
struct sigaction previous_interrupt {};
struct sigaction previous_terminate {};

extern "C" void on_stop_signal(int signal_number) {
  // A second signal means "now": skip the checkpoint. _exit is async-signal-safe.
  if (received_signal != 0) ::_exit(128 + signal_number);
  received_signal = signal_number;
}

}  // namespace

StopSignalGuard::StopSignalGuard() {
  received_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_interrupt);
  sigaction(SIGTERM, &action, &previous_terminate);
}

StopSignalGuard::~StopSignalGuard() {
  sigaction(SIGINT, &previous_interrupt, nullptr);
  sigaction(SIGTERM, &previous_terminate, nullptr);
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
