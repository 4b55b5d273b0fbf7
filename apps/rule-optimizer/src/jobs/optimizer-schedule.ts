import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { OptimizerJobName } from '@switchyard/contracts';
import type { Queue } from 'bullmq';
import { OPTIMIZER_CONFIG, type OptimizerConfig } from '../config';
import { OPTIMIZER_QUEUE, RETIRED_SCHEDULER_IDS, SCHEDULER_IDS } from './jobs.constants';

/** Registers the repeatable (nightly by default) jobs. Idempotent: every replica may do it at start-up. */
@Injectable()
export class OptimizerSchedule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OptimizerSchedule.name);

  constructor(
    @Inject(OPTIMIZER_QUEUE) private readonly queue: Queue,
    @Inject(OPTIMIZER_CONFIG) private readonly config: OptimizerConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    // One run at a time across every replica: two runs recounting the same hours would correct a row twice,
    // and two retrainings would release two canaries.
    await this.queue.setGlobalConcurrency(1);
    for (const id of RETIRED_SCHEDULER_IDS) await this.queue.removeJobScheduler(id);
    const schedules: Record<OptimizerJobName, { pattern: string; data: object }> = {
      optimize: { pattern: this.config.OPTIMIZER_CRON, data: { days: this.config.OPTIMIZER_WINDOW_DAYS } },
      retrain: { pattern: this.config.RETRAIN_CRON, data: {} },
      'canary-check': { pattern: this.config.CANARY_CHECK_CRON, data: {} },
    };
    for (const [name, { pattern, data }] of Object.entries(schedules) as Array<
      [OptimizerJobName, { pattern: string; data: object }]
    >) {
      await this.queue.upsertJobScheduler(
        SCHEDULER_IDS[name],
        { pattern },
        {
          name,
          data,
          opts: {
            attempts: 3,
            backoff: { type: 'exponential', delay: 30_000 },
            removeOnComplete: 100,
            removeOnFail: 100,
          },
        },
      );
      this.logger.log(`${name} scheduled at "${pattern}"`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
