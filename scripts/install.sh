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
npm install --no-audit --no-fund --loglevel=error
