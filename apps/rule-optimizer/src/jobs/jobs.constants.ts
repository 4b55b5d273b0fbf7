import type { OptimizerJobName } from '@switchyard/contracts';

export const OPTIMIZER_QUEUE = Symbol('OPTIMIZER_QUEUE');
export const OPTIMIZER_REDIS = Symbol('OPTIMIZER_REDIS');

/** Id of the repeatable schedule of each job; upserting it again replaces, never duplicates. */
export const SCHEDULER_IDS: Record<OptimizerJobName, string> = {
  'model-stats': 'model-stats-nightly',
};

/** Job data: the minimum; the job re-reads current records when it runs. */
export interface ModelStatsJobData {
  days: number;
}
