import { z } from 'zod';

/**
 * `optimize`: reconcile the rollups of the last closed hours with the records, review every rule and band
 * against the other models seen on its traffic, store the suggestions and a report.
 * `retrain`: train a router from the policy's labelled traffic, compare it off-policy with the policy in
 * force, and release it as a canary when it is better (the policy's `learning` section).
 * `canary-check`: the running canary's automatic verdict (promote, roll back, or wait).
 */
export const OPTIMIZER_JOBS = ['optimize', 'retrain', 'canary-check'] as const;
export type OptimizerJobName = (typeof OPTIMIZER_JOBS)[number];

/** Payload of `router.optimizer.run.requested.v1`. */
export const optimizerRunRequestSchema = z
  .object({
    job: z.enum(OPTIMIZER_JOBS).default('optimize'),
    /** Look-back window in days (the service's OPTIMIZER_WINDOW_DAYS when left out). */
    days: z.number().int().positive().max(365).optional(),
  })
  .strict();

export type OptimizerRunRequest = z.infer<typeof optimizerRunRequestSchema>;

export const optimizerRunAcceptedSchema = z.object({
  ok: z.literal(true),
  job: z.enum(OPTIMIZER_JOBS),
  jobId: z.string(),
});
export type OptimizerRunAccepted = z.infer<typeof optimizerRunAcceptedSchema>;
