import { z } from 'zod';
import { toolCallSchema } from './chat-request';
import { decisionSchema, planOutcomeSchema } from './decision';
import { latencySchema, usageSchema } from './usage';
import { routerErrorSchema } from '../lib/errors';

/** Why the model stopped: done, out of tokens, to call tools, stopped by a content filter, or anything else. */
export const FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter', 'other'] as const;
export const finishReasonSchema = z.enum(FINISH_REASONS);
export type FinishReason = z.infer<typeof finishReasonSchema>;

/** An answer: its text (empty when the model only calls tools) and the tool calls it asks for. */
export const answerSchema = z.object({
  role: z.literal('assistant'),
  content: z.string(),
  toolCalls: z.array(toolCallSchema).optional(),
});

export type Answer = z.infer<typeof answerSchema>;

export const choiceSchema = z.object({ answer: answerSchema, finishReason: finishReasonSchema });
export type Choice = z.infer<typeof choiceSchema>;

export const tokenLogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  topLogprobs: z.array(z.object({ token: z.string(), logprob: z.number() })).optional(),
});

export type TokenLogprob = z.infer<typeof tokenLogprobSchema>;

export const chatSuccessSchema = z.object({
  ok: z.literal(true),
  requestId: z.string(),
  tenant: z.string(),
  /** The model that produced the answer. */
  model: z.string(),
  provider: z.string(),
  answer: answerSchema,
  finishReason: finishReasonSchema,
  /** With `params.n` above 1: every answer the model wrote, the first being `answer`. */
  choices: z.array(choiceSchema).optional(),
  /** With `params.logprobs`: the answer's tokens and their log-probabilities. */
  logprobs: z.array(tokenLogprobSchema).optional(),
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
  /** Text written since the last piece (may be empty when the piece carries tool-call pieces). */
  delta: z.string(),
  /**
   * Pieces of tool calls as the model writes them: the call's `index` in the answer, its id and name on the
   * first piece, then pieces of its arguments' JSON text to append.
   */
  toolCalls: z
    .array(
      z.object({
        index: z.number().int().nonnegative(),
        id: z.string().optional(),
        name: z.string().optional(),
        arguments: z.string().optional(),
      }),
    )
    .optional(),
});

export type ChatDelta = z.infer<typeof chatDeltaSchema>;

/** What goes to a waiting caller's inbox: the answer (or its failure), or a piece of a streamed answer. */
export type InboxReply = ChatReply | ChatDelta;
