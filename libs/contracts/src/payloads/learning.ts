import { z } from 'zod';

/**
 * `router.model.published.v1`: a learned router was stored in the model store (MongoDB `router_models`) and,
 * when `policyVersion` is set, a policy naming it was published. Replicas load the router by version from the
 * store; this event only announces it (for dashboards, audit and whoever waits on a retraining).
 */
export const modelPublishedSchema = z.object({
  /** The router's version, its key in the model store. */
  version: z.string().min(1),
  /** sha256 (hex) of the stored gzipped JSON: a load checks the bytes against it. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Length of the artifact's JSON, in bytes. */
  bytes: z.number().int().nonnegative(),
  /** When it was stored, epoch ms. */
  createdAt: z.number().int().nonnegative(),
  /** What made it (a retraining run, an import). */
  source: z.string().min(1),
  /** `candidate`: on trial (in a canary, or waiting for one); `promoted`: serving all its traffic. */
  status: z.enum(['candidate', 'promoted']),
  /** The policy version that now uses it, when one was published with it. */
  policyVersion: z.string().min(1).optional(),
  /** Its offline evaluation; the shape is the evaluator's. */
  evaluation: z.record(z.string(), z.unknown()).optional(),
});

export type ModelPublished = z.infer<typeof modelPublishedSchema>;

/**
 * `router.canary.verdict.v1`: a canary between the policy in force and a candidate was decided, and the
 * policy that follows from it published (the candidate promoted, or the control alone again).
 */
export const canaryVerdictSchema = z.object({
  /** The control: the policy version that ran the canary. */
  policyVersion: z.string().min(1),
  /** The candidate's version the canary tried. */
  candidateVersion: z.string().min(1),
  verdict: z.enum(['promote', 'rollback']),
  /** Why, for a person. */
  reason: z.string(),
  /** Epoch ms. */
  decidedAt: z.number().int().nonnegative(),
  /** What the control arm measured (requests, cost, quality...). */
  control: z.record(z.string(), z.unknown()),
  /** What the candidate arm measured, the same way. */
  candidate: z.record(z.string(), z.unknown()),
  /** The policy version published as a result. */
  publishedVersion: z.string().min(1),
});

export type CanaryVerdict = z.infer<typeof canaryVerdictSchema>;
