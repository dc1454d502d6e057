#!/usr/bin/env bash
# The installed aebench (cmake --install) trains the smoke config from an unrelated folder, on
# data that is not under the working folder, wherever data_location.h says it may be:
# $AEBENCH_DATA, the config file's folder (or the one above it), the installation's
# share/aebench/data. With the data
# nowhere, the error names every place it looked and the fix (exit 3).
#   bash tests/cli/install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(realpath "$1")
source=$(realpath "$2")
data=$source/data/mnist
if [ ! -s "$data/train-images-idx3-ubyte" ] && [ ! -s "$data/train-images-idx3-ubyte.gz" ]; then
  echo "SKIPPED: no MNIST in $data (bash scripts/fetch_data.sh)"
  exit 77
fi

scratch=$(mktemp -d /tmp/aebench-install-test.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
prefix=$scratch/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
elsewhere=$scratch/elsewhere
mkdir -p "$elsewhere"
cd "$elsewhere"
smoke=$prefix/share/aebench/configs/smoke.json
export PATH="$prefix/bin:/usr/bin:/bin"
unset AEBENCH_DATA

fail() { echo "FAILED: $*"; exit 1; }
expect_data_dir() {  # RUN_DIR FOLDER: the run trained on FOLDER's data, and stored it
  [ -f "$1/summary.json" ] || fail "$1 has no summary.json"
  local stored
  stored=$(jq -r .data.dir "$1/config.json")
  [ "$stored" = "$2" ] || fail "$1/config.json: data.dir $stored, expected $2"
}
quick=(--set train.epochs=1 --quiet)

# On PATH, with its configs and docs beside it.
[ -x "$prefix/bin/aebench" ] && [ -x "$prefix/bin/aebench-engine" ] || fail "no programs in $prefix/bin"
[ -f "$prefix/share/aebench/docs/config.md" ] && [ -f "$prefix/share/aebench/README.md" ] ||
  fail "no docs in $prefix/share/aebench"
aebench --version >/dev/null || fail "aebench --version on PATH"

# 1. Nowhere: one line naming each place looked and the fix, exit 3, no run folder.
status=0
output=$(aebench train "$smoke" --out "$scratch/none" "${quick[@]}" 2>&1) || status=$?
[ "$status" = 3 ] || fail "data nowhere: exit $status, expected 3: $output"
[ "$(printf '%s\n' "$output" | wc -l)" = 1 ] || fail "data nowhere: more than one line: $output"
for place in "$prefix/share/aebench/configs/data/mnist" "$elsewhere/data/mnist" \
             "$prefix/share/aebench/data/mnist" AEBENCH_DATA scripts/setup.sh; do
  [[ $output == *"$place"* ]] || fail "data nowhere: the error does not name $place: $output"
done
[ ! -e "$scratch/none" ] || fail "data nowhere: a run folder was made"

# 2. $AEBENCH_DATA: a folder that holds data/mnist (the checkout).
AEBENCH_DATA=$source aebench train "$smoke" --out "$scratch/env" "${quick[@]}" >/dev/null
expect_data_dir "$scratch/env" "$data"
# eval of the installed run, from yet another folder, finds the stored data.
(cd / && aebench eval "$scratch/env" --quiet >/dev/null) || fail "eval from / failed"

# 3. The config file's folder comes first, before $AEBENCH_DATA.
mkdir -p "$scratch/study/data"
ln -s "$data" "$scratch/study/data/mnist"
cp "$smoke" "$scratch/study/smoke.json"
AEBENCH_DATA=/nonexistent aebench train "$scratch/study/smoke.json" --out "$scratch/study/run" \
  "${quick[@]}" >/dev/null
expect_data_dir "$scratch/study/run" "$scratch/study/data/mnist"

# 4. The installation's share/aebench/data, as scripts/setup.sh --prefix puts it there.
mkdir -p "$prefix/share/aebench/data"
cp -r "$data" "$prefix/share/aebench/data/mnist"
aebench train "$smoke" --out "$scratch/installed" "${quick[@]}" >/dev/null
expect_data_dir "$scratch/installed" "$prefix/share/aebench/data/mnist"
# 5. The checkout's own configs find the checkout's data/ from any folder (configs/ beside data/).
aebench train "$source/configs/smoke.json" --out "$scratch/checkout" "${quick[@]}" >/dev/null ||
  fail "the checkout's smoke config from $elsewhere"
expect_data_dir "$scratch/checkout" "$data"

# 6. Data that moved: the run from 2. resumes where its data is found now (data.dir may change).
aebench train "$smoke" --out "$scratch/env" --set train.epochs=2 --resume --quiet >/dev/null ||
  fail "resume with the data found elsewhere"
[ "$(($(wc -l <"$scratch/env/metrics.csv") - 1))" = 2 ] || fail "the resumed run has no second epoch"
expect_data_dir "$scratch/env" "$prefix/share/aebench/data/mnist"
echo "the installed aebench found its data in each place"
