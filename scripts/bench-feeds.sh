#!/usr/bin/env bash
# Public live feeds on the local server (cmd/parley/feedbench): at rising post rates, viewers polling every
# 5 s with If-None-Match through a 5 s shared cache (as CloudFront) count the posts they miss. Prints the
# highest rate followed with 0 missed, post -> seen p50/p99, snapshot bytes, and origin requests per
# viewer-minute. Asserts nothing; bounded by feedbench's limits (and FEEDBENCH_ARGS, e.g. "-rates 20,100").
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
go build -o .tmp/parley-feedbench-server ./cmd/parley
log=.tmp/feedbench-server.log
PORT=0 PARLEY_FRONTEND_DIR=.tmp/no-frontend .tmp/parley-feedbench-server >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
address=""
for _ in $(seq 1 100); do
  address=$(grep -o '"listen":"[^"]*"' "$log" | head -n 1 | cut -d'"' -f4 || true)
  [ -n "$address" ] && break
  sleep 0.1
done
[ -n "$address" ] || { echo "the local server did not start:"; cat "$log"; exit 1; }
# shellcheck disable=SC2086 # FEEDBENCH_ARGS is a list of flags
timeout 600 go run ./cmd/parley/feedbench -url "$address" ${FEEDBENCH_ARGS:-}
