#!/usr/bin/env bash
# Local infrastructure for Switchyard: NATS (JetStream), Redis and a MongoDB-wire server on loopback.
#
#   scripts/infra.sh up       reuse running servers, start stopped ones, build FerretDB once if needed
#   scripts/infra.sh down     stop only the servers this script started
#   scripts/infra.sh status   say what is reachable
#
# MONGODB_URI, when set, is used as it is (real MongoDB or anything else speaking its wire protocol) and
# no FerretDB is built or started. Otherwise FerretDB v1 (Apache-2.0) is built from the Go module proxy
# into SWITCHYARD_CACHE (default ~/.cache/switchyard) and run with its SQLite backend under .infra/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.infra"
CACHE="${SWITCHYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchyard}"
FERRETDB_VERSION="v1.24.2"
# "-idx": built with the _id lookup fix below; the new name makes existing caches build it once.
FERRETDB_BIN="$CACHE/bin/ferretdb-$FERRETDB_VERSION-idx"
NATS_PORT="${NATS_PORT:-4222}"
REDIS_PORT="${REDIS_PORT:-6379}"
MONGO_PORT="${SWITCHYARD_MONGO_PORT:-27017}"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() { # name host port seconds
  local i
  for ((i = 0; i < $4 * 10; i++)); do
    listening "$2" "$3" && return 0
    sleep 0.1
  done
  return 1
}

start_bg() { # name logfile command...
  local name=$1 logfile=$2
  shift 2
  mkdir -p "$STATE"
  setsid nohup "$@" >>"$logfile" 2>&1 < /dev/null &
  echo $! > "$STATE/$name.pid"
}

nats_up() {
  if listening 127.0.0.1 "$NATS_PORT"; then log "nats: reusing 127.0.0.1:$NATS_PORT"; return; fi
  command -v nats-server >/dev/null || die "nats: nothing on 127.0.0.1:$NATS_PORT and no nats-server binary (Debian: apt-get install nats-server)"
  mkdir -p "$STATE/nats"
  log "nats: starting nats-server with JetStream on 127.0.0.1:$NATS_PORT"
  start_bg nats "$STATE/nats.log" nats-server -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$STATE/nats"
  wait_for nats 127.0.0.1 "$NATS_PORT" 10 || die "nats: did not start, see $STATE/nats.log"
}

redis_up() {
  if listening 127.0.0.1 "$REDIS_PORT"; then log "redis: reusing 127.0.0.1:$REDIS_PORT"; return; fi
  command -v redis-server >/dev/null || die "redis: nothing on 127.0.0.1:$REDIS_PORT and no redis-server binary (Debian: apt-get install redis-server)"
  mkdir -p "$STATE"
  log "redis: starting redis-server on 127.0.0.1:$REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$STATE" --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log"
  wait_for redis 127.0.0.1 "$REDIS_PORT" 10 || die "redis: did not start, see $STATE/redis.log"
}

ferretdb_build() {
  [ -x "$FERRETDB_BIN" ] && return
  command -v go >/dev/null || die "mongodb: no MONGODB_URI, nothing on 127.0.0.1:$MONGO_PORT, and no Go toolchain to build FerretDB"
  log "mongodb: building FerretDB $FERRETDB_VERSION once into $CACHE/bin (about a minute)"
  local src dir
  dir=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  [ -d "$dir" ] || die "mongodb: could not download github.com/FerretDB/FerretDB@$FERRETDB_VERSION from the Go module proxy"
  src=$(mktemp -d)
  cp -r "$dir/." "$src/"
  chmod -R u+w "$src"
  # The module zip lacks the generated version file its release builds embed; without it the binary panics.
  echo "$FERRETDB_VERSION" > "$src/build/version/version.txt"
  # Its SQLite backend finds, updates and deletes by _id with `_ferretdb_sjson->'$._id'`, but builds the unique
  # _id index on `_ferretdb_sjson->"_id"`; SQLite uses an expression index only for the same expression, so
  # every _id lookup scanned the collection (a routing-record upsert cost ~13 ms of FerretDB CPU at 8,000
  # records, growing with the collection). Same value, now the index's expression (checked with EXPLAIN).
  local meta="$src/internal/backends/sqlite/metadata/metadata.go"
  grep -q "IDColumn = DefaultColumn + \"->'\$._id'\"" "$meta" || die "mongodb: FerretDB source changed; revisit the _id index patch"
  sed -i "s|IDColumn = DefaultColumn + \"->'\$._id'\"|IDColumn = DefaultColumn + \"->\\\\\"_id\\\\\"\"|" "$meta"
  mkdir -p "$CACHE/bin"
  (cd "$src" && go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) || die "mongodb: FerretDB build failed"
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$src"
}

