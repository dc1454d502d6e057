#!/usr/bin/env bash
# Sets up everything (scripts/setup.sh), builds the test executable and runs the whole suite
# through ctest. This is the command CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir=${AEBENCH_BUILD_DIR:-build}

bash scripts/setup.sh
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
cmake --build "$build_dir" --target aebench_tests
ctest --test-dir "$build_dir" --output-on-failure -j 2
