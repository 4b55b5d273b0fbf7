import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { RedisHealthIndicator } from '@switchyard/runtime';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { OPTIMIZER_CONFIG, type OptimizerConfig } from '../config';
import { ReportPageController } from '../report/report-page.controller';
import { CanaryCheck } from '../learning/canary-check.usecase';
import { PolicyRelease } from '../learning/policy-release';
import { RetrainRouter } from '../learning/retrain-router.usecase';
import { SEED_DATASET, loadSeedDataset } from '../learning/seed-dataset';
import { JobsController } from './jobs.controller';
import { OPTIMIZER_QUEUE, OPTIMIZER_REDIS } from './jobs.constants';
import { OptimizerProcessor } from './optimizer.processor';
import { OptimizerSchedule } from './optimizer-schedule';
import { QueueGauges } from './queue-gauges';
import { RequestOptimizerRun } from './request-optimizer-run.usecase';
import { RunOptimizer } from './run-optimizer.usecase';

@Module({})
export class JobsModule implements OnApplicationShutdown {
  constructor(@Inject(OPTIMIZER_REDIS) private readonly redis: Redis) {}

  static forConfig(config: OptimizerConfig): DynamicModule {
    // Read here, before the application (and any connection) exists: a bad file fails the start at once.
    const seed = loadSeedDataset(config);
    return {
      controllers: [JobsController, ReportPageController],
      exports: [RedisHealthIndicator],
      // Global so HealthModule can inject RedisHealthIndicator.
      global: true,
      module: JobsModule,
      providers: [
        CanaryCheck,
        PolicyRelease,
        RetrainRouter,
        OptimizerProcessor,
        OptimizerSchedule,
        QueueGauges,
        RequestOptimizerRun,
        RunOptimizer,
        {
          inject: [OPTIMIZER_REDIS],
          provide: RedisHealthIndicator,
          useFactory: (redis: Redis) => new RedisHealthIndicator(redis),
        },
        { provide: OPTIMIZER_CONFIG, useValue: config },
        { provide: SEED_DATASET, useValue: seed },
        // maxRetriesPerRequest null: BullMQ's blocking commands must wait out a Redis restart, not fail.
        { provide: OPTIMIZER_REDIS, useFactory: () => new Redis(config.REDIS_URL, { maxRetriesPerRequest: null }) },
        {
          inject: [OPTIMIZER_REDIS],
          provide: OPTIMIZER_QUEUE,
          useFactory: (redis: Redis) => new Queue(config.OPTIMIZER_QUEUE, { connection: redis }),
        },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
