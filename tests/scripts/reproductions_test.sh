#!/usr/bin/env bash
# scripts/reproductions.sh on a fake sweep folder (sweep.json and summary.json files written
# here, no aebench, no torch): each kind of row (a value, a percentage, a reduced run, a failed
# point, a point not run, a missing key, a number no sweep covers, a run folder) comes out as
# expected, and --run calls `aebench sweep` per sweep file with --set and --out and goes on
# after one fails (AEBENCH is a stub that records its arguments).
#
#   bash tests/scripts/reproductions_test.sh
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

# A base config, and a sweep file over it whose third point trains 15 epochs.
cat >"$work/base.json" <<'EOF'
{"name": "fake", "data": {"dataset": "mnist"}, "train": {"epochs": 20}}
EOF
cat >"$work/fake.json" <<EOF
{"base": "$work/base.json", "out": "runs/fake",
 "points": [{"model.latent": 2}, {"model.latent": 3}, {"train.epochs": 15}, {"model.latent": 4},
            {"model.latent": 5}, {"model.latent": 6}]}
EOF
cat >"$work/other.json" <<EOF
{"base": "$work/base.json", "points": [{"model.latent": 7}]}
EOF

# The folder of a reduced pass: `--set train.epochs=3 --out $work/runs/fake3`.
sweep=$work/runs/fake3
mkdir -p "$sweep"/{latent-2,latent-3,epochs-15,latent-4,latent-6}
cat >"$sweep/sweep.json" <<'EOF'
{"format_version": 1, "set": {"train.epochs": 3}, "points": [
  {"name": "latent-2", "overrides": {"model.latent": 2}, "state": "done", "error": ""},
  {"name": "latent-3", "overrides": {"model.latent": 3}, "state": "done", "error": ""},
  {"name": "epochs-15", "overrides": {"train.epochs": 15}, "state": "done", "error": ""},
  {"name": "latent-4", "overrides": {"model.latent": 4}, "state": "failed",
   "error": "training error: loss is NaN | epoch 2, batch 7"},
  {"name": "latent-5", "overrides": {"model.latent": 5}, "state": "pending", "error": ""},
  {"name": "latent-6", "overrides": {"model.latent": 6}, "state": "done", "error": ""}]}
EOF
summary() { # FOLDER EPOCHS TRAIN_LIMIT EXTRA_JSON
  cat >"$sweep/$1/summary.json" <<EOF
{"test": {"mse": 0.0123456, "psnr_db": 19.08}, "epochs_run": $2, "train_seconds": 75.4,
 "best_val_loss": 0.02 $4,
 "config": {"model": {"type": "dense"}, "train": {"epochs": $2}, "data": {"train_limit": $3}}}
EOF
}
summary latent-2 3 null ', "probe": {"mlp": {"test_accuracy": 0.97345}}'
summary latent-3 3 1000 ''
summary epochs-15 15 null ''
summary latent-6 3 null ', "error": "stopped: disk full"'

cat >"$work/published.json" <<EOF
{"seeds": {"900": "a fake report", "hinton2006": "a fake paper"},
 "omitted": {"900": "its figures"},
 "entries": [
  {"seed": "900", "what": "mse", "published": "0.0120", "sweep": "$work/fake.json", "point": "latent-2", "key": "test.mse", "decimals": 3, "note": "a note"},
  {"seed": "900", "what": "accuracy", "published": "97.00%", "sweep": "$work/fake.json", "point": "latent-2", "key": "probe.mlp.test_accuracy", "percent": true, "decimals": 2},
  {"seed": "900", "what": "no probe", "published": "97.00%", "sweep": "$work/fake.json", "point": "latent-3", "key": "probe.mlp.test_accuracy", "percent": true, "decimals": 2},
  {"seed": "900", "what": "own epochs", "published": null, "sweep": "$work/fake.json", "point": "epochs-15", "key": "best_val_loss"},
  {"seed": "900", "what": "failed", "published": "1", "sweep": "$work/fake.json", "point": "latent-4", "key": "test.mse"},
  {"seed": "900", "what": "pending", "published": "1", "sweep": "$work/fake.json", "point": "latent-5", "key": "test.mse"},
  {"seed": "900", "what": "error in summary", "published": "1", "sweep": "$work/fake.json", "point": "latent-6", "key": "test.mse"},
  {"seed": "900", "what": "other sweep", "published": "1", "sweep": "$work/other.json", "point": "latent-7", "key": "test.mse"},
  {"seed": "900", "what": "uncovered", "published": "0.5", "sweep": null, "point": null, "key": null, "note": "no sweep point: why"},
  {"seed": "hinton2006", "what": "pca", "published": "13.87", "run": "runs/pca30", "config": "$work/missing.json", "key": "test.sse_per_image", "decimals": 2}
 ]}
EOF

table=$work/reproductions.md
bash "$repo/scripts/reproductions.sh" --published "$work/published.json" --out "$table" \
  --sweep-dir "$work/fake.json=$sweep" "$work/runs" >/dev/null

