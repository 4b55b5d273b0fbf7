import { type ChatRequest, type ChatSuccess, RouterError, type RouterErrorBody } from '@switchyard/contracts';
import { z } from 'zod';

const contentPart = z.object({ type: z.literal('text'), text: z.string() });

/** The subset of OpenAI's Chat Completions request that routing uses; unknown fields are ignored. */
export const openAiChatRequestSchema = z.object({
  model: z.string().min(1),
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
        content: z.union([z.string(), z.array(contentPart), z.null()]),
      }),
    )
    .min(1, 'must contain at least one message'),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  user: z.string().min(1).max(128).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  stream: z.boolean().nullish(),
});

export type OpenAiChatRequest = z.infer<typeof openAiChatRequestSchema>;

/** The model name that asks Switchyard to choose. */
export const AUTO_MODEL = 'auto';

export function fromOpenAi(body: OpenAiChatRequest, hints: { requestId?: string; tenant?: string }): ChatRequest {
  if (body.model !== AUTO_MODEL)
    throw new RouterError(
      'invalid_request',
      `model must be "${AUTO_MODEL}" to let Switchyard route; got "${body.model}"`,
      'model',
    );
  const request: ChatRequest = {
    messages: body.messages.map((m) => ({
      role: m.role === 'developer' ? 'system' : m.role,
      content: typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text).join(''),
    })),
  };
  const params: ChatRequest['params'] = {};
  if (body.temperature != null) params.temperature = body.temperature;
  if (body.top_p != null) params.topP = body.top_p;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) params.maxTokens = maxTokens;
  if (Object.keys(params).length > 0) request.params = params;
  if (body.stream) request.stream = true;
  if (body.user !== undefined) request.user = body.user;
  if (body.metadata !== undefined) request.metadata = body.metadata;
  if (hints.requestId !== undefined) request.requestId = hints.requestId;
  if (hints.tenant !== undefined) request.tenant = hints.tenant;
  return request;
}

/** OpenAI's response shape, with Switchyard's routing metadata alongside under `switchyard`. */
export function toOpenAi(reply: ChatSuccess) {
  return {
    id: `chatcmpl-${reply.requestId}`,
    object: 'chat.completion' as const,
    created: Math.floor(Date.now() / 1000),
    model: reply.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: reply.answer.content },
        finish_reason: reply.finishReason === 'other' ? 'stop' : reply.finishReason,
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: reply.usage.inputTokens,
      completion_tokens: reply.usage.outputTokens,
      total_tokens: reply.usage.inputTokens + reply.usage.outputTokens,
    },
    switchyard: {
      requestId: reply.requestId,
      tenant: reply.tenant,
      provider: reply.provider,
      decision: reply.decision,
      difficulty: reply.difficulty,
      costUsd: reply.costUsd,
      usageEstimated: reply.usage.estimated,
      latency: reply.latency,
      replayed: reply.replayed ?? false,
    },
  };
}

/** OpenAI's error shape (what OpenAI SDKs parse), with our code and field. */
export function toOpenAiError(error: RouterErrorBody, requestId?: string) {
  return {
    error: { message: error.message, type: error.code, code: error.code, param: error.field ?? null },
    switchyard: requestId ? { requestId, error } : { error },
  };
}

/** One OpenAI chat.completion.chunk server-sent event. */
export function openAiChunk(
  requestId: string,
  model: string,
  delta: Record<string, unknown>,
  finish: string | null,
  extra: Record<string, unknown> = {},
): string {
  const chunk = {
    id: `chatcmpl-${requestId}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    ...extra,
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** The last events of a stream: finish reason, usage and Switchyard's routing metadata, then [DONE]. */
export function openAiStreamEnd(reply: ChatSuccess): string[] {
  const full = toOpenAi(reply);
  return [
    openAiChunk(reply.requestId, reply.model, {}, full.choices[0].finish_reason, {
      usage: full.usage,
      switchyard: full.switchyard,
    }),
    'data: [DONE]\n\n',
  ];
}

/**
 * A whole answer as OpenAI's server-sent events (the role, the content in word-sized pieces, the end):
 * for answers that arrive whole (a replayed request id, a cascade or consensus plan).
 */
export function toOpenAiStream(reply: ChatSuccess): string[] {
  const events = [openAiChunk(reply.requestId, reply.model, { role: 'assistant', content: '' }, null)];
  for (const piece of reply.answer.content.match(/\S+\s*|\s+/g) ?? [])
    events.push(openAiChunk(reply.requestId, reply.model, { content: piece }, null));
  return [...events, ...openAiStreamEnd(reply)];
}
