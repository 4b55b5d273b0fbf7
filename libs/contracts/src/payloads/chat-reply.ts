import { z } from 'zod';
import { decisionSchema, planOutcomeSchema } from './decision';
import { latencySchema, usageSchema } from './usage';
import { routerErrorSchema } from '../lib/errors';

export const chatSuccessSchema = z.object({
  ok: z.literal(true),
  requestId: z.string(),
  tenant: z.string(),
  /** The model that produced the answer. */
  model: z.string(),
  provider: z.string(),
  answer: z.object({ role: z.literal('assistant'), content: z.string() }),
  finishReason: z.enum(['stop', 'length', 'other']),
  decision: decisionSchema,
  difficulty: z.number(),
  usage: usageSchema,
  costUsd: z.number().nonnegative(),
  latency: latencySchema,
  /** How a cascade or consensus plan went. */
  planOutcome: planOutcomeSchema.optional(),
  /** True when this is the stored answer to an earlier request with the same id. */
  replayed: z.boolean().optional(),
});

export type ChatSuccess = z.infer<typeof chatSuccessSchema>;

export const chatFailureSchema = z.object({
  ok: z.literal(false),
  requestId: z.string().optional(),
  error: routerErrorSchema,
});

export type ChatFailure = z.infer<typeof chatFailureSchema>;

/** Reply on `router.request.v1`. */
export const chatReplySchema = z.discriminatedUnion('ok', [chatSuccessSchema, chatFailureSchema]);
export type ChatReply = z.infer<typeof chatReplySchema>;

/**
 * A piece of a streamed answer, sent to the caller's reply subject before the final ChatReply (which
 * carries the whole answer, its routing and cost). Only requests with `stream: true` get them.
 */
export const chatDeltaSchema = z.object({
  requestId: z.string(),
  /** The model writing the answer. */
  model: z.string(),
  delta: z.string(),
});

export type ChatDelta = z.infer<typeof chatDeltaSchema>;

/** What goes to a waiting caller's inbox: the answer (or its failure), or a piece of a streamed answer. */
export type InboxReply = ChatReply | ChatDelta;
