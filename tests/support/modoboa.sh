#!/usr/bin/env bash
# A throw-away Modoboa 2.12.0 (admin REST API v2 only) for the modoboa backend's tests and benchmark,
# adapted from shared/reference/modoboa/recipe.sh: Debian's Redis on 127.0.0.1, a venv under target/,
# SQLite, a fixed admin token. No Postfix or Dovecot: Modoboa never touches mail on disk here
# (handle_mailboxes stays off).
#
#   tests/support/modoboa.sh up     install if needed, deploy if needed, start; writes target/modoboa/env.sh
#   tests/support/modoboa.sh down   stops what `up` started (by pid file, never by name)
#
# Two API servers share one database:
#   MODOBOA_URL        throttles raised (the reference's overrides), for lifecycle tests and benchmarks;
#   MODOBOA_STOCK_URL  Modoboa's stock DRF throttling (5 writes/s per view, 300 requests/min), to prove the
#                      client's HTTP 429 / Retry-After handling against the real thing.
# Their gunicorn access logs (run/access.log, run/access-stock.log) let a test count the requests made.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BASE=${MODOBOA_BASE:-$ROOT/target/modoboa}
VENV=$BASE/venv
PORT=${MODOBOA_PORT:-18080}
STOCK_PORT=${MODOBOA_STOCK_PORT:-18081}
REDIS_PORT=${MODOBOA_REDIS_PORT:-16390}
WORKERS=${MODOBOA_WORKERS:-3}
# Fixed token: a test credential for a throw-away instance on 127.0.0.1, never a real secret.
TOKEN=${MODOBOA_TEST_TOKEN:-0123456789abcdef0123456789abcdef01234567}
# SHA512-CRYPT rounds (Modoboa's default is 70000; the benchmark states the setting it used).
ROUNDS=${MODOBOA_ROUNDS:-70000}
INST=$BASE/instance
RUN=$BASE/run

log() { printf '[modoboa %(%H:%M:%S)T] %s\n' -1 "$*"; }

down() {
  for p in gunicorn gunicorn-stock redis; do
    if [ -f "$RUN/$p.pid" ]; then
      pid=$(cat "$RUN/$p.pid")
      if kill -0 "$pid" 2>/dev/null; then kill "$pid"; fi
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      rm -f "$RUN/$p.pid"
    fi
  done
}

case "${1:-up}" in
  down) down; exit 0 ;;
  up) ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac

start=$(date +%s)
mkdir -p "$BASE" "$RUN"

# 1. Debian packages: Redis (required by Modoboa: cache, throttling, queues) and what rrdtool-bindings
#    needs to build.
need=()
for pkg in python3-venv python3-dev build-essential pkg-config librrd-dev redis-server curl; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "error: installing ${need[*]} needs root; run as root or install them by hand" >&2
    exit 1
  fi
  log "apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. The venv under target/.
if ! "$VENV/bin/python" -c "import modoboa, gunicorn" 2>/dev/null; then
  log "pip install modoboa==2.12.0 gunicorn into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip wheel
  "$VENV/bin/pip" install -q "modoboa==2.12.0" gunicorn
fi

# 3. A private Redis on loopback, no persistence.
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize no \
    >"$RUN/redis.log" 2>&1 &
  echo $! >"$RUN/redis.pid"
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# 4. Deploy once (migrations, initial data), then the test overrides, the token and the parameters.
if [ ! -f "$INST/.mailops-ready" ]; then
  rm -rf "$INST" "$BASE"/db.sqlite3*
  log "deploy (SQLite $BASE/db.sqlite3)"
  ( cd "$BASE" && PATH="$VENV/bin:$PATH" "$VENV/bin/modoboa-admin.py" deploy instance \
      --dburl "default:sqlite:///$BASE/db.sqlite3" --redisurl "redis://127.0.0.1:$REDIS_PORT/0" \
      --domain localhost --lang en --timezone UTC >"$RUN/deploy.log" 2>&1 )
  # `deploy` exits 0 even when a step failed.
  if grep -q "failed, check your configuration" "$RUN/deploy.log"; then
    echo "error: Modoboa deploy failed, see $RUN/deploy.log" >&2
    exit 1
  fi
  cat >>"$INST/instance/settings.py" <<'PY'

