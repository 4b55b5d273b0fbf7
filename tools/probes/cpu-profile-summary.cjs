#!/usr/bin/env node
// Where the CPU went, from V8 CPU profiles (`node --cpu-prof`, or `switchyard bench gateway --cpu-prof DIR`):
// self time summed by function and by where the code lives (a package of node_modules, a library or app of
// this repository, node's own internals), across every .cpuprofile found under DIR.
//
//   node tools/probes/cpu-profile-summary.cjs DIR [--top N] [--callers FUNCTION [--depth N]]
//
// --callers: for a function (a native one such as writeBuffer, say), which call paths its self time came
// through, four frames up (--depth N for more). --inclusive: this repository's functions by the time spent
// in them and everything they called (a function that recurses counted once per sample).
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

// Piped into head: stop quietly when the reader has what it wanted.
process.stdout.on('error', () => process.exit(0));
const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: cpu-profile-summary.cjs DIR [--top N]\n');
  process.exit(2);
}
const topAt = process.argv.indexOf('--top');
const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 40;
const callersAt = process.argv.indexOf('--callers');
const callersOf = callersAt > 0 ? process.argv[callersAt + 1] : undefined;
const depthAt = process.argv.indexOf('--depth');
const depth = depthAt > 0 ? Number(process.argv[depthAt + 1]) : 4;
const paths = new Map();
const inclusiveWanted = process.argv.includes('--inclusive');
const inclusive = new Map();

function profiles(path) {
  if (statSync(path).isFile()) return path.endsWith('.cpuprofile') ? [path] : [];
  return readdirSync(path).flatMap((name) => profiles(join(path, name)));
}

/** Where a script lives: `pkg:<name>` for node_modules, `repo:<libs|apps>/<name>`, `node:` internals. */
function place(url) {
  if (!url) return '(native / idle / gc)';
  if (url.startsWith('node:')) return 'node: internals';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return `pkg:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const m = /\/(libs|apps)\/([^/]+)\//.exec(url);
  if (m) return `repo:${m[1]}/${m[2]}`;
  const dist = /\/dist\/apps\/([^/]+)\//.exec(url);
  if (dist) return `repo:dist/${dist[1]}`;
  return relative(process.cwd(), url.replace(/^file:\/\//, ''));
}

const byFunction = new Map();
const byPlace = new Map();
let total = 0;
let idle = 0;
for (const file of profiles(dir)) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  // timeDeltas[i] is the time before samples[i]: charge it to that sample's node.
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  for (const [id, us] of self) {
    const { callFrame } = nodes.get(id);
    if (inclusiveWanted && callFrame.functionName !== '(idle)') {
      const seen = new Set();
      for (let up = id; up !== undefined; up = parent.get(up)) {
        const f = nodes.get(up).callFrame;
        const where = place(f.url);
        if (!where.startsWith('repo:')) continue;
        const key = `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}`;
        if (seen.has(key)) continue;
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + us);
      }
    }
    total += us;
    if (callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const where = place(callFrame.url);
    if (callersOf !== undefined && callFrame.functionName === callersOf) {
      const chain = [];
      for (let up = parent.get(id); up !== undefined && chain.length < depth; up = parent.get(up)) {
        const f = nodes.get(up).callFrame;
        chain.push(`${f.functionName || '(anonymous)'} ${place(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`);
      }
      const key = chain.join('  <  ');
      paths.set(key, (paths.get(key) ?? 0) + us);
    }
    const fn = `${callFrame.functionName || '(anonymous)'}  ${where}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byPlace.set(where, (byPlace.get(where) ?? 0) + us);
  }
}
const busy = total - idle;
const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
process.stdout.write(`busy ${ms(busy)} of ${ms(total)} sampled (idle ${ms(idle)})\n\nby place (self time):\n`);
for (const [where, us] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, top))
  process.stdout.write(`${ms(us)} ${pct(us)}  ${where}\n`);
process.stdout.write('\nby function (self time):\n');
for (const [fn, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  process.stdout.write(`${ms(us)} ${pct(us)}  ${fn}\n`);
if (callersOf !== undefined) {
  process.stdout.write(`\ncall paths of ${callersOf} (self time):\n`);
  for (const [chain, us] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(`${ms(us)} ${pct(us)}  ${chain}\n`);
}
if (inclusiveWanted) {
  process.stdout.write("\nthis repository's functions, inclusive of what they called:\n");
  for (const [fn, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(`${ms(us)} ${pct(us)}  ${fn}\n`);
}
