# Sourced by the shell tests: waits for a `coursefactory serve --port 0` to report its port.
# await_port OUTPUT PID: prints the port once OUTPUT (the service's stdout) names it; returns 1
# when PID exits first or 30 s pass (only a hang takes that long, even on a busy machine).
await_port() {
  local port=""
  for _ in $(seq 300); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$1" | grep -o '[0-9]*$' || true)
    [[ -n $port ]] && { echo "$port"; return 0; }
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
