#!/usr/bin/env bash
# Benchmark 11 of BENCHMARKS.md (issue 16): a province's staff repository of N Mailbox files in 24 unit folders
# (benches/support/scale.py; N=100000 by default, generated once under target/bench-scale/), with the release
# binary:
#   (a) a bare PyYAML C-loader pass over the same files (parses, validates nothing): the peer;
#   (b) `mailops validate`;
#   (c) `mailops plan --server maildir:EMPTY` (N creations against an empty maildir folder);
#   (d) `mailops plan --base HEAD~1` of a 1% churn between two commits (no server).
# Wall time and peak RSS from /usr/bin/time, median of RUNS runs each. Usage: benches/scale.sh [N] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
RUNS=${2:-3}
cargo build --release --quiet
MAILOPS=$PWD/target/release/mailops
DATA=$PWD/target/bench-scale/$N
if [ ! -f "$DATA/.complete" ]; then
  rm -rf "$DATA" && mkdir -p "$DATA"
  python3 benches/support/scale.py "$DATA/repo" "$N"
  git -C "$DATA/repo" init -q -b main && git -C "$DATA/repo" add -A
  git -C "$DATA/repo" -c user.name=bench -c user.email=bench@localhost commit -qm base
  rm -rf "$DATA"/repo/unit-* && python3 benches/support/scale.py "$DATA/repo" "$N" changed
  git -C "$DATA/repo" add -A
  git -C "$DATA/repo" -c user.name=bench -c user.email=bench@localhost commit -qm churn
  git -C "$DATA/repo" checkout -q HEAD~1 && git -C "$DATA/repo" checkout -q -B base
  touch "$DATA/.complete"
fi
REPO=$DATA/repo
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
# measure NAME CMD...: RUNS runs; prints "wall_median rss_median_MiB (walls)".
measure() {
  local walls=() rsss=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %M' -o "$WORK/t" "$@" >"$WORK/out" 2>&1 || [ $? -eq 2 ] || { tail "$WORK/out"; exit 1; }
    read -r w m < <(tail -1 "$WORK/t"); walls+=("$w"); rsss+=("$m")
  done
  printf '%s %s (%s)' "$(printf '%s\n' "${walls[@]}" | median)" \
    "$(( $(printf '%s\n' "${rsss[@]}" | median) / 1024 ))" "$(printf '%s ' "${walls[@]}" | sed 's/ $//')"
}
row() { read -r w m rest <<<"$2"; printf '| %s | %.2f s %s | %s MiB |\n' "$1" "$w" "$rest" "$m"; }
files=$(find "$REPO" -name '*.yaml' | wc -l)
du=$(du -sm "$REPO" --exclude=.git | cut -f1)
printf '%s files, %s MB on disk (git checkout of the base revision)\n\n' "$files" "$du"
printf '| measure (%s mailboxes, median of %s) | wall (each run) | peak RSS |\n|---|---:|---:|\n' "$N" "$RUNS"
# SKIP_PEER=1 leaves the PyYAML pass out (its figure does not change with mailops).
[ -n "${SKIP_PEER:-}" ] || PY=$(measure python3 -c '
import os, sys, yaml
n = 0
for d, _, fs in os.walk(sys.argv[1]):
    if "/.git" in d: continue
    for f in fs:
        if f.endswith(".yaml"):
            with open(os.path.join(d, f), encoding="utf-8") as h:
                list(yaml.load_all(h, Loader=yaml.CLoader)); n += 1
print(n)' "$REPO")
[ -n "${SKIP_PEER:-}" ] || row "(a) PyYAML C loader, parse only" "$PY"
VAL=$(measure "$MAILOPS" validate "$REPO")
row "(b) \`mailops validate\`" "$VAL"
mkdir -p "$WORK/empty"
PLAN=$(measure "$MAILOPS" plan "$REPO" --server "maildir:$WORK/empty" --state "$WORK/state.json" --color never)
row "(c) \`mailops plan --server maildir:EMPTY\` ($N creations)" "$PLAN"
BASE=$(cd "$REPO" && measure "$MAILOPS" plan --base base --head main . --color never)
row "(d) \`mailops plan --base\` (1% churn)" "$BASE"
[ -n "${SKIP_PEER:-}" ] || printf '\nvalidate / PyYAML: %.2f\n' "$(echo "$(cut -d' ' -f1 <<<"$VAL") / $(cut -d' ' -f1 <<<"$PY")" | bc -l)"
