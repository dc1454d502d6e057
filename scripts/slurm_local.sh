#!/usr/bin/env bash
# Starts and stops a real one-node Slurm cluster on this machine, for tests (Debian 12, no
# systemd needed). Everything lives under STATE_DIR (default $AEBENCH_SLURM_DIR, else
# /tmp/aebench-slurm; 60 characters at most): slurm.conf, a munge key and munged socket of its
# own, logs, pid files, the controller's state and slurmd's spool. It reads nothing in /etc/slurm
# or /etc/munge and uses its own ports, so it can run beside a real cluster's daemons; it stops
# only the processes whose pids it recorded.
#
#   eval "$(bash scripts/slurm_local.sh up [STATE_DIR] | tail -1)"   # sets SLURM_CONF
#   sbatch --array=0-3 --wrap 'echo $SLURM_ARRAY_TASK_ID' -o "$STATE_DIR/out_%a.txt"
#   bash scripts/slurm_local.sh status [STATE_DIR]   # each daemon's state, sinfo, squeue
#   bash scripts/slurm_local.sh down [STATE_DIR]     # cancels the jobs, stops the daemons
#
# up: starts munged, slurmctld and slurmd, waits (AEBENCH_SLURM_UP_TIMEOUT s, default 60) for
#   the node to be idle and prints `export SLURM_CONF=STATE_DIR/slurm.conf` as its last line.
#   When all three daemons are already running it only prints that line. Each start begins with
#   an empty job state (job ids restart at 1). On failure it prints the daemon logs' tails,
#   stops what it started and exits 1; exit 77 when the Debian packages are missing
#   (bash scripts/install_packages.sh slurmctld slurmd slurm-client munge).
# down: cancels every job (waits up to 15 s for them), then stops the daemons by their recorded
#   pids (TERM, then KILL after 10 s). Idempotent.
# Ports: AEBENCH_SLURM_PORT (default 16817) for slurmctld and the next one for slurmd.
# Runs as root (SlurmUser is the user running this script).
#
# The cluster: node `localhost` with this machine's nproc CPUs, one core each (1-cpu tasks run
# side by side), in partition `debug` (the default, no time limit); no accounting (no sacct:
# `scontrol show job` answers for 300 s after a job ends, STATE_DIR/jobcomp.txt keeps every end).
# A cancelled task gets SIGCONT and SIGTERM, then SIGKILL KillWait=5 s later. A job put back in
# the queue (`scontrol requeue`) waits 120 s (Slurm's own delay) unless released with
# `scontrol update jobid=ID StartTime=now`; it then sees SLURM_RESTART_COUNT=1. The first job
# after `up` starts ~2.5 s after sbatch, later ones ~1 s.
set -euo pipefail

command=${1:-}
state_dir=$(realpath -m "${2:-${AEBENCH_SLURM_DIR:-/tmp/aebench-slurm}}")  # before the cd
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PATH:/usr/sbin:/sbin"  # the daemons live in /usr/sbin

conf=$state_dir/slurm.conf
munge_dir=$state_dir/munge
munge_socket=$munge_dir/munge.socket
munge_key=$munge_dir/munge.key
daemons=(munged slurmctld slurmd)
ctld_port=${AEBENCH_SLURM_PORT:-16817}
slurmd_port=$((ctld_port + 1))
up_timeout=${AEBENCH_SLURM_UP_TIMEOUT:-60}
export SLURM_CONF=$conf

usage() {
  echo "usage: bash scripts/slurm_local.sh up|down|status [STATE_DIR]" >&2
  exit 2
}

pid_file() { echo "$state_dir/$1.pid"; }

# The pid a daemon recorded, printed only while that process is alive and is ours: its command
# line names a file of this state folder (a reused pid, or a real cluster's daemon, does not).
daemon_pid() {
  local file pid
  file=$(pid_file "$1")
  [ -s "$file" ] || return 1
  pid=$(tr -dc 0-9 < "$file")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$state_dir/" || return 1
  echo "$pid"
}

all_running() {
  local daemon
  for daemon in "${daemons[@]}"; do
    daemon_pid "$daemon" >/dev/null || return 1
  done
}