# ======================= mailops test overrides ==========================
ALLOWED_HOSTS += ['127.0.0.1']
# Several gunicorn workers on SQLite: IMMEDIATE transactions serialise writers (no "database is locked").
DATABASES['default']['OPTIONS'] = {
    'transaction_mode': 'IMMEDIATE',
    'timeout': 30,
    'init_command': 'PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL',
}
# Modoboa's stock throttles, kept for settings_stock.py, then raised for this server.
STOCK_THROTTLE_RATES = dict(REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])
REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] = dict(STOCK_THROTTLE_RATES, **{
    'user': '1000000/minute', 'ddos': '100000/second', 'ddos_lesser': '1000000/minute',
})
# No local Dovecot: the schemes `doveadm pw -l` would list.
DOVECOT_SUPPORTED_SCHEMES = 'SHA512-CRYPT SHA256-CRYPT BLF-CRYPT MD5-CRYPT PLAIN'
LOGGING['disable_existing_loggers'] = False
LOGGING['handlers']['console'] = {'class': 'logging.StreamHandler', 'level': 'ERROR'}
LOGGING['loggers']['django']['handlers'] = ['console']
LOGGING['loggers']['modoboa.auth']['handlers'] = ['modoboa']
for _name in ('modoboa.dns', 'modoboa.policyd'):
    LOGGING['loggers'][_name]['handlers'] = ['console']
PY
  cat >"$INST/instance/settings_stock.py" <<'PY'
# The same instance with Modoboa's stock DRF throttling, and its own throttle history.
from .settings import *  # noqa: F401,F403
import copy
REST_FRAMEWORK = copy.deepcopy(REST_FRAMEWORK)
REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] = dict(STOCK_THROTTLE_RATES)
CACHES = copy.deepcopy(CACHES)
CACHES['default']['KEY_PREFIX'] = 'stock'
PY
  ( cd "$INST" && TOKEN="$TOKEN" ROUNDS="$ROUNDS" "$VENV/bin/python" manage.py shell -c '
import os
from rest_framework.authtoken.models import Token
from modoboa.core.models import User, LocalConfig
admin = User.objects.get(username="admin")
Token.objects.filter(user=admin).delete()
Token.objects.create(user=admin, key=os.environ["TOKEN"])
lc = LocalConfig.objects.first()
p = lc.parameters
p.set_value("enabled_pdfcredentials", False, app="pdfcredentials")
p.set_value("rounds_number", int(os.environ["ROUNDS"]), app="core")
for k in ("enable_api_communication", "check_new_versions", "send_statistics"):
    p.set_value(k, False, app="core")
p.set_value("handle_mailboxes", False, app="admin")
lc.save()
' >"$RUN/setup.log" 2>&1 ) || { cat "$RUN/setup.log" >&2; exit 1; }
  touch "$INST/.mailops-ready"
fi

# 5. The two API servers.
serve() { # name port settings-module
  local name=$1 port=$2 settings=$3
  if [ -f "$RUN/$name.pid" ] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then return; fi
  local ctl=""
  "$VENV/bin/gunicorn" --help 2>/dev/null | grep -q -- --no-control-socket && ctl="--no-control-socket"
  ( cd "$INST" && DJANGO_SETTINGS_MODULE=$settings exec "$VENV/bin/gunicorn" instance.wsgi:application \
      --bind "127.0.0.1:$port" --workers "$WORKERS" --timeout 120 $ctl \
      --access-logfile "$RUN/access${name#gunicorn}.log" --error-logfile "$RUN/$name.log" --capture-output \
  ) >>"$RUN/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
}
serve gunicorn "$PORT" instance.settings
serve gunicorn-stock "$STOCK_PORT" instance.settings_stock
for port in "$PORT" "$STOCK_PORT"; do
  for i in $(seq 150); do
    curl -sf -o /dev/null -H "Authorization: Token $TOKEN" "http://127.0.0.1:$port/api/v2/capabilities/" && break
    [ "$i" = 150 ] && { echo "error: Modoboa on port $port did not answer; see $RUN/" >&2; exit 1; }
    sleep 0.2
  done
done

cat >"$BASE/env.sh" <<ENV
export MODOBOA_URL=http://127.0.0.1:$PORT
export MODOBOA_STOCK_URL=http://127.0.0.1:$STOCK_PORT
export MODOBOA_TOKEN=$TOKEN
export MODOBOA_RUN=$RUN
export MODOBOA_MANAGE="$VENV/bin/python $INST/manage.py"
ENV
log "Modoboa 2.12.0 up on 127.0.0.1:$PORT (stock throttling on :$STOCK_PORT) in $(( $(date +%s) - start )) s"
