#!/usr/bin/env bash
# Writes docs/reproductions.md, the reproduction table: for every number in docs/published.json
# (the seeds' reports and Hinton & Salakhutdinov 2006), the published value beside aebench's,
# read from the summary.json of the sweep point (or run folder) that reproduces it, with the
# command, the epochs, the wall time and whether the run was reduced. No aebench number is typed
# by hand: a point without summary.json is "not run", a failed one "failed: <its error>".
#
#   bash scripts/reproductions.sh                      # read runs/<sweep>/ -> docs/reproductions.md
#   bash scripts/reproductions.sh --run                # run every sweep first, then write the table
#   bash scripts/reproductions.sh --run --set train.epochs=3 /tmp/quick   # a reduced pass
#   bash scripts/reproductions.sh \
#     --sweep-dir configs/sweeps/seed004_latent.json=runs/seed004_latent_3ep
#   bash scripts/reproductions.sh --only hinton2006     # that section anew, the rest kept
#
# Usage: reproductions.sh [--run [--set KEY=VALUE]...] [--sweep-dir SWEEP_FILE=DIR]...
#                         [--only SEED]... [--published FILE] [--out FILE] [RUNS_DIR]
#   RUNS_DIR    where the folders are (default runs): a sweep file's "out" runs/NAME (default
#               runs/<file name>) is read as RUNS_DIR/NAME, a run folder runs/NAME likewise.
#   --sweep-dir read that sweep file's points from DIR instead (e.g. a reduced copy).
#   --run       first run each sweep file (`aebench sweep FILE [--set ...] [--out DIR]`), going on
#               after failures, and `aebench train CONFIG` for each run folder without summary.json
#               whose config exists; then write the table. --set is passed to each of them.
#   --published the published values (default docs/published.json).
#   --out       the table (default docs/reproductions.md).
#   --only      rewrite only that seed's section (a key of "seeds" in the published file) of
#               the existing table, keeping the other sections as they are; the header then
#               records this command below the one that wrote the rest.
# Paths are relative to the repository root. AEBENCH names the binary (default build/aebench).
# Needs bash and jq. Exits 0 once the table is written (failed points are in it), 2 on bad usage.
#
# A run is "reduced" when its resolved config (summary.json "config") has another train.epochs
# or data.train_limit than the sweep file gives it: the point's own override, else the file's
# "set", else the base config (for a run folder: its config file).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C