expect_row() {
  grep -qxF -- "$1" "$table" || { cat "$table" >&2; fail "no row: $1"; }
}
command="\`aebench sweep $work/fake.json --set train.epochs=3 --out $sweep\`"
expect_row "| mse | 0.0120 | 0.012 | $command | 3 | 1 min 15 s | reduced: 3 epochs instead of 20; a note |"
expect_row "| accuracy | 97.00% | 97.35% | $command | 3 | 1 min 15 s | reduced: 3 epochs instead of 20 |"
expect_row "| no probe | 97.00% | not run (no probe.mlp.test_accuracy in summary.json) | $command | 3 | 1 min 15 s | reduced: 3 epochs instead of 20; reduced: data.train_limit 1000 instead of all |"
expect_row "| own epochs | not reported | 0.0200 | $command | 15 | 1 min 15 s |  |"
expect_row "| failed | 1 | failed: training error: loss is NaN \\| epoch 2, batch 7 | $command |  |  |  |"
expect_row "| pending | 1 | not run | $command |  |  |  |"
expect_row "| error in summary | 1 | failed: stopped: disk full | $command | 3 | 1 min 15 s | reduced: 3 epochs instead of 20 |"
expect_row "| other sweep | 1 | not run | \`aebench sweep $work/other.json --out $work/runs/other\` |  |  |  |"
expect_row "| uncovered | 0.5 | no sweep point |  |  |  | no sweep point: why |"
expect_row "| pca | 13.87 | not run | \`aebench train $work/missing.json --out $work/runs/pca30\` |  |  | $work/missing.json is not in the repository yet |"
grep -q '^## Seed 900$' "$table" || fail "no heading for seed 900"
grep -q '^## hinton2006$' "$table" || fail "no heading for hinton2006"
grep -qx 'Not in this table: its figures.' "$table" || fail "no line for what seed 900 omits"
grep -qF "bash scripts/reproductions.sh --published" "$table" || fail "the header does not name the command"

# --run: each sweep file once, with --set and --out, going on after a failing one.
cat >"$work/aebench" <<EOF
#!/usr/bin/env bash
echo "\$*" >>"$work/calls.txt"
[[ \$2 != "$work/fake.json" ]] || exit 6
EOF
chmod +x "$work/aebench"
AEBENCH=$work/aebench bash "$repo/scripts/reproductions.sh" --run --set train.epochs=3 \
  --published "$work/published.json" --out "$table" --sweep-dir "$work/fake.json=$sweep" \
  "$work/runs" >/dev/null 2>"$work/stderr.txt"
expected_calls="sweep $work/fake.json --set train.epochs=3 --out $sweep
sweep $work/other.json --set train.epochs=3 --out $work/runs/other"
[[ $(cat "$work/calls.txt") == "$expected_calls" ]] ||
  fail "--run called: $(cat "$work/calls.txt"), expected: $expected_calls"
grep -qF "exit 6 from" "$work/stderr.txt" || fail "--run did not report the failing sweep"
grep -qF "no config" "$work/stderr.txt" || fail "--run did not report the missing config"
expect_row "| mse | 0.0120 | 0.012 | $command | 3 | 1 min 15 s | reduced: 3 epochs instead of 20; a note |"
# --only: that section from the folders as they are now, every other section kept as it was
# (here seed 900's point latent-2 has lost its summary.json since, and still shows its value).
table_before=$(cat "$table")
rm "$sweep/latent-2/summary.json"
mkdir -p "$work/runs/pca30"
echo '{"test": {"sse_per_image": 13.866}, "epochs_run": 1, "train_seconds_total": 4.9,
       "config": {"model": {"type": "pca"}, "train": {"epochs": 1}, "data": {"train_limit": null}}}' \
  >"$work/runs/pca30/summary.json"
bash "$repo/scripts/reproductions.sh" --only hinton2006 --published "$work/published.json" \
  --out "$table" --sweep-dir "$work/fake.json=$sweep" "$work/runs" >/dev/null
expect_row "| mse | 0.0120 | 0.012 | $command | 3 | 1 min 15 s | reduced: 3 epochs instead of 20; a note |"
expect_row "| pca | 13.87 | 13.87 | \`aebench train $work/missing.json --out $work/runs/pca30\` | 1 | 4.9 s | $work/missing.json is not in the repository yet |"
grep -qF "these sections were generated again, the others kept: hinton2006, by" "$table" ||
  fail "the header does not say which section --only rewrote"
grep -qF "bash scripts/reproductions.sh --only hinton2006 --published" "$table" ||
  fail "the header does not name the --only command"
[[ $(grep -c '^## ' "$table") == 2 ]] || fail "--only changed the number of sections"
[[ $(diff <(echo "$table_before") "$table" | grep -c '^[<>] |') == 2 ]] ||
  fail "--only changed rows outside its section: $(diff <(echo "$table_before") "$table")"
# A section that is not the last one: the next heading keeps its blank line before it.
bash "$repo/scripts/reproductions.sh" --only 900 --published "$work/published.json" \
  --out "$table" --sweep-dir "$work/fake.json=$sweep" "$work/runs" >/dev/null
grep -B1 '^## hinton2006$' "$table" | head -n 1 | grep -qx '' ||
  fail "--only 900 left no blank line before the next section"
# A table without the header keeps every section; an empty one is refused.
sed -n '/^## Seed 900/,$p' "$table" >"$work/headless.md"
bash "$repo/scripts/reproductions.sh" --only hinton2006 --published "$work/published.json" \
  --out "$work/headless.md" --sweep-dir "$work/fake.json=$sweep" "$work/runs" >/dev/null
grep -q '^## Seed 900$' "$work/headless.md" || fail "--only dropped the first section of a headless table"
: >"$work/empty.md"
bash "$repo/scripts/reproductions.sh" --only hinton2006 --published "$work/published.json" \
  --out "$work/empty.md" 2>"$work/stderr.txt" && fail "--only accepted a table without sections"
grep -qF "has none" "$work/stderr.txt" || fail "--only refused an empty table without saying why"
bash "$repo/scripts/reproductions.sh" --only 901 --published "$work/published.json" \
  --out "$table" 2>"$work/stderr.txt" && fail "--only accepted a seed the published file lacks"
grep -qF -- "--only 901" "$work/stderr.txt" || fail "--only 901 was refused without naming it"
echo "reproductions_test: ok"
