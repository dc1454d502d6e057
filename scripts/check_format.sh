#!/usr/bin/env bash
# Checks that every C++ file follows the checked-in .clang-format (clang-format 14).
#
#   bash scripts/check_format.sh         # exit 1 listing the files that differ
#   bash scripts/check_format.sh --fix   # reformat them in place
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install_packages.sh clang-format-14  # one version: another formats differently
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [ "${1:-}" = "--fix" ]; then
  clang-format-14 -i "${files[@]}"
  exit 0
fi
unformatted=()
for file in "${files[@]}"; do
  clang-format-14 --dry-run --Werror "$file" >/dev/null 2>&1 || unformatted+=("$file")
done
if [ "${#unformatted[@]}" -gt 0 ]; then
  printf 'check_format: not formatted as .clang-format says: %s\n' "${unformatted[@]}"
  echo "check_format: run: bash scripts/check_format.sh --fix"
  exit 1
fi
echo "check_format: ${#files[@]} files follow .clang-format"
