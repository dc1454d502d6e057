#!/usr/bin/env bash
# The project's benchmark: training throughput of the default dense model (seed 002 part 1)
# and the seed-002 conv model on the full MNIST training split, measured by aebench itself.
# Prints seconds per epoch, images per second and, for the dense model, the GFLOP/s this
# implies (forward 2*MACs + backward 4*MACs per image, MACs = the dense layers' weights).
#
#   bash scripts/benchmark.sh            # 2 epochs each, all cores
#   EPOCHS=3 THREADS=1 bash scripts/benchmark.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
epochs=${EPOCHS:-2}
threads=${THREADS:-0}
aebench=${AEBENCH:-build/aebench}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "model,epochs,threads,seconds_per_epoch,images_per_second,gflops"
for config in dense_100 seed002_part2_conv; do
  "$aebench" train "configs/$config.json" --out "$out/$config" --quiet --threads "$threads" \
    --set "train.epochs=$epochs"
  summary="$out/$config/summary.json"
  jq -r --arg name "$config" '
    (.config.model) as $m
    | (if $m.type == "dense" then ([784] + $m.hidden + [$m.latent]) else null end) as $w
    | (if $w then ([range(0; ($w|length) - 1) | $w[.] * $w[. + 1]] | add) * 2 else null end) as $macs
    | [$name, .epochs_run, .threads, (.train_seconds / .epochs_run * 1000 | round / 1000),
       (.samples_per_second | round),
       (if $macs then ($macs * 6 * .samples_per_second / 1e9 * 10 | round / 10) else "" end)]
    | @csv' "$summary"
done
