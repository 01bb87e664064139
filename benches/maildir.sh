#!/usr/bin/env bash
# Benchmark 10 of BENCHMARKS.md: creations on the embedded maildir backend as the account count grows
# (issue 16: linear, hashing on every core). For each N: a repository of N people (benches/support/people.py),
# `mailops apply` into an empty maildir folder (SHA512-CRYPT, 5 000 rounds), wall and CPU time and peak memory
# from /usr/bin/time, then a no-op. Prints a Markdown table and t(4N₀)/t(N₀) for the first and third sizes.
# Usage: [BENCH_DIR=/dev/shm] benches/maildir.sh [N...] (default 1000 2000 4000 10000): the folders go in
# BENCH_DIR (default /tmp; /dev/shm, a tmpfs, leaves out the file system's own cost). Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 2000 4000 10000)
cargo build --release --quiet
MAILOPS=$PWD/target/release/mailops
WORK=$(mktemp -d -p "${BENCH_DIR:-/tmp}")
trap 'rm -rf "$WORK"' EXIT
printf '| accounts | `apply` wall | user + sys CPU | peak RSS | no-op wall |\n|---:|---:|---:|---:|---:|\n'
declare -A WALL
for n in "${SIZES[@]}"; do
  python3 benches/support/people.py repo "$WORK/repo$n" bench.test "$n"
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$MAILOPS" apply "$WORK/repo$n" --server "maildir:$WORK/mail$n" \
    --state "$WORK/state$n.json" --credentials "$WORK/cred$n" --color never >"$WORK/apply.log" 2>&1 \
    || { tail "$WORK/apply.log"; exit 1; }
  grep -q "Apply: $n applied, 0 blocked, 0 failed." "$WORK/apply.log" || { tail "$WORK/apply.log"; exit 1; }
  read -r wall user sys rss <"$WORK/time"
  WALL[$n]=$wall
  /usr/bin/time -f '%e' -o "$WORK/noop" "$MAILOPS" apply "$WORK/repo$n" --server "maildir:$WORK/mail$n" \
    --state "$WORK/state$n.json" --color never >"$WORK/noop.log" 2>&1
  grep -q "No changes." "$WORK/noop.log" || { cat "$WORK/noop.log"; exit 1; }
  printf '| %s | %.2f s | %.1f + %.1f s | %d MiB | %.3f s |\n' "$n" "$wall" "$user" "$sys" "$((rss / 1024))" "$(cat "$WORK/noop")"
  rm -rf "$WORK/mail$n" "$WORK/repo$n"
done
if [ ${#SIZES[@]} -ge 3 ]; then
  printf '\nt(%s)/t(%s) = %.2f\n' "${SIZES[2]}" "${SIZES[0]}" "$(echo "${WALL[${SIZES[2]}]} / ${WALL[${SIZES[0]}]}" | bc -l)"
fi
