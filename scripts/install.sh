#!/usr/bin/env bash
# Installs the npm dependencies at the lockfile's versions when node_modules is missing or older than the
# lockfile. `npm install`, not `npm ci`: npm 11 writes lockfiles without the other platforms' optional
# packages (@swc/core-darwin-arm64, ...) and `npm ci` then refuses them as "Missing ... from lock file".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ]; then exit 0; fi
echo "[install] npm install from package-lock.json (about a minute on a warm cache)" >&2
npm install --no-audit --no-fund --loglevel=error
