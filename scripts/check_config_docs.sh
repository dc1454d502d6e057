#!/usr/bin/env bash
# Fails when docs/config.md is not what `aebench config-docs` prints (the docs are generated
# from the config schema). Run by the test suite: bash scripts/check_config_docs.sh AEBENCH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
aebench=${1:-build/aebench}
[ -x "$aebench" ] || { echo "check_config_docs: no $aebench; build it first" >&2; exit 1; }
if ! diff -u docs/config.md <("$aebench" config-docs); then
  echo "docs/config.md is out of date with the config schema; regenerate it with:" >&2
  echo "  $aebench config-docs > docs/config.md" >&2
  exit 1
fi
# The README shows the default experiment verbatim: it must be the file it names.
shown=$(awk '/^The default experiment, `configs\/dense_100.json`/{found=1} found&&/^```json/{inside=1;next} inside&&/^```/{exit} inside' README.md)
if [ "$shown" != "$(cat configs/dense_100.json)" ]; then
  echo "README.md's default-experiment block differs from configs/dense_100.json; paste the file in" >&2
  exit 1
fi
