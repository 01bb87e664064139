#!/usr/bin/env bash
# Runs every test of mailops on a fresh machine: format and lint checks, then the whole test suite.
# Test groups that need services (a real Modoboa, a real Dovecot) install and start them from here, on
# 127.0.0.1 only, so that CI and a developer's machine run the same thing.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== toolchain: $(cargo --version)"
# A clean CI build gains nothing from incremental compilation, and its cache takes gigabytes of disk.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi
echo "== disk: $(df -h --output=avail . | tail -1 | tr -d ' ') free"
echo "== format"
cargo fmt --all -- --check
echo "== lint"
cargo clippy --locked --all-targets -- -D warnings
echo "== services for the tests"
# A real Dovecot for the maildir backend's tests (tests/dovecot.rs): Debian's packages, mail owned by vmail.
need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "error: $1 needs root (apt-get, useradd); run as root or install it by hand" >&2
    exit 1
  fi
}
# dovecot-pgsql and dovecot-mysql let it read PostfixAdmin's tables (tests/postfixadmin.rs), dovecot-ldap an
# LDAP directory (tests/ldap_backend.rs).
if ! dpkg -s dovecot-core dovecot-imapd dovecot-lmtpd dovecot-pgsql dovecot-mysql dovecot-ldap >/dev/null 2>&1; then
  need_root "installing dovecot-core, dovecot-imapd, dovecot-lmtpd, dovecot-pgsql, dovecot-mysql and dovecot-ldap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-core dovecot-imapd dovecot-lmtpd \
    dovecot-pgsql dovecot-mysql dovecot-ldap >/dev/null
fi
if ! id -u vmail >/dev/null 2>&1; then
  need_root "creating the vmail user"
  useradd -r -u 5000 -U -d /nonexistent -s /usr/sbin/nologin vmail 2>/dev/null || useradd -r -U -d /nonexistent -s /usr/sbin/nologin vmail
fi
echo "dovecot $(/usr/sbin/dovecot --version)"
# ssh-keygen signs the commits of the signature tests (tests/signatures.rs); the git transport tests
# (tests/git_transports.rs) serve a repository over HTTPS (nginx, fcgiwrap, git http-backend, a certificate
# made by openssl) and SSH (sshd), started by the tests themselves on 127.0.0.1.
if ! dpkg -s openssh-client openssh-server nginx fcgiwrap openssl >/dev/null 2>&1; then
  need_root "installing openssh-client, openssh-server, nginx, fcgiwrap and openssl"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    openssh-client openssh-server nginx fcgiwrap openssl >/dev/null
fi
# A real Postfix (with pcre tables) and rspamd for the attachment policy's tests (tests/attachments.rs), and
# OpenLDAP's slapd with its tools for the directory's LDIF (tests/directory_ldap.rs); each is started by its
# test in a folder of its own on 127.0.0.1, never as the system's service.
if ! dpkg -s postfix postfix-pcre rspamd slapd ldap-utils >/dev/null 2>&1; then
  need_root "installing postfix, postfix-pcre, rspamd, slapd and ldap-utils"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    postfix postfix-pcre rspamd slapd ldap-utils >/dev/null
fi
echo "postfix $(postconf -d -h mail_version 2>/dev/null), $(rspamd --version 2>/dev/null | head -1), slapd $(dpkg-query -W -f='${Version}' slapd)"
# kubectl renders manifests/ (kustomize) and checks them with a client-side dry run (tests/manifests.rs).
if ! command -v kubectl >/dev/null; then
  need_root "installing kubernetes-client (kubectl)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null
fi
echo "kubectl $(kubectl version --client 2>/dev/null | head -1)"
# Headless Chromium loads the status page of a running `watch` and of the operator as a person would
# (tests/status_page.rs, tests/operator.rs), with DejaVu for the Vietnamese diacritics of its screenshots.
if ! dpkg -s chromium fonts-dejavu-core >/dev/null 2>&1; then
  need_root "installing chromium and fonts-dejavu-core"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
echo "$(chromium --version 2>/dev/null)"
# A real Modoboa 2.12.0 for the modoboa backend's tests (tests/modoboa.rs): Debian's Redis, a venv under
# target/, SQLite, gunicorn on 127.0.0.1; stopped when the tests end.
./tests/support/modoboa.sh up
trap './tests/support/modoboa.sh down >/dev/null 2>&1 || true' EXIT
# shellcheck source=/dev/null
source target/modoboa/env.sh
export MODOBOA_URL MODOBOA_STOCK_URL MODOBOA_TOKEN MODOBOA_RUN MODOBOA_MANAGE
# PostfixAdmin 3.3's own schema on PostgreSQL and on MariaDB, each a server of its own on 127.0.0.1 with its
# data under target/ (tests/postfixadmin.rs); stopped when the tests end.
./tests/support/postfixadmin.sh up
stop_services() {
  ./tests/support/modoboa.sh down >/dev/null 2>&1 || true
  ./tests/support/postfixadmin.sh down >/dev/null 2>&1 || true
}
trap stop_services EXIT
# shellcheck source=/dev/null
source target/postfixadmin/env.sh
export POSTFIXADMIN_URL POSTFIXADMIN_PASSWORD POSTFIXADMIN_SCRIPT POSTFIXADMIN_PG_LOG POSTFIXADMIN_MYSQL_URL \
  POSTFIXADMIN_MYSQL_LOG POSTFIXADMIN_TLS_CA

# Python's xlwt writes the .xls (BIFF8) staff list of tests/import.rs (no well-kept Rust writer exists).
if ! target/xlwt/bin/python -c "import xlwt" 2>/dev/null; then
  python3 -m venv target/xlwt
  target/xlwt/bin/pip install -q "xlwt==1.3.0"
fi
export MAILOPS_XLWT_PYTHON="$PWD/target/xlwt/bin/python"

# The fault tests (tests/faults.rs) mount small tmpfs folders in mount namespaces of their own (unshare,
# fallocate) and the spreadsheet tests bound the address space (prlimit): util-linux, in every Debian.
for tool in unshare fallocate prlimit mkfifo; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing (util-linux, coreutils)" >&2; exit 1; }
done
echo "== tests"
log=$(mktemp)
slow_log=$(mktemp)
trap 'rm -f "$log" "$slow_log"; stop_services' EXIT
# Benchmarks are compiled by clippy above and run with `cargo bench`; they are not tests.
cargo test --locked --no-run --lib --bins --tests
# Every test binary runs even when one fails (--no-fail-fast), so that one run shows every failure.
# Two lanes on the two cores: the two longest test files (the kill -9 tests on the maildir backend, then
# Modoboa's), one after the other, beside every other test file. They share no server and no port.
slow=(crash modoboa)
others=()
for f in tests/*.rs; do
  name=$(basename "$f" .rs)
  [[ " ${slow[*]} " == *" $name "* ]] || others+=(--test "$name")
done
cargo test --locked --no-fail-fast "${slow[@]/#/--test=}" >"$slow_log" 2>&1 &
slow_pid=$!
status=0
cargo test --locked --no-fail-fast --lib --bins "${others[@]}" 2>&1 | tee "$log" || status=$?
wait "$slow_pid" || status=$?
cat "$slow_log" | tee -a "$log"
# One closing line over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
