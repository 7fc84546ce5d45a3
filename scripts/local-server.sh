# Sourced by the scripts that test against the local server (test-e2e.sh, test-contract.sh):
#   start_local_server NAME [ENV=VALUE...]
# builds cmd/parley into .tmp/parley, starts it on a free 127.0.0.1 port with the given environment, logging to
# .tmp/parley-NAME.log, waits until /healthz answers, and sets base (http://localhost:PORT), server_pid and
# server_log. The WebSocket is announced on ws://127.0.0.1:PORT/ws, another origin, as in AWS. The server is stopped when the sourcing script exits.

start_local_server() {
  local name=$1
  shift
  echo "$name: building the local server"
  mkdir -p .tmp
  go build -o .tmp/parley ./cmd/parley

  local port
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  server_log="$PWD/.tmp/parley-$name.log"
  # The socket on an origin of its own (127.0.0.1 while pages are on localhost), as the WebSocket API has in
  # AWS, so the browser holds it to the Content-Security-Policy's connect-src as it does there.
  env PORT="$port" PARLEY_LISTEN_HOST=127.0.0.1 PARLEY_WS_URL="ws://127.0.0.1:$port/ws" "$@" .tmp/parley >"$server_log" 2>&1 &
  server_pid=$!
  trap stop_local_server EXIT INT TERM

  base="http://localhost:$port"
  for _ in $(seq 1 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))' "$base/healthz"; then
      echo "$name: server ready on $base"
      return 0
    fi
    sleep 0.2
  done
  echo "$name: the server did not become ready on $base; its log:" >&2
  cat "$server_log" >&2
  return 1
}

stop_local_server() {
  if [[ -n "${server_pid:-}" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  wait "${server_pid:-}" 2>/dev/null || true
}
