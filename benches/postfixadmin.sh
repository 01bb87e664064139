#!/usr/bin/env bash
# Benchmark 8 of BENCHMARKS.md: the PostfixAdmin backend on PostfixAdmin 3.3's own schema, on PostgreSQL and on
# MariaDB (tests/support/postfixadmin.sh: each a server of its own on 127.0.0.1):
#   (a) mailops applying N new accounts into an empty domain (SHA512-CRYPT, 5 000 rounds, one transaction each);
#   (b) a no-op reconcile of the N: the statements the database ran for it, the writes among them, wall time.
# Statements are counted from the server's own log: PostgreSQL's with log_statement=all set for the postfix role
# during (b), MariaDB's general log (each Execute and Query line).
# Usage: benches/postfixadmin.sh [N=500] [RUNS=3]. Prints a Markdown table. Needs what tests/run.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}
RUNS=${2:-3}

./tests/support/postfixadmin.sh up >/dev/null
# shellcheck source=/dev/null
source target/postfixadmin/env.sh
cargo build --release --quiet
MAILOPS=$PWD/target/release/mailops
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; ./tests/support/postfixadmin.sh sql "alter role postfix reset log_statement" >/dev/null' EXIT
export MAILOPS_TOKEN=$POSTFIXADMIN_PASSWORD
pfa() { ./tests/support/postfixadmin.sh "$@"; }

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
size() { stat -c %s "$1"; }
# Lines of LOG added since byte OFFSET that match a pattern.
count_since() { tail -c +"$(( $2 + 1 ))" "$1" | grep -cE "$3" || true; }

# One database: DB is pg or mysql.
bench() {
  local db=$1 url cli sql log domain=bench-$1.test
  if [ "$db" = pg ]; then
    url=$POSTFIXADMIN_URL cli=cli sql=sql log=$POSTFIXADMIN_PG_LOG
  else
    url=$POSTFIXADMIN_MYSQL_URL cli=cli-mysql sql=sql-mysql log=$POSTFIXADMIN_MYSQL_LOG
  fi
  local -a apply noop
  for run in $(seq "$RUNS"); do
    for t in alias mailbox domain; do pfa "$sql" "delete from $t where domain = '$domain'" >/dev/null; done
    pfa "$cli" domain add "$domain" --aliases 0 --mailboxes 0 >/dev/null
    rm -rf "$WORK/repo" "$WORK/state"* "$WORK/credentials"
    python3 benches/support/people.py repo "$WORK/repo" "$domain" "$N"
    t=$(now)
    "$MAILOPS" apply "$WORK/repo" --server "$url" --state "$WORK/state.json" --credentials "$WORK/credentials" \
      --audit-log "$WORK/audit" --concurrency 4 --color never >"$WORK/apply.log" 2>&1 || { cat "$WORK/apply.log"; exit 1; }
    apply+=("$(since "$t")")
    grep -q "Apply: $N applied, 0 blocked, 0 failed." "$WORK/apply.log" || { tail "$WORK/apply.log"; exit 1; }
    [ "$db" = pg ] && pfa sql "alter role postfix set log_statement = 'all'" >/dev/null
    before=$(size "$log")
    t=$(now)
    "$MAILOPS" apply "$WORK/repo" --server "$url" --state "$WORK/state.json" --color never >"$WORK/noop.log" 2>&1
    noop+=("$(since "$t")")
    sleep 0.5 # the server's log is written after the statement
    if [ "$db" = pg ]; then
      STATEMENTS=$(count_since "$log" "$before" 'LOG:  (statement|execute [^:]*):')
      WRITES=$(count_since "$log" "$before" 'LOG:  (statement|execute [^:]*): (INSERT|UPDATE|DELETE)')
      pfa sql "alter role postfix reset log_statement" >/dev/null
    else
      STATEMENTS=$(count_since "$log" "$before" $' (Execute|Query)\t')
      WRITES=$(count_since "$log" "$before" $' (Execute|Query)\t(INSERT|UPDATE|DELETE)')
    fi
    grep -q "No changes." "$WORK/noop.log" || { cat "$WORK/noop.log"; exit 1; }
  done
  printf '| %s: (a) `mailops apply`, %s accounts, `--concurrency 4` | %.2f s (%s) |\n' "$db" "$N" \
    "$(printf '%s\n' "${apply[@]}" | median)" "$(printf '%.2f ' "${apply[@]}")"
  printf '| %s: (b) no-op reconcile | %.3f s (%s); %s statements, %s writes |\n' "$db" \
    "$(printf '%s\n' "${noop[@]}" | median)" "$(printf '%.3f ' "${noop[@]}")" "$STATEMENTS" "$WRITES"
}

printf '| measure (median of %s runs) | wall (each run); statements |\n|---|---:|\n' "$RUNS"
bench pg
bench mysql
