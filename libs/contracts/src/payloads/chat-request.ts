import { z } from 'zod';
import { requestIdSchema, tenantSchema } from '../lib/identity';

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
});

/** A message of the conversation, as in OpenAI's chat format (text content). */
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const requestHintsSchema = z.object({
  /** A task label the caller knows (`code`, `finance`, `math`…); rules may match on it. */
  task: z.string().min(1).max(64).optional(),
  /** Ask for a tier (`cheap`, `balanced`, `premium`); policy rules decide whether to honour it. */
  tier: z.string().min(1).max(64).optional(),
});

export const generationParamsSchema = z.object({
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().max(1_000_000).optional(),
  topP: z.number().min(0).max(1).optional(),
});

export type GenerationParams = z.infer<typeof generationParamsSchema>;

/** Payload of the public subject `router.request.v1`: plain JSON that any NATS client can send. */
export const chatRequestSchema = z.object({
  /** Caller's id for this request. Re-sending the same id within the idempotency window returns the first answer. */
  requestId: requestIdSchema.optional(),
  /** Tenant the request is billed to; `default` when absent. */
  tenant: tenantSchema.optional(),
  /** End user, for stickiness and per-user stats. */
  user: z.string().min(1).max(128).optional(),
  messages: z.array(chatMessageSchema).min(1, 'must contain at least one message'),
  hints: requestHintsSchema.optional(),
  params: generationParamsSchema.optional(),
  /** Send the answer in pieces as the model writes it (HTTP callers: server-sent events). */
  stream: z.boolean().optional(),
  /** Free-form string labels; rules may match on them. */
  metadata: z.record(z.string(), z.string()).optional(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
