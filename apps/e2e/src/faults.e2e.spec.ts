import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type ChatReply, EVENTS_STREAM, SUBJECTS, recordKey } from '@switchyard/contracts';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { TemporaryFerretDb, TemporaryNats, TemporaryRedis, uniqueName, waitFor } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { authHeaders, e2eStack } from './stack';

// The six services on a NATS, a Redis and a MongoDB-wire server of this suite's own, which it takes away and
// brings back under load. For each fault: nothing acknowledged is lost, nothing is stored twice, callers get
// a clear answer within their deadline, and the time to recover is printed.
const root = findWorkspaceRoot(__dirname);
const run = promisify(execFile);

describe('faults under load', () => {
  const natsConfig = join(mkdtempSync(join(tmpdir(), 'faults-nats-')), 'nats.conf');
  writeFileSync(natsConfig, 'jetstream: enabled\n');
  const nats = new TemporaryNats(natsConfig);
  const redis = new TemporaryRedis();
  const ferret = new TemporaryFerretDb();
  const database = uniqueName('faults');
  let stack: ReturnType<typeof e2eStack>;
  let nc: NatsConnection;
  let db: Connection;
  let seq = 0;

  beforeAll(async () => {
    await Promise.all([nats.start(), redis.start(), ferret.start()]);
    stack = e2eStack(database, {
      env: {
        NATS_URL: nats.url,
        REDIS_URL: redis.url,
        MONGODB_URI: ferret.uriFor(database),
        CONSUMER_START: 'all',
        // Provider calls are instant: what is measured is the system around them.
        SIMULATED_LATENCY_MS: '0',
      },
    });
    await stack.start();
    nc = await connect({ servers: nats.url });
    db = await mongoose.createConnection(ferret.uriFor(database), { serverMonitoringMode: 'poll' }).asPromise();
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await db?.close().catch(() => undefined);
    await stack?.stop();
    await Promise.all([nats.stop(), redis.stop(), ferret.remove()]);
  }, 60_000);

  const ask = async (requestId?: string): Promise<{ reply: ChatReply; ms: number }> => {
    const started = Date.now();
    const body = { ...(requestId ? { requestId } : {}), messages: [{ role: 'user', content: `question ${seq++}` }] };
    const msg = await nc.request(SUBJECTS.request, JSON.stringify(body), { timeout: 20_000, headers: authHeaders() });
    return { reply: msg.json<ChatReply>(), ms: Date.now() - started };
  };
  const ids = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${name}-${i}`);
  const stored = async (requestIds: string[]) =>
    db
      .collection('routing_records')
      .find({ _id: { $in: requestIds.map((id) => recordKey('acme', id)) as never[] } })
      .toArray();
  const allStored = (requestIds: string[], timeoutMs: number) =>
    waitFor(
      `${requestIds.length} records`,
      async () => {
        const rows = await stored(requestIds);
        return rows.length === requestIds.length ? rows : undefined;
      },
      timeoutMs,
      200,
    );
  const readyz = async (service: Parameters<typeof stack.get>[0]) =>
    (await fetch(`${stack.get(service).baseUrl}/readyz`)).status;

  it('FerretDB stopped and restarted under load: every answered request recorded once', async () => {
    const requestIds = ids('ferret', 90);
    const replies: Array<Promise<{ reply: ChatReply }>> = [];
    for (const [i, id] of requestIds.entries()) {
      if (i === 30) await ferret.stop();
      replies.push(ask(id));
      await new Promise((r) => setTimeout(r, 10));
    }
    const answered = (await Promise.all(replies)).filter((r) => r.reply.ok).length;
    expect(answered).toBe(requestIds.length);
    await ferret.start();
    const back = Date.now();
    const rows = await allStored(requestIds, 90_000);
    const recoveredMs = Date.now() - back;
    expect(new Set(rows.map((r) => r['_id'])).size).toBe(requestIds.length);
    console.log(
      `FerretDB down for 60 of ${requestIds.length} requests: ${answered} answered, ${rows.length} recorded once each, ` +
        `all stored ${recoveredMs} ms after it came back`,
    );
  }, 120_000);

  it('Redis stopped and restarted: requests without an id answered, with one refused at once with 503, then served again', async () => {
    await redis.stop();
    const plain = await Promise.all(Array.from({ length: 20 }, () => ask()));
    const keyed = await Promise.all(ids(`redis-${Date.now()}`, 20).map((id) => ask(id)));
    expect(plain.filter((r) => r.reply.ok)).toHaveLength(20);
    for (const r of keyed)
      expect(r.reply).toMatchObject({
        ok: false,
        error: { code: 'unavailable', retryAfterSeconds: 2, field: 'requestId' },
      });
    const slowestRefusal = Math.max(...keyed.map((r) => r.ms));
    // Kubernetes keeps every replica: none of them needs Redis to serve under this policy.
    expect(await readyz('ingress')).toBe(200);
    expect(await readyz('decision-engine')).toBe(200);
    await redis.start();
    const back = Date.now();
    await waitFor(
      'a request with an id answered',
      async () => ((await ask(`redis-back-${Date.now()}`)).reply.ok ? true : undefined),
      15_000,
      50,
    );
    console.log(
      `Redis down: ${plain.length} requests without an id answered, ${keyed.length} with one refused (503, slowest ${slowestRefusal} ms); ` +
        `served again ${Date.now() - back} ms after redis-server started`,
    );
  }, 60_000);

  it('JetStream not taking records: answers already paid for are kept and stored later, new calls refused until then', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.update(EVENTS_STREAM.name, { subjects: [SUBJECTS.feedbackSubmitted] });
    const requestIds = ids(`js-${Date.now()}`, 40);
    const replies: ChatReply[] = [];
    for (const id of requestIds) replies.push((await ask(id)).reply);
    const answered = requestIds.filter((_, i) => replies[i].ok);
    const refused = replies.filter((r) => !r.ok);
    // The first answer's record could not be stored: from then on nothing more is paid for.
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await readyz('provider-adapters')).toBe(503);
    await jsm.streams.update(EVENTS_STREAM.name, { subjects: [...EVENTS_STREAM.subjects] });
    const back = Date.now();
    await waitFor(
      'provider-adapters ready again',
      async () => ((await readyz('provider-adapters')) === 200 ? true : undefined),
      15_000,
      50,
    );
    const readyMs = Date.now() - back;
    // Every request has its record, the refused ones as failures.
    const rows = await allStored(requestIds, 30_000);
    expect(
      rows
        .filter((r) => r['status'] === 'succeeded')
        .map((r) => r['requestId'])
        .sort(),
    ).toEqual([...answered].sort());
    console.log(
      `JetStream refusing records: ${answered.length} answered and kept, ${refused.length} refused (503) without a provider call; ` +
        `records stored and calls taken again ${readyMs} ms after it came back; ${rows.length} records, once each`,
    );
  }, 60_000);

  it('dead-letters a poison message and keeps storing the rest', async () => {
    await jetstream(nc).publish(SUBJECTS.completionSucceeded, '{"requestId": 42, "costUsd": -1', {
      msgID: `poison-${Date.now()}`,
    });
    const after = `after-poison-${Date.now()}`;
    expect((await ask(after)).reply.ok).toBe(true);
    await allStored([after], 20_000);
    const { stdout } = await run('node', [join(root, 'bin', 'switchyard.js'), 'dlq', 'list', '--json'], {
      cwd: root,
      env: { ...process.env, NATS_URL: nats.url },
    });
    const letters = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; subject: string; data: string });
    expect(letters.find((l) => l.data.includes('"costUsd": -1'))).toMatchObject({
      reason: 'invalid',
      subject: SUBJECTS.completionSucceeded,
    });
    console.log(`poison message: dead-lettered (${letters.length} letter), the next request recorded`);
  }, 60_000);

  it('joins feedback sent the moment each answer arrives (completion and feedback racing) to every record', async () => {
    const requestIds = ids(`race-${Date.now()}`, 50);
    await Promise.all(
      requestIds.map(async (requestId, i) => {
        expect((await ask(requestId)).reply.ok).toBe(true);
        const fb = await nc.request(SUBJECTS.feedback, JSON.stringify({ requestId, rating: 1 + (i % 5) }), {
          timeout: 10_000,
          headers: authHeaders(),
        });
        expect(fb.json()).toMatchObject({ ok: true });
      }),
    );
    const rows = await waitFor(
      'every record with its feedback',
      async () => {
        const found = await stored(requestIds);
        return found.length === requestIds.length && found.every((r) => r['feedback']) ? found : undefined;
      },
      30_000,
      200,
    );
    expect(await db.collection('feedback').countDocuments({ requestId: { $in: requestIds } })).toBe(requestIds.length);
    console.log(
      `completion and feedback racing on ${requestIds.length} requests: ${rows.length} records, each with its feedback`,
    );
  }, 60_000);
});
