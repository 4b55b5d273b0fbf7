import { Inject, Injectable } from '@nestjs/common';
import type { OptimizerRunAccepted, OptimizerRunRequest } from '@switchyard/contracts';
import type { Queue } from 'bullmq';
import { OPTIMIZER_CONFIG, type OptimizerConfig } from '../config';
import { OPTIMIZER_QUEUE } from './jobs.constants';

/**
 * Queues an optimizer job now (on demand, besides the schedule). A retraining or canary check asked for while
 * one is waiting or running is that one (BullMQ de-duplication by job name): asked twice at once, it runs once.
 */
@Injectable()
export class RequestOptimizerRun {
  constructor(
    @Inject(OPTIMIZER_QUEUE) private readonly queue: Queue,
    @Inject(OPTIMIZER_CONFIG) private readonly config: OptimizerConfig,
  ) {}

  async execute(request: OptimizerRunRequest): Promise<OptimizerRunAccepted> {
    const data = request.job === 'optimize' ? { days: request.days ?? this.config.OPTIMIZER_WINDOW_DAYS } : {};
    const job = await this.queue.add(request.job, data, {
      attempts: 3,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: 1000,
      removeOnFail: 1000,
      ...(request.job === 'optimize' ? {} : { deduplication: { id: `on-demand-${request.job}` } }),
    });
    return { ok: true, job: request.job, jobId: String(job.id) };
  }
}
