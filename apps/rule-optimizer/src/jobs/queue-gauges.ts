import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { METRICS, ServiceMetrics } from '@switchyard/observability';
import type { Queue } from 'bullmq';
import { OPTIMIZER_QUEUE } from './jobs.constants';

/** The queue states shown; completed jobs are counted by switchyard_optimizer_jobs_total instead. */
const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** The optimizer queue's jobs by state, read from Redis (one round trip of counts) when Prometheus scrapes. */
@Injectable()
export class QueueGauges implements OnModuleInit {
  constructor(
    private readonly metrics: ServiceMetrics,
    @Inject(OPTIMIZER_QUEUE) private readonly queue: Queue,
  ) {}

  onModuleInit(): void {
    this.metrics.sampled('optimizer-queue', [METRICS.optimizerQueueJobs], async (put) => {
      const counts = await this.queue.getJobCounts(...STATES);
      for (const state of STATES) put(METRICS.optimizerQueueJobs, { state }, counts[state] ?? 0);
    });
  }
}
