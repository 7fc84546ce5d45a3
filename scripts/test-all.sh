#!/usr/bin/env bash
# Runs every suite of `make test`, each to its end even when an earlier one
# failed, so one missing tool never hides the other results; prints each
# suite's output as it goes (also kept in .tmp/test-logs/<suite>.log) and ends
# with one summary line per suite: passed, failed (with its last lines) or
# skipped (with why). Exits non-zero when any suite failed.
#
#   scripts/test-all.sh [SUITE...]     default: every suite below, in order
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(check test-go test-terraform test-frontend test-e2e)

declare -A describe=(
  [check]="gofmt and go vet"
  [test-go]="Go: core, both stores (memory, DynamoDB Local), handlers, local server, realtime"
  [test-terraform]="Terraform: fmt, validate, actionlint, apply and destroy on moto_server"
  [test-frontend]="SPA unit and component tests (vitest)"
  [test-e2e]="ChatAPI contract on the REST adapter, then Chromium end to end, against the local server"
)

logs=.tmp/test-logs
mkdir -p "$logs"
declare -A result took
failed=0
start_all=$SECONDS
for suite in "${suites[@]}"; do
  printf '\n==== %s: %s\n' "$suite" "${describe[$suite]:-}"
  start=$SECONDS
  make --no-print-directory "$suite" 2>&1 | tee "$logs/$suite.log"
  status=${PIPESTATUS[0]}
  took[$suite]=$((SECONDS - start))
  if [ "$status" -eq 0 ]; then
    result[$suite]=passed
    # A suite that skipped part of itself says so in a line starting SKIPPED.
    skipped=$(grep -m1 -E '^SKIPPED' "$logs/$suite.log" || true)
    [ -z "$skipped" ] || result[$suite]="passed, but ${skipped#SKIPPED: }"
  else
    # The first failure the suite reported, else its last words but make's.
    why=$(grep -m1 -E '^(--- FAIL|FAIL|FAIL:|not ok|✖|gofmt needed|.*[Ee]rror:)' "$logs/$suite.log" ||
      grep -v -E '^\s*$|^make(\[[0-9]+\])?: ' "$logs/$suite.log" | tail -n 1)
    result[$suite]="FAILED (exit $status): $(printf '%s' "$why" | cut -c1-160)"
    failed=$((failed + 1))
  fi
done

printf '\n==== summary (%ds in all; logs in %s/)\n' "$((SECONDS - start_all))" "$logs"
for suite in "${suites[@]}"; do
  printf '  %-15s %4ds  %s\n' "$suite" "${took[$suite]}" "${result[$suite]}"
done
if [ "$failed" -gt 0 ]; then
  printf '%d of %d suites failed\n' "$failed" "${#suites[@]}"
  exit 1
fi
printf 'all %d suites passed\n' "${#suites[@]}"
