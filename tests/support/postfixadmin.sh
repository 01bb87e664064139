#!/usr/bin/env bash
# A throw-away PostfixAdmin 3.3 schema on PostgreSQL and on MariaDB for the postfixadmin backend's tests (issue 15), made the
# way shared/reference/postfixadmin.md checked it: Debian's PostgreSQL in a cluster of its own on 127.0.0.1
# (every INSERT/UPDATE/DELETE logged, so a test can count writes), and the schema created by PostfixAdmin
# itself (Debian's package, unpacked under target/, its upgrade.php run with PHP's CLI).
#
#   tests/support/postfixadmin.sh up           install if needed, create if needed, start; writes target/postfixadmin/env.sh
#   tests/support/postfixadmin.sh down         stops the servers `up` started
#   tests/support/postfixadmin.sh cli …        postfixadmin-cli.php on PostgreSQL (e.g. `cli mailbox view ADDRESS`)
#   tests/support/postfixadmin.sh cli-mysql …  the same on MariaDB
#   tests/support/postfixadmin.sh sql SQL       runs SQL on PostgreSQL's postfix database as its superuser
#   tests/support/postfixadmin.sh sql-mysql SQL the same on MariaDB (tests use these to look and to clean up)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BASE=${POSTFIXADMIN_BASE:-$ROOT/target/postfixadmin}
PORT=${POSTFIXADMIN_PG_PORT:-15433}
MYPORT=${POSTFIXADMIN_MYSQL_PORT:-13307}
PG=$BASE/pg
MY=$BASE/mariadb
APP=$BASE/app
MYAPP=$BASE/app-mysql
# A test credential for a throw-away database on 127.0.0.1, never a real secret.
PASSWORD=${POSTFIXADMIN_TEST_PASSWORD:-postfix-test-password}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

log() { printf '[postfixadmin %(%H:%M:%S)T] %s\n' -1 "$*"; }
as_postgres() { su postgres -s /bin/sh -c "$*"; }

case "${1:-up}" in
  down)
    if [ -f "$PG/postmaster.pid" ]; then as_postgres "$PGBIN/pg_ctl -D $PG -m fast stop" >/dev/null; fi
    if [ -f "$MY/mariadbd.pid" ]; then
      pid=$(cat "$MY/mariadbd.pid"); kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    exit 0 ;;
  cli)
    shift
    cd "$APP" && exec php scripts/postfixadmin-cli.php "$@" ;;
  cli-mysql)
    shift
    cd "$MYAPP" && exec php scripts/postfixadmin-cli.php "$@" ;;
  sql)
    exec psql -X -q -tA -h 127.0.0.1 -p "$PORT" -U postgres -d postfix -v ON_ERROR_STOP=1 -c "$2" ;;
  sql-mysql)
    exec mariadb --no-defaults -S "$MY/mariadbd.sock" -u root -N -B postfix -e "$2" ;;
  up) ;;
  *) echo "usage: $0 up|down|cli …" >&2; exit 2 ;;
esac

start=$(date +%s)
need=()
for pkg in postgresql php-cli php-pgsql mariadb-server php-mysql; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "error: installing ${need[*]} needs root" >&2; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
mkdir -p "$BASE"

# 0. A certificate authority of the test's own and a server certificate for 127.0.0.1 it signed, so that a
# test can connect with tls=verify-full&tls-ca=… (each server gets its own copy of the key, owned by it).
TLS=$BASE/tls
if [ ! -f "$TLS/server.crt" ]; then
  mkdir -p "$TLS"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=mailops test CA" \
    -keyout "$TLS/ca.key" -out "$TLS/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$TLS/server.key" -out "$TLS/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$TLS/ext.cnf"
  openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.crt" -CAkey "$TLS/ca.key" -CAcreateserial -days 3650 \
    -extfile "$TLS/ext.cnf" -out "$TLS/server.crt" 2>/dev/null
  chmod 644 "$TLS/ca.crt" "$TLS/server.crt"
fi
# key OWNER DIR: a copy of the server key only OWNER reads.
key() { install -m 600 -o "$1" "$TLS/server.key" "$2/server.key"; }

# 1. The cluster (initdb refuses to run as root: it runs as postgres, in a folder postgres owns).
if [ ! -f "$PG/PG_VERSION" ]; then
  mkdir -p "$PG" && chown postgres "$PG" && chmod 700 "$PG"
  as_postgres "$PGBIN/initdb -D $PG -A trust -U postgres" >/dev/null
fi
if ! as_postgres "$PGBIN/pg_ctl -D $PG status" >/dev/null 2>&1; then
  key postgres "$PG"
  as_postgres "$PGBIN/pg_ctl -D $PG -l $PG/server.log -w -o '-p $PORT -k $PG -c listen_addresses=127.0.0.1 -c log_statement=mod -c ssl=on -c ssl_cert_file=$TLS/server.crt -c ssl_key_file=$PG/server.key' start" >/dev/null
fi
psql=(psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1)
if [ -z "$("${psql[@]}" -tAc "select 1 from pg_roles where rolname = 'postfix'")" ]; then
  "${psql[@]}" -c "create role postfix login password '$PASSWORD'"
  "${psql[@]}" -c "create database postfix owner postfix"
fi

