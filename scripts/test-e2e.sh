#!/usr/bin/env bash
# Browser end-to-end test of the SPA against the local server, driving Debian's Chromium with
# playwright-core. Installs what is missing, builds the SPA and the server, starts the server on a
# free port, runs frontend/e2e with node's test runner, and always stops the server.
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

echo "e2e: building the SPA"
(cd frontend && npm run build)

echo "e2e: building the local server"
mkdir -p .tmp
go build -o .tmp/parley ./cmd/parley

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
log="$root/.tmp/parley-e2e.log"
if [ "${E2E_BENCH:-0}" = 1 ]; then
  # The bench sends hundreds of messages as fast as it can: it measures delivery, not the send budget.
  export PARLEY_SEND_BURST=100000 PARLEY_SEND_PER_MINUTE=1000000
fi
PORT="$port" PARLEY_FRONTEND_DIR=frontend/dist .tmp/parley >"$log" 2>&1 &
server_pid=$!

stop_server() {
  if kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
}
trap stop_server EXIT INT TERM

base="http://localhost:$port"
ready=0
for _ in $(seq 1 100); do
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))' "$base/healthz"; then
    ready=1
    break
  fi
  sleep 0.2
done
if [[ $ready -ne 1 ]]; then
  echo "e2e: the server did not become ready on $base; its log:" >&2
  cat "$log" >&2
  exit 1
fi
echo "e2e: server ready on $base"

status=0
if [[ "${E2E_BENCH:-}" == "1" ]]; then
  BASE_URL="$base" timeout 600 node frontend/e2e/realtime.bench.mjs || status=$?
  exit $status
fi

rm -rf frontend/test-results/e2e
mkdir -p frontend/test-results/e2e
BASE_URL="$base" SCREENSHOT_DIR="$root/frontend/test-results/e2e" \
  timeout 900 node --test --test-reporter=spec --test-concurrency=1 \
  frontend/e2e/chat.e2e.test.mjs frontend/e2e/realtime.e2e.test.mjs frontend/e2e/demo.e2e.test.mjs || status=$?

if [[ $status -ne 0 ]]; then
  echo "e2e: FAILED; server log tail:" >&2
  tail -n 40 "$log" >&2
fi
echo "e2e: screenshots in frontend/test-results/e2e/"
exit $status
