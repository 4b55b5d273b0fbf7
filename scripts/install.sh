#!/usr/bin/env bash
# Installs the npm dependencies at the lockfile's versions when node_modules is missing or older than the
# lockfile. `npm install`, not `npm ci`: npm 11 writes lockfiles without the other platforms' optional
# packages (@swc/core-darwin-arm64, ...) and `npm ci` then refuses them as "Missing ... from lock file".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The report page's browser test runs Debian's Chromium headless (CHROMIUM_PATH overrides where it is).
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[install] apt-get install chromium (the report page's browser test)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null ||
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
  else
    echo "[install] no chromium: the report page's browser test will fail; install it (Debian: apt-get install chromium) or set CHROMIUM_PATH" >&2
  fi
fi

stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ]; then exit 0; fi
echo "[install] npm install from package-lock.json (about a minute on a warm cache)" >&2
# The registry drops a connection now and then (ECONNRESET mid-body, which npm's own fetch retries do not
# cover): the whole install is tried again, picking up what the last try fetched, before giving up.
attempts=3
for attempt in $(seq 1 "$attempts"); do
  if npm install --no-audit --no-fund --loglevel=error --fetch-retries=4; then exit 0; fi
  if [ "$attempt" = "$attempts" ]; then
    echo "[install] npm install failed $attempts times (the messages above say why); run scripts/install.sh again when the registry answers" >&2
    exit 1
  fi
  echo "[install] npm install failed (try $attempt of $attempts: the registry or the network?); trying again in $((attempt * 15)) s" >&2
  sleep $((attempt * 15))
done
