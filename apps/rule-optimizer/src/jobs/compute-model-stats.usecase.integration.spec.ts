import { MONGO_CONNECT_OPTIONS, OptimizerReportRepository, RoutingRecordRepository } from '@switchyard/persistence';
import { mongoUriFor, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { ComputeModelStats } from './compute-model-stats.usecase';

// Runs against the real MongoDB-wire server.
describe(ComputeModelStats.name, () => {
  let connection: Connection;
  let records: RoutingRecordRepository;
  let reports: OptimizerReportRepository;
  let sut: ComputeModelStats;
  const now = new Date('2026-11-20T12:00:00Z');
  const day = 24 * 3600 * 1000;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(mongoUriFor(uniqueName('optimizer')), MONGO_CONNECT_OPTIONS)
      .asPromise();
    records = new RoutingRecordRepository(connection);
    reports = new OptimizerReportRepository(connection);
    await Promise.all([records.ensureIndexes(), reports.ensureIndexes()]);
    sut = new ComputeModelStats(records, reports);
    const base = {
      tenant: 'acme',
      prompt: 'p',
      attempts: [],
      finishReason: 'stop' as const,
      answer: 'a',
      provider: 'simulated',
      usage: { inputTokens: 1, outputTokens: 1, estimated: false },
    };
    const at = (daysAgo: number) => ({
      receivedAt: now.getTime() - daysAgo * day,
      completedAt: now.getTime() - daysAgo * day,
    });
    await records.upsertCompletion({
      ...base,
      ...at(1),
      requestId: 'a1',
      model: 'cheap',
      costUsd: 0.001,
      latency: { totalMs: 10, routingMs: 1, providerMs: 9 },
    });
    await records.upsertCompletion({
      ...base,
      ...at(2),
      requestId: 'a2',
      model: 'cheap',
      costUsd: 0.003,
      latency: { totalMs: 30, routingMs: 1, providerMs: 29 },
    });
    await records.upsertCompletion({
      ...base,
      ...at(3),
      requestId: 'b1',
      model: 'big',
      costUsd: 0.05,
      latency: { totalMs: 50, routingMs: 1, providerMs: 49 },
    });
    await records.upsertCompletion({
      ...base,
      ...at(30),
      requestId: 'old',
      model: 'big',
      costUsd: 9,
      latency: { totalMs: 1, routingMs: 0, providerMs: 1 },
    });
    await records.attachFeedback('acme', 'a1', { feedbackId: 'f1', rating: 4, success: true, submittedAt: now });
    await records.attachFeedback('acme', 'a2', { feedbackId: 'f2', rating: 2, success: false, submittedAt: now });
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  describe('execute', () => {
    it('computes per-model stats over the window and stores them as a report', async () => {
      const body = await sut.execute({ jobId: 'job-1@1', days: 7, now });
      expect(body.totalRequests).toBe(3);
      expect(body.byModel['cheap']).toMatchObject({
        requests: 2,
        avgCostUsd: 0.002,
        avgLatencyMs: 20,
        sampleSize: 2,
        avgRating: 3,
        successRate: 0.5,
      });
      expect(body.byModel['big']).toMatchObject({ requests: 1, totalCostUsd: 0.05, sampleSize: 0, avgRating: null });
      expect(await reports.findByReportId('job-1@1')).toMatchObject({
        kind: 'model-stats',
        windowDays: 7,
        body: { totalRequests: 3 },
      });
    });

    it('writes a retried job report once', async () => {
      await sut.execute({ jobId: 'job-2@1', days: 7, now });
      await sut.execute({ jobId: 'job-2@1', days: 7, now: new Date(now.getTime() + 1000) });
      expect(await connection.collection('optimizer_reports').countDocuments({ reportId: 'job-2@1' })).toBe(1);
    });
  });
});
