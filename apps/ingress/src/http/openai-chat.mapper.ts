import {
  type Answer,
  type ChatDelta,
  type ChatMessage,
  type ChatRequest,
  type ChatSuccess,
  type FinishReason,
  MAX_TOOLS,
  REASONING_EFFORTS,
  RouterError,
  type RouterErrorBody,
  type TokenLogprob,
  closedObject,
} from '@switchyard/contracts';
import { z } from 'zod';
import { routingMetadata } from './http-reply';

/**
 * Fields of OpenAI's request that change the answer in ways no route here can honour: a 400 naming the field,
 * never a silent drop. `store` and `service_tier` are refused only when they ask for something.
 */
const REFUSED: Record<string, string> = {
  audio: 'audio output is not supported',
  modalities: 'only text output is supported',
  logit_bias: 'logit_bias is not supported: no route can honour it across providers',
  prediction: 'predicted outputs are not supported',
  web_search_options: 'web search is not supported',
  functions: 'the deprecated functions field is not supported: use tools',
  function_call: 'the deprecated function_call field is not supported: use tool_choice',
};

const text = z.object({ type: z.literal('text'), text: z.string() }).strict();
const image = z
  .object({
    type: z.literal('image_url'),
    image_url: z.object({ url: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }).strict(),
  })
  .strict();
const part = z.discriminatedUnion('type', [text, image]);

const toolCall = z
  .object({
    id: z.string(),
    type: z.literal('function'),
    function: z.object({ name: z.string(), arguments: z.string() }).strict(),
  })
  .strict();

const message = closedObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(part), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(toolCall).nullish(),
  tool_call_id: z.string().optional(),
  /** An earlier assistant turn as the SDK returned it; only a null refusal can be sent back. */
  refusal: z.null().optional(),
});

