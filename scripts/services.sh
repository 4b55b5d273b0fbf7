#!/usr/bin/env bash
# Starts or stops the six built services as separate processes (what a user runs without Docker).
#
#   scripts/services.sh start   start every service in dist/apps, wait until each answers /readyz
#   scripts/services.sh stop    SIGTERM each one (graceful drain), wait for it to exit
#
# Logs go to .infra/logs/<service>.log. Environment variables pass through to every service.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="$ROOT/.infra/run"
LOGS="$ROOT/.infra/logs"
SERVICES=(ingress analyzer decision-engine provider-adapters feedback-aggregator rule-optimizer)
declare -A PORTS=([ingress]=3000 [analyzer]=3001 [decision-engine]=3002 [provider-adapters]=3003 [feedback-aggregator]=3004 [rule-optimizer]=3005)

log() { printf '[services] %s\n' "$*" >&2; }

start() {
  mkdir -p "$RUN" "$LOGS"
  cd "$ROOT"
  for s in "${SERVICES[@]}"; do
    [ -f "dist/apps/$s/main.js" ] || { log "dist/apps/$s/main.js is missing: run npm run build first"; exit 1; }
    if [ -f "$RUN/$s.pid" ] && kill -0 "$(cat "$RUN/$s.pid")" 2>/dev/null; then log "$s already running"; continue; fi
    HTTP_PORT="${PORTS[$s]}" setsid nohup node --enable-source-maps "dist/apps/$s/main.js" >>"$LOGS/$s.log" 2>&1 < /dev/null &
    echo $! > "$RUN/$s.pid"
  done
  for s in "${SERVICES[@]}"; do
    local i
    for ((i = 0; i < 300; i++)); do
      if curl -fsS "http://127.0.0.1:${PORTS[$s]}/readyz" >/dev/null 2>&1; then log "$s ready on :${PORTS[$s]}"; break; fi
      if ! kill -0 "$(cat "$RUN/$s.pid")" 2>/dev/null; then log "$s exited; last lines of $LOGS/$s.log:"; tail -n 20 "$LOGS/$s.log" >&2; exit 1; fi
      sleep 0.1
    done
    ((i < 300)) || { log "$s not ready after 30 s; see $LOGS/$s.log"; exit 1; }
  done
}

stop() {
  local s pid
  for s in "${SERVICES[@]}"; do
    [ -f "$RUN/$s.pid" ] || continue
    pid=$(cat "$RUN/$s.pid")
    kill -TERM "$pid" 2>/dev/null || true
  done
  for s in "${SERVICES[@]}"; do
    [ -f "$RUN/$s.pid" ] || continue
    pid=$(cat "$RUN/$s.pid")
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null && log "$s did not stop in 15 s; killed" || log "$s stopped"
    rm -f "$RUN/$s.pid"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
