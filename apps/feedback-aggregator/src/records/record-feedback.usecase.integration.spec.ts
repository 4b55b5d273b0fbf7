import { FeedbackRepository, MONGO_CONNECT_OPTIONS, RoutingRecordRepository } from '@switchyard/persistence';
import { mongoUriFor, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { RecordCompletion } from './record-completion.usecase';
import { RecordFeedback } from './record-feedback.usecase';

// Runs against the real MongoDB-wire server.
describe(RecordFeedback.name, () => {
  let connection: Connection;
  let records: RoutingRecordRepository;
  let sut: RecordFeedback;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(mongoUriFor(uniqueName('aggregator')), MONGO_CONNECT_OPTIONS)
      .asPromise();
    records = new RoutingRecordRepository(connection);
    const feedback = new FeedbackRepository(connection);
    await Promise.all([records.ensureIndexes(), feedback.ensureIndexes()]);
    sut = new RecordFeedback(feedback, records);
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  describe('execute', () => {
    it('stores redelivered feedback once and joins the latest to its record', async () => {
      await new RecordCompletion(records).execute({
        requestId: 'r-1',
        tenant: 'acme',
        receivedAt: 1,
        completedAt: 2,
        prompt: 'p',
        attempts: [],
        stage: 'provider',
        error: { code: 'provider_error', message: 'down' },
      });
      const event = { feedbackId: 'f-1', requestId: 'r-1', tenant: 'acme', rating: 1, success: false, submittedAt: 3 };
      await sut.execute(event);
      await sut.execute(event);
      expect(await connection.collection('feedback').countDocuments({ requestId: 'r-1' })).toBe(1);
      expect(await records.findByRequestId('r-1')).toMatchObject({
        status: 'failed',
        error: { code: 'provider_error' },
        feedback: { feedbackId: 'f-1', rating: 1, success: false },
      });
    });
  });
});
