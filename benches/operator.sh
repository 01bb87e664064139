#!/usr/bin/env bash
# Benchmark of BENCHMARKS.md "Operator at scale" (issue 16): `mailops operator`'s Controller loop against the
# fake API server (tests/common/fakeapi.rs, in process) and the real maildir backend, NAMESPACES namespaces of
# MAILBOXES mailboxes each. Prints the first full sync (time, API requests, writes, most namespaces at once)
# and a full requeue by a fresh operator (time, API requests per namespace, writes: 0). Release build; the
# benchmark is the ignored test `operator_at_scale` of tests/operator.rs.
# Usage: [NAMESPACES=1000] [MAILBOXES=25] [CONCURRENCY=8] [BENCH_DIR=/tmp] benches/operator.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export NAMESPACES=${NAMESPACES:-1000} MAILBOXES=${MAILBOXES:-25} CONCURRENCY=${CONCURRENCY:-8}
echo "operator at scale: $NAMESPACES namespaces × $MAILBOXES mailboxes, --concurrency $CONCURRENCY, $(nproc) cores"
cargo test --release --quiet --test operator operator_at_scale -- --ignored --nocapture --test-threads 1 2>&1 |
  grep -E '^(first sync|full requeue)|panicked|FAILED|error' || { echo "the benchmark failed"; exit 1; }
