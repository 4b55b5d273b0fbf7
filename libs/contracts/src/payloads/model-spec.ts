import { z } from 'zod';

const ID = /^[A-Za-z0-9][\w.:/-]{0,127}$/;

/** A model id (and the shape of other ids policies name): letters, digits and . _ : / -, at most 128. */
export const modelIdSchema = z.string().regex(ID, 'must be a model id of letters, digits and . _ : / -');

/** A model as a policy declares it, and as a decided plan carries it to provider-adapters. */
export const modelSpecSchema = z.object({
  id: modelIdSchema,
  /** Adapter kind that serves it (`simulated`, `openai`, `anthropic`, `openai-compatible`, `replay`). */
  provider: z.string().min(1),
  /** Name of the model at the provider, when it differs from `id`. */
  deployment: z.string().min(1).optional(),
  baseUrl: z.string().url().optional(),
  /** Name of the environment variable that holds this model's API key (keys never go in the policy). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')
    .optional(),
  tier: z.string().min(1),
  /** US dollars per million tokens. */
  priceUsdPerMTok: z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }),
  contextWindow: z.number().int().positive().optional(),
  capabilities: z.array(z.string()).default([]),
});

export type ModelSpec = z.infer<typeof modelSpecSchema>;