usage() {
  sed -n '15,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

aebench=${AEBENCH:-build/aebench}
published=docs/published.json
out=docs/reproductions.md
runs_dir=runs
run=false
sets=()
only=()
declare -A sweep_dirs=()
arguments=("$@")
while (($#)); do
  case $1 in
    --run) run=true ;;
    --set) (($# >= 2)) || usage; sets+=(--set "$2"); shift ;;
    --sweep-dir)
      if (($# < 2)) || [[ $2 != *=* ]]; then usage; fi
      sweep_dirs[${2%%=*}]=${2#*=}
      shift
      ;;
    --published) (($# >= 2)) || usage; published=$2; shift ;;
    --out) (($# >= 2)) || usage; out=$2; shift ;;
    --only) (($# >= 2)) || usage; only+=("$2"); shift ;;
    -h | --help) usage ;;
    -*) echo "reproductions.sh: unknown option $1" >&2; usage ;;
    *) runs_dir=${1%/} ;;
  esac
  shift
done
((${#sets[@]} == 0)) || $run || { echo "reproductions.sh: --set needs --run" >&2; usage; }
command -v jq >/dev/null || { echo "reproductions.sh: jq not found (bash scripts/setup.sh installs it)" >&2; exit 2; }
[[ -f $published ]] || { echo "reproductions.sh: $published not found" >&2; exit 2; }
for seed in ${only[@]+"${only[@]}"}; do
  jq -e --arg s "$seed" '.seeds | has($s)' "$published" >/dev/null ||
    { echo "reproductions.sh: --only $seed: $published has no such seed" >&2; exit 2; }
done
((${#only[@]} == 0)) || [[ -f $out ]] ||
  { echo "reproductions.sh: --only needs an existing table; $out not found" >&2; exit 2; }
((${#only[@]} == 0)) || grep -q '^## ' "$out" ||
  { echo "reproductions.sh: --only needs a table with sections; $out has none (write it whole first)" >&2; exit 2; }
for file in "${!sweep_dirs[@]}"; do
  jq -e --arg f "$file" 'any(.entries[]; .sweep == $f)' "$published" >/dev/null ||
    { echo "reproductions.sh: --sweep-dir $file: no entry of $published uses that sweep file" >&2; exit 2; }
done

# The folder a sweep file writes by default: its "out", else runs/<file name>.
default_sweep_dir() {
  jq -r --arg name "$(basename "$1" .json)" '.out // ("runs/" + $name)' "$1"
}

# The folder this table reads for a sweep file.
sweep_dir() {
  if [[ -n ${sweep_dirs[$1]+set} ]]; then
    echo "${sweep_dirs[$1]}"
  else
    echo "$runs_dir/$(basename "$(default_sweep_dir "$1")")"
  fi
}

# The folder this table reads for a run folder named runs/NAME in published.json.
run_dir() { echo "$runs_dir/$(basename "$1")"; }

# The entries this call writes (every one, or those of the --only seeds), and their sweep files
# and run folders: --run runs only these.
only_json=$(printf '%s\n' ${only[@]+"${only[@]}"} | jq -R . | jq -sc 'map(select(. != ""))')
entries='.entries[] | select($only == [] or (.seed as $s | $only | index([$s])))'
sweep_files=$(jq -r --argjson only "$only_json" "[$entries | .sweep // empty]"' | reduce .[] as $s ([]; if index([$s]) then . else . + [$s] end) | .[]' "$published")
run_entries=$(jq -r --argjson only "$only_json" "$entries"' | select(.run) | "\(.run)\t\(.config // "")"' "$published" | sort -u)
# The seeds whose sections this call writes, in the published file's order, each once.
seeds=$(jq -r --argjson only "$only_json" \
  '.seeds | keys_unsorted[] | select($only == [] or (. as $s | $only | index([$s])))' "$published")
# This call as the table's header quotes it.
shown_arguments=""
for argument in ${arguments[@]+"${arguments[@]}"}; do shown_arguments+=" $(printf '%q' "$argument")"; done

if $run; then
  for file in $sweep_files; do
    dir=$(sweep_dir "$file")
    invocation=("$aebench" sweep "$file" ${sets[@]+"${sets[@]}"})
    [[ $dir == "$(default_sweep_dir "$file")" ]] || invocation+=(--out "$dir")
    echo "reproductions.sh: ${invocation[*]}" >&2
    status=0
    "${invocation[@]}" || status=$?
    ((status == 0)) || echo "reproductions.sh: exit $status from ${invocation[*]}; going on" >&2
  done
  while IFS=$'\t' read -r run_folder config; do
    [[ -n $run_folder ]] || continue
    dir=$(run_dir "$run_folder")
    [[ ! -f $dir/summary.json ]] || continue
    if [[ -z $config || ! -f $config ]]; then
      echo "reproductions.sh: $dir: no config ${config:-named}; not run" >&2
      continue
    fi
    invocation=("$aebench" train "$config" ${sets[@]+"${sets[@]}"} --out "$dir")
    [[ ! -f $dir/config.json ]] || invocation+=(--resume)
    echo "reproductions.sh: ${invocation[*]}" >&2
    status=0
    "${invocation[@]}" || status=$?
    ((status == 0)) || echo "reproductions.sh: exit $status from ${invocation[*]}; going on" >&2
  done <<<"$run_entries"
fi

# One Markdown cell: the first line, pipes escaped.
cell() { local text=${1%%$'\n'*}; printf '%s' "${text//|/\\|}"; }

# Each array the jq filter $1 yields, as one line of fields joined by the unit separator (so
# that empty ones survive `read`; null is empty).
readonly US=$'\x1f'
fields() { jq -r "$1 | map(if . == null then \"\" else tostring end) | join(\"$US\")" "${@:2}"; }

# A dotted key's value in a JSON file, as compact JSON ("null" when the file or key is missing).
json_value() {
  [[ -f $1 ]] || { echo null; return; }
  jq -c --arg key "$2" 'getpath($key | split("."))' "$1"
}

# Per sweep file: train.epochs and data.train_limit from its "set", else its base config.
declare -A file_epochs=() file_limit=()
for file in $sweep_files; do
  base=$(jq -r .base "$file")
  for key in train.epochs data.train_limit; do
    value=$(jq -c --arg k "$key" '.set // {} | if has($k) then .[$k] else empty end' "$file")
    [[ -n $value ]] || value=$(json_value "$base" "$key")
    if [[ $key == train.epochs ]]; then file_epochs[$file]=$value; else file_limit[$file]=$value; fi
  done
done

format_value() {
  local raw=$1 percent=$2 decimals=$3
  if [[ ! $raw =~ ^-?[0-9.]+([eE][-+]?[0-9]+)?$ ]]; then
    printf '%s' "$raw"
  elif [[ $percent == true ]]; then
    printf "%.${decimals}f%%" "$(jq -n --argjson v "$raw" '$v * 100')"
  else
    printf "%.${decimals}f" "$raw"
  fi
}

format_seconds() {
  [[ -n $1 ]] || return 0
  local seconds
  seconds=$(printf '%.0f' "$1")
  if ((seconds < 60)); then
    printf '%.1f s' "$1"
  elif ((seconds < 3600)); then
    printf '%d min %02d s' $((seconds / 60)) $((seconds % 60))
  else
    printf '%d h %02d min' $((seconds / 3600)) $((seconds % 3600 / 60))
  fi
}

# The table row of one entry (its fields as `fields` joins them).
row() {
  local what published_value key percent decimals note sweep_file point run_folder config
  IFS=$US read -r what published_value key percent decimals note sweep_file point run_folder config <<<"$1"
  local folder="" run_path="" command="" expected_epochs=null expected_limit=null notes=()
  local state="" point_error="" override_epochs="" override_limit=""
  if [[ -n $sweep_file ]]; then
    folder=$(sweep_dir "$sweep_file")
    run_path=$folder/$point
    command="aebench sweep $sweep_file"
    expected_epochs=${file_epochs[$sweep_file]}
    expected_limit=${file_limit[$sweep_file]}
    if [[ -f $folder/sweep.json ]]; then
      local extra_sets
      # The --set flags the sweep was run with: its "set" less the sweep file's.
      IFS=$US read -r state point_error override_epochs override_limit extra_sets < <(
        fields '(first(.points[] | select(.name == $name)) // {}) as $point
          | ($point.overrides // {}) as $overrides
          | [$point.state, $point.error,
             (if $overrides | has("train.epochs") then $overrides["train.epochs"] | tojson else null end),
             (if $overrides | has("data.train_limit") then $overrides["data.train_limit"] | tojson else null end),
             ([.set // {} | to_entries[] | select(($file[0].set // {})[.key] != .value)
               | " --set \(.key)=\(.value | tojson)"] | join(""))]' \
          --arg name "$point" --slurpfile file "$sweep_file" "$folder/sweep.json")
      command+=$extra_sets
      [[ -z $override_epochs ]] || expected_epochs=$override_epochs
      [[ -z $override_limit ]] || expected_limit=$override_limit
    fi
    [[ $folder == "$(default_sweep_dir "$sweep_file")" ]] || command+=" --out $folder"
  elif [[ -n $run_folder ]]; then
    run_path=$(run_dir "$run_folder")
    command="aebench train $config --out $run_path"
    expected_epochs=$(json_value "$config" train.epochs)
    expected_limit=$(json_value "$config" data.train_limit)
    [[ -f $config ]] || notes+=("$config is not in the repository yet")
  fi

  local value="" epochs="" seconds=""
  if [[ -z $run_path ]]; then
    value="no sweep point"
  elif [[ -f $run_path/summary.json ]]; then
    local error raw train_seconds actual_epochs actual_limit model_type
    IFS=$US read -r error raw epochs train_seconds actual_epochs actual_limit model_type < <(
      fields '[.error, getpath($key | split(".")), .epochs_run, (.train_seconds_total // .train_seconds),
        (.config.train.epochs | tojson), (.config.data.train_limit | tojson), .config.model.type]' \
        --arg key "${key:-none}" "$run_path/summary.json")
    if [[ -n $error ]]; then
      value="failed: $error"
    elif [[ -z $raw ]]; then
      value="not run (no $key in summary.json)"
    else
      value=$(format_value "$raw" "$percent" "${decimals:-4}")
    fi
    seconds=$(format_seconds "$train_seconds")
    if [[ $model_type != pca && $actual_epochs != null && $expected_epochs != null &&
      $actual_epochs != "$expected_epochs" ]]; then
      if ((actual_epochs < expected_epochs)); then
        notes+=("reduced: $actual_epochs epochs instead of $expected_epochs")
      else
        notes+=("$actual_epochs epochs instead of $expected_epochs")
      fi
    fi
    if [[ $actual_limit != "$expected_limit" ]]; then
      notes+=("reduced: data.train_limit ${actual_limit/null/all} instead of ${expected_limit/null/all}")
    fi
  elif [[ $state == failed || -f $run_path/error.txt ]]; then
    [[ -n $point_error || ! -f $run_path/error.txt ]] || point_error=$(head -n 1 "$run_path/error.txt")
    value="failed: ${point_error:-no error recorded}"
  elif [[ $state == running || $state == interrupted ]]; then
    value="not run ($state)"
  else
    value="not run"
  fi
  [[ -z $note ]] || notes+=("$note")
  local joined="" part
  for part in ${notes[@]+"${notes[@]}"}; do joined+="${joined:+; }$part"; done
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(cell "$what")" \
    "$(cell "${published_value:-not reported}")" "$(cell "$value")" \
    "$(cell "${command:+\`$command\`}")" "$(cell "$epochs")" "$(cell "$seconds")" "$(cell "$joined")"
}

# One line per folder read: its sweep's point states.
folder_line() {
  local file=$1 folder
  folder=$(sweep_dir "$file")
  if [[ -f $folder/sweep.json ]]; then
    printf -- '- `%s`: `%s`, %s\n' "$file" "$folder" "$(jq -r '
      [.points[].state] | group_by(.) | map("\(length) \(.[0])") | join(", ")' "$folder/sweep.json")"
  else
    printf -- '- `%s`: `%s` (no sweep there)\n' "$file" "$folder"
  fi
}

# A seed's section heading: "Seed 000" for a report's number, the key itself otherwise.
heading() {
  if [[ $1 =~ ^[0-9]+$ ]]; then echo "Seed $1"; else echo "$1"; fi
}

# The table in $1 with the sections named (by heading, one per line, in table order) in
# $WANTED taken from the table in $2, and the paragraph $PARAGRAPH added to $1's header; a
# wanted section $1 lacks goes last. Sections are separated by one blank line, as write_table
# writes them. (The texts come through the environment: awk -v would expand backslashes.)
splice_sections() {
  awk '
    function trimmed(text) { sub(/\n+$/, "\n", text); return text }
    BEGIN { count = split(ENVIRON["WANTED"], list, "\n"); for (i = 1; i <= count; i++) take[list[i]] = 1 }
    FNR == 1 { file++; heading = "" }
    /^## / { heading = substr($0, 4) }
    file == 1 { if (!(heading in old)) order[++sections] = heading; old[heading] = old[heading] $0 "\n"; next }
    { new[heading] = new[heading] $0 "\n" }
    END {
      printf "%s\n%s", trimmed(old[""]), ENVIRON["PARAGRAPH"]
      for (i = 1; i <= sections; i++)
        if (order[i] != "") printf "\n%s", trimmed((order[i] in take) ? new[order[i]] : old[order[i]])
      for (i = 1; i <= count; i++)
        if (!(list[i] in old) && (list[i] in new)) printf "\n%s", trimmed(new[list[i]])
    }' "$1" "$2"
}

# The folders a table reads: one line per sweep file and run folder of this call.
folders_read() {
  local file
  for file in $sweep_files; do folder_line "$file"; done
  while IFS=$'\t' read -r run_folder _; do
    [[ -z $run_folder ]] || printf -- '- `%s`%s\n' "$(run_dir "$run_folder")" \
      "$([[ -f $(run_dir "$run_folder")/summary.json ]] || echo ' (no summary.json)')"
  done <<<"$run_entries"
}

write_table() {
  cat <<EOF
# Reproductions

Generated on $(date -u '+%Y-%m-%d %H:%M UTC') by

    bash scripts/reproductions.sh$shown_arguments

Do not edit: run the script again. The published values are typed in \`$published\`, with
where each comes from in its report; every aebench value is read from the \`summary.json\` of
the run that the command beside it produces (the sweep point named in \`$published\`, in the
sweep's folder). "not run": no \`summary.json\` there yet; "failed": the point's error from
\`sweep.json\` or its \`error.txt\`; "no sweep point": no sweep file covers that number yet.
Epochs: \`epochs_run\`; wall time: \`train_seconds_total\` (the training loop's epochs, validation
included, summed over every session of a resumed run; \`train_seconds\` in older runs).
A run whose resolved config has fewer epochs or training images than its sweep file gives it
is marked "reduced".

Folders read:

EOF
  folders_read

  local seed
  for seed in $seeds; do
    printf '\n## %s\n\n%s\n\n' "$(heading "$seed")" "$(jq -r --arg s "$seed" '.seeds[$s]' "$published")"
    echo '| what | published | aebench | command | epochs | wall time | note |'
    echo '|---|---|---|---|---|---|---|'
    while IFS= read -r entry; do
      row "$entry"
    done < <(fields '.entries[] | select(.seed == $s) | [.what, .published, .key, .percent,
      .decimals, .note, .sweep, .point, .run, .config]' --arg s "$seed" "$published")
    local omitted
    omitted=$(jq -r --arg s "$seed" '.omitted[$s] // empty' "$published")
    [[ -z $omitted ]] || printf '\nNot in this table: %s.\n' "$omitted"
  done
}

mkdir -p "$(dirname "$out")"
temporary=$(mktemp "$out.XXXXXX")
trap 'rm -f "$temporary"' EXIT
if ((${#only[@]} == 0)); then
  write_table >"$temporary"
else
  fresh=$(mktemp)
  trap 'rm -f "$temporary" "$fresh"' EXIT
  write_table >"$fresh"
  headings=$(for seed in $seeds; do heading "$seed"; done)
  WANTED=$headings PARAGRAPH="Then on $(date -u '+%Y-%m-%d %H:%M UTC') \
these sections were generated again, the others kept: ${headings//$'\n'/, }, by

    bash scripts/reproductions.sh$shown_arguments

reading:

$(folders_read)
" splice_sections "$out" "$fresh" >"$temporary"
  rm -f "$fresh"
fi
chmod 644 "$temporary"
mv "$temporary" "$out"
trap - EXIT
echo "$out"
