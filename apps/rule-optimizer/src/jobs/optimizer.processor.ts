import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit, Optional } from '@nestjs/common';
import { type OptimizerJobName, OPTIMIZER_JOBS } from '@switchyard/contracts';
import { JobMetrics } from '@switchyard/observability';
import { Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { OPTIMIZER_CONFIG, type OptimizerConfig } from '../config';
import { type OptimizeJobData, OPTIMIZER_QUEUE, OPTIMIZER_REDIS } from './jobs.constants';
import { CanaryCheck } from '../learning/canary-check.usecase';
import { RetrainRouter } from '../learning/retrain-router.usecase';
import { RunOptimizer } from './run-optimizer.usecase';

/** The one worker of the optimizer queue: runs each job by name. */
@Injectable()
export class OptimizerProcessor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OptimizerProcessor.name);
  private worker: Worker | undefined;
  private readonly handlers: Record<OptimizerJobName, (job: Job) => Promise<unknown>>;

  constructor(
    @Inject(OPTIMIZER_CONFIG) private readonly config: OptimizerConfig,
    @Inject(OPTIMIZER_REDIS) private readonly redis: Redis,
    runOptimizer: RunOptimizer,
    retrain: RetrainRouter,
    canaryCheck: CanaryCheck,
    @Inject(OPTIMIZER_QUEUE) private readonly queue: Queue,
    @Optional() private readonly metrics: JobMetrics = JobMetrics.detached(),
  ) {
    this.handlers = {
      optimize: async (job: Job) => {
        const data = job.data as Partial<OptimizeJobData>;
        if (typeof data.days !== 'number' || data.days <= 0)
          throw new UnrecoverableError(`optimize job ${job.id}: data.days must be a positive number`);
        // Job ids restart if a queue is ever emptied for good; with the timestamp the report id stays unique.
        const { reportId, body } = await runOptimizer.execute({
          jobId: `${job.id}@${job.timestamp}`,
          days: data.days,
          progress: (percent) => job.updateProgress(percent),
        });
        return { reportId, requests: body.total.requests, suggestions: body.review.suggestions.length };
      },
      retrain: async (job: Job) => {
        const run = await retrain.execute({
          runId: `${job.id}@${job.timestamp}`,
          progress: (percent) => job.updateProgress(percent),
        });
        return {
          runId: run.runId,
          outcome: run.outcome,
          reason: run.reason,
          modelVersion: run.modelVersion,
          releasedVersion: run.releasedVersion,
          // What the router was trained from (learning.warmStart) and its passes, when it trained.
          ...(run.training?.['warmStart'] ? { warmStart: run.training['warmStart'] } : {}),
          ...(typeof run.training?.['epochs'] === 'number' ? { passes: run.training['epochs'] } : {}),
        };
      },
      'canary-check': async () => canaryCheck.execute(),
    };
  }

  onModuleInit(): void {
    // Refuse to start if a job name in the contract has no handler: such jobs would sit in the queue forever.
    const missing = OPTIMIZER_JOBS.filter((name) => typeof this.handlers[name] !== 'function');
    if (missing.length > 0) throw new Error(`no handler for optimizer jobs: ${missing.join(', ')}`);
    this.worker = new Worker(
      this.config.OPTIMIZER_QUEUE,
      async (job: Job) => {
        const handler = this.handlers[job.name as OptimizerJobName] as ((job: Job) => Promise<unknown>) | undefined;
        if (!handler) throw new UnrecoverableError(`unknown optimizer job "${job.name}"`);
        return handler(job);
      },
      {
        concurrency: 1,
        connection: this.redis.duplicate({ maxRetriesPerRequest: null }),
        lockDuration: this.config.OPTIMIZER_LOCK_MS,
        // Check for jobs whose lock lapsed (a replica died) as often as the lock could lapse, at least every 30 s.
        stalledInterval: Math.min(this.config.OPTIMIZER_LOCK_MS, 30_000),
        // A run whose replica died is taken up again; one more lapse of its lock (a training pass holding the
        // event loop past the lock on a busy machine) must not fail it: BullMQ's default gives up after one.
        maxStalledCount: 2,
      },
    );
    this.worker.on('failed', (job, err) => this.logger.warn(`job ${job?.name} ${job?.id} failed: ${err.message}`));
    this.countOutcomes(this.worker);
  }

  /**
   * Job outcomes in the metrics. A failed attempt that will run again is `retried` (BullMQ sets finishedOn
   * only when it gives up); a stalled job is named by reading it back (the event carries only its id).
   */
  private countOutcomes(worker: Worker): void {
    const ranFor = (job: Job) =>
      job.processedOn ? ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000 : undefined;
    worker.on('completed', (job) => this.metrics.ended(job.name, 'completed', ranFor(job)));
    worker.on('failed', (job) => {
      if (job) this.metrics.ended(job.name, job.finishedOn ? 'failed' : 'retried', ranFor(job));
    });
    worker.on('stalled', (jobId) => {
      Job.fromId(this.queue, jobId).then(
        (job) => this.metrics.ended(job?.name ?? 'unknown', 'stalled'),
        () => this.metrics.ended('unknown', 'stalled'),
      );
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
