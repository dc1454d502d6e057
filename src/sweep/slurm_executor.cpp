#include "aebench/sweep/slurm_executor.h"

#include <sys/stat.h>

#include <sstream>

#include "aebench/errors.h"
#include "aebench/io/atomic_file.h"
#include "aebench/io/child_process.h"
#include "aebench/io/run_folder.h"

namespace aebench {
namespace {

namespace fs = std::filesystem;

// `text` as one bash word, in single quotes.
std::string bash_word(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "(no output)" : line;
}

}  // namespace

std::string slurm_job_script(const SweepRecord& record, const fs::path& executable,
                             bool retry_failed) {
  const ExecutorOptions& slurm = record.plan.executor;
  const fs::path sweep_dir = record.plan.out_dir;
  std::ostringstream script;
  script << "#!/bin/bash\n"
         << "# Written by aebench sweep: one array task per sweep point. Resubmit by hand with\n"
         << "#   sbatch --array=INDICES " << (sweep_dir / kSlurmFolder / kSlurmScript).string()
         << "\n# (INDICES: positions in the list below, from 0). A task resumes an interrupted\n"
         << "# point from its checkpoint and skips a finished one.\n"
         << "#SBATCH --job-name=aebench-" << sweep_dir.filename().string() << '\n'
         << "#SBATCH --output=" << (sweep_dir / kSweepLogFolder).string() << "/slurm-%A_%a.log\n"
         << "#SBATCH --cpus-per-task=" << slurm.cpus_per_task << '\n'
         << "#SBATCH --requeue\n";
  if (!slurm.partition.empty()) script << "#SBATCH --partition=" << slurm.partition << '\n';
  if (!slurm.time.empty()) script << "#SBATCH --time=" << slurm.time << '\n';
  if (!slurm.mem.empty()) script << "#SBATCH --mem=" << slurm.mem << '\n';
  if (!slurm.gres.empty()) script << "#SBATCH --gres=" << slurm.gres << '\n';
  script << "set -u\npoints=(\n";
  for (const auto& entry : record.points) script << "  " << bash_word(entry.point.name) << '\n';
  script
      << ")\n"
      << "task=${SLURM_ARRAY_TASK_ID:-}\n"
      << "if ! [[ \"$task\" =~ ^[0-9]+$ ]] || [ \"$task\" -ge ${#points[@]} ]; then\n"
      << "  echo \"aebench sweep: array task '$task' has no point: expected 0 to $((${#points[@]} "
         "- 1))\" >&2\n"
      << "  exit 2\nfi\n"
      << "exec " << bash_word(executable.string()) << " sweep-point "
      << bash_word(sweep_dir.string())
      << " \"${points[$task]}\" --threads \"${SLURM_CPUS_PER_TASK:-1}\""
      << (retry_failed ? " --retry-failed" : "") << '\n';
  return script.str();
}

std::string array_spec(const std::vector<std::size_t>& indices, std::int64_t max_parallel) {
  std::string spec;
  for (std::size_t i = 0; i < indices.size();) {
    std::size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    spec += (spec.empty() ? "" : ",") + std::to_string(indices[i]);
    if (j > i) spec += "-" + std::to_string(indices[j]);
    i = j + 1;
  }
  if (max_parallel > 0) spec += "%" + std::to_string(max_parallel);
  return spec;
}

std::string submit_slurm_array(SweepRecord& record, const std::vector<std::size_t>& indices,
                               const fs::path& executable, bool retry_failed) {
  const fs::path folder = make_real_subfolder(record.plan.out_dir, kSlurmFolder);
  make_real_subfolder(record.plan.out_dir, kSweepLogFolder);  // never a link
  const fs::path script = folder / kSlurmScript;
  write_file_atomically(script, slurm_job_script(record, executable, retry_failed));
  ::chmod(script.c_str(), 0755);
  const CommandResult result = run_command(
      {"sbatch", "--parsable", "--array=" + array_spec(indices, record.plan.executor.max_parallel),
       "--chdir=" + fs::current_path().string(), script.string()});
  if (result.exit_code == 127)
    throw OutputError(
        "sbatch not found: --executor slurm needs Slurm's client commands "
        "(Debian: slurm-client) and a cluster; " +
        first_line(result.output));
  if (result.exit_code != 0)
    throw OutputError("sbatch " + script.string() + " failed (exit " +
                      std::to_string(result.exit_code) + "): " + first_line(result.output));
  // --parsable prints "JOBID" or "JOBID;CLUSTER".
  const std::string line = first_line(result.output);
  record.slurm_job_id = line.substr(0, line.find(';'));
  return record.slurm_job_id;
}

std::map<std::size_t, std::string> slurm_task_states(const std::string& job_id) {
  std::map<std::size_t, std::string> states;
  if (job_id.empty()) return states;
  CommandResult result;
  try {
    result = run_command({"squeue", "-h", "-r", "-j", job_id, "-o", "%K %T"});
  } catch (const OutputError&) {
    return states;
  }
  if (result.exit_code != 0) return states;
  std::istringstream lines(result.output);
  std::string index, state;
  while (lines >> index >> state)
    if (!index.empty() && index.size() < 10 &&
        index.find_first_not_of("0123456789") == std::string::npos)
      states[static_cast<std::size_t>(std::stoull(index))] = state;
  return states;
}

}  // namespace aebench
