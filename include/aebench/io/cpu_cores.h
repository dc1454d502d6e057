#pragma once
// How many CPUs this process may run on: what "all cores" means for threads and job layouts.

#include <vector>

namespace aebench {

// The numbers of the CPUs in this process's affinity mask (narrowed by taskset, a Slurm
// allocation's or a container's cpuset), not every CPU the machine has online; empty when the
// mask cannot be read.
std::vector<int> usable_cpus();

// How many usable_cpus there are (where the mask cannot be read, the online CPUs); at least 1.
int usable_cpu_cores();

}  // namespace aebench