# The pids of the processes holding the unix sockets under slurmd's spool: the slurmstepd of each
# job step still alive (they outlive slurmd).
stepd_pids() {
  [ -d "$state_dir/spool" ] || return 0
  {
    awk -v dir="$state_dir/spool/" 'NR > 1 && index($8, dir) == 1 { print "inode", $7 }' \
      /proc/net/unix
    find /proc/[0-9]*/fd -maxdepth 1 -lname 'socket:*' -printf '%h %l\n' 2>/dev/null
  } | awk '$1 == "inode" { ours["socket:[" $2 "]"] = 1; next }
           ($2 in ours) { split($1, path, "/"); print path[3] }' | sort -u
}

with_descendants() {  # the pids given and every process below them
  ps -e -o pid=,ppid= | awk -v roots="$*" '
    { parent[$1] = $2 }
    END {
      n = split(roots, list, " ")
      for (i = 1; i <= n; i++) keep[list[i]] = 1
      do {
        added = 0
        for (p in parent)
          if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; added = 1 }
      } while (added)
      for (p in keep) print p
    }'
}

alive() {  # a zombie (exited, not yet reaped by its parent) is not
  local stat
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

stop_pids() {  # TERM, wait up to 10 s, then KILL
  local pid deadline alive
  (($#)) || return 0
  kill -TERM "$@" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while ((SECONDS < deadline)); do
    alive=()
    for pid in "$@"; do
      alive "$pid" && alive+=("$pid")
    done
    ((${#alive[@]})) || return 0
    sleep 0.1
  done
  echo "slurm_local: pid ${alive[*]} ignored SIGTERM for 10 s: SIGKILL" >&2
  kill -KILL "${alive[@]}" 2>/dev/null || true
}

down() {
  local daemon pid deadline jobs=() pids=()
  # The jobs first, while the controller can still cancel them (slurmstepd outlives slurmd):
  # SIGTERM, SIGKILL KillWait (5 s) later.
  if daemon_pid slurmctld >/dev/null && daemon_pid slurmd >/dev/null; then
    mapfile -t jobs < <(timeout 5 squeue -h -o %A 2>/dev/null || true)
    if ((${#jobs[@]})); then
      timeout 5 scancel "${jobs[@]}" 2>/dev/null || true
      deadline=$((SECONDS + 15))
      while ((SECONDS < deadline)); do
        [ -z "$(timeout 5 squeue -h -t running,completing -o %A 2>/dev/null)" ] && break
        sleep 0.1
      done
    fi
  fi
  for daemon in "${daemons[@]}"; do  # all at once: each takes 1-2 s to exit
    pid=$(daemon_pid "$daemon") && pids+=("$pid")
  done
  stop_pids "${pids[@]}"
  for daemon in "${daemons[@]}"; do
    rm -f "$(pid_file "$daemon")"
  done
  mapfile -t pids < <(stepd_pids)
  if ((${#pids[@]})); then  # a step left behind: found by the socket it holds in our spool
    mapfile -t pids < <(with_descendants "${pids[@]}")  # and its job's processes
    echo "slurm_local: stopping slurmstepd and job processes ${pids[*]}" >&2
    stop_pids "${pids[@]}"
  fi
}

show_logs() {
  local log
  for log in "$munge_dir/munged.log" "$state_dir/slurmctld.log" "$state_dir/slurmd.log"; do
    [ -f "$log" ] || continue
    echo "---- last lines of $log" >&2
    tail -n 25 "$log" >&2
  done
}

fail() {
  echo "slurm_local: $*" >&2
  show_logs
  down
  exit 1
}

require_commands() {
  local missing=() cmd
  for cmd in mungekey munged slurmctld slurmd sinfo squeue sbatch scancel scontrol srun; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  if ((${#missing[@]})); then
    echo "slurm_local: ${missing[*]} missing: install the Debian packages slurmctld slurmd" \
      "slurm-client munge (bash scripts/install_packages.sh slurmctld slurmd slurm-client munge)" >&2
    exit 77
  fi
}

write_conf() {
  local cpus mem_mb user
  cpus=$(nproc)
  mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.95 }' /proc/meminfo)
  user=$(id -un)
  # Slurm 24.05 and later start no slurmd without a cgroup file system at /sys/fs/cgroup unless
  # told to leave cgroups alone (a container, a chroot, a host with cgroup v1 only): this test
  # cluster tracks processes by pid (linuxproc) and needs none. Earlier versions reject the value.
  local version
  version=$(slurmd -V 2>/dev/null | awk '{ print $2 }')
  if [ -n "$version" ] && printf '%s\n' 24.05 "$version" | sort -V -C; then
    echo "CgroupPlugin=disabled" > "$state_dir/cgroup.conf"
  else
    rm -f "$state_dir/cgroup.conf"
  fi
  cat > "$conf" <<EOF
# Written by scripts/slurm_local.sh: a one-node test cluster; every path is under this folder.
ClusterName=aebench
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_socket
StateSaveLocation=$state_dir/ctld
SlurmdSpoolDir=$state_dir/spool
SlurmctldPidFile=$(pid_file slurmctld)
SlurmdPidFile=$(pid_file slurmd)
SlurmctldLogFile=$state_dir/slurmctld.log
SlurmdLogFile=$state_dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$state_dir/plugstack.conf
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$state_dir/jobcomp.txt
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Short timeouts: a test waits seconds, not minutes.
SlurmctldTimeout=10
SlurmdTimeout=10
MessageTimeout=5
KillWait=5
InactiveLimit=0
MinJobAge=300
ReturnToService=2
# The node as configured here, whatever the hardware reports (hyper-threads, a cpuset).
SlurmdParameters=config_overrides
NodeName=localhost NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$cpus Sockets=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

up() {
  local started started_s seconds deadline daemon port state=""
  require_commands
  if all_running; then
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  down  # a half-started cluster, or stale pid files
  # slurmd's spool holds unix sockets: their paths must fit in 108 bytes.
  if [ "${#state_dir}" -gt 60 ]; then
    echo "slurm_local: STATE_DIR longer than 60 characters: $state_dir" >&2
    exit 2
  fi
  for port in "$ctld_port" "$slurmd_port"; do  # another cluster (or anything) listening there
    if awk -v port="$(printf '%04X' "$port")" \
      'NR > 1 && $4 == "0A" && substr($2, length($2) - 3) == port { found = 1 }
       END { exit !found }' \
      /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
      echo "slurm_local: port $port is in use: set AEBENCH_SLURM_PORT (now $ctld_port)" >&2
      exit 1
    fi
  done
  umask 022  # the key stays 0600 (mungekey); other users may reach the socket
  mkdir -p "$state_dir" "$munge_dir"
  rm -rf "$state_dir/ctld" "$state_dir/spool"  # each start: an empty job state
  mkdir -p "$state_dir/ctld" "$state_dir/spool"
  : > "$state_dir/plugstack.conf"
  [ -s "$munge_key" ] || mungekey --create --keyfile="$munge_key" >/dev/null
  write_conf
  started=$(date +%s.%N)
  started_s=$SECONDS

  munged --socket="$munge_socket" --key-file="$munge_key" --pid-file="$(pid_file munged)" \
    --log-file="$munge_dir/munged.log" --seed-file="$munge_dir/munged.seed" --force \
    </dev/null >>"$munge_dir/munged.log" 2>&1 || fail "munged did not start"
  slurmctld -f "$conf" </dev/null >>"$state_dir/slurmctld.log" 2>&1 ||
    fail "slurmctld did not start"
  slurmd -f "$conf" -N localhost </dev/null >>"$state_dir/slurmd.log" 2>&1 ||
    fail "slurmd did not start"

  deadline=$((SECONDS + up_timeout))
  while :; do
    for daemon in "${daemons[@]}"; do  # a pid file is written just after the fork
      if [ -s "$(pid_file "$daemon")" ] || ((SECONDS > started_s + 10)); then
        daemon_pid "$daemon" >/dev/null || fail "$daemon is not running"
      fi
    done
    state=$(timeout 5 sinfo -h -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    ((SECONDS < deadline)) ||
      fail "the node is not idle after $up_timeout s (state: ${state:-no answer})"
    sleep 0.25
  done
  seconds=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  echo "slurm_local: up in $seconds s: $(nproc) CPUs, partition debug, state in $state_dir" >&2
  echo "export SLURM_CONF=$conf"
}

status() {
  local daemon pid
  for daemon in munged slurmctld slurmd; do
    if pid=$(daemon_pid "$daemon"); then
      echo "$daemon: running (pid $pid)"
    else
      echo "$daemon: not running"
    fi
  done
  if daemon_pid slurmctld >/dev/null && daemon_pid munged >/dev/null; then
    echo "SLURM_CONF=$conf"
    timeout 10 sinfo || true
    timeout 10 squeue || true
  fi
}

case $command in
  up) up ;;
  down) down ;;
  status) status ;;
  *) usage ;;
esac
