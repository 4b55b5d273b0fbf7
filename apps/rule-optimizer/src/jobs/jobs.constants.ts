import type { OptimizerJobName } from '@switchyard/contracts';

export const OPTIMIZER_QUEUE = Symbol('OPTIMIZER_QUEUE');
export const OPTIMIZER_REDIS = Symbol('OPTIMIZER_REDIS');

/** Id of the repeatable schedule of each job; upserting it again replaces, never duplicates. */
export const SCHEDULER_IDS: Record<OptimizerJobName, string> = {
  optimize: 'optimize-nightly',
  retrain: 'retrain-nightly',
  'canary-check': 'canary-check',
};

/** Schedules of jobs that no longer exist, removed at start-up so they stop queuing jobs nobody runs. */
export const RETIRED_SCHEDULER_IDS = ['model-stats-nightly'];

/** Job data: the minimum; the job re-reads the rollups when it runs. */
export interface OptimizeJobData {
  days: number;
}
