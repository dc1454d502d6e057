#!/usr/bin/env bash
# Seed 004's latent-size sweep as a plain shell loop: latent 15/30/50/100 x MNIST/Fashion-MNIST
# for one seed-004 model, then one CSV row per run collected from the summaries.
#
#   bash scripts/sweep_latent.sh                 # dense3, the configs' 20 epochs
#   MODEL=dense5 EPOCHS=2 OUT=runs/quick bash scripts/sweep_latent.sh
# Extra arguments are passed to every `aebench train` (e.g. --threads 2 or --set train.lr=3e-4).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

model=${MODEL:-dense3}
out=${OUT:-runs/sweep_latent_$model}
aebench=${AEBENCH:-build/aebench}
epochs_override=()
[ -n "${EPOCHS:-}" ] && epochs_override=(--set "train.epochs=$EPOCHS")

mkdir -p "$out"
results="$out/results.csv"
echo "dataset,model,latent,val_loss,test_mse,test_sse_per_image,test_psnr_db,epochs,train_seconds" > "$results"
for dataset in mnist fashion; do
  for latent in 15 30 50 100; do
    run="$out/${dataset}_latent$latent"
    "$aebench" train "configs/seed004_${model}_${dataset}.json" --out "$run" --overwrite --quiet \
      --set "model.latent=$latent" "${epochs_override[@]}" "$@"
    jq -r --arg dataset "$dataset" --arg model "$model" \
      '[$dataset, $model, .config.model.latent, .best_val_loss, .test.mse, .test.sse_per_image,
        .test.psnr_db, .epochs_run, .train_seconds] | @csv' "$run/summary.json" >> "$results"
    echo "sweep: $run done"
  done
done
echo "sweep: results in $results"
column -s, -t < "$results"
