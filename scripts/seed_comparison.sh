#!/usr/bin/env bash
# Runs one seed report's whole comparison and tabulates it with `aebench compare`.
#
#   bash scripts/seed_comparison.sh 000            # PCA vs single/three-layer AE vs denoising
#   bash scripts/seed_comparison.sh 003            # over-complete regularisers, sparseness
#   bash scripts/seed_comparison.sh 004            # latent sweep, plain vs dropout, 2 datasets
#   EPOCHS=2 bash scripts/seed_comparison.sh 000   # a quick pass (sets train.epochs)
#   EPOCHS=1 bash scripts/seed_comparison.sh 000 --set data.train_limit=1000 \
#     --set data.test_limit=200 --set analysis.embedding=none --set probe.epochs=2  # a smoke pass
# Extra arguments go to every `aebench train` (e.g. --threads 2). Results: runs/seedNNN/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seed=${1:?usage: seed_comparison.sh 000|003|004 [aebench train options]}
shift
aebench=${AEBENCH:-build/aebench}
out=runs/seed$seed
epochs=()
[ -n "${EPOCHS:-}" ] && epochs=(--set "train.epochs=$EPOCHS")
runs=()

# train CONFIG RUN_NAME [--set ...]: one run of the comparison.
train() {
  local config=$1 name=$2
  shift 2
  local sets=("$@")
  [[ $config == seed000_pca ]] || sets+=("${epochs[@]}")
  "$aebench" train "configs/$config.json" --out "$out/$name" --overwrite --quiet "${sets[@]}" "${extra[@]}"
  runs+=("$out/$name")
  echo "seed_comparison: $out/$name done"
}

extra=("$@")
case $seed in
  000)
    for k in 32 64 128 256; do
      train seed000_pca "pca_$k" --set "model.latent=$k"
      train seed000_single_layer "single_$k" --set "model.latent=$k"
      train seed000_three_layer "three_$k" --set "model.latent=$k"
    done
    # the report's other two classifier architectures, on the 32-unit single-layer codes
    train seed000_single_layer single_32_mlp_512_512_512 --set "model.latent=32" \
      --set "probe.hidden=[512,512,512]" --set name=seed000_single_layer_mlp_512_512_512
    train seed000_single_layer single_32_mlp_512_256_128_64 --set "model.latent=32" \
      --set "probe.hidden=[512,256,128,64]" --set name=seed000_single_layer_mlp_512_256_128_64
    train seed000_denoising_20 denoising_20
    train seed000_denoising_40 denoising_40
    metrics=(--metric test.sse_per_image --metric probe.mlp.test_accuracy --metric probe.mlp.val_accuracy)
    series=(--series name)
    ;;
  003)
    for act in relu sigmoid; do
      for penalty in l1 l2; do
        for lambda in 1e-5 1e-7; do
          train "seed003_overcomplete_${penalty}_$act" "${penalty}_${lambda}_$act" --set "train.activity_$penalty=$lambda"
        done
      done
      for sigma in 0.1 0.3; do
        train "seed003_overcomplete_noise_$act" "noise_${sigma}_$act" --set "noise.std=$sigma"
      done
    done
    metrics=(--metric test.mse --metric analysis.activity.code.sparseness)
    series=(--series config.model.activation)
    ;;
  004)
    for dataset in mnist fashion; do
      for model in dense3 dense5 dense3_dropout dense5_dropout; do
        for k in 15 30 50 100; do
          train "seed004_${model}_$dataset" "${model}_${dataset}_$k" --set "model.latent=$k"
        done
      done
    done
    metrics=(--metric best_val_loss --metric test.mse --metric test.psnr_db)
    series=(--series name)
    ;;
  *) echo "seed_comparison: expected 000, 003 or 004, found $seed" >&2; exit 2 ;;
esac
"$aebench" compare "${runs[@]}" --out "$out/comparison" "${metrics[@]}" "${series[@]}"
