#pragma once
// The environment aebench runs with, chosen before LibTorch starts: how its OpenMP threads wait
// and how glibc's malloc hands out memory. Both are read once, when the libraries load, before
// main; so when the user has not chosen them, aebench re-executes itself once with them set.
//
// OpenMP: LibTorch and OpenBLAS run their parallel loops on libgomp, whose idle threads by
// default spin for a while at every barrier before sleeping. On a machine whose cores are all
// busy (a second run, a compile) the spinning threads take the CPU from the threads doing the
// work and a run slows by 3-5x. Passive waiting keeps a contended run at about its 1-thread
// speed, at the price of some speed on an idle machine (README "Threads" has both figures).
// Kept when OMP_WAIT_POLICY or GOMP_SPINCOUNT is set.
//
// malloc: every tensor LibTorch frees above a few hundred KiB goes back to the kernel and the
// next one faults its pages in afresh, 4 KiB at a time; on a virtual machine a page fault is
// dear (loading MNIST spent most of its time in them). The tunables keep freed memory for
// reuse and back large blocks with transparent huge pages (README "Memory"). Kept when
// GLIBC_TUNABLES is set.

namespace aebench::cli {

// The OMP_WAIT_POLICY aebench runs with unless the environment says otherwise.
inline constexpr char kDefaultWaitPolicy[] = "PASSIVE";

// The GLIBC_TUNABLES aebench runs with unless the environment says otherwise: blocks up to
// 32 MiB (glibc's most) from the heap, freed memory kept (trimmed back to the kernel only above
// 1 GiB free), the heap grown 64 MiB at a time, and malloc's memory advised for huge pages.
inline constexpr char kDefaultMallocTunables[] =
    "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824:"
    "glibc.malloc.top_pad=67108864:glibc.malloc.hugetlb=1";

// Re-executes the running binary (/proc/self/exe) with the same arguments and the defaults
// above added where the environment lacks them. Returns (and the program goes on unchanged)
// when the user set both, after the re-execution, or when exec fails.
void use_default_startup_environment(char** argv);

}  // namespace aebench::cli
