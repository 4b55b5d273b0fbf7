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
      await Promise.all([...ids, ...ids].map((id) => sut.upsertCompletion(completion(id))));
      const stored = await sut.findByRequestIds(ids);
      expect(stored.map((r) => r.requestId).sort()).toEqual([...ids].sort());
      expect(stored.every((r) => r.status === 'succeeded' && r.costUsd === 0.001)).toBe(true);
    });

    it('stores one document however often the event is delivered', async () => {
      await sut.upsertCompletion(completion('r-1'));
      await sut.upsertCompletion(completion('r-1'));
      const records = await sut.findByRequestIds(['r-1']);
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

  describe('attachFeedback', () => {
    it('joins feedback that arrives before the completion, and keeps it when the completion lands', async () => {
      await sut.attachFeedback('r-2', 'acme', {
        feedbackId: 'f-1',
        rating: 2,
        success: false,
        submittedAt: new Date(1_764_000_001_000),
      });
      await sut.upsertCompletion(completion('r-2'));
      const record = await sut.findByRequestId('r-2');
      expect(record).toMatchObject({ status: 'succeeded', feedback: { feedbackId: 'f-1', rating: 2, success: false } });
    });
  });

  describe('findCompletedSince', () => {
    it('returns records completed after the date only', async () => {
      const rows = await sut.findCompletedSince(new Date(1_764_000_000_000));
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(await sut.findCompletedSince(new Date(1_900_000_000_000))).toEqual([]);
    });
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

  it('stores a redelivered feedback event once', async () => {
    const fb = { feedbackId: 'f-9', requestId: 'r-9', tenant: 'acme', rating: 5, submittedAt: new Date() };
    await sut.insertOnce(fb);
    await sut.insertOnce({ ...fb, rating: 1 });
    const rows = await sut.findByRequestId('r-9');
    expect(rows).toHaveLength(1);
    expect(rows[0].rating).toBe(5);
  });
});
