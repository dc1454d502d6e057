#!/usr/bin/env bash
# Sets up everything (scripts/setup.sh, plus Chromium and the npm packages of the browser test),
# builds the test executable and runs the whole suite through ctest, the browser test of the
# HTML reports included. This is the command CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir=${AEBENCH_BUILD_DIR:-build}

bash scripts/setup.sh
# What only the tests need: Chromium for the browser test of the HTML reports (driven by
# puppeteer-core from npm), Slurm for the executor's test on a one-node cluster, and PyTorch
# and NumPy for Python to read what aebench export and encode write.
bash scripts/install_packages.sh chromium slurmctld slurmd slurm-client munge python3-torch python3-numpy
(cd tests/report/browser && npm ci --no-audit --no-fund --loglevel=error)
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
cmake --build "$build_dir" --target aebench_tests
AEBENCH_BROWSER_TEST_REQUIRED=1 AEBENCH_SLURM_TEST_REQUIRED=1 AEBENCH_PYTHON_TEST_REQUIRED=1 ctest --test-dir "$build_dir" --output-on-failure -j 2
