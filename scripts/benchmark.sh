#!/usr/bin/env bash
# The project's benchmark is `aebench bench` (docs/performance.md); this runs it from the
# repository root with the build's binary, passing every argument on.
#
#   bash scripts/benchmark.sh                          # default configs -> bench.json
#   bash scripts/benchmark.sh --threads 1 --compare old_bench.json
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec "${AEBENCH:-build/aebench}" bench "$@"
