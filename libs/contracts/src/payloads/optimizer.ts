import { z } from 'zod';

export const OPTIMIZER_JOBS = ['model-stats'] as const;
export type OptimizerJobName = (typeof OPTIMIZER_JOBS)[number];

/** Payload of `router.optimizer.run.requested.v1`. */
export const optimizerRunRequestSchema = z.object({
  job: z.enum(OPTIMIZER_JOBS).default('model-stats'),
  /** Look-back window in days. */
  days: z.number().int().positive().max(365).optional(),
});

export type OptimizerRunRequest = z.infer<typeof optimizerRunRequestSchema>;

export const optimizerRunAcceptedSchema = z.object({
  ok: z.literal(true),
  job: z.enum(OPTIMIZER_JOBS),
  jobId: z.string(),
});
export type OptimizerRunAccepted = z.infer<typeof optimizerRunAcceptedSchema>;
