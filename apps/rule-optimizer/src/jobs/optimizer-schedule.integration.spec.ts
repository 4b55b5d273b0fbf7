import { testInfra, uniqueName } from '@switchyard/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { optimizerEnvSchema } from '../config';
import { RETIRED_SCHEDULER_IDS, SCHEDULER_IDS } from './jobs.constants';
import { OptimizerSchedule } from './optimizer-schedule';

// Runs against the real local Redis with a queue of its own.
describe(OptimizerSchedule.name, () => {
  const queueName = uniqueName('optimizer-schedule');
  let redis: Redis;
  let queue: Queue;

  beforeAll(() => {
    redis = new Redis(testInfra.redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue(queueName, { connection: redis });
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  });

  it('registers one scheduler per job however many replicas start, and removes a retired one', async () => {
    await queue.upsertJobScheduler(RETIRED_SCHEDULER_IDS[0], { pattern: '0 3 * * *' }, { name: 'model-stats' });
    const config = optimizerEnvSchema.parse({
      OPTIMIZER_QUEUE: queueName,
      OPTIMIZER_CRON: '15 2 * * *',
      OPTIMIZER_WINDOW_DAYS: '3',
      RETRAIN_CRON: '45 3 * * *',
    });
    await new OptimizerSchedule(queue, config).onModuleInit();
    await new OptimizerSchedule(queue, config).onModuleInit();
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toHaveLength(3);
    const byKey = new Map(schedulers.map((s) => [s.key, s]));
    expect(byKey.get(SCHEDULER_IDS.optimize)).toMatchObject({ pattern: '15 2 * * *', name: 'optimize' });
    expect(byKey.get(SCHEDULER_IDS.optimize)?.template?.data).toEqual({ days: 3 });
    expect(byKey.get(SCHEDULER_IDS.retrain)).toMatchObject({ pattern: '45 3 * * *', name: 'retrain' });
    expect(byKey.get(SCHEDULER_IDS['canary-check'])).toMatchObject({ pattern: '*/10 * * * *', name: 'canary-check' });
    // One run at a time across replicas (every replica's worker obeys the queue's global concurrency).
    expect(await queue.getGlobalConcurrency()).toBe(1);
    expect(await queue.getJobSchedulers()).not.toContainEqual(
      expect.objectContaining({ key: RETIRED_SCHEDULER_IDS[0] }),
    );
  });
});
