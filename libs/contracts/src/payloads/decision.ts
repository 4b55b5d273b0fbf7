import { z } from 'zod';
import { generationParamsSchema } from './chat-request';

export const ROUTING_METHODS = ['rule', 'difficulty', 'learned', 'fallback', 'canary'] as const;
export type RoutingMethod = (typeof ROUTING_METHODS)[number];

export const routePlanSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('single'), model: z.string().min(1) }),
]);

/** What provider-adapters must run for a request. */
export type RoutePlan = z.infer<typeof routePlanSchema>;

export const decisionSchema = z.object({
  plan: routePlanSchema,
  method: z.enum(ROUTING_METHODS),
  /** Human-readable why. */
  reason: z.string(),
  /** Name of the L1 rule that matched, if any; travels on to completion and feedback. */
  rule: z.string().optional(),
  params: generationParamsSchema,
  policyVersion: z.string(),
  /** Version of the learned router's model, when the learned level took part. */
  learnedModelVersion: z.string().optional(),
  /** Models the engine considered, in its order of preference. */
  alternatives: z.array(z.string()),
  /** The canary arm this request was routed by, when a canary runs (`policyVersion` is that arm's policy). */
  canaryArm: z.enum(['control', 'candidate']).optional(),
  /** Models passed over and why (`out of quota`, `cooling down`). */
  skipped: z.array(z.object({ model: z.string(), why: z.string() })).optional(),
});

export type Decision = z.infer<typeof decisionSchema>;
