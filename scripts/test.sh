#!/usr/bin/env bash
# Every test of the project, as CI runs it (`npm test`):
#   install -> local servers up -> unit and integration tests of every project, with lint, type check and
#   build beside them -> e2e. From the start until the unit tests end, the Go the tests need compiles beside.
# Integration and e2e tests talk to the real NATS, Redis and MongoDB-wire server that scripts/infra.sh provides.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

step() { printf '\n== %s\n' "$*" >&2; }

step_times=()
# One line of the closing summary: seconds, then what took them.
took() { step_times+=("$(printf '%6ss  %s' "$1" "$2")"); }
timed() {
  local name=$1 start=$SECONDS; shift; step "$name"
  "$@"
  local rc=$?
  took $((SECONDS - start)) "$name"
  return $rc
}
# The Go the tests build, the deploy check's tools and the e2e suite's example client, downloads and compiles
# for minutes on a cold machine. From the start, beside everything else until the unit tests reach the deploy
# check: built into Go's caches with the flags and cache the tests use (tools/deploy-check/src/go-tools.ts,
# apps/e2e/src/go-client.e2e.spec.ts), so that the specs find the packages compiled and only link. Best
# effort: without Go, or if this fails, the specs say why.
warm_go_tools() (
  command -v go >/dev/null || { echo "no go on PATH: skipped (the specs that need it say so)"; return 0; }
  rc=0
  version=$(sed -n "s/^export const KUSTOMIZE_VERSION = '\(v[0-9.]*\)';\$/\1/p" tools/deploy-check/src/go-tools.ts)
  scratch=$(mktemp -d)
  export GOTOOLCHAIN=local GOFLAGS=-mod=readonly
  (cd tools/deploy-check/go && go build -trimpath -o "$scratch/deploy-check" .) &&
    GOBIN=$scratch go install "sigs.k8s.io/kustomize/kustomize/v5@$version" &&
    (cd examples/go-client && GOCACHE="${TMPDIR:-/tmp}/switchyard-e2e-go-build-cache" \
      GOFLAGS='-mod=readonly -buildvcs=false' go build -trimpath -o "$scratch/go-client" .) || rc=$?
  rm -rf "$scratch"
  echo $((SECONDS - go_start)) >tmp/go-tools.seconds
  [ "$rc" = 0 ] || echo "warming the Go builds failed (exit $rc); the specs build them themselves"
)
mkdir -p tmp && rm -f tmp/go-tools.seconds
go_start=$SECONDS
warm_go_tools >tmp/go-tools.log 2>&1 &
go_pid=$!
timed install bash scripts/install.sh
timed "local servers" bash scripts/infra.sh up
rm -rf tmp/test-results
failed_steps=()
run_step() { timed "$@" || failed_steps+=("$1"); }
# The committed lockfile is what `npm ci` installs on a clean clone (the Dockerfile runs npm ci): in a scratch
# copy, since npm ci empties node_modules; --dry-run --offline checks package.json against the lockfile without
# installing or fetching anything (about 5 s; a missing entry, such as a platform package the registry did not
# serve when the lockfile was written, fails it).
run_step lockfile bash -c 'd=$(mktemp -d) && trap "rm -rf $d" EXIT && cp package.json package-lock.json "$d" &&
  cd "$d" && npm ci --dry-run --offline --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null'
# Lint (one TypeScript program for the whole tree: eslint.config.mjs), the type check of everything, tests
# included (jest's swc transform does not check them), and the build need no server: they run one after
# another beside the unit and integration tests, which leave a core idle (one project at a time, since
# integration tests of different projects share the local servers).
# Their output is printed when they end; the suite has a 15-minute budget on a 2-core machine.
beside() {
  local name=$1 start=$SECONDS; shift
  if "$@" >"tmp/$name.log" 2>&1; then echo "ok $((SECONDS - start)) $name"; else echo "failed $((SECONDS - start)) $name"; fi
}
( beside lint npm run lint --silent
  beside typecheck npx tsc -p tsconfig.check.json
  beside build npx nx run-many -t build --projects=tag:type:app --parallel=1 --output-style=static
) >tmp/beside.status &
beside_pid=$!
run_step "unit and integration tests" npx nx run-many -t test --exclude=e2e --parallel=1 --output-style=static
start=$SECONDS; wait "$beside_pid" || true
took $((SECONDS - start)) "waiting for the steps beside"
while read -r verdict seconds name; do
  step "$name (ran beside the unit tests)"; cat "tmp/$name.log" >&2
  took "$seconds" "$name (beside the unit tests)"
  [ "$verdict" = ok ] || failed_steps+=("$name")
done <tmp/beside.status
for name in lint typecheck build; do grep -q " $name\$" tmp/beside.status || failed_steps+=("$name (did not finish)"); done
wait "$go_pid" || true
step "Go builds (ran beside)"; cat tmp/go-tools.log >&2
took "$(cat tmp/go-tools.seconds 2>/dev/null || echo '?')" "Go builds (beside)"
# Two spec files at a time, each jest worker on a nats-server of its own (apps/e2e/jest).
run_step end-to-end npx nx run e2e:test --output-style=static

# One closing line for the whole suite, summed over every project's jest run; a failed step that ran no
# test (lint, build, a project without tests) counts as one failure, so the line never hides it.
printf '\nsteps (wall seconds):\n' >&2; printf '  %s\n' "${step_times[@]}" >&2
[ ${#failed_steps[@]} -eq 0 ] || printf '\nfailed steps: %s\n' "${failed_steps[*]}" >&2
FAILED_STEPS=${#failed_steps[@]} node -e '
const fs = require("node:fs"), dir = "tmp/test-results";
const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
const t = { passed: 0, failed: 0, skipped: 0 }, spent = [];
for (const f of files) {
  const r = JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"));
  for (const k in t) t[k] += r[k];
  for (const s of r.files ?? []) spent.push(s);
}
spent.sort((a, b) => b.seconds - a.seconds);
console.log("\nslowest spec files (seconds):");
for (const s of spent.slice(0, 8)) console.log(`  ${s.seconds.toFixed(1).padStart(6)}  ${require("node:path").relative(".", s.file)}`);
if (t.failed === 0) t.failed += Number(process.env.FAILED_STEPS);
console.log(`\n${files.length} jest projects`);
console.log(`${t.passed} passed, ${t.failed} failed` + (t.skipped ? `, ${t.skipped} skipped` : ""));
'
[ ${#failed_steps[@]} -eq 0 ]
