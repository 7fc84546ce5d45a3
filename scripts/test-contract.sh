#!/usr/bin/env bash
# The ChatAPI contract suite (frontend/src/api/contract/chat-api.contract.ts) against the REST adapter and its
# WebSocket client talking to the real local server: builds cmd/parley, starts it on a free 127.0.0.1 port with
# the in-memory store (scripts/local-server.sh), runs the suite with vitest (frontend/vitest.contract.config.ts),
# and always stops the server. `npm --prefix frontend test` runs the same suite against the in-memory adapter.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [[ ! -d frontend/node_modules ]]; then
  (cd frontend && npm ci --no-audit --no-fund)
fi

# shellcheck source=scripts/local-server.sh
source scripts/local-server.sh
start_local_server contract

status=0
(cd frontend && PARLEY_BASE_URL="$base" timeout 300 npx vitest run --config vitest.contract.config.ts) || status=$?
if [[ $status -ne 0 ]]; then
  echo "contract: FAILED; server log tail:" >&2
  tail -n 40 "$server_log" >&2
fi
exit $status
