#!/usr/bin/env bash
# Mutation testing of the safety-critical code (issue 30) with cargo-mutants: each module of
# .cargo/mutants.toml with the tests that cover it. Writes MUTANTS.md (caught, missed, timeouts and unviable
# mutants per module, with the date and commit) and keeps each module's full report in target/mutants/.
#
#   ./tests/mutants.sh                      every module (hours on 2 cores: not part of ./tests/run.sh)
#   ./tests/mutants.sh src/engine/guard.rs  one module or several
#   ./tests/mutants.sh --table              MUTANTS.md again from the reports kept in target/mutants/
#
# MUTANTS_IN_PLACE=1 mutates the working tree itself (much faster: no copy, incremental builds) and must not
# be combined with editing it. cargo-mutants is installed with `cargo install cargo-mutants --locked` when
# missing. The fault tests need root or unprivileged user namespaces, as in ./tests/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# module → the test targets that cover it (the library's unit tests always run).
declare -A TESTS=(
  [src/engine/guard.rs]="--test guard --test apply_maildir"
  [src/engine/recover.rs]="--test apply_maildir --test faults"
  [src/engine/credentials.rs]="--test apply_maildir"
  [src/engine/execute.rs]="--test apply_maildir --test faults"
  [src/plan/diff/removals.rs]="--test plan_scenarios --test apply_maildir"
  [src/backend/maildir/files.rs]="--test fuzz_smoke --test apply_maildir"
  [src/backend/maildir/deletion.rs]="--test faults --test apply_maildir"
  [src/backend/maildir/store.rs]="--test faults --test apply_maildir"
  [src/address.rs]="--test fuzz_smoke --test bad_input --test hostile"
  [src/manifest/controls.rs]="--test bad_input --test hostile"
  [src/serve/hooks.rs]=""
)
ORDER=(src/engine/guard.rs src/plan/diff/removals.rs src/backend/maildir/files.rs src/address.rs
  src/manifest/controls.rs src/serve/hooks.rs src/engine/credentials.rs src/engine/recover.rs
  src/engine/execute.rs src/backend/maildir/deletion.rs src/backend/maildir/store.rs)

command -v cargo-mutants >/dev/null || cargo install cargo-mutants --locked
modules=("$@")
# --table: only MUTANTS.md again, from the reports in target/mutants/.
if [ "${1:-}" = "--table" ]; then modules=(); else [ ${#modules[@]} -gt 0 ] || modules=("${ORDER[@]}"); fi
in_place=()
[ -n "${MUTANTS_IN_PLACE:-}" ] && in_place=(--in-place)
# MUTANTS_ITERATE=1 tests again only the mutants the last run of each module did not catch (--iterate).
[ -n "${MUTANTS_ITERATE:-}" ] && in_place+=(--iterate)

mkdir -p target/mutants
for m in "${modules[@]+"${modules[@]}"}"; do
  [ -n "${TESTS[$m]+set}" ] || { echo "error: $m is not a module of .cargo/mutants.toml" >&2; exit 1; }
  name=$(echo "$m" | tr '/.' '__')
  echo "== $m (tests: --lib ${TESTS[$m]})"
  start=$(date +%s)
  # An iteration tests only what was missed: the outcomes before it are kept, to be counted with it.
  if [ -n "${MUTANTS_ITERATE:-}" ] && [ -f "target/mutants/$name/mutants.out/outcomes.json" ]; then
    n=$(ls "target/mutants/$name"/earlier-*.json 2>/dev/null | wc -l)
    cp "target/mutants/$name/mutants.out/outcomes.json" "target/mutants/$name/earlier-$n.json"
  fi
  # Only this module: the configuration's other modules are excluded for this run.
  others=()
  for o in "${ORDER[@]}"; do [ "$o" = "$m" ] || others+=(--exclude "$o"); done
  # shellcheck disable=SC2086
  cargo mutants --no-shuffle "${in_place[@]}" --file "$m" "${others[@]}" --output "target/mutants/$name" \
    -- --lib ${TESTS[$m]} || true
  echo "$(( $(date +%s) - start ))" >> "target/mutants/$name/seconds"
done

# The table: every module that has a report; the history written by hand below it is kept.
history=$(sed -n '/^History:/,$p' MUTANTS.md 2>/dev/null || true)
{
  echo "# Mutation testing"
  echo
  echo "cargo-mutants $(cargo mutants --version | awk '{print $2}') on the safety-critical modules of"
  echo "\`.cargo/mutants.toml\`, each with the tests that cover it (\`tests/mutants.sh\`). Updated $(date -u +%Y-%m-%d)"
  echo "at commit \`$(git rev-parse --short HEAD)\`$(git diff --quiet -- src tests || echo ' (with uncommitted changes)')."
  echo
  echo "| module | mutants | caught | missed | timeout | unviable | minutes |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for m in "${ORDER[@]}"; do
    name=$(echo "$m" | tr '/.' '__')
    out="target/mutants/$name/mutants.out/outcomes.json"
    [ -f "$out" ] || continue
    python3 - "$m" "$out" "target/mutants/$name" <<'PY'
import glob, json, sys
m, path, folder = sys.argv[1:4]
runs = [json.load(open(p)) for p in sorted(glob.glob(f"{folder}/earlier-*.json"))] + [json.load(open(path))]
# A mutant's outcome is its last run's; those an iteration skipped keep their earlier one.
last = {}
for run in runs:
    for x in run["outcomes"]:
        if x.get("scenario") != "Baseline":
            last[json.dumps(x["scenario"], sort_keys=True)] = x.get("summary")
count = lambda k: sum(1 for v in last.values() if v == k)
minutes = round(sum(int(l) for l in open(f"{folder}/seconds")) / 60)
print(f"| `{m}` | {len(last)} | {count('CaughtMutant')} | {count('MissedMutant')} | {count('Timeout')} | {count('Unviable')} | {minutes} |")
PY
  done
  echo
  echo "Missed mutants (each one a test to write, or an equivalent mutant to name in \`exclude_re\`):"
  echo
  for m in "${ORDER[@]}"; do
    name=$(echo "$m" | tr '/.' '__')
    missed="target/mutants/$name/mutants.out/missed.txt"
    [ -s "$missed" ] && sed 's/^/- /' "$missed"
  done
  echo
  if [ -n "$history" ]; then printf '%s\n' "$history"; fi
} > MUTANTS.md.new
mv MUTANTS.md.new MUTANTS.md
cat MUTANTS.md
