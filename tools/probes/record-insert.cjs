// New routing records written two ways side by side in one run: bulk upserts by _id (what a redelivered
// event needs) against one unordered insertMany (what new records need), 30 batches of 64 each, with the
// wall time and the MongoDB-wire server's CPU time per record (from /proc, FerretDB on this machine).
//
//   node tools/probes/record-insert.cjs [mongodb://127.0.0.1:27017]
const mongoose = require('mongoose');
const { readFileSync, readdirSync } = require('node:fs');

const server = process.argv[2] ?? 'mongodb://127.0.0.1:27017';
const port = /:(\d+)$/.exec(server)?.[1] ?? '27017';
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const serverPid = () => {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (/ferretdb|mongod/.test(args[0]) && args.some((a) => a.includes(`:${port}`) || a === port)) return Number(d);
    } catch {}
  }
};

(async () => {
  const c = await mongoose.createConnection(`${server}/probe_record_insert_${Date.now()}`, { serverMonitoringMode: 'poll' }).asPromise();
  const pid = serverPid();
  const prompt = 'What is the capital of France? Please answer briefly and explain why. '.repeat(3);
  const record = (i) => ({
    requestId: `r${i}`, tenant: 'acme', status: 'succeeded', receivedAt: new Date(), completedAt: new Date(), prompt,
    attempts: [{ model: 'm', provider: 'simulated', ok: true, latencyMs: 1 }],
    features: { chars: 200, tokenEstimate: 60, language: 'en', turns: 1, questionCount: 1, codeBlocks: 0, signals: {}, difficulty: 0.1 },
    decision: { plan: { kind: 'single', model: 'm' }, method: 'difficulty', reason: 'difficulty 0.1 in band < 0.2', params: { temperature: 0.7, maxTokens: 300 }, policyVersion: 'default@1', alternatives: ['m'] },
    method: 'difficulty', model: 'm', provider: 'simulated', usage: { inputTokens: 60, outputTokens: 80, estimated: false }, costUsd: 0.00006,
    latency: { totalMs: 5, routingMs: 1, providerMs: 1 },
  });
  const ways = [
    ['bulk upserts', (b) => c.db.collection('upserted').bulkWrite(Array.from({ length: 64 }, (_, j) => ({ updateOne: { filter: { _id: `k${b * 64 + j}` }, update: { $set: record(b * 64 + j) }, upsert: true } })), { ordered: false })],
    ['insertMany', (b) => c.db.collection('inserted').insertMany(Array.from({ length: 64 }, (_, j) => ({ _id: `k${b * 64 + j}`, ...record(b * 64 + j) })), { ordered: false })],
  ];
  for (const [name, write] of ways) {
    const cpu0 = pid ? cpuMs(pid) : 0;
    const started = performance.now();
    for (let b = 0; b < 30; b++) await write(b);
    const n = 30 * 64;
    console.log(`${name.padEnd(13)} ${((performance.now() - started) / n).toFixed(2)} ms wall, ${pid ? ((cpuMs(pid) - cpu0) / n).toFixed(2) : '?'} ms server CPU per record`);
  }
  await c.close();
})();
