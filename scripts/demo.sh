#!/usr/bin/env bash
# The main job (`npm run demo`): install, bring up the local servers, build, then start the six services,
# send a real mixed workload through NATS and HTTP, print the routing and cost summary, and stop cleanly.
# Then a short run of the learning loop on real data (switchyard simulate: 3 compressed days of MMLU-Pro
# traffic, the nightly retraining and canary check after each, every day's policy replayed on held-out
# questions). Extra arguments go to `switchyard demo` (e.g. npm run demo -- --requests 500).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
bash scripts/install.sh
bash scripts/infra.sh up
echo "[build] services and CLI" >&2
npx nx run-many -t build --projects=tag:type:app --parallel=2 --output-style=static >/dev/null || npx nx run-many -t build --projects=tag:type:app --parallel=1 --output-style=static
node bin/switchyard.js demo "$@"
echo "[simulate] the learning loop, 3 short days on the committed MMLU-Pro slice (docs/learning.md)" >&2
node bin/switchyard.js simulate --days 3 --requests-per-day 800 --no-reference --out out/demo-simulate
