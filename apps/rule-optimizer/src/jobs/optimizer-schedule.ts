import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
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
    // One run at a time across every replica: two runs recounting the same hours would correct a row twice.
    await this.queue.setGlobalConcurrency(1);
    for (const id of RETIRED_SCHEDULER_IDS) await this.queue.removeJobScheduler(id);
    await this.queue.upsertJobScheduler(
      SCHEDULER_IDS.optimize,
      { pattern: this.config.OPTIMIZER_CRON },
      {
        name: 'optimize',
        data: { days: this.config.OPTIMIZER_WINDOW_DAYS },
        opts: {
          attempts: 3,
          backoff: { type: 'exponential', delay: 30_000 },
          removeOnComplete: 100,
          removeOnFail: 100,
        },
      },
    );
    this.logger.log(
      `optimize scheduled at "${this.config.OPTIMIZER_CRON}" over ${this.config.OPTIMIZER_WINDOW_DAYS} days`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
