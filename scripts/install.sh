#!/usr/bin/env bash
# Installs the npm dependencies from the lockfile when node_modules is missing or older than the lockfile.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ]; then exit 0; fi
echo "[install] npm ci (about a minute on a warm cache)" >&2
npm ci --no-audit --no-fund --loglevel=error
