#!/usr/bin/env bash
# Benchmark of BENCHMARKS.md "Webhook latency" (issue 16): `mailops watch` (release build) of a repository on a
# real `git daemon` on 127.0.0.1, signatures checked, polling an hour apart; PUSHES (20) pushes of one new hire
# each, each followed by GitHub's signed push webhook; the time from the start of `git push` to the account's
# line in the maildir passwd-file. Prints median, p90, max and min, and the share of `git push` itself. The
# benchmark is the ignored test `webhook_latency` of tests/watch.rs.
# Usage: [PUSHES=20] benches/webhook.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PUSHES=${PUSHES:-20}
cargo test --release --quiet --test watch webhook_latency -- --ignored --nocapture --test-threads 1 2>&1 |
  grep -E '(→|itself)|panicked|FAILED' || { echo "the benchmark failed"; exit 1; }
