#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang (ASan + UBSan) and runs each for a while.
# Needs no LibTorch: the targets link only the IDX and CIFAR-10 readers (zlib) and the config
# parser (nlohmann-json). See docs/fuzzing.md.
#
#   bash scripts/fuzz.sh          # 60 s per target
#   bash scripts/fuzz.sh 20       # 20 s per target (CI)
#   FUZZ_TARGETS=config bash scripts/fuzz.sh 300
#   FUZZ_SEED=1 bash scripts/fuzz.sh 20   # a fixed mutation sequence (CI); 0 = random
#
# Works in build/fuzz/: binaries, logs, the working corpora (seeded from fuzz/corpus/, which
# is only read) and crash artefacts in build/fuzz/artifacts/<target>/. Inputs in
# fuzz/regressions/<target>/ are replayed first. Exits 1 when a target crashes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-60}
read -ra targets <<<"${FUZZ_TARGETS:-idx config cifar}"
out=build/fuzz

packages=(clang libclang-rt-14-dev nlohmann-json3-dev zlib1g-dev)
bash scripts/install_packages.sh "${packages[@]}"

# Each target links the sources it fuzzes, and zlib. The config target takes the whole
# (torch-free) config layer, so a file split out of it needs no edit here.
config_sources=(src/config/*.cpp src/io/regular_file.cpp src/io/checked_file.cpp)
declare -A sources=([idx]=src/data/idx.cpp
  [config]="${config_sources[*]}"
  [cifar]="src/data/cifar.cpp src/data/idx.cpp")
declare -A max_len=([idx]=65536 [config]=8192 [cifar]=16384)
# shellcheck disable=SC2054  # the commas belong to -fsanitize=
flags=(-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -Wall -Wextra -Iinclude)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

failed=()
summary=()
for target in "${targets[@]}"; do
  [ -n "${sources[$target]+set}" ] || { echo "fuzz: unknown target $target (idx, config, cifar)" >&2; exit 2; }
  binary=$out/fuzz_$target
  read -ra unit <<<"${sources[$target]}"
  inputs=("fuzz/fuzz_$target.cpp" fuzz/*.h "${unit[@]}" src/config/*.h include/aebench/*.h include/aebench/*/*.h scripts/fuzz.sh)
  mkdir -p "$out/corpus/$target" "$out/artifacts/$target"
  if [ ! -x "$binary" ] || [ -n "$(find "${inputs[@]}" -newer "$binary" 2>/dev/null)" ]; then
    echo "fuzz: building $binary"
    clang++ "${flags[@]}" "fuzz/fuzz_$target.cpp" "${unit[@]}" -lz -o "$binary"
  fi

  cp -r "fuzz/corpus/$target/." "$out/corpus/$target/"
  # The dictionary, plus every quoted word in the source under test (the config keys and
  # choices) as a token.
  dict=$out/$target.dict
  {
    cat "fuzz/$target.dict"
    grep -ohE '"[A-Za-z0-9_$:.-]+"' "${unit[@]}" | sort -u | sed 's/"/\\"/g; s/.*/"&"/'
  } >"$dict"
  replay=()
  [ -d "fuzz/regressions/$target" ] && replay=("fuzz/regressions/$target")
  log=$out/$target.log
  echo "fuzz: running $target for ${seconds} s (log: $log)"
  status=0
  "$binary" "$out/corpus/$target" "${replay[@]}" \
    -dict="$dict" -max_len="${max_len[$target]}" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -seed="${FUZZ_SEED:-0}" \
    -artifact_prefix="$out/artifacts/$target/" >"$log" 2>&1 || status=$?

  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if ((status == 0)); then
    summary+=("$target: ${executions:-?} executions in ${seconds} s, no crash")
  else
    failed+=("$target")
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    summary+=("$target: CRASH after ${executions:-?} executions (exit $status); reproducer: ${artifact:-none written}")
    echo "fuzz: $target crashed; the end of $log:" >&2
    tail -n 60 "$log" >&2
  fi
done

echo
printf 'fuzz: %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzz: reproduce with: build/fuzz/fuzz_TARGET ARTIFACT (e.g. build/fuzz/fuzz_${failed[0]} $out/artifacts/${failed[0]}/crash-...)" >&2
  exit 1
fi
