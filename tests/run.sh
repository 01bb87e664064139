#!/usr/bin/env bash
# Runs every test of mailops on a fresh machine: format and lint checks, then the whole test suite.
# Test groups that need services (a real Modoboa, Dovecot, git daemon) install and start them from here, on
# 127.0.0.1 only, so that CI and a developer's machine run the same thing.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== toolchain: $(cargo --version)"
echo "== format"
cargo fmt --all -- --check
echo "== lint"
cargo clippy --locked --all-targets -- -D warnings
echo "== tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Benchmarks are compiled by clippy above and run with `cargo bench`; they are not tests.
cargo test --locked --lib --bins --tests 2>&1 | tee "$log"
# One closing line over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
