#!/usr/bin/env bash
# aebench export and encode, read by Debian's PyTorch and NumPy: for every model kind and layer
# kind, the exported model (python/aebench_model.py over state_dict.pt and architecture.json)
# reproduces the codes aebench encode wrote for the same images, and its reconstructions score
# the test MSE of the run's summary.json. Also encode on another data set and split, and the
# refusals. Exits 77 (skipped) without python3-torch and python3-numpy, unless
# AEBENCH_PYTHON_TEST_REQUIRED=1, where that fails.
#   bash tests/pipeline/model_export_test.sh AEBENCH SOURCE_DIR
set -euo pipefail
aebench=$(realpath "$1")
source=$(realpath "$2")
python=/usr/bin/python3
[ -x "$python" ] || python=python3
if ! "$python" -c 'import torch, numpy' 2>/dev/null; then
  if [ "${AEBENCH_PYTHON_TEST_REQUIRED:-0}" = 1 ]; then
    echo "FAILED: $python cannot import torch and numpy (apt-get install python3-torch python3-numpy)"
    exit 1
  fi
  echo "SKIPPED: $python cannot import torch and numpy (apt-get install python3-torch python3-numpy)"
  exit 77
fi
for dataset in mnist fashion-mnist; do
  if [ ! -s "$source/data/$dataset/t10k-images-idx3-ubyte" ] &&
     [ ! -s "$source/data/$dataset/t10k-images-idx3-ubyte.gz" ]; then
    echo "SKIPPED: no $dataset in $source/data (bash scripts/fetch_data.sh)"
    exit 77
  fi
done

scratch=$(mktemp -d /tmp/aebench-export-test.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
fail() { echo "FAILED: $*"; exit 1; }

# One config per model kind (variational ones too), between them every layer kind
# architecture.h names.
config() {  # NAME MODEL_JSON
  cat > "$1.json" <<JSON
{"name": "$1", "seed": 3,
 "data": {"dataset": "mnist", "dir": "$source/data/mnist", "train_limit": 300, "test_limit": 100},
 "model": $2,
 "train": {"epochs": 1, "batch_size": 50}, "threads": 1}
JSON
}
config dense_bn '{"type": "dense", "hidden": [32], "latent": 6, "batch_norm": true, "activation": "gelu"}'
config dense_dropout '{"type": "dense", "hidden": [40, 20], "latent": 5, "dropout": 0.2, "activation": "leaky_relu", "latent_activation": "tanh", "output_activation": "softmax"}'
config conv_maps '{"type": "conv", "channels": [4, 3], "batch_norm": true, "activation": "elu"}'
config conv_latent '{"type": "conv", "channels": [4], "latent": 7, "upsample": "transposed", "latent_activation": "linear", "output_activation": "linear"}'
config pca '{"type": "pca", "latent": 9}'
config vae '{"type": "dense", "hidden": [40], "latent": 4, "variational": true, "activation": "tanh"}'
config conv_vae '{"type": "conv", "channels": [4], "latent": 3, "variational": true}'

for name in dense_bn dense_dropout conv_maps conv_latent pca vae conv_vae; do
  "$aebench" train "$name.json" --out "runs/$name" --quiet >/dev/null || fail "train $name"
  folder=$("$aebench" export "runs/$name" --quiet) || fail "export $name"
  [ "$folder" = "runs/$name/export" ] || fail "export $name printed $folder"
  "$aebench" encode "runs/$name" --images --quiet >/dev/null || fail "encode $name"
  "$python" "$source/tests/pipeline/check_export.py" "runs/$name" test ||
    fail "the exported $name does not compute what aebench does"
done

# Another split and another data set of the same image shape, into a folder of one's own.
"$aebench" encode runs/dense_bn --split train --images --quiet >/dev/null || fail "encode --split train"
"$python" "$source/tests/pipeline/check_export.py" runs/dense_bn train || fail "train split codes"
"$aebench" encode runs/dense_bn --set data.dataset=fashion-mnist --set "data.dir=$source/data/fashion-mnist" \
  --images --out fashion --quiet >/dev/null || fail "encode on Fashion-MNIST"
"$python" "$source/tests/pipeline/check_export.py" runs/dense_bn test fashion || fail "Fashion-MNIST codes"
jq -e '.splits.test.dataset == "fashion-mnist" and .splits.test.images == 100' fashion/codes.json \
  >/dev/null || fail "fashion/codes.json does not record the data set and its 100 test images"

# Refusals, each a one-line error with its exit code and nothing written.
expect_refusal() {  # EXIT_CODE WHAT -- COMMAND...
  local code=$1 what=$2
  shift 3
  local status=0
  "$@" >out.txt 2>err.txt || status=$?
  [ "$status" = "$code" ] || fail "$what: exit $status, expected $code ($(cat err.txt))"
  [ "$(wc -l <err.txt)" = 1 ] && grep -q '^aebench: ' err.txt || fail "$what: not one line: $(cat err.txt)"
}
expect_refusal 2 "another image shape" -- "$aebench" encode runs/pca --set data.dataset=cifar10
expect_refusal 2 "a model key" -- "$aebench" encode runs/pca --set model.latent=3
expect_refusal 2 "an unknown split" -- "$aebench" encode runs/pca --split validation
mkdir mine && echo "my notes" > mine/architecture.json
expect_refusal 5 "a user's architecture.json" -- "$aebench" export runs/pca --out mine
[ "$(cat mine/architecture.json)" = "my notes" ] && [ ! -e mine/state_dict.pt ] || fail "export wrote into mine/"
mkdir unfinished && cp runs/pca/config.json runs/pca/run.json runs/pca/model.pt unfinished/
expect_refusal 2 "an unfinished run" -- "$aebench" export unfinished
echo "model export test: 7 models, 3 encodes and 5 refusals checked"
