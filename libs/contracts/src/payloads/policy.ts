import { z } from 'zod';

/** `router.policy.updated.v1`: the whole policy document, so every replica applies exactly this text. */
export const policyUpdatedSchema = z.object({
  version: z.string().min(1),
  /** The policy YAML. Relative paths in it (learned.artifact, canary.policy) resolve against each service's POLICY_FILE folder. */
  yaml: z.string().min(1),
  publishedAt: z.number().int().nonnegative(),
  publishedBy: z.string().optional(),
});

export type PolicyUpdated = z.infer<typeof policyUpdatedSchema>;

/** `router.policy.rejected.v1`: a replica could not use a published policy and kept its old one. */
export const policyRejectedSchema = z.object({
  version: z.string(),
  service: z.string(),
  keptVersion: z.string(),
  problems: z.array(z.object({ field: z.string(), message: z.string() })),
  rejectedAt: z.number().int().nonnegative(),
});

export type PolicyRejected = z.infer<typeof policyRejectedSchema>;