# A database file without FerretDB's catalogue (left half-created by a crash) stops FerretDB from starting
# ("no such table: _ferretdb_collections"): such files are moved aside, never deleted.
ferretdb_quarantine() { # data dir
  local f moved=0
  for f in "$1"/*.sqlite; do
    [ -f "$f" ] || continue
    grep -q _ferretdb_collections "$f" && continue
    mkdir -p "$1/quarantine"
    mv "$f" "$1/quarantine/" && rm -f "$f-wal" "$f-shm"
    log "mongodb: moved $f aside (no FerretDB catalogue in it) to $1/quarantine/"
    moved=1
  done
  return $moved
}

# Runs FerretDB and starts it again whenever it dies, first moving aside what a crash left half-created.
supervise_ferretdb() { # data dir
  local data=$1 child
  trap 'kill $child 2>/dev/null; exit 0' TERM INT
  while :; do
    ferretdb_quarantine "$data" || true
    # --debug-addr=127.0.0.1:0: its metrics/pprof listener on a free port, never a clash with another instance.
    "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$data/" --listen-addr="127.0.0.1:$MONGO_PORT" \
      --debug-addr=127.0.0.1:0 --telemetry=disable --state-dir="$data" --log-level=warn &
    child=$!
    wait $child || true
    echo "[supervisor] ferretdb exited; restarting in 0.5 s"
    sleep 0.5
  done
}

mongo_up() {
  if [ -n "${MONGODB_URI:-}" ]; then log "mongodb: using MONGODB_URI as given"; return; fi
  if listening 127.0.0.1 "$MONGO_PORT"; then log "mongodb: reusing 127.0.0.1:$MONGO_PORT"; return; fi
  ferretdb_build
  local data="$STATE/ferretdb-$MONGO_PORT"
  mkdir -p "$data"
  ferretdb_quarantine "$data" || true
  log "mongodb: starting FerretDB (SQLite backend, data in $data) on 127.0.0.1:$MONGO_PORT"
  # Supervised: FerretDB v1's SQLite backend can die of SIGBUS in its WAL index when a database is dropped
  # while it is being written (seen here, docs/testing.md); the loop brings it back within a second, so one
  # crash costs the requests in flight, not every test after it. `down` stops the loop and FerretDB.
  start_bg "ferretdb-$MONGO_PORT" "$STATE/ferretdb-$MONGO_PORT.log" bash "$ROOT/scripts/infra.sh" supervise-ferretdb "$data"
  if ! wait_for mongodb 127.0.0.1 "$MONGO_PORT" 20; then
    stop_one "ferretdb-$MONGO_PORT"
    die "mongodb: FerretDB did not start, see $STATE/ferretdb-$MONGO_PORT.log"
  fi
}

stop_one() { # name
  local pidfile="$STATE/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  # The whole process group: a supervisor loop and what it runs (start_bg uses setsid).
  if kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null; then log "$1: stopped (pid $pid)"; fi
  rm -f "$pidfile"
}

stop_started() {
  local name
  for name in "ferretdb-$MONGO_PORT" nats redis; do stop_one "$name"; done
}

status() {
  local ok=0
  listening 127.0.0.1 "$NATS_PORT" && log "nats: up on 127.0.0.1:$NATS_PORT" || { log "nats: down"; ok=1; }
  listening 127.0.0.1 "$REDIS_PORT" && log "redis: up on 127.0.0.1:$REDIS_PORT" || { log "redis: down"; ok=1; }
  if [ -n "${MONGODB_URI:-}" ]; then log "mongodb: MONGODB_URI is set (not probed)";
  else listening 127.0.0.1 "$MONGO_PORT" && log "mongodb: up on 127.0.0.1:$MONGO_PORT" || { log "mongodb: down"; ok=1; }; fi
  return $ok
}

case "${1:-}" in
  up) nats_up; redis_up; mongo_up; log "ready" ;;
  down) stop_started ;;
  status) status ;;
  supervise-ferretdb) supervise_ferretdb "$2" ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
