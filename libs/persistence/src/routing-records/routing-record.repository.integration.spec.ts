import type { CompletionSucceeded } from '@switchyard/contracts';
import { mongoUriFor, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { FeedbackRepository } from '../feedback/feedback.repository';
import { MONGO_CONNECT_OPTIONS } from '../persistence.module';
import { RoutingRecordRepository } from './routing-record.repository';

// Runs against the real MongoDB-wire server that scripts/infra.sh brings up (FerretDB here).
describe(RoutingRecordRepository.name, () => {
  let connection: Connection;
  let sut: RoutingRecordRepository;
  let feedback: FeedbackRepository;

  beforeAll(async () => {
    connection = await mongoose.createConnection(mongoUriFor(uniqueName('records')), MONGO_CONNECT_OPTIONS).asPromise();
    sut = new RoutingRecordRepository(connection);
    feedback = new FeedbackRepository(connection);
    await sut.ensureIndexes();
    await feedback.ensureIndexes();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  const completion = (requestId: string): CompletionSucceeded => ({
    requestId,
    tenant: 'acme',
    receivedAt: 1_764_000_000_000,
    completedAt: 1_764_000_000_050,
    prompt: 'hello',
    attempts: [{ model: 'm1', provider: 'simulated', ok: true, latencyMs: 3 }],
    decision: {
      plan: { kind: 'single', model: 'm1' },
      method: 'rule',
      reason: 'r',
      rule: 'greeting',
      params: {},
      policyVersion: 'p@1',
      alternatives: ['m1'],
    },
    model: 'm1',
    provider: 'simulated',
    answer: 'hi',
    finishReason: 'stop',
    usage: { inputTokens: 5, outputTokens: 2, estimated: false },
    costUsd: 0.001,
    latency: { totalMs: 50, routingMs: 1, providerMs: 45 },
  });

  describe('upsertCompletion', () => {
    it('stores every one of many concurrent completions, replays included, once each (grouped bulk writes)', async () => {
      const ids = Array.from({ length: 150 }, (_, i) => `burst-${i}`);
      // Every id twice, the copies in the same burst: a redelivered event may land in the same batch.
      const outcomes = await Promise.all([...ids, ...ids].map((id) => sut.upsertCompletion(completion(id))));
      // Each record is created once: the rollups count it once.
      expect(outcomes.filter((o) => o.created)).toHaveLength(ids.length);
      const again = await Promise.all(ids.slice(0, 10).map((id) => sut.upsertCompletion(completion(id))));
      expect(again.filter((o) => o.created)).toEqual([]);
      const stored = await sut.findByRequestIds('acme', ids);
      expect(stored.map((r) => r.requestId).sort()).toEqual([...ids].sort());
      expect(stored.every((r) => r.status === 'succeeded' && r.costUsd === 0.001)).toBe(true);
    });

    it('stores one document however often the event is delivered', async () => {
      await sut.upsertCompletion(completion('r-1'));
      await sut.upsertCompletion(completion('r-1'));
      const records = await sut.findByRequestIds('acme', ['r-1']);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        requestId: 'r-1',
        status: 'succeeded',
        model: 'm1',
        rule: 'greeting',
        method: 'rule',
        costUsd: 0.001,
      });
    });
  });

  describe('upsertCompletion across tenants', () => {
    it('keeps one record per tenant when two tenants use the same request id', async () => {
      await sut.upsertCompletion(completion('shared-1'));
      await sut.upsertCompletion({ ...completion('shared-1'), tenant: 'beta', costUsd: 0.5 });
      expect(await sut.findByRequestId('acme', 'shared-1')).toMatchObject({ tenant: 'acme', costUsd: 0.001 });
      expect(await sut.findByRequestId('beta', 'shared-1')).toMatchObject({ tenant: 'beta', costUsd: 0.5 });
    });
  });

  describe('attachFeedback', () => {
    const fb = (feedbackId: string, rating: number, at: number) => ({
      feedbackId,
      rating,
      success: rating > 3,
      submittedAt: new Date(at),
    });

    it('never creates a record: feedback before the completion is reported as no-record', async () => {
      expect(await sut.attachFeedback('acme', 'r-2', fb('f-1', 2, 1_764_000_001_000))).toEqual({
        outcome: 'no-record',
      });
      expect(await sut.findByRequestId('acme', 'r-2')).toBeNull();
      await sut.upsertCompletion(completion('r-2'));
      expect(await sut.attachFeedback('acme', 'r-2', fb('f-1', 2, 1_764_000_001_000))).toMatchObject({
        outcome: 'attached',
        before: { tenant: 'acme', status: 'succeeded' },
      });
      expect(await sut.findByRequestId('acme', 'r-2')).toMatchObject({
        status: 'succeeded',
        feedback: { feedbackId: 'f-1', rating: 2, success: false },
      });
    });

    it('keeps the latest feedback when an older one is delivered after it, and says what each one found', async () => {
      await sut.upsertCompletion(completion('r-3'));
      const before = async (id: string, rating: number, at: number) => {
        const attached = await sut.attachFeedback('acme', 'r-3', fb(id, rating, at));
        return attached.outcome === 'attached' ? (attached.before.feedback?.feedbackId ?? null) : 'no-record';
      };
      expect(await before('f-new', 5, 2000)).toBeNull();
      expect(await before('f-old', 1, 1000)).toBe('f-new');
      expect(await before('f-new', 5, 2000)).toBe('f-new');
      expect((await sut.findByRequestId('acme', 'r-3'))?.feedback).toMatchObject({ feedbackId: 'f-new', rating: 5 });
    });

    it("does not touch another tenant's record of the same request id", async () => {
      await sut.upsertCompletion(completion('r-4'));
      expect(await sut.attachFeedback('beta', 'r-4', fb('f-b', 1, 3000))).toEqual({ outcome: 'no-record' });
      expect((await sut.findByRequestId('acme', 'r-4'))?.feedback).toBeUndefined();
    });

    it('loses nothing when completions and feedback for the same requests race (one upsert shape, no stubs)', async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `race-${i}`);
      // Feedback is retried until its record exists, as the aggregator's hold does; completions arrive twice.
      const attachUntilStored = async (id: string) => {
        for (;;) {
          const { outcome } = await sut.attachFeedback('acme', id, fb(`f-${id}`, 4, 5000));
          if (outcome !== 'no-record') return outcome;
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const outcomes = await Promise.all([
        ...ids.map((id) => sut.upsertCompletion(completion(id)).then(() => 'stored')),
        ...ids.map(attachUntilStored),
        ...ids.map((id) => sut.upsertCompletion(completion(id)).then(() => 'stored')),
      ]);
      expect(outcomes.filter((o) => o === 'attached')).toHaveLength(ids.length);
      const stored = await sut.findByRequestIds('acme', ids);
      expect(stored).toHaveLength(ids.length);
      expect(stored.every((r) => r.status === 'succeeded' && r.feedback?.rating === 4)).toBe(true);
      console.log(
        `completion x2 + feedback racing on ${ids.length} requests: ${stored.length} records, ` +
          `${stored.filter((r) => r.feedback).length} with their feedback`,
      );
    }, 30_000);
  });
});

describe(FeedbackRepository.name, () => {
  let connection: Connection;
  let sut: FeedbackRepository;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(mongoUriFor(uniqueName('feedback')), MONGO_CONNECT_OPTIONS)
      .asPromise();
    sut = new FeedbackRepository(connection);
    await sut.ensureIndexes();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('keeps the same feedback id of two tenants apart', async () => {
    const fb = { feedbackId: 'f-shared', requestId: 'r-10', tenant: 'acme', rating: 5, submittedAt: new Date() };
    await sut.insertOnce(fb);
    await sut.insertOnce({ ...fb, tenant: 'beta', rating: 1 });
    expect((await sut.findByRequestId('acme', 'r-10')).map((f) => f.rating)).toEqual([5]);
    expect((await sut.findByRequestId('beta', 'r-10')).map((f) => f.rating)).toEqual([1]);
  });

  it('stores a redelivered feedback event once', async () => {
    const fb = { feedbackId: 'f-9', requestId: 'r-9', tenant: 'acme', rating: 5, submittedAt: new Date() };
    await sut.insertOnce(fb);
    await sut.insertOnce({ ...fb, rating: 1 });
    const rows = await sut.findByRequestId('acme', 'r-9');
    expect(rows).toHaveLength(1);
    expect(rows[0].rating).toBe(5);
  });
});
