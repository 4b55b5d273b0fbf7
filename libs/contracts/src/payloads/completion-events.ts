import { z } from 'zod';
import { finishReasonSchema } from './chat-reply';
import { toolCallSchema } from './chat-request';
import { decisionSchema, planOutcomeSchema } from './decision';
import { featuresSchema } from './features';
import { latencySchema, usageSchema } from './usage';
import { routerErrorSchema } from '../lib/errors';
import { requestIdSchema, tenantSchema } from '../lib/identity';
import { CONTEXT_MAX_CHARS } from '../lib/text';

export const attemptSchema = z.object({
  model: z.string(),
  provider: z.string(),
  ok: z.boolean(),
  latencyMs: z.number().nonnegative(),
  error: z.string().optional(),
});

export type Attempt = z.infer<typeof attemptSchema>;

const completionBase = z.object({
  requestId: requestIdSchema,
  tenant: tenantSchema,
  user: z.string().optional(),
  receivedAt: z.number().int().nonnegative(),
  completedAt: z.number().int().nonnegative(),
  /** The last user message, kept for retraining (truncated). */
  prompt: z.string(),
  /**
   * The conversation before the routed message (`contextText`: system prompts and earlier user messages,
   * most recent first), kept for retraining a router that weighs it; absent when the routed message is the
   * first, and in events of releases before it.
   */
  context: z.string().max(CONTEXT_MAX_CHARS).optional(),
  taskHint: z.string().optional(),
  /**
   * Present when the publishing service runs with RECORD_PROMPTS=none: the text was kept out of the event
   * (`prompt` and, on a success, `answer` are empty; no `context`, no `toolCalls`), and the record keeps none.
   */
  textWithheld: z.literal(true).optional(),
  features: featuresSchema.optional(),
  decision: decisionSchema.optional(),
  attempts: z.array(attemptSchema),
});

/** `router.completion.succeeded.v1` (JetStream, de-duplicated by request id). */
export const completionSucceededSchema = completionBase.extend({
  model: z.string(),
  provider: z.string(),
  answer: z.string(),
  /** The tool calls the answer asked for. */
  toolCalls: z.array(toolCallSchema).optional(),
  finishReason: finishReasonSchema,
  usage: usageSchema,
  costUsd: z.number().nonnegative(),
  latency: latencySchema,
  planOutcome: planOutcomeSchema.optional(),
});

export type CompletionSucceeded = z.infer<typeof completionSucceededSchema>;

/** `router.completion.failed.v1` (JetStream, de-duplicated by request id). */
export const completionFailedSchema = completionBase.extend({
  stage: z.enum(['analyzer', 'decision', 'provider']),
  error: routerErrorSchema,
});

export type CompletionFailed = z.infer<typeof completionFailedSchema>;
