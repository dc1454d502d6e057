#pragma once
// The environment aebench runs with, chosen before LibTorch starts: how its OpenMP threads wait
// and how glibc's malloc hands out memory. Both are read once, when the libraries load, before
// main; so `aebench` is a small launcher without LibTorch (launcher.cpp) that sets them where the
// user has not, then executes aebench-engine, the program itself, from its own folder. (A
// re-execution of one binary would start LibTorch twice: about 0.35 s more per command idle,
// 0.6 s on a busy machine.)
//
// OpenMP: LibTorch and OpenBLAS run their parallel loops on libgomp, whose idle threads by
// default spin for a while at every barrier before sleeping. On a machine whose cores are all
// busy (a second run, a compile) the spinning threads take the CPU from the threads doing the
// work and a run slows by 3-5x. Passive waiting keeps a contended run at about its 1-thread
// speed, at the price of some speed on an idle machine (docs/performance.md, "Threads", has both
// figures). Kept when OMP_WAIT_POLICY or GOMP_SPINCOUNT is set.
//
// malloc: every tensor LibTorch frees above a few hundred KiB goes back to the kernel and the
// next one faults its pages in afresh, 4 KiB at a time; on a virtual machine a page fault is
// dear (loading MNIST spent most of its time in them). The tunables keep freed memory for
// reuse and back large blocks with transparent huge pages (docs/performance.md, "Memory"). Kept
// when GLIBC_TUNABLES is set.

namespace aebench::cli {

// The OMP_WAIT_POLICY aebench runs with unless the environment says otherwise.
inline constexpr char kDefaultWaitPolicy[] = "PASSIVE";

// The GLIBC_TUNABLES aebench runs with unless the environment says otherwise: blocks up to
// 32 MiB (glibc's most) from the heap, freed memory kept (trimmed back to the kernel only above
// 1 GiB free), the heap grown 64 MiB at a time, and malloc's memory advised for huge pages.
inline constexpr char kDefaultMallocTunables[] =
    "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824:"
    "glibc.malloc.top_pad=67108864:glibc.malloc.hugetlb=1";

// The file names of the launcher and of the program it starts, in one folder.
inline constexpr char kLauncherName[] = "aebench";
inline constexpr char kEngineName[] = "aebench-engine";

// The launcher's part: sets the defaults above where the environment lacks them. The engine
// and its children (sweep points) inherit them whole: glibc parses GLIBC_TUNABLES in a copy
// (only the process's original strings, which /proc/PID/environ shows, end up cut at the first
// tunable).
void set_default_startup_environment();

}  // namespace aebench::cli