# 2. MariaDB, a server of its own: its data folder under target/, a socket there, TCP on 127.0.0.1 only,
# every statement in the general log (so a test can count writes).
if [ ! -d "$MY/mysql" ]; then
  mkdir -p "$MY" && chown mysql "$MY"
  mariadb-install-db --no-defaults --datadir="$MY" --user=mysql --auth-root-authentication-method=socket \
    --skip-test-db >"$BASE/mariadb-install.log" 2>&1
fi
mysock=$MY/mariadbd.sock
if ! { [ -f "$MY/mariadbd.pid" ] && kill -0 "$(cat "$MY/mariadbd.pid")" 2>/dev/null; }; then
  key mysql "$MY"
  setsid mariadbd --no-defaults --datadir="$MY" --user=mysql --socket="$mysock" --port="$MYPORT" \
    --ssl-cert="$TLS/server.crt" --ssl-key="$MY/server.key" --ssl-ca="$TLS/ca.crt" \
    --bind-address=127.0.0.1 --pid-file="$MY/mariadbd.pid" --log-error="$MY/error.log" \
    --general-log=1 --general-log-file="$MY/general.log" </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 300); do [ -S "$mysock" ] && break; sleep 0.1; done
  [ -S "$mysock" ] || { echo "error: MariaDB did not start; see $MY/error.log" >&2; tail -20 "$MY/error.log" >&2; exit 1; }
fi
mariadb --no-defaults -S "$mysock" -u root -e "create database if not exists postfix character set utf8mb4;
  create user if not exists 'postfix'@'127.0.0.1' identified by '$PASSWORD';
  grant all on postfix.* to 'postfix'@'127.0.0.1';"

# 3. PostfixAdmin's own code, unpacked from Debian's package, configured for each database.
if [ ! -f "$BASE/deb/usr/share/postfixadmin/public/upgrade.php" ]; then
  work=$(mktemp -d) && chmod 755 "$work" && chown _apt "$work" 2>/dev/null || true
  (cd "$work" && apt-get download postfixadmin >/dev/null && dpkg-deb -x postfixadmin_*.deb root)
  rm -rf "$BASE/deb" && mv "$work/root" "$BASE/deb" && rm -rf "$work"
fi
# configure DIR TYPE PORT: a copy of the code whose config.inc.php names this database.
configure() {
  local dir=$1 type=$2 port=$3
  [ -f "$dir/config.local.php" ] && return 0
  rm -rf "$dir" && cp -r "$BASE/deb/usr/share/postfixadmin" "$dir"
  rm -f "$dir/config.inc.php" "$dir/config.local.php"
  sed -e "s|^require_once('dbconfig.inc.php');|// Debian's dbconfig-common file does not exist here.|" \
      -e "s|^\$CONF\['database_type'\] = \$dbtype;|\$CONF['database_type'] = '$type';|" \
      -e "s|^\$CONF\['database_host'\] = \$dbserver;|\$CONF['database_host'] = '127.0.0.1'; \$CONF['database_port'] = '$port';|" \
      -e "s|^\$CONF\['database_user'\] = \$dbuser;|\$CONF['database_user'] = 'postfix';|" \
      -e "s|^\$CONF\['database_password'\] = \$dbpass;|\$CONF['database_password'] = '$PASSWORD';|" \
      -e "s|^\$CONF\['database_name'\] = \$dbname;|\$CONF['database_name'] = 'postfix';|" \
      "$BASE/deb/etc/postfixadmin/config.inc.php" > "$dir/config.inc.php"
  # Without the first line every domain is refused ("not discoverable in DNS"): there is no DNS here.
  printf "<?php\n\$CONF['emailcheck_resolve_domain'] = 'NO';\n\$CONF['encrypt'] = 'dovecot:SHA512-CRYPT';\n\$CONF['dovecotpw'] = '/usr/bin/doveadm pw';\n" > "$dir/config.local.php"
}
configure "$APP" pgsql "$PORT"
configure "$MYAPP" mysqli "$MYPORT"
# 4. The schema, by PostfixAdmin (idempotent: it records its version in `config`).
# Its output, and the notices it prints for steps already done ("plpgsql already exists"), go to a log.
(cd "$APP/public" && php upgrade.php >"$BASE/upgrade.log" 2>&1)
(cd "$MYAPP/public" && php upgrade.php >"$BASE/upgrade-mysql.log" 2>&1)
version=$("${psql[@]}" -d postfix -tAc "select value from config where name = 'version'")
cat > "$BASE/env.sh" <<ENV
POSTFIXADMIN_URL=postfixadmin+postgres://postfix@127.0.0.1:$PORT/postfix
POSTFIXADMIN_PASSWORD=$PASSWORD
POSTFIXADMIN_SCRIPT=$ROOT/tests/support/postfixadmin.sh
POSTFIXADMIN_PG_LOG=$PG/server.log
POSTFIXADMIN_MYSQL_URL=postfixadmin+mysql://postfix@127.0.0.1:$MYPORT/postfix
POSTFIXADMIN_MYSQL_LOG=$MY/general.log
POSTFIXADMIN_TLS_CA=$TLS/ca.crt
ENV
myversion=$(mariadb --no-defaults -S "$mysock" -u root -N -e "select value from postfix.config where name = 'version'")
log "PostfixAdmin schema version $version on PostgreSQL 127.0.0.1:$PORT and $myversion on MariaDB 127.0.0.1:$MYPORT in $(( $(date +%s) - start )) s"
