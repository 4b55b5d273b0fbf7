// How fast the MongoDB-wire server (FerretDB here) answers a filter no index serves: N records with a text of
// C characters are written to a database of the probe's own, then two finds are timed, one that matches
// nothing (the canary check's `decision.policyVersion $in`) and one for the last hour (the recount's
// `completedAt` range, which has an index on MongoDB). FerretDB v1 on SQLite reads the whole collection for
// both, in the round trip of the first batch: what rule-optimizer's socket timeout must allow for.
//
//   node tools/probes/ferretdb-scan.cjs [N=100000] [C=800] [uri=mongodb://127.0.0.1:27017]
const { MongoClient } = require('mongodb');

const N = Number(process.argv[2] ?? 100000);
const C = Number(process.argv[3] ?? 800);
const URI = process.argv[4] ?? 'mongodb://127.0.0.1:27017';

(async () => {
  const client = await MongoClient.connect(URI, { serverMonitoringMode: 'poll' });
  const db = client.db(`scanprobe${process.pid}`);
  const records = db.collection('records');
  const text = 'x'.repeat(C);
  const start = 1.7e12;
  try {
    for (let i = 0; i < N; i += 2000) {
      const docs = [];
      for (let j = i; j < Math.min(i + 2000, N); j++)
        docs.push({
          _id: `r${j}`,
          completedAt: new Date(start + j * 1000),
          status: 'succeeded',
          prompt: text,
          decision: { policyVersion: `v${j % 5}`, model: 'm' },
        });
      await records.insertMany(docs, { ordered: false });
      if ((i / 2000) % 10 === 0) process.stderr.write(`  ${i + docs.length} of ${N} records written\n`);
    }
    const filters = [
      ['decision.policyVersion $in, no match', { 'decision.policyVersion': { $in: ['none'] } }],
      ['completedAt of the last hour', { completedAt: { $gte: new Date(start + (N - 3600) * 1000) } }],
    ];
    for (const [name, filter] of filters) {
      const started = Date.now();
      const found = (await records.find(filter, { batchSize: 2000, projection: { _id: 1 } }).toArray()).length;
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `${N} records of ${C} characters, ${name}: ${found} found in ${seconds.toFixed(1)} s, ${Math.round(N / seconds)} records/s read`,
      );
    }
  } finally {
    await db.dropDatabase();
    await client.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
