// Feedback attachment on the MongoDB-wire server, two ways side by side in one run: an update with a
// conditional filter ($or on the stored feedback's time) against a plain update by _id with $max on the
// summary (what RoutingRecordRepository.attachFeedback does). Each writes 300 feedback onto a collection of
// 3,000 records, plus the feedback log upsert, at 1, 8 and 32 in flight.
//
//   node tools/probes/feedback-attach.cjs [mongodb://127.0.0.1:27017]
const mongoose = require('mongoose');

const server = process.argv[2] ?? 'mongodb://127.0.0.1:27017';

async function run(name, label, attach) {
  const c = await mongoose
    .createConnection(`${server}/probe_feedback_${name}_${Date.now()}`, { serverMonitoringMode: 'poll' })
    .asPromise();
  const records = c.db.collection('routing_records');
  const log = c.db.collection('feedback');
  const docs = Array.from({ length: 3000 }, (_, i) => ({ _id: `acme:k${i}`, requestId: `k${i}`, tenant: 'acme', prompt: 'x'.repeat(100) }));
  for (let i = 0; i < docs.length; i += 500) await records.insertMany(docs.slice(i, i + 500));
  await log.insertOne({ _id: 'seed' });
  let next = 0;
  for (const inFlight of [1, 8, 32]) {
    const end = next + 300;
    const started = performance.now();
    const worker = async () => {
      while (next < end) {
        const i = next++;
        await attach(records, `acme:k${i}`, { submittedAt: new Date(), feedbackId: `f${i}`, rating: 1 + (i % 5) });
        await log.updateOne({ _id: `acme:f${i}` }, { $setOnInsert: { requestId: `k${i}` } }, { upsert: true });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const ms = performance.now() - started;
    console.log(`${label.padEnd(22)} ${String(inFlight).padStart(2)} in flight: ${(300_000 / ms).toFixed(0).padStart(4)} feedback/s`);
  }
  await c.close();
}

(async () => {
  await run('or', '$or conditional filter', (records, _id, fb) =>
    records.updateOne(
      { _id, $or: [{ feedback: { $exists: false } }, { 'feedback.submittedAt': { $lte: fb.submittedAt } }] },
      { $set: { feedback: fb } },
    ),
  );
  await run('max', '$max by _id', (records, _id, fb) => records.updateOne({ _id }, { $max: { feedback: fb } }));
})();
