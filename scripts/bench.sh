#!/usr/bin/env bash
# Prints Parley's figures: per-route handler latency through the API adapter
# (Go benchmarks, memory store), local server throughput for get-messages and
# add-message (vegeta, bounded), DynamoDB requests, capacity units and latency
# per route on DynamoDB Local, send -> WebSocket frame latency on the local
# server, live feeds (the highest post rate a viewer polling every 5 s follows
# with 0 missed, post -> seen, snapshot bytes, origin requests per
# viewer-minute), each Lambda's cold start, init, warm latency, memory and
# DynamoDB requests and units beside floors (its bootstrap under a Lambda
# Runtime API emulator), and the size of every Lambda zip and of the SPA.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp

section() { printf '\n== %s\n' "$1"; }

section "Handler latency per route (API adapter + core, in-memory store)"
go test -run '^$' -bench BenchmarkRoute -benchtime 5000x -benchmem ./adapters/apigateway | grep -E '^Benchmark|^ok'

section "Local server throughput"
go build -o .tmp/parley-bench-server ./cmd/parley
log=.tmp/bench-server.log
# Throughput, not the send budget, is measured: the budget is set out of the way.
PORT=0 PARLEY_FRONTEND_DIR=.tmp/no-frontend PARLEY_SEND_BURST=100000000 PARLEY_SEND_PER_MINUTE=100000000 .tmp/parley-bench-server >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
address=""
for _ in $(seq 1 100); do
  address=$(grep -o '"listen":"[^"]*"' "$log" | head -n 1 | cut -d'"' -f4 || true)
  [ -n "$address" ] && break
  sleep 0.1
done
[ -n "$address" ] || { echo "the local server did not start:"; cat "$log"; exit 1; }
go run ./cmd/parley/loadtest -url "$address" -duration 5s -workers 16

section "Realtime: send -> frame on the other user's WebSocket (local server)"
go run ./cmd/parley/realtimebench -url "$address" -messages 500

section "Notifications: add-message with and without a subscribed recipient, stored -> Web Push request (local server)"
go run ./cmd/parley/notifybench -url "$address" -messages 300

section "Live feeds: the highest post rate a viewer polling every 5 s follows with 0 missed (local server)"
# shellcheck disable=SC2086 # FEEDBENCH_ARGS is a list of flags, e.g. "-rates 20,100 -seconds 6"
go run ./cmd/parley/feedbench -url "$address" ${FEEDBENCH_ARGS:-}
kill "$server"; wait "$server" 2>/dev/null || true
trap - EXIT

section "DynamoDB requests, capacity units and latency per route (DynamoDB Local)"
scripts/dynamodb-local.sh run -- go run ./cmd/parley/dynamobench

section "Cold starts: every Lambda's bootstrap under a Lambda Runtime API emulator, beside floors (DynamoDB Local)"
# Bounded: 15 cold starts and 300 warm calls per function by default, and a
# 15-minute limit; LAMBDABENCH_ARGS is a list of flags, e.g. "-cold 5 -warm 50".
go build -o .tmp/lambdabench ./cmd/lambdabench
# shellcheck disable=SC2086
scripts/dynamodb-local.sh run -- .tmp/lambdabench ${LAMBDABENCH_ARGS:-}

section "Lambda zips (linux/arm64)"
for zip in out/*.zip; do
  awk -v name="$(basename "$zip")" -v bytes="$(stat -c %s "$zip")" 'BEGIN { printf "%-22s %6.2f MiB\n", name, bytes / 1048576 }'
done

section "SPA initial bundle"
scripts/bundle-size.sh
