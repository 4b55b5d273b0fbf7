#!/usr/bin/env node
// Settings of the co-located process compared side by side: `switchyard serve --services LIST` (the simulated
// provider, no added latency, the default policy, a tenant key) on a nats-server of its own, and a closed
// loop of C keep-alive connections on its HTTP door; each variant (its own environment) in turn, round after
// round, so the machine's noise falls on all of them alike. Prints per run: requests/s, p50/p90/p99, and CPU
// per request (from /proc) of the serving process, its nats-server, the local FerretDB and Redis.
//
//   npm run build && bash scripts/infra.sh up
//   node tools/probes/door-closed-loop.cjs --variant linger0:RECORD_WRITE_LINGER_MS=0 \
//     --variant linger20:RECORD_WRITE_LINGER_MS=20 [--rounds 3] [--connections 1] [--requests 2000] \
//     [--services all] [--cpu-prof DIR]
//
// A variant's SERVICES=a,b,... runs that list instead of --services (what a service costs in the process);
// SECOND=c,d,... runs those services in a second process beside it (its CPU counts in the serve column).
// Each run counts the records stored against the requests answered (warm-up included).
//
// MongoDB and Redis are the local ones (MONGODB_SERVER, REDIS_URL to change); each run has a database and key
// prefix of its own, dropped afterwards.
const { spawn, execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const cli = join(root, 'bin', 'switchyard.js');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const variants = args
  .flatMap((a, i) => (a === '--variant' ? [args[i + 1]] : []))
  .map((spec) => {
    const [name, env = ''] = spec.split(/:(.*)/s);
    // Pairs split at a comma that starts the next NAME=: a value may hold commas (SERVICES=a,b).
    const pairs = env.split(/,(?=[A-Z_][A-Z0-9_]*=)/).filter(Boolean);
    for (const p of pairs) if (!/^[A-Z_][A-Z0-9_]*=/.test(p)) usage(`not NAME=value: ${p}`);
    return { name, env: Object.fromEntries(pairs.map((p) => p.split(/=(.*)/s).slice(0, 2))) };
  });
const rounds = Number(flag('--rounds', '3'));
const connections = Number(flag('--connections', '1'));
const requests = Number(flag('--requests', '2000'));
const services = flag('--services', 'all');
if (variants.length === 0) usage('give at least one --variant NAME[:K=V,...]');
if (![rounds, connections, requests].every((n) => Number.isInteger(n) && n > 0))
  usage('--rounds, --connections and --requests take whole numbers above 0');

function usage(why) {
  process.stderr.write(
    `${why}\nusage: door-closed-loop.cjs --variant NAME[:K=V,...] [--variant ...] [--rounds 3] [--connections 1] [--requests 2000] [--services all]\n`,
  );
  process.exit(2);
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100); // utime + stime, in clock ticks of 10 ms
};
const pidOf = (pattern) => {
  try {
    return Number(execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).split('\n')[0]) || undefined;
  } catch {
    return undefined;
  }
};

async function waitFor(what, check, ms) {
  const until = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`${what} not ready after ${ms} ms`);
    await sleep(200);
  }
}

const get = (port, path) =>
  new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      })
      .on('error', () => resolve(false));
  });

async function closedLoop(port, key, total, agent, latencies) {
  const body = JSON.stringify({
    model: 'auto',
    messages: [{ role: 'user', content: 'What is the capital of France? Answer in one word.' }],
  });
  const one = () =>
    new Promise((resolve, reject) => {
      const t = process.hrtime.bigint();
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/chat/completions',
          method: 'POST',
          agent,
          timeout: 30_000,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${key}`,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(Number(process.hrtime.bigint() - t) / 1e6)
              : reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`)),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
      req.on('error', reject);
      req.end(body);
    });
  let left = total;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (left-- > 0) {
        const ms = await one();
        latencies?.push(ms);
      }
    }),
  );
}

