import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { OPTIMIZER_CONFIG, type OptimizerConfig } from '../config';
import { OPTIMIZER_QUEUE, SCHEDULER_IDS } from './jobs.constants';

/** Registers the repeatable (nightly by default) jobs. Idempotent: every replica may do it at start-up. */
@Injectable()
export class OptimizerSchedule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OptimizerSchedule.name);

  constructor(
    @Inject(OPTIMIZER_QUEUE) private readonly queue: Queue,
    @Inject(OPTIMIZER_CONFIG) private readonly config: OptimizerConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.queue.upsertJobScheduler(
      SCHEDULER_IDS['model-stats'],
      { pattern: this.config.OPTIMIZER_CRON },
      {
        name: 'model-stats',
        data: { days: this.config.OPTIMIZER_WINDOW_DAYS },
        opts: { removeOnComplete: 100, removeOnFail: 100 },
      },
    );
    this.logger.log(
      `model-stats scheduled at "${this.config.OPTIMIZER_CRON}" over ${this.config.OPTIMIZER_WINDOW_DAYS} days`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
