import { z } from 'zod';

const ID = /^[A-Za-z0-9][\w.:/-]{0,127}$/;

/** A model id (and the shape of other ids policies name): letters, digits and . _ : / -, at most 128. */
export const modelIdSchema = z.string().regex(ID, 'must be a model id of letters, digits and . _ : / -');

/**
 * What a model can honour, besides text in and text out: `vision` (image parts), `tools` (tools, tool
 * calls and tool messages), `json` (response_format json_object and json_schema), `logprobs`, `n` (more
 * than one answer), `seed`, `penalties` (presence and frequency), `reasoning` (a reasoning model: takes
 * `reasoningEffort` and `max_completion_tokens`, refuses temperature, top_p, penalties and logprobs).
 */
export const MODEL_CAPABILITIES = [
  'vision',
  'tools',
  'json',
  'logprobs',
  'n',
  'seed',
  'penalties',
  'reasoning',
] as const;
export type ModelCapability = (typeof MODEL_CAPABILITIES)[number];

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
  /** Tokens the model reads and writes in one call; requests whose prompt and `maxTokens` do not fit go elsewhere. */
  contextWindow: z.number().int().positive().optional(),
  /** What the model can do beyond plain text (see MODEL_CAPABILITIES); routing sends a request only to models able to honour it. */
  capabilities: z.array(z.enum(MODEL_CAPABILITIES)).default([]),
});

export type ModelSpec = z.infer<typeof modelSpecSchema>;
