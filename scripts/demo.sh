#!/usr/bin/env bash
# The main job (`npm run demo`): install, bring up the local servers, build, then start the six services,
# send a real mixed workload through NATS and HTTP, print the routing and cost summary, and stop cleanly.
# Extra arguments go to `switchyard demo` (e.g. npm run demo -- --requests 500).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
bash scripts/install.sh
bash scripts/infra.sh up
echo "[build] services and CLI" >&2
npx nx run-many -t build --projects=tag:type:app --parallel=2 --output-style=static >/dev/null || npx nx run-many -t build --projects=tag:type:app --parallel=1 --output-style=static
node bin/switchyard.js demo "$@"
