#pragma once
// How many CPUs this process may run on: what "all cores" means for threads and job layouts.

namespace aebench {

// The CPUs in this process's affinity mask (narrowed by taskset, a Slurm allocation's or a
// container's cpuset), not every CPU the machine has online; at least 1.
int usable_cpu_cores();

}  // namespace aebench
