import { z } from 'zod';
import { closedObject } from '../lib/closed-object';
import { MODEL_CAPABILITIES } from './model-spec';

/** `router.models.list.v1` (ingress → decision-engine, request-reply): what a caller may name as `model`. */
export const modelsListQuerySchema = closedObject({});

export const modelListingSchema = z.object({
  /** `auto`, `auto:<profile>`, or a model id of the policy. */
  id: z.string(),
  /** `router`: Switchyard chooses (`auto`); `profile`: chooses with a named profile; `model`: pins that model. */
  kind: z.enum(['router', 'profile', 'model']),
  description: z.string().optional(),
  provider: z.string().optional(),
  tier: z.string().optional(),
  capabilities: z.array(z.enum(MODEL_CAPABILITIES)).optional(),
  contextWindow: z.number().int().positive().optional(),
  priceUsdPerMTok: z.object({ input: z.number(), output: z.number() }).optional(),
});

export type ModelListing = z.infer<typeof modelListingSchema>;

/** The answer: the names the policy in force accepts, routers and profiles first. */
export const modelsListSchema = z.object({ policyVersion: z.string(), models: z.array(modelListingSchema) });
export type ModelsList = z.infer<typeof modelsListSchema>;