async function run(variant) {
  const natsPort = await freePort();
  const doorPort = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'door-loop-nats-'));
  const nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', store], {
    stdio: 'ignore',
  });
  const run = `probe${Date.now().toString(36)}`;
  const env = {
    ...process.env,
    NATS_URL: `nats://127.0.0.1:${natsPort}`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    MONGODB_URI: `${process.env.MONGODB_SERVER ?? 'mongodb://127.0.0.1:27017'}/${run}`,
    POLICY_FILE: join(root, 'policies', 'default.yaml'),
    POLICY_WATCH: 'false',
    SIMULATED_LATENCY_MS: '0',
    LOG_LEVEL: 'warn',
    OPTIMIZER_QUEUE: run,
    ROUTING_STATE_PREFIX: run,
    HTTP_PORT_INGRESS: String(doorPort),
    ...variant.env,
  };
  let serve;
  let second;
  try {
    const created = execFileSync('node', [cli, 'keys', 'create', '--tenant', 'bench', '--name', 'probe'], {
      env,
      encoding: 'utf8',
    });
    const key = /key: (\S+)/.exec(created)?.[1];
    if (!key) throw new Error(`no key in: ${created}`);
    let output = '';
    // --cpu-prof DIR: a V8 profile of each serving process, written to DIR/<variant> when it stops.
    const profile = flag('--cpu-prof')
      ? ['--cpu-prof', `--cpu-prof-dir=${join(flag('--cpu-prof'), variant.name)}`]
      : [];
    serve = spawn('node', [...profile, cli, 'serve', '--services', variant.env.SERVICES ?? services], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serve.stdout.on('data', (c) => (output += c));
    serve.stderr.on('data', (c) => (output += c));
    await waitFor(
      `switchyard serve (${output.slice(-500)})`,
      async () => {
        if (serve.exitCode !== null) throw new Error(`switchyard serve exited: ${output.slice(-2000)}`);
        return get(doorPort, '/readyz');
      },
      60_000,
    );
    if (variant.env.SECOND) {
      second = spawn('node', [cli, 'serve', '--services', variant.env.SECOND], {
        env: { ...env, HTTP_PORT_INGRESS: String(await freePort()) },
        stdio: 'ignore',
      });
      await sleep(5000); // connected and consuming (it has no door to ask)
      if (second.exitCode !== null) throw new Error(`the second process (${variant.env.SECOND}) exited`);
    }
    const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    await closedLoop(doorPort, key, 300 * connections, agent); // warm-up
    const pids = {
      serve: serve.pid,
      second: second?.pid,
      nats: nats.pid,
      ferretdb: pidOf('ferretdb-v'),
      redis: pidOf('redis-server'),
    };
    const before = Object.fromEntries(Object.entries(pids).map(([n, p]) => [n, p ? cpuMs(p) : NaN]));
    const latencies = [];
    const started = Date.now();
    await closedLoop(doorPort, key, requests, agent, latencies);
    const seconds = (Date.now() - started) / 1000;
    await sleep(1500); // the records of the last requests are stored
    const cpu = Object.fromEntries(
      Object.entries(pids).map(([n, p]) => [n, p ? (cpuMs(p) - before[n]) / requests : NaN]),
    );
    // Every answered request (warm-up included) must have its record: count them, waiting up to 20 s.
    const sent = 300 * connections + requests;
    let stored = 0;
    for (const until = Date.now() + 20_000; stored < sent && Date.now() < until; await sleep(500))
      stored = Number(execFileSync('node', ['-e', countRecords], { env, encoding: 'utf8' }));
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    return { rps: requests / seconds, p50: at(0.5), p90: at(0.9), p99: at(0.99), cpu, stored, sent };
  } finally {
    if (second && second.exitCode === null) {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
    if (serve && serve.exitCode === null) {
      serve.kill('SIGTERM');
      await new Promise((r) => serve.once('exit', r));
    }
    nats.kill('SIGTERM');
    await new Promise((r) => (nats.exitCode === null ? nats.once('exit', r) : r()));
    rmSync(store, { recursive: true, force: true });
    try {
      execFileSync('node', ['-e', dropDatabase], { env });
    } catch {
      // a leftover database of a probe run is harmless
    }
  }
}

const countRecords = `
const mongoose = require(require.resolve('mongoose', { paths: [${JSON.stringify(root)}] }));
mongoose.createConnection(process.env.MONGODB_URI, { serverMonitoringMode: 'poll' }).asPromise()
  .then((c) => c.collection('routing_records').countDocuments().then((n) => { process.stdout.write(String(n)); return c.close(); }));`;

const dropDatabase = `
const mongoose = require(require.resolve('mongoose', { paths: [${JSON.stringify(root)}] }));
mongoose.createConnection(process.env.MONGODB_URI, { serverMonitoringMode: 'poll' }).asPromise()
  .then((c) => c.dropDatabase().then(() => c.close()));`;

(async () => {
  const f = (n) => n.toFixed(2).padStart(6);
  process.stdout.write(
    `switchyard serve --services ${services}, ${connections} connection(s), ${requests} requests per run, ${rounds} round(s)\n`,
  );
  process.stdout.write(
    'variant              req/s  p50 ms  p90 ms  p99 ms  CPU ms per request: serve + nats + ferretdb + redis = total  records\n',
  );
  for (let r = 1; r <= rounds; r++) {
    for (const v of variants) {
      const m = await run(v);
      const { nats, ferretdb, redis } = m.cpu;
      const serve = m.cpu.serve + (Number.isFinite(m.cpu.second) ? m.cpu.second : 0);
      const total = [serve, nats, ferretdb, redis].filter(Number.isFinite).reduce((a, b) => a + b, 0);
      process.stdout.write(
        `${v.name.padEnd(18)} ${m.rps.toFixed(0).padStart(6)}  ${f(m.p50)}  ${f(m.p90)}  ${f(m.p99)}  ${f(serve)} + ${f(nats)} + ${f(ferretdb)} + ${f(redis)} = ${f(total)}  ${m.stored}/${m.sent}\n`,
      );
    }
  }
})().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
