#!/usr/bin/env bash
# `aebench sweep --executor slurm` against a real one-node Slurm cluster (scripts/slurm_local.sh,
# stopped again on exit): a 2 x 2 sweep goes out as one job array and every point's run folder
# and the collected table come back; then a point whose task is cancelled mid-run (SIGTERM, as on
# pre-emption) is interrupted at a checkpoint and, resubmitted by the same command, resumes
# instead of starting over.
#
#   bash tests/sweep/slurm_sweep_test.sh BUILD/aebench
#
# Exit 77 (reported as skipped) when Slurm is not installed, unless AEBENCH_SLURM_TEST_REQUIRED=1
# (scripts/test.sh installs it and sets that). Uses data/mnist (scripts/setup.sh fetches it).
set -euo pipefail
aebench=$(realpath "$1")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

work=$(mktemp -d /tmp/aeslurm.XXXXXX)
state=$work/s
cleanup() {
  bash "$repo/scripts/slurm_local.sh" down "$state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

set +e
up_output=$(bash "$repo/scripts/slurm_local.sh" up "$state" 2>&1)
up_status=$?
set -e
if [ "$up_status" -eq 77 ]; then
  if [ "${AEBENCH_SLURM_TEST_REQUIRED:-0}" = 1 ]; then fail "Slurm is required here: $up_output"; fi
  echo "SKIPPED: $up_output"
  exit 77
fi
[ "$up_status" -eq 0 ] || fail "the test cluster did not start: $up_output"
eval "$(echo "$up_output" | tail -1)"
[ -f "$repo/data/mnist/train-images-idx3-ubyte" ] || [ -f "$repo/data/mnist/train-images-idx3-ubyte.gz" ] ||
  fail "data/mnist is missing: run bash scripts/setup.sh"

cat >"$work/base.json" <<EOF
{"name": "slurm", "seed": 1,
 "data": {"dataset": "mnist", "dir": "$repo/data/mnist", "train_limit": 300, "test_limit": 60},
 "model": {"type": "dense", "hidden": [32], "latent": 4},
 "train": {"epochs": 2, "batch_size": 64},
 "output": {"images": 4}, "threads": 1}
EOF

# Waits until squeue lists no task of job $1 (ctest's own timeout bounds a hang).
wait_for_job() {
  while [ -n "$(squeue -h -j "$1" 2>/dev/null)" ]; do sleep 0.5; done
}

echo "== a 2 x 2 sweep as one job array"
sweep=$work/sweep
job=$("$aebench" sweep "$work/base.json" --grid model.latent=4,8 --grid train.lr=0.003,0.01 \
  --out "$sweep" --executor slurm --cpus-per-task 1 -q)
[[ "$job" =~ ^[0-9]+$ ]] || fail "expected a job id on stdout, found '$job'"
grep -q "#SBATCH --cpus-per-task=1" "$sweep/slurm/job.sh" || fail "job.sh lacks its #SBATCH lines"
wait_for_job "$job"
status=$("$aebench" sweep --status "$sweep")
echo "$status"
grep -q "4/4 done" <<<"$status" || fail "expected all four points done"
for point in latent-4_lr-0.003 latent-4_lr-0.01 latent-8_lr-0.003 latent-8_lr-0.01; do
  [ -f "$sweep/$point/summary.json" ] || fail "$point has no summary.json"
  ls "$sweep/logs/slurm-${job}_"*.log >/dev/null || fail "no Slurm log in $sweep/logs"
done
"$aebench" sweep --report "$sweep" >"$work/table.md"
[ "$(grep -c "^| latent-" "$work/table.md")" -eq 4 ] || fail "expected 4 rows in the collected table"
[ -f "$sweep/report.html" ] && [ -f "$sweep/comparison.md" ] || fail "no report.html / comparison.md"
grep -q "\"slurm_job_id\": \"$job\"" "$sweep/sweep.json" || fail "sweep.json does not record job $job"

echo "== a task cancelled mid-run resumes from its checkpoint when resubmitted"
long=$work/long
submit_long() {
  "$aebench" sweep "$work/base.json" --grid model.latent=6 --set train.epochs=60 \
    --set data.train_limit=3000 --out "$long" --executor slurm -q
}
job=$(submit_long)
run=$long/latent-6
while [ ! -f "$run/checkpoint.pt" ]; do
  [ -n "$(squeue -h -j "$job" 2>/dev/null)" ] || fail "the long point ended before its first checkpoint"
  sleep 0.2
done
scancel "$job"
wait_for_job "$job"
status=$("$aebench" sweep --status "$long")
echo "$status"
grep -q "| latent-6 | interrupted" <<<"$status" || fail "expected the cancelled point interrupted"
[ ! -f "$run/summary.json" ] || fail "the cancelled point finished anyway: cancel it earlier"
rows_before=$(($(wc -l <"$run/metrics.csv") - 1))
job=$(submit_long)
wait_for_job "$job"
"$aebench" sweep --status "$long" | grep -q "1/1 done" || fail "the resubmitted point did not finish"
rows=$(($(wc -l <"$run/metrics.csv") - 1))
[ "$rows" -eq 60 ] || fail "expected 60 epochs in metrics.csv, found $rows"
grep -q "resuming after epoch $rows_before" "$long/logs/slurm-${job}_0.log" ||
  fail "the resubmitted task did not resume after epoch $rows_before: $(cat "$long/logs/slurm-${job}_0.log")"
if grep -q "^epoch 1/60" "$long/logs/slurm-${job}_0.log"; then fail "the resubmitted task started over"; fi
echo "PASSED"