const tool = closedObject({
  type: z.literal('function'),
  function: closedObject({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const responseFormat = z.discriminatedUnion('type', [
  closedObject({ type: z.literal('text') }),
  closedObject({ type: z.literal('json_object') }),
  closedObject({
    type: z.literal('json_schema'),
    json_schema: closedObject({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** OpenAI's Chat Completions request as this door takes it: every field either honoured or refused by name. */
export const openAiChatRequestSchema = closedObject({
  model: z.string().min(1),
  messages: z.array(message).min(1, 'must contain at least one message'),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  max_tokens: z.number().int().nullish(),
  max_completion_tokens: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()), z.null()]).optional(),
  n: z.number().int().nullish(),
  seed: z.number().int().nullish(),
  presence_penalty: z.number().nullish(),
  frequency_penalty: z.number().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().nullish(),
  reasoning_effort: z.enum(REASONING_EFFORTS).nullish(),
  response_format: responseFormat.optional(),
  tools: z.array(tool).max(MAX_TOOLS).optional(),
  tool_choice: z
    .union([
      z.enum(['auto', 'none', 'required']),
      closedObject({ type: z.literal('function'), function: closedObject({ name: z.string() }) }),
    ])
    .optional(),
  parallel_tool_calls: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  stream_options: closedObject({ include_usage: z.boolean().optional() }).nullish(),
  user: z.string().min(1).max(128).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  store: z.boolean().nullish(),
  service_tier: z.string().nullish(),
  ...Object.fromEntries(Object.keys(REFUSED).map((k) => [k, z.unknown().optional()])),
});

export type OpenAiChatRequest = z.infer<typeof openAiChatRequestSchema>;

export interface DoorHints {
  requestId?: string;
  tenant?: string;
}

/** OpenAI's request as Switchyard's: snake_case to the contract's names; what cannot be honoured is refused. */
export function fromOpenAi(body: OpenAiChatRequest, hints: DoorHints): ChatRequest {
  const raw = body as Record<string, unknown>;
  for (const [field, why] of Object.entries(REFUSED))
    if (raw[field] !== undefined && raw[field] !== null && !(field === 'modalities' && textOnly(raw[field])))
      throw new RouterError('invalid_request', `${field}: ${why}`, field);
  if (body.store === true)
    throw new RouterError('invalid_request', 'store: Switchyard does not store completions at the provider', 'store');
  if (body.service_tier != null && !['auto', 'default'].includes(body.service_tier))
    throw new RouterError('invalid_request', `service_tier: only "auto" or "default" can be honoured`, 'service_tier');

  const request: ChatRequest = { messages: body.messages.map(messageOf) };
  if (body.model !== 'auto') request.model = body.model;
  const params: NonNullable<ChatRequest['params']> = {};
  if (body.temperature != null) params.temperature = body.temperature;
  if (body.top_p != null) params.topP = body.top_p;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) params.maxTokens = maxTokens;
  if (body.stop != null) params.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.n != null) params.n = body.n;
  if (body.seed != null) params.seed = body.seed;
  if (body.presence_penalty != null) params.presencePenalty = body.presence_penalty;
  if (body.frequency_penalty != null) params.frequencyPenalty = body.frequency_penalty;
  if (body.logprobs != null) params.logprobs = body.logprobs;
  if (body.top_logprobs != null) params.topLogprobs = body.top_logprobs;
  if (body.reasoning_effort != null) params.reasoningEffort = body.reasoning_effort;
  if (Object.keys(params).length > 0) request.params = params;
  if (body.tools?.length)
    request.tools = body.tools.map(({ function: f }) => ({
      name: f.name,
      ...(f.description !== undefined ? { description: f.description } : {}),
      ...(f.parameters !== undefined ? { parameters: f.parameters } : {}),
      ...(f.strict != null ? { strict: f.strict } : {}),
    }));
  if (body.tool_choice !== undefined)
    request.toolChoice =
      typeof body.tool_choice === 'string' ? body.tool_choice : { name: body.tool_choice.function.name };
  if (body.parallel_tool_calls != null) request.parallelToolCalls = body.parallel_tool_calls;
  const format = body.response_format;
  if (format?.type === 'json_schema') {
    if (!format.json_schema.schema)
      throw new RouterError(
        'invalid_request',
        'response_format.json_schema.schema: give the JSON Schema the answer must follow',
        'response_format.json_schema.schema',
      );
    request.responseFormat = {
      type: 'json_schema',
      name: format.json_schema.name,
      schema: format.json_schema.schema,
      ...(format.json_schema.description !== undefined ? { description: format.json_schema.description } : {}),
      ...(format.json_schema.strict != null ? { strict: format.json_schema.strict } : {}),
    };
  } else if (format) request.responseFormat = { type: format.type };
  if (body.stream) request.stream = true;
  if (body.user !== undefined) request.user = body.user;
  if (body.metadata !== undefined) request.metadata = body.metadata;
  if (hints.requestId !== undefined) request.requestId = hints.requestId;
  if (hints.tenant !== undefined) request.tenant = hints.tenant;
  return request;
}

function textOnly(value: unknown): boolean {
  return Array.isArray(value) && value.every((m) => m === 'text');
}

function messageOf(m: OpenAiChatRequest['messages'][number], index: number): ChatMessage {
  const content = m.content ?? null;
  const out: ChatMessage = {
    role: m.role === 'developer' ? 'system' : m.role,
    content:
      typeof content === 'string' || content === null
        ? content
        : content.every((p) => p.type === 'text')
          ? content.map((p) => p.text).join('') // text parts alone read as one text, as providers join them
          : content.map((p) =>
              p.type === 'text'
                ? { type: 'text' as const, text: p.text }
                : {
                    type: 'image' as const,
                    url: p.image_url.url,
                    ...(p.image_url.detail ? { detail: p.image_url.detail } : {}),
                  },
            ),
  };
  if (content === null && !m.tool_calls?.length)
    throw new RouterError(
      'invalid_request',
      `messages.${index}.content: only an assistant message with tool_calls may have no content`,
      `messages.${index}.content`,
    );
  if (m.name !== undefined) out.name = m.name;
  if (m.tool_calls?.length)
    out.toolCalls = m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
  if (m.tool_call_id !== undefined) out.toolCallId = m.tool_call_id;
  return out;
}

const FINISH: Record<FinishReason, string> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  other: 'stop',
};

function openAiMessage(answer: Answer) {
  const calls = answer.toolCalls?.map((c) => ({
    id: c.id,
    type: 'function' as const,
    function: { name: c.name, arguments: c.arguments },
  }));
  return {
    role: 'assistant' as const,
    content: calls && answer.content === '' ? null : answer.content,
    refusal: null,
    ...(calls ? { tool_calls: calls } : {}),
  };
}

function openAiLogprobs(logprobs: readonly TokenLogprob[] | undefined) {
  if (!logprobs) return null;
  return {
    content: logprobs.map((t) => ({
      token: t.token,
      logprob: t.logprob,
      bytes: null,
      top_logprobs: (t.topLogprobs ?? []).map((o) => ({ token: o.token, logprob: o.logprob, bytes: null })),
    })),
    refusal: null,
  };
}

/** OpenAI's response shape, with Switchyard's routing metadata alongside under `switchyard`. */
export function toOpenAi(reply: ChatSuccess) {
  const choices = (reply.choices ?? [{ answer: reply.answer, finishReason: reply.finishReason }]).map((c, index) => ({
    index,
    message: openAiMessage(c.answer),
    finish_reason: FINISH[c.finishReason],
    logprobs: index === 0 ? openAiLogprobs(reply.logprobs) : null,
  }));
  return {
    id: `chatcmpl-${reply.requestId}`,
    object: 'chat.completion' as const,
    created: Math.floor(Date.now() / 1000),
    model: reply.model,
    choices,
    usage: usageOf(reply),
    switchyard: routingMetadata(reply),
  };
}

function usageOf(reply: ChatSuccess) {
  return {
    prompt_tokens: reply.usage.inputTokens,
    completion_tokens: reply.usage.outputTokens,
    total_tokens: reply.usage.inputTokens + reply.usage.outputTokens,
  };
}

/** OpenAI's error shape (what OpenAI SDKs parse), with our code and field. */
export function toOpenAiError(error: RouterErrorBody, requestId?: string) {
  return {
    error: { message: error.message, type: error.code, code: error.code, param: openAiParam(error.field) },
    switchyard: requestId ? { requestId, error } : { error },
  };
}

/**
 * A field of Switchyard's request named as the caller sent it in OpenAI's: `params.maxTokens` is `max_tokens`,
 * `responseFormat` is `response_format`, `messages.1.toolCallId` is `messages.1.tool_call_id`.
 */
export function openAiParam(field: string | undefined): string | null {
  if (field === undefined) return null;
  return field
    .replace(/^params\./, '')
    .split('.')
    .map((segment) => segment.replace(/([a-z0-9])([A-Z])/g, (_, a: string, b: string) => `${a}_${b.toLowerCase()}`))
    .join('.');
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

/** A streamed piece as OpenAI's delta: text, and tool-call pieces with their index, id and name first. */
export function openAiDelta(piece: Pick<ChatDelta, 'delta' | 'toolCalls'>): Record<string, unknown> {
  const delta: Record<string, unknown> = {};
  if (piece.delta !== '' || !piece.toolCalls) delta['content'] = piece.delta;
  if (piece.toolCalls)
    delta['tool_calls'] = piece.toolCalls.map((c) => ({
      index: c.index,
      ...(c.id !== undefined ? { id: c.id, type: 'function' } : {}),
      function: {
        ...(c.name !== undefined ? { name: c.name } : {}),
        ...(c.arguments !== undefined ? { arguments: c.arguments } : {}),
      },
    }));
  return delta;
}

/**
 * The last events of a stream: the finish reason with Switchyard's routing metadata, the usage chunk when
 * the caller asked for it (`stream_options.include_usage`: `choices` empty, as OpenAI sends it), then [DONE].
 */
export function openAiStreamEnd(reply: ChatSuccess, includeUsage = false): string[] {
  const full = toOpenAi(reply);
  const events = [
    // Usage rides on the finish chunk too (as this door always sent it) unless the caller asked for OpenAI's own usage chunk.
    openAiChunk(reply.requestId, reply.model, {}, full.choices[0].finish_reason, {
      ...(includeUsage ? {} : { usage: full.usage }),
      switchyard: full.switchyard,
    }),
  ];
  if (includeUsage)
    events.push(
      `data: ${JSON.stringify({
        id: full.id,
        object: 'chat.completion.chunk',
        created: full.created,
        model: reply.model,
        choices: [],
        usage: full.usage,
      })}\n\n`,
    );
  events.push('data: [DONE]\n\n');
  return events;
}

/**
 * A whole answer as OpenAI's server-sent events (the role, the content in word-sized pieces, the tool
 * calls, the end): for answers that arrive whole (a replayed request id, a cascade or consensus plan).
 */
export function toOpenAiStream(reply: ChatSuccess, includeUsage = false): string[] {
  const events = [openAiChunk(reply.requestId, reply.model, { role: 'assistant', content: '' }, null)];
  for (const piece of reply.answer.content.match(/\S+\s*|\s+/g) ?? [])
    events.push(openAiChunk(reply.requestId, reply.model, { content: piece }, null));
  const calls = reply.answer.toolCalls ?? [];
  if (calls.length > 0)
    events.push(
      openAiChunk(
        reply.requestId,
        reply.model,
        openAiDelta({
          delta: '',
          toolCalls: calls.map((c, index) => ({ index, id: c.id, name: c.name, arguments: c.arguments })),
        }),
        null,
      ),
    );
  return [...events, ...openAiStreamEnd(reply, includeUsage)];
}
