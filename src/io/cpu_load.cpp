#include "aebench/io/cpu_load.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <sstream>

#include "aebench/io/cpu_cores.h"

namespace aebench {
namespace {

double timeval_seconds(const timeval& value) {
  return double(value.tv_sec) + double(value.tv_usec) * 1e-6;
}

double own_cpu_seconds() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0.0;
  return timeval_seconds(usage.ru_utime) + timeval_seconds(usage.ru_stime);
}

std::optional<std::string> read_proc_stat() {
  std::ifstream file("/proc/stat");
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// The busy ticks of one "cpuN user nice system idle iowait irq softirq steal ..." line.
std::optional<std::uint64_t> busy_ticks_of_line(std::istringstream& fields) {
  std::array<std::uint64_t, 8> ticks{};
  for (auto& value : ticks)
    if (!(fields >> value)) return std::nullopt;
  const std::uint64_t user = ticks[0], nice = ticks[1], system = ticks[2], irq = ticks[5],
                      softirq = ticks[6], steal = ticks[7];
  return user + nice + system + irq + softirq + steal;
}

}  // namespace

std::optional<std::uint64_t> busy_ticks_of(const std::string& proc_stat,
                                           const std::vector<int>& cpus) {
  std::map<std::string, std::uint64_t> busy_by_name;
  std::istringstream lines(proc_stat);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("cpu", 0) != 0) continue;
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    if (const auto busy = busy_ticks_of_line(fields)) busy_by_name[name] = *busy;
  }
  std::uint64_t total = 0;
  for (const int cpu : cpus) {
    const auto found = busy_by_name.find("cpu" + std::to_string(cpu));
    if (found == busy_by_name.end()) return std::nullopt;
    total += found->second;
  }
  return total;
}

double others_busy_cores(std::uint64_t busy_ticks, double ticks_per_second, double own_cpu_seconds,
                         double wall_seconds) {
  if (wall_seconds <= 0 || ticks_per_second <= 0) return 0.0;
  const double others_seconds = double(busy_ticks) / ticks_per_second - own_cpu_seconds;
  return std::max(0.0, others_seconds / wall_seconds);
}

OtherProcessesLoad::OtherProcessesLoad() : cpus_(usable_cpus()), last_(take_sample()) {}

OtherProcessesLoad::Sample OtherProcessesLoad::take_sample() const {
  Sample sample;
  sample.when = SteadyClock::now();
  sample.own_cpu_seconds = own_cpu_seconds();
  if (const auto text = read_proc_stat(); text && !cpus_.empty())
    sample.busy_ticks = busy_ticks_of(*text, cpus_);
  return sample;
}

std::optional<double> OtherProcessesLoad::busy_cores_since_last(double at_least_seconds) {
  const double wall = seconds_since(last_.when);
  if (wall < at_least_seconds) return std::nullopt;
  const Sample now = take_sample();
  const Sample before = last_;
  last_ = now;
  const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  if (!now.busy_ticks || !before.busy_ticks || *now.busy_ticks < *before.busy_ticks ||
      ticks_per_second <= 0)
    return std::nullopt;
  return others_busy_cores(*now.busy_ticks - *before.busy_ticks, double(ticks_per_second),
                           now.own_cpu_seconds - before.own_cpu_seconds,
                           std::chrono::duration<double>(now.when - before.when).count());
}

}  // namespace aebench
