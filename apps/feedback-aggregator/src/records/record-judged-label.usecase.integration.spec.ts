import { labelOf } from '@switchyard/analytics';
import type { CompletionSucceeded, LabelJudged } from '@switchyard/contracts';
import { HoldMessageError } from '@switchyard/messaging';
import { MONGO_CONNECT_OPTIONS, RoutingRecordRepository } from '@switchyard/persistence';
import { mongoUriFor, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { RecordJudgedLabel } from './record-judged-label.usecase';

const HOLD_MS = 60_000;

/** A judge's grade of `requestId`'s answer, as provider-adapters publishes it. */
function judged(requestId: string, grade: number, at: number, tenant = 'acme'): LabelJudged {
  return {
    requestId,
    tenant,
    answeringModel: 'small',
    judgeModel: 'grader',
    grade,
    quality: (grade - 1) / 9,
    costUsd: 0.0012,
    inputTokens: 300,
    outputTokens: 4,
    at,
  };
}

// Runs against the real MongoDB-wire server.
describe(RecordJudgedLabel.name, () => {
  let connection: Connection;
  let records: RoutingRecordRepository;
  let sut: RecordJudgedLabel;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(mongoUriFor(uniqueName('aggregator-judge')), MONGO_CONNECT_OPTIONS)
      .asPromise();
    records = new RoutingRecordRepository(connection);
    await records.ensureIndexes();
    sut = new RecordJudgedLabel({ FEEDBACK_HOLD_MS: HOLD_MS }, records);
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  /** The record of an answered request, as the completion stores it. */
  const answered = (requestId: string, tenant = 'acme') => {
    const event: CompletionSucceeded = {
      requestId,
      tenant,
      receivedAt: 1,
      completedAt: 2,
      prompt: 'Why is the sky blue?',
      attempts: [{ model: 'small', provider: 'simulated', ok: true, latencyMs: 3 }],
      model: 'small',
      provider: 'simulated',
      answer: 'Rayleigh scattering.',
      finishReason: 'stop',
      usage: { inputTokens: 6, outputTokens: 4, estimated: false },
      costUsd: 0.00001,
      latency: { totalMs: 10, routingMs: 2, providerMs: 8 },
    };
    return records.upsertCompletion(event);
  };

  describe('execute', () => {
    it("stores the grade as the record's judge label, with the judge and its cost; a redelivery changes nothing", async () => {
      await answered('r-1');
      const event = judged('r-1', 8, 1_764_000_000_000);
      await sut.execute(event);
      await sut.execute(event);
      const record = await records.findByRequestId('acme', 'r-1');
      expect(record?.label).toEqual({
        quality: 7 / 9,
        source: 'judge',
        at: new Date(1_764_000_000_000),
        judgeModel: 'grader',
        grade: 8,
        costUsd: 0.0012,
      });
      // What the learning loop reads of it: a judge's label.
      expect(labelOf(record!)).toEqual({ quality: 7 / 9, source: 'judge' });
      // The completion, redelivered, leaves the label alone.
      await answered('r-1');
      expect((await records.findByRequestId('acme', 'r-1'))?.label?.grade).toBe(8);
    });

    it('holds a grade whose record has not arrived, writing nothing, and applies it once the record is there', async () => {
      const at = Date.now();
      const event = judged('r-2', 3, at);
      const held = await sut.execute(event).catch((err: unknown) => err);
      expect(held).toBeInstanceOf(HoldMessageError);
      expect(held).toMatchObject({ until: at + HOLD_MS, reason: 'unknown-request' });
      expect(await records.findByRequestId('acme', 'r-2')).toBeNull();
      await answered('r-2');
      await sut.execute(event);
      expect((await records.findByRequestId('acme', 'r-2'))?.label).toMatchObject({ source: 'judge', grade: 3 });
    });

    it('labels a record created between its first try and its look for the record (stored concurrently)', async () => {
      // The interleaving the durable consumer produces when a completion and its grade arrive together: the
      // label's update finds no record, the completion's insert lands, then the label looks for the record.
      const collection = (records as unknown as { model: { collection: { findOne: (...a: unknown[]) => unknown } } })
        .model.collection;
      const findOne = collection.findOne.bind(collection);
      const spy = jest.spyOn(collection, 'findOne').mockImplementationOnce(async (...args: unknown[]) => {
        await answered('r-race');
        return findOne(...args);
      });
      try {
        await sut.execute(judged('r-race', 6, 8000));
      } finally {
        spy.mockRestore();
      }
      expect((await records.findByRequestId('acme', 'r-race'))?.label).toMatchObject({ source: 'judge', grade: 6 });
    });

    it('keeps a later grade when an earlier one arrives after it', async () => {
      await answered('r-3');
      await sut.execute(judged('r-3', 9, 2000));
      await sut.execute(judged('r-3', 2, 1000));
      expect((await records.findByRequestId('acme', 'r-3'))?.label).toMatchObject({ grade: 9, at: new Date(2000) });
      await sut.execute(judged('r-3', 4, 3000));
      expect((await records.findByRequestId('acme', 'r-3'))?.label).toMatchObject({ grade: 4, at: new Date(3000) });
    });

    it("replaces a dataset's label (the judge is trusted more), and is itself outranked by the caller's feedback", async () => {
      await answered('r-4');
      await connection.collection('routing_records').updateOne({ _id: 'acme:r-4' } as never, {
        $set: { label: { quality: 1, source: 'dataset', at: new Date(5000) } },
      });
      await sut.execute(judged('r-4', 1, 4000));
      const labelled = await records.findByRequestId('acme', 'r-4');
      expect(labelled?.label).toMatchObject({ source: 'judge', quality: 0 });
      await records.attachFeedback('acme', 'r-4', { feedbackId: 'f-4', rating: 5, submittedAt: new Date(6000) });
      expect(labelOf((await records.findByRequestId('acme', 'r-4'))!)).toEqual({ quality: 1, source: 'feedback' });
    });

    it("labels only the graded tenant's record of a request id two tenants share", async () => {
      await answered('r-5', 'acme');
      await answered('r-5', 'beta');
      await sut.execute(judged('r-5', 6, 7000, 'beta'));
      expect((await records.findByRequestId('beta', 'r-5'))?.label).toMatchObject({ grade: 6 });
      expect((await records.findByRequestId('acme', 'r-5'))?.label).toBeUndefined();
    });
  });
});
