#!/usr/bin/env bash
# Builds aebench and its tests against Debian 13's CUDA LibTorch (libtorch-cuda-dev 2.6, in the
# contrib component; its CUDA libraries in non-free), into build-cuda/. Debian 13 only: run it
# on such a machine, or from Debian 12 in a Debian 13 root:
#   bash scripts/debian_root.sh -- bash scripts/build_cuda.sh
# The CUDA test runs only where a GPU is visible (ctest reports it skipped elsewhere):
#   ctest --test-dir build-cuda -R CUDA
# apt's whole output is kept in build-cuda/apt.log; on failure the script prints its last lines.
# Known refusal (2026-12-06, Debian 13.8): libtorch-cuda-2.6 depends on nvidia-cudnn, an
# installer package whose post-installation script downloads cuDNN from NVIDIA's site, outside
# Debian's mirror; where that site cannot be reached, dpkg leaves nvidia-cudnn,
# libtorch-cuda-2.6 and libtorch-cuda-dev unconfigured and apt-get exits 100 (see docs/cuda.md).
# Exit status: 0 built; 3 the packages could not be installed; 1 the build failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir=${AEBENCH_CUDA_BUILD_DIR:-build-cuda}
mkdir -p "$build_dir"

if ! grep -rqsE '^(deb|Components:).*contrib' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "build_cuda: apt has no contrib component (libtorch-cuda-dev lives there); add" \
       "'contrib non-free' to /etc/apt/sources.list" >&2
  exit 3
fi
# nvidia-cuda-toolkit: LibTorch's CMake config looks for nvcc and refuses without it.
packages=(g++ cmake ninja-build ccache libtorch-cuda-dev nvidia-cuda-toolkit libopenblas0-openmp
          libcli11-dev nlohmann-json3-dev libstb-dev catch2 zlib1g-dev)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "build_cuda: installing ${packages[*]} (about 2.3 GB of CUDA packages)"
$sudo apt-get update -qq
status=0
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${packages[@]}" \
  >"$build_dir/apt.log" 2>&1 || status=$?
if ((status)); then
  tail -25 "$build_dir/apt.log" >&2
  echo "build_cuda: apt-get install failed with $status (whole output: $build_dir/apt.log)" >&2
  exit 3
fi

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
cmake --build "$build_dir" --target aebench aebench_tests
echo "build_cuda: built $build_dir/aebench and $build_dir/aebench_tests against the CUDA LibTorch"
