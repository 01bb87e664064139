#!/usr/bin/env bash
# A throw-away PostfixAdmin 3.3 schema on PostgreSQL for the postfixadmin backend's tests (issue 15), made the
# way shared/reference/postfixadmin.md checked it: Debian's PostgreSQL in a cluster of its own on 127.0.0.1
# (every INSERT/UPDATE/DELETE logged, so a test can count writes), and the schema created by PostfixAdmin
# itself (Debian's package, unpacked under target/, its upgrade.php run with PHP's CLI).
#
#   tests/support/postfixadmin.sh up     install if needed, create if needed, start; writes target/postfixadmin/env.sh
#   tests/support/postfixadmin.sh down   stops the cluster `up` started
#   tests/support/postfixadmin.sh cli …  runs postfixadmin-cli.php (e.g. `cli mailbox view ADDRESS`)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BASE=${POSTFIXADMIN_BASE:-$ROOT/target/postfixadmin}
PORT=${POSTFIXADMIN_PG_PORT:-15433}
PG=$BASE/pg
APP=$BASE/app
# A test credential for a throw-away database on 127.0.0.1, never a real secret.
PASSWORD=${POSTFIXADMIN_TEST_PASSWORD:-postfix-test-password}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

log() { printf '[postfixadmin %(%H:%M:%S)T] %s\n' -1 "$*"; }
as_postgres() { su postgres -s /bin/sh -c "$*"; }

case "${1:-up}" in
  down)
    if [ -f "$PG/postmaster.pid" ]; then as_postgres "$PGBIN/pg_ctl -D $PG -m fast stop" >/dev/null; fi
    exit 0 ;;
  cli)
    shift
    cd "$APP" && exec php scripts/postfixadmin-cli.php "$@" ;;
  up) ;;
  *) echo "usage: $0 up|down|cli …" >&2; exit 2 ;;
esac

start=$(date +%s)
need=()
for pkg in postgresql php-cli php-pgsql; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "error: installing ${need[*]} needs root" >&2; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
mkdir -p "$BASE"

# 1. The cluster (initdb refuses to run as root: it runs as postgres, in a folder postgres owns).
if [ ! -f "$PG/PG_VERSION" ]; then
  mkdir -p "$PG" && chown postgres "$PG" && chmod 700 "$PG"
  as_postgres "$PGBIN/initdb -D $PG -A trust -U postgres" >/dev/null
fi
if ! as_postgres "$PGBIN/pg_ctl -D $PG status" >/dev/null 2>&1; then
  as_postgres "$PGBIN/pg_ctl -D $PG -l $PG/server.log -w -o '-p $PORT -k $PG -c listen_addresses=127.0.0.1 -c log_statement=mod' start" >/dev/null
fi
psql=(psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1)
if [ -z "$("${psql[@]}" -tAc "select 1 from pg_roles where rolname = 'postfix'")" ]; then
  "${psql[@]}" -c "create role postfix login password '$PASSWORD'"
  "${psql[@]}" -c "create database postfix owner postfix"
fi

# 2. PostfixAdmin's own code, unpacked from Debian's package, configured for this database.
if [ ! -f "$APP/public/upgrade.php" ]; then
  work=$(mktemp -d) && chmod 755 "$work" && chown _apt "$work" 2>/dev/null || true
  (cd "$work" && apt-get download postfixadmin >/dev/null && dpkg-deb -x postfixadmin_*.deb root)
  rm -rf "$APP" && cp -r "$work/root/usr/share/postfixadmin" "$APP"
  rm -f "$APP/config.inc.php" "$APP/config.local.php"
  sed -e "s|^require_once('dbconfig.inc.php');|// Debian's dbconfig-common file does not exist here.|" \
      -e "s|^\$CONF\['database_type'\] = \$dbtype;|\$CONF['database_type'] = 'pgsql';|" \
      -e "s|^\$CONF\['database_host'\] = \$dbserver;|\$CONF['database_host'] = '127.0.0.1'; \$CONF['database_port'] = '$PORT';|" \
      -e "s|^\$CONF\['database_user'\] = \$dbuser;|\$CONF['database_user'] = 'postfix';|" \
      -e "s|^\$CONF\['database_password'\] = \$dbpass;|\$CONF['database_password'] = '$PASSWORD';|" \
      -e "s|^\$CONF\['database_name'\] = \$dbname;|\$CONF['database_name'] = 'postfix';|" \
      "$work/root/etc/postfixadmin/config.inc.php" > "$APP/config.inc.php"
  # Without the first line every domain is refused ("not discoverable in DNS"): there is no DNS here.
  printf "<?php\n\$CONF['emailcheck_resolve_domain'] = 'NO';\n\$CONF['encrypt'] = 'dovecot:SHA512-CRYPT';\n\$CONF['dovecotpw'] = '/usr/bin/doveadm pw';\n" > "$APP/config.local.php"
  rm -rf "$work"
fi
# 3. The schema, by PostfixAdmin (idempotent: it records its version in `config`).
# Its output, and the notices it prints for steps already done ("plpgsql already exists"), go to a log.
(cd "$APP/public" && php upgrade.php >"$BASE/upgrade.log" 2>&1)
version=$("${psql[@]}" -d postfix -tAc "select value from config where name = 'version'")
cat > "$BASE/env.sh" <<ENV
POSTFIXADMIN_URL=postfixadmin+postgres://postfix@127.0.0.1:$PORT/postfix
POSTFIXADMIN_PASSWORD=$PASSWORD
POSTFIXADMIN_CLI="$0 cli"
POSTFIXADMIN_PG_LOG=$PG/server.log
ENV
log "PostfixAdmin schema version $version on PostgreSQL 127.0.0.1:$PORT in $(( $(date +%s) - start )) s"
