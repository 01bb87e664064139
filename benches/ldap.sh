#!/usr/bin/env bash
# Benchmark 9 of BENCHMARKS.md: the LDAP backend on Debian's slapd, a server of its own on 127.0.0.1 in a
# temporary folder: the plain inetOrgPerson profile with the ppolicy overlay, or with PROFILE=mailuser the
# mailUser profile on the test's stand-in of iRedMail's schema (tests/fixtures/ldap/mailuser.schema):
#   (a) mailops applying N new accounts into an empty base (SHA512-CRYPT, 5 000 rounds), 4 at a time;
#   (b) a no-op reconcile of the N: the operations slapd logged for it (loglevel stats: SRCH, ADD, MOD, …).
# Usage: [PROFILE=inetorgperson|mailuser] benches/ldap.sh [N=500] [RUNS=3]. Prints a Markdown table. Needs
# slapd and ldap-utils.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}
RUNS=${2:-3}
PROFILE=${PROFILE:-inetorgperson}
cargo build --release --quiet
MAILOPS=$PWD/target/release/mailops
WORK=$(mktemp -d)
PASSWORD=bench-admin-password
SUFFIX=dc=mailops,dc=bench
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/db"
cat > "$WORK/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
$(if [ "$PROFILE" = mailuser ]; then
  echo "include /etc/ldap/schema/nis.schema"
  echo "include $PWD/tests/fixtures/ldap/mailuser.schema"
fi)
pidfile $WORK/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
database mdb
suffix "$SUFFIX"
rootdn "cn=admin,$SUFFIX"
rootpw $PASSWORD
directory $WORK/db
maxsize 1073741824
index objectClass eq
index mail eq
index uid eq
overlay ppolicy
CONF
/usr/sbin/slapd -d 256 -f "$WORK/slapd.conf" -h "ldap://127.0.0.1:$PORT/" 2>"$WORK/slapd.log" &
SLAPD=$!
trap 'kill $SLAPD 2>/dev/null; wait $SLAPD 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do ldapsearch -x -H "ldap://127.0.0.1:$PORT" -b "" -s base >/dev/null 2>&1 && break; sleep 0.1; done
ldap() { "$@" -x -H "ldap://127.0.0.1:$PORT" -D "cn=admin,$SUFFIX" -w "$PASSWORD"; }
printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: mailops\no: mailops\n' "$SUFFIX" | ldap ldapadd >/dev/null
export MAILOPS_TOKEN=$PASSWORD

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
# Operations (each `conn=C op=O VERB`, counted once although slapd logs a search on two lines) since OFFSET.
count_since() {
  tail -c +"$(( $2 + 1 ))" "$WORK/slapd.log" | { grep -oE "conn=[0-9]+ op=[0-9]+ $1 " || true; } | sort -u | wc -l
}

declare -a APPLY NOOP
for run in $(seq "$RUNS"); do
  domain=bench$run.test
  printf 'dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n' "$domain" "$SUFFIX" "$domain" | ldap ldapadd >/dev/null
  rm -rf "$WORK/repo" "$WORK/state"* "$WORK/credentials"
  python3 benches/support/people.py repo "$WORK/repo" "$domain" "$N"
  url="ldap://127.0.0.1:$PORT/?bind-dn=cn=admin,$SUFFIX&base-dn=ou={domain},$SUFFIX&profile=$PROFILE&mail-root=$WORK/vmail/vmail1"
  t=$(now)
  "$MAILOPS" apply "$WORK/repo" --server "$url" --state "$WORK/state.json" --credentials "$WORK/credentials" \
    --audit-log "$WORK/audit" --concurrency 4 --color never >"$WORK/apply.log" 2>&1 || { cat "$WORK/apply.log"; exit 1; }
  APPLY+=("$(since "$t")")
  grep -q "Apply: $N applied, 0 blocked, 0 failed." "$WORK/apply.log" || { tail "$WORK/apply.log"; exit 1; }
  before=$(stat -c %s "$WORK/slapd.log")
  t=$(now)
  "$MAILOPS" apply "$WORK/repo" --server "$url" --state "$WORK/state.json" --color never >"$WORK/noop.log" 2>&1
  NOOP+=("$(since "$t")")
  grep -q "No changes." "$WORK/noop.log" || { cat "$WORK/noop.log"; exit 1; }
  sleep 0.3
  OPS=$(count_since '(BIND|SRCH|ADD|MOD|MODRDN|DEL|EXT|UNBIND)' "$before")
  WRITES=$(count_since '(ADD|MOD|MODRDN|DEL)' "$before")
done
printf '| measure (%s accounts, profile %s, median of %s runs) | wall (each run) |\n|---|---:|\n' "$N" "$PROFILE" "$RUNS"
printf '| (a) `mailops apply`, `--concurrency 4` | %.2f s (%s) |\n' "$(printf '%s\n' "${APPLY[@]}" | median)" "$(printf '%.2f ' "${APPLY[@]}")"
printf '| (b) no-op reconcile | %.3f s (%s); %s operations, %s writes |\n' "$(printf '%s\n' "${NOOP[@]}" | median)" "$(printf '%.3f ' "${NOOP[@]}")" "$OPS" "$WRITES"
