#!/usr/bin/env bash
# Browser end-to-end test of the SPA against the local server, driving Debian's Chromium with
# playwright-core. Installs what is missing, builds the SPA and the server, starts the server on a
# free port (scripts/local-server.sh), runs frontend/e2e with node's test runner, and always stops the server.
# Screenshots go to frontend/test-results/e2e/.
# With E2E_BENCH=1 it runs the realtime bench (frontend/e2e/realtime.bench.mjs) instead of the tests:
# scripts/bench-e2e.sh does that.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Debian's Chromium; GitHub's Ubuntu runners ship Google Chrome instead, and
# their `chromium` package is only a snap stub.
if [[ -z "${CHROMIUM_PATH:-}" ]]; then
  if [[ -x /usr/bin/chromium ]]; then
    CHROMIUM_PATH=/usr/bin/chromium
  elif command -v google-chrome >/dev/null 2>&1; then
    CHROMIUM_PATH=$(command -v google-chrome)
  else
    echo "e2e: installing chromium"
    if [[ $(id -u) -eq 0 ]]; then
      apt-get update && apt-get install -y chromium
    else
      sudo apt-get update && sudo apt-get install -y chromium
    fi
    CHROMIUM_PATH=/usr/bin/chromium
  fi
fi
export CHROMIUM_PATH

if [[ ! -d frontend/node_modules ]]; then
  (cd frontend && npm ci --no-audit --no-fund)
fi

# make test-e2e has just built the SPA when its sources changed.
if [[ "${PARLEY_SPA_BUILT:-0}" != 1 ]]; then
  echo "e2e: building the SPA"
  (cd frontend && npm run build)
fi

# shellcheck source=scripts/local-server.sh
source scripts/local-server.sh
budget=()
if [[ "${E2E_BENCH:-}" == "1" ]]; then
  # The bench sends hundreds of messages as fast as it can: it measures delivery, not the send budget.
  budget=(PARLEY_SEND_BURST=100000 PARLEY_SEND_PER_MINUTE=1000000 PARLEY_FRAME_BURST=100000 PARLEY_FRAMES_PER_MINUTE=1000000)
fi
start_local_server e2e PARLEY_FRONTEND_DIR=frontend/dist "${budget[@]}"
log=$server_log

status=0
if [[ "${E2E_BENCH:-}" == "1" ]]; then
  BASE_URL="$base" timeout 600 node frontend/e2e/realtime.bench.mjs || status=$?
  exit $status
fi

rm -rf frontend/test-results/e2e
mkdir -p frontend/test-results/e2e
BASE_URL="$base" SCREENSHOT_DIR="$root/frontend/test-results/e2e" \
  timeout 900 node --test --test-reporter=spec --test-concurrency=1 \
  frontend/e2e/csp.e2e.test.mjs frontend/e2e/chat.e2e.test.mjs frontend/e2e/realtime.e2e.test.mjs frontend/e2e/demo.e2e.test.mjs frontend/e2e/feeds.e2e.test.mjs frontend/e2e/notifications.e2e.test.mjs || status=$?

if [[ $status -ne 0 ]]; then
  echo "e2e: FAILED; server log tail:" >&2
  tail -n 40 "$log" >&2
fi
echo "e2e: screenshots in frontend/test-results/e2e/"
exit $status
