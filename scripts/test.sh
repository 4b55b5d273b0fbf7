#!/usr/bin/env bash
# Every test of the project, as CI runs it (`npm test`):
#   install -> local servers up -> lint -> unit and integration tests of every project -> build -> e2e.
# Integration and e2e tests talk to the real NATS, Redis and MongoDB-wire server that scripts/infra.sh provides.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

step() { printf '\n== %s\n' "$*" >&2; }

step "install"; bash scripts/install.sh
step "local servers"; bash scripts/infra.sh up
rm -rf tmp/test-results
status=0
step "lint"; npx nx run-many -t lint --parallel=2 --output-style=static || status=1
# One project at a time: integration tests of different projects share the local servers.
step "unit and integration tests"; npx nx run-many -t test --exclude=e2e --parallel=1 --output-style=static || status=1
step "build"; npx nx run-many -t build --projects=tag:type:app --parallel=2 --output-style=static || status=1
step "end-to-end"; npx nx run e2e:test --output-style=static || status=1

# One closing line for the whole suite, summed over every project's jest run.
node -e '
const fs = require("node:fs"), dir = "tmp/test-results";
const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
const t = { passed: 0, failed: 0, skipped: 0 };
for (const f of files) { const r = JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8")); for (const k in t) t[k] += r[k]; }
console.log(`\n${files.length} jest projects`);
console.log(`${t.passed} passed, ${t.failed} failed` + (t.skipped ? `, ${t.skipped} skipped` : ""));
'
exit $status
