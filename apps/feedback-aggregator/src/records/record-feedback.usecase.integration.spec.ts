import { HoldMessageError } from '@switchyard/messaging';
import {
  FeedbackRepository,
  MONGO_CONNECT_OPTIONS,
  RollupRepository,
  RoutingRecordRepository,
} from '@switchyard/persistence';
import { mongoUriFor, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { RecordCompletion } from './record-completion.usecase';
import { RollupCounter } from '../rollups/rollup-counter';
import { RecordFeedback } from './record-feedback.usecase';

const HOLD_MS = 60_000;

// Runs against the real MongoDB-wire server.
describe(RecordFeedback.name, () => {
  let connection: Connection;
  let records: RoutingRecordRepository;
  let counter: RollupCounter;
  let sut: RecordFeedback;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(mongoUriFor(uniqueName('aggregator')), MONGO_CONNECT_OPTIONS)
      .asPromise();
    records = new RoutingRecordRepository(connection);
    const feedback = new FeedbackRepository(connection);
    const rollups = new RollupRepository(connection);
    await Promise.all([records.ensureIndexes(), feedback.ensureIndexes(), rollups.ensureIndexes()]);
    counter = new RollupCounter(rollups);
    sut = new RecordFeedback({ FEEDBACK_HOLD_MS: HOLD_MS }, feedback, records, counter);
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  const failedRequest = (requestId: string, tenant = 'acme') =>
    new RecordCompletion(records, counter, { RECORD_PROMPTS: 'full' }).execute({
      requestId,
      tenant,
      receivedAt: 1,
      completedAt: 2,
      prompt: 'p',
      attempts: [],
      stage: 'provider',
      error: { code: 'provider_error', message: 'down' },
    });

  describe('execute', () => {
    it('stores redelivered feedback once and joins the latest to its record', async () => {
      await failedRequest('r-1');
      const event = { feedbackId: 'f-1', requestId: 'r-1', tenant: 'acme', rating: 1, success: false, submittedAt: 3 };
      await sut.execute(event);
      await sut.execute(event);
      expect(await connection.collection('feedback').countDocuments({ requestId: 'r-1' })).toBe(1);
      expect(await records.findByRequestId('acme', 'r-1')).toMatchObject({
        status: 'failed',
        error: { code: 'provider_error' },
        feedback: { feedbackId: 'f-1', rating: 1, success: false },
      });
    });

    it('holds feedback whose record has not arrived, without writing anything, until the hold time is up', async () => {
      const submittedAt = Date.now();
      const event = { feedbackId: 'f-2', requestId: 'r-2', tenant: 'acme', rating: 5, submittedAt };
      const held = await sut.execute(event).catch((err: unknown) => err);
      expect(held).toBeInstanceOf(HoldMessageError);
      expect(held).toMatchObject({ until: submittedAt + HOLD_MS, reason: 'unknown-request' });
      expect(await records.findByRequestId('acme', 'r-2')).toBeNull();
      expect(await connection.collection('feedback').countDocuments({ requestId: 'r-2' })).toBe(0);
      // The completion lands; the redelivered feedback is joined.
      await failedRequest('r-2');
      await sut.execute(event);
      expect(await records.findByRequestId('acme', 'r-2')).toMatchObject({
        feedback: { feedbackId: 'f-2', rating: 5 },
      });
    });

    it("holds another tenant's feedback on a request id it does not own, leaving the owner's record alone", async () => {
      await failedRequest('r-3', 'acme');
      const event = { feedbackId: 'f-3', requestId: 'r-3', tenant: 'beta', rating: 1, submittedAt: Date.now() };
      await expect(sut.execute(event)).rejects.toBeInstanceOf(HoldMessageError);
      expect((await records.findByRequestId('acme', 'r-3'))?.feedback).toBeUndefined();
    });
  });
});
