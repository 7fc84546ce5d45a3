#!/usr/bin/env bash
# Measures send -> shown in the other browser over the local server's WebSocket, in Chromium:
# p50/p90/p99 over BENCH_MESSAGES messages (default 200), bounded by BENCH_SECONDS (default 240).
# Builds the SPA and the server and starts it, as scripts/test-e2e.sh does. Prints figures; asserts none.
set -euo pipefail
E2E_BENCH=1 exec "$(dirname "$0")/test-e2e.sh"
