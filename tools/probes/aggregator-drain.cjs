// How fast feedback-aggregator stores a backlog: N completion events (and feedback on a share of them) are
// put on a private nats-server's events stream first, then the built aggregator is started alone and the
// records are counted until all are stored and every event is acked. Prints records per second, the CPU
// time of the aggregator and of the MongoDB-wire server per record, and checks the rollups: requests and
// labels summed over every row must equal the records and the feedback sent.
//
//   node tools/probes/aggregator-drain.cjs [N=20000] [feedbackShare=0.2] [concurrency=32]
const { spawn } = require('node:child_process');
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const net = require('node:net');
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager } = require('@nats-io/jetstream');
const mongoose = require('mongoose');

const N = Number(process.argv[2] ?? 20000);
const SHARE = Number(process.argv[3] ?? 0.2);
const CONCURRENCY = process.argv[4] ?? '32';
const root = join(__dirname, '..', '..');
const freePort = () => new Promise((r) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cpuMs = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const ferretPid = () => { for (const d of require('node:fs').readdirSync('/proc')) { if (!/^\d+$/.test(d)) continue; try { const c = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0'); if (/ferretdb/.test(c[0]) && c.some((a) => a.includes(':27017'))) return Number(d); } catch {} } };

(async () => {
  const port = await freePort();
  const nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', mkdtempSync(join(tmpdir(), 'drain-'))], { stdio: 'ignore' });
  await sleep(500);
  const nc = await connect({ servers: `nats://127.0.0.1:${port}` });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'ROUTER_EVENTS', subjects: ['router.completion.*.v1', 'router.feedback.submitted.v1'], duplicate_window: 600e9 });
  const js = jetstream(nc);
  const db = `probe_drain_${Date.now()}`;
  const prompt = 'What is the capital of France? Please answer briefly and explain why. '.repeat(3);
  let acks = [];
  let feedbackSent = 0;
  for (let i = 0; i < N; i++) {
    const requestId = `r${i}`;
    const t = Date.now();
    const completion = { requestId, tenant: 'acme', receivedAt: t, completedAt: t + 5, prompt, attempts: [{ model: 'gpt-4o-mini', provider: 'simulated', ok: true, latencyMs: 1 }],
      features: { chars: prompt.length, tokenEstimate: 60, language: 'en', turns: 1, questionCount: 1, codeBlocks: 0, signals: {}, difficulty: 0.1 },
      decision: { plan: { kind: 'single', model: 'gpt-4o-mini' }, method: 'difficulty', reason: 'difficulty 0.1 in band < 0.2', params: { temperature: 0.7, maxTokens: 300 }, policyVersion: 'default@1', alternatives: ['gpt-4o-mini'] },
      model: 'gpt-4o-mini', provider: 'simulated', answer: 'Paris. '.repeat(20), finishReason: 'stop', usage: { inputTokens: 60, outputTokens: 80, estimated: false }, costUsd: 0.00006, latency: { totalMs: 5, routingMs: 1, providerMs: 1 } };
    acks.push(js.publish('router.completion.succeeded.v1', JSON.stringify(completion), { msgID: `acme:${requestId}` }));
    if (Math.random() < SHARE && ++feedbackSent) acks.push(js.publish('router.feedback.submitted.v1', JSON.stringify({ feedbackId: `f${i}`, requestId, tenant: 'acme', rating: 4, submittedAt: t + 10 }), { msgID: `fb:acme:f${i}` }));
    if (acks.length >= 500) { await Promise.all(acks); acks = []; }
  }
  await Promise.all(acks);
  // PREFILL=n: the database already holds n records (does the aggregator slow down as it grows?).
  const prefill = Number(process.env.PREFILL ?? 0);
  if (prefill > 0) {
    const pre = await mongoose.createConnection(`mongodb://127.0.0.1:27017/${db}`, { serverMonitoringMode: 'poll' }).asPromise();
    for (let i = 0; i < prefill; i += 1000)
      await pre.collection('routing_records').insertMany(Array.from({ length: Math.min(1000, prefill - i) }, (_, j) => ({ _id: `acme:old${i + j}`, requestId: `old${i + j}`, tenant: 'acme', prompt, completedAt: new Date() })));
    await pre.close();
    console.log(`prefilled ${prefill} records`);
  }
  console.log(`${N} completions and ~${Math.round(N * SHARE)} feedback on the stream; starting feedback-aggregator (concurrency ${CONCURRENCY})`);
  const agg = spawn(process.execPath, [...(process.env.PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.PROFILE] : []), join(root, 'dist/apps/feedback-aggregator/main.js')], {
    env: { ...process.env, NATS_URL: `nats://127.0.0.1:${port}`, MONGODB_URI: `mongodb://127.0.0.1:27017/${db}`, HTTP_PORT: String(await freePort()), LOG_LEVEL: 'error', CONSUMER_CONCURRENCY: CONCURRENCY },
    stdio: 'inherit',
  });
  const m = await mongoose.createConnection(`mongodb://127.0.0.1:27017/${db}`, { serverMonitoringMode: 'poll' }).asPromise();
  const fpid = ferretPid();
  const started = Date.now(); const aggCpu0 = 0; const fCpu0 = fpid ? cpuMs(fpid) : 0;
  let stored = 0;
  while (stored < N) {
    await sleep(2000);
    stored = (await m.collection('routing_records').estimatedDocumentCount()) - prefill;
    console.log(`  ${((Date.now() - started) / 1000).toFixed(0)} s: ${stored} records (${(stored / ((Date.now() - started) / 1000)).toFixed(0)}/s)`);
  }
  // Then every event acked (the feedback of the last records, their rollup increments).
  for (;;) {
    const info = await jsm.consumers.info('ROUTER_EVENTS', 'feedback-aggregator-records');
    if (info.num_pending === 0 && info.num_ack_pending === 0) break;
    await sleep(200);
  }
  const secs = (Date.now() - started) / 1000;
  console.log(`stored ${N} in ${secs.toFixed(1)} s = ${(N / secs).toFixed(0)} records/s; CPU per record: aggregator ${(cpuMs(agg.pid) / N).toFixed(2)} ms, FerretDB ${fpid ? ((cpuMs(fpid) - fCpu0) / N).toFixed(2) : '?'} ms`);
  const rows = await m.collection('rollups').find().toArray();
  if (rows.length > 0) {
    const sum = (k) => rows.reduce((a, r) => a + (r[k] ?? 0), 0);
    const ok = sum('requests') === N && sum('qualityCount') === feedbackSent;
    console.log(`rollups: ${rows.length} rows, ${sum('requests')} requests (${N} records), ${sum('qualityCount')} labels (${feedbackSent} feedback sent): ${ok ? 'equal' : 'NOT EQUAL'}`);
  }
  agg.kill('SIGTERM'); await new Promise((r) => agg.on('exit', r));
  await m.close(); await nc.close(); nats.kill();
})();
