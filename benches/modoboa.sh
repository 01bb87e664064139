#!/usr/bin/env bash
# Benchmark 7 of BENCHMARKS.md, against one real Modoboa 2.12.0 (tests/support/modoboa.sh: SQLite with
# IMMEDIATE transactions, 3 gunicorn workers, throttles raised, SHA512-CRYPT with Modoboa's default 70 000
# rounds) and the embedded maildir backend:
#   (a) mailops applying 500 new accounts, against Modoboa's own bulk import of the same 500
#       (`manage.py modo import --crypt-passwords`, one transaction), each into an empty domain;
#   (b) a no-op reconcile of the 500: HTTP requests made (from gunicorn's access log) and wall time;
#   (c) the same 500 on the maildir backend: first apply, then a no-op.
# Usage: benches/modoboa.sh [N=500] [RUNS=3]. Prints a Markdown table. Needs what tests/run.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}
RUNS=${2:-3}

./tests/support/modoboa.sh up >/dev/null
# shellcheck source=/dev/null
source target/modoboa/env.sh
cargo build --release --quiet
MAILOPS=$PWD/target/release/mailops
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
api() { # METHOD PATH [JSON]
  curl -sf -X "$1" "$MODOBOA_URL/api/v2/$2" -H "Authorization: Token $MODOBOA_TOKEN" \
    -H 'Content-Type: application/json' ${3:+--data-binary "$3"}
}
# An empty domain: its accounts deleted first (deleting a domain leaves them behind), then re-created.
fresh_domain() {
  local ids pk
  ids=$(api GET "accounts/?search=@$1&page_size=100000" |
    python3 -c "import json,sys; print(json.dumps([a['pk'] for a in json.load(sys.stdin)['results'] if a['username'].endswith('@$1')]))")
  [ "$ids" != "[]" ] && api POST accounts/bulk_delete/ "{\"ids\":$ids,\"keepdir\":true}" >/dev/null
  pk=$(api GET "domains/?page_size=1000" |
    python3 -c "import json,sys; print(next((d['pk'] for d in json.load(sys.stdin)['results'] if d['name']=='$1'), ''))")
  [ -n "$pk" ] && api POST "domains/$pk/delete/" '{"keep_folder":true}' >/dev/null
  api POST domains/ "{\"name\":\"$1\",\"quota\":0,\"default_mailbox_quota\":0,\"enabled\":true,\"type\":\"domain\"}" >/dev/null
}

# The same N people for both, from one list: Vietnamese names, a 2 GiB quota, addresses u0001… (explicit, with
# a reason). `people repo DIR DOMAIN` writes a staff repository; `people csv FILE DOMAIN` Modoboa's import file.
people() { # repo|csv TARGET DOMAIN
  python3 benches/support/people.py "$1" "$2" "$3" "$N"
}

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
ours() { grep -c 'mailops/' "$MODOBOA_RUN/access.log" || true; }
ours_writes() { grep 'mailops/' "$MODOBOA_RUN/access.log" | grep -cE '"(POST|PATCH|PUT|DELETE) ' || true; }

export MAILOPS_TOKEN=$MODOBOA_TOKEN
declare -a APPLY IMPORT NOOP MD_APPLY MD_NOOP
for run in $(seq "$RUNS"); do
  # (a) mailops
  fresh_domain bench-mailops.test
  rm -rf "$WORK/repo" "$WORK/state"*
  people repo "$WORK/repo" bench-mailops.test
  t=$(now)
  "$MAILOPS" apply "$WORK/repo" --server "modoboa+$MODOBOA_URL?requests-per-second=0" \
    --state "$WORK/state.json" --credentials "$WORK/credentials" --audit-log "$WORK/audit" \
    --concurrency 4 --color never >"$WORK/apply.log" 2>&1 || { cat "$WORK/apply.log"; exit 1; }
  APPLY+=("$(since "$t")")
  grep -q "Apply: $N applied, 0 blocked, 0 failed." "$WORK/apply.log" || { tail "$WORK/apply.log"; exit 1; }
  # (b) no-op, with the requests counted
  before=$(ours); before_w=$(ours_writes)
  t=$(now)
  "$MAILOPS" apply "$WORK/repo" --server "modoboa+$MODOBOA_URL?requests-per-second=0" \
    --state "$WORK/state.json" --color never >"$WORK/noop.log" 2>&1
  NOOP+=("$(since "$t")")
  grep -q "No changes." "$WORK/noop.log" || { cat "$WORK/noop.log"; exit 1; }
  REQUESTS=$(( $(ours) - before )); WRITES=$(( $(ours_writes) - before_w ))
  # (a) Modoboa's import of the same people into another empty domain
  fresh_domain bench-import.test
  people csv "$WORK/import.csv" bench-import.test
  t=$(now)
  (cd "$(dirname "${MODOBOA_MANAGE#* }")" && ${MODOBOA_MANAGE} modo import --crypt-passwords "$WORK/import.csv" >/dev/null 2>&1)
  IMPORT+=("$(since "$t")")
  count=$(api GET "accounts/?search=@bench-import.test&page_size=1" | python3 -c "import json,sys; print(json.load(sys.stdin)['count'])")
  [ "$count" = "$N" ] || { echo "import created $count accounts, not $N" >&2; exit 1; }
  # (c) maildir
  rm -rf "$WORK/mail"
  t=$(now)
  "$MAILOPS" apply "$WORK/repo" --server "maildir:$WORK/mail" --color never >/dev/null
  MD_APPLY+=("$(since "$t")")
  t=$(now)
  "$MAILOPS" apply "$WORK/repo" --server "maildir:$WORK/mail" --color never | grep -q "No changes."
  MD_NOOP+=("$(since "$t")")
done

pages=$(( (N + 999) / 1000 ))
printf '| measure (%s accounts, median of %s runs) | wall |\n|---|---:|\n' "$N" "$RUNS"
printf '| (a) mailops apply, Modoboa API, 4 at a time | %.1f s |\n' "$(printf '%s\n' "${APPLY[@]}" | median)"
printf '| (a) modo import --crypt-passwords | %.1f s |\n' "$(printf '%s\n' "${IMPORT[@]}" | median)"
printf '| (b) no-op reconcile, Modoboa: %s requests (%s writes; expected 1 domain page + %s account page(s)) | %.2f s |\n' \
  "$REQUESTS" "$WRITES" "$pages" "$(printf '%s\n' "${NOOP[@]}" | median)"
printf '| (c) mailops apply, maildir | %.2f s |\n' "$(printf '%s\n' "${MD_APPLY[@]}" | median)"
printf '| (c) no-op reconcile, maildir | %.3f s |\n' "$(printf '%s\n' "${MD_NOOP[@]}" | median)"
echo "runs: apply ${APPLY[*]} | import ${IMPORT[*]} | noop ${NOOP[*]} | maildir ${MD_APPLY[*]} / ${MD_NOOP[*]}"
