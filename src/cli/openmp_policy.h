#pragma once
// How aebench's OpenMP threads wait, chosen before LibTorch starts.
//
// LibTorch and OpenBLAS run their parallel loops on libgomp, whose idle threads by default spin
// for a while at every barrier before sleeping. On a machine whose cores are all busy (a second
// run, a compile) the spinning threads take the CPU from the threads doing the work and a run
// slows by 3-5x. Passive waiting keeps a contended run at about its 1-thread speed, at the price
// of some speed on an idle machine (README "Threads" has both figures). libgomp reads its wait
// policy once, when it is loaded, before main: so when the user has not chosen one
// (OMP_WAIT_POLICY or GOMP_SPINCOUNT in the environment), aebench re-executes itself once with
// OMP_WAIT_POLICY=PASSIVE.

namespace aebench::cli {

// The OMP_WAIT_POLICY aebench runs with unless the environment says otherwise.
inline constexpr char kDefaultWaitPolicy[] = "PASSIVE";

// Re-executes the running binary (/proc/self/exe) with the same arguments and OMP_WAIT_POLICY
// set to kDefaultWaitPolicy, when neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT is set. Returns (and
// the program goes on unchanged) when the user set either, after the re-execution, or when exec
// fails.
void use_default_openmp_wait_policy(char** argv);

}  // namespace aebench::cli
