import {
  type ChatMessage,
  type ChatRequest,
  type ChatSuccess,
  type ContentPart,
  type ErrorCode,
  type GenerationParams,
  type RouterErrorBody,
  RouterError,
  closedObject,
  messageText,
} from '@switchyard/contracts';
import { z } from 'zod';
import { routingMetadata } from './http-reply';

/*
 * Anthropic's Messages API (`POST /v1/messages`) over Switchyard's ChatRequest. What the door cannot honour
 * is refused with a 400 naming the field, never dropped: a dropped field would change the answer without
 * the caller knowing. Ignored, because they change no answer: `cache_control` anywhere (a prompt-cache hint
 * for Anthropic's servers), a tool's `eager_input_streaming` (how finely tool input is streamed),
 * `service_tier: "auto"`, `speed: "standard"`, `thinking.display`, and thinking blocks in earlier assistant
 * turns (Anthropic itself leaves those out of the context; our models never write them).
 */

const toolName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -');
/** A cache hint: accepted anywhere Anthropic takes it, and ignored. */
const cacheControl = z.unknown().optional();

/**
 * A discriminated union whose unknown `type` (or `role`) values are answered with what to do instead
 * (`document blocks are not supported: ...`), not zod's list of expected values.
 */
function unionOf<T extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]]>(
  discriminator: string,
  options: T,
  refusals: Record<string, string>,
  what: string,
) {
  return z.discriminatedUnion(discriminator, options, {
    error: (issue) => {
      if (issue.code !== 'invalid_union' || issue.note !== 'No matching discriminator') return undefined;
      const value = (issue.input as Record<string, unknown> | undefined)?.[discriminator];
      if (typeof value === 'string' && refusals[value]) return refusals[value];
      const known = (issue as { options?: unknown[] }).options?.map((o) => JSON.stringify(o)).join(', ');
      return `${JSON.stringify(value)} ${what} is not supported here; expected one of ${known}`;
    },
  });
}

const textBlock = closedObject({
  type: z.literal('text'),
  text: z.string(),
  cache_control: cacheControl,
  citations: z
    .array(z.unknown())
    .max(0, 'citations are not supported: Switchyard cannot return them to the model')
    .nullish(),
});

const imageBlock = closedObject({
  type: z.literal('image'),
  source: unionOf(
    'type',
    [
      closedObject({
        type: z.literal('base64'),
        media_type: z.string().regex(/^image\/[a-z0-9.+-]+$/i, 'must be an image type (image/png, image/jpeg…)'),
        data: z.string().min(1).max(20_000_000),
      }),
      closedObject({
        type: z.literal('url'),
        url: z
          .string()
          .max(20_000)
          .regex(/^https?:\/\//, 'must be an http(s) URL'),
      }),
    ],
    { file: 'an image by file_id (Files API) is not supported: send it as base64 or url' },
    'image source',
  ),
  cache_control: cacheControl,
});

const BLOCK_REFUSALS: Record<string, string> = {
  document: 'document (PDF, plain-text) blocks are not supported: send the text as a text block',
  search_result: 'search_result blocks are not supported: send the results as text',
  container_upload: 'container_upload blocks are not supported: Switchyard runs no code execution container',
  server_tool_use: "server tools are not supported: Switchyard's models call only the caller's tools",
  web_search_tool_result: 'server tool results are not supported',
  web_fetch_tool_result: 'server tool results are not supported',
  code_execution_tool_result: 'server tool results are not supported',
  mcp_tool_use: 'MCP tool calls are not supported',
  mcp_tool_result: 'MCP tool results are not supported',
};

const toolResultBlock = closedObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1).max(256),
  content: z
    .preprocess(
      (v) => (typeof v === 'string' ? [{ type: 'text', text: v }] : v),
      z.array(
        unionOf(
          'type',
          [textBlock],
          {
            ...BLOCK_REFUSALS,
            image:
              'an image in a tool_result is not supported (tool results carry text only): describe it in text, or send it in a user message',
          },
          'tool_result content block',
        ),
      ),
    )
    .optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

const toolUseBlock = closedObject({
  type: z.literal('tool_use'),
  id: z.string().min(1).max(256),
  name: toolName,
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});

const thinkingBlock = closedObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().optional(),
  cache_control: cacheControl,
});

const redactedThinkingBlock = closedObject({
  type: z.literal('redacted_thinking'),
  data: z.string(),
  cache_control: cacheControl,
});

/** A message's content: a string is shorthand for one text block. */
function blocks<T extends z.ZodType>(block: T) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? [{ type: 'text', text: v }] : v),
    z.array(block).min(1, 'must contain at least one content block'),
  );
}

const userMessage = closedObject({
  role: z.literal('user'),
  content: blocks(unionOf('type', [textBlock, imageBlock, toolResultBlock], BLOCK_REFUSALS, 'user content block')),
});

const assistantMessage = closedObject({
  role: z.literal('assistant'),
  content: blocks(
    unionOf(
      'type',
      [textBlock, toolUseBlock, thinkingBlock, redactedThinkingBlock],
      { ...BLOCK_REFUSALS, image: 'only user messages may carry images' },
      'assistant content block',
    ),
  ),
});

const customTool = closedObject({
  // First, so a server tool (`web_search_20250305`) is answered by this, not by its missing input_schema.
  type: z
    .literal('custom', {
      error: 'only client tools (no type, or "custom") are supported: Switchyard runs no server tools',
    })
    .nullish(),
  name: toolName,
  description: z.string().max(4096).optional(),
  input_schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().optional(),
  cache_control: cacheControl,
  eager_input_streaming: z.boolean().nullish(),
});

const parallel = { disable_parallel_tool_use: z.boolean().optional() };

/** Anthropic's Messages request: every field Anthropic documents, so that an unknown one is a 400 naming it. */
export const anthropicMessagesRequestSchema = closedObject({
  model: z.string().min(1).max(128),
  messages: z
    .array(unionOf('role', [userMessage, assistantMessage], { system: 'use the top-level "system" field' }, 'role'))
    .min(1, 'must contain at least one message'),
  max_tokens: z.number().int().positive().max(1_000_000),
  system: z.preprocess((v) => (typeof v === 'string' ? [{ type: 'text', text: v }] : v), z.array(textBlock)).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  stop_sequences: z.array(z.string().min(1).max(256)).max(4, 'Switchyard takes up to 4 stop sequences').optional(),
  tools: z.array(customTool).max(128).optional(),
  tool_choice: unionOf(
    'type',
    [
      closedObject({ type: z.literal('auto'), ...parallel }),
      closedObject({ type: z.literal('any'), ...parallel }),
      closedObject({ type: z.literal('tool'), name: toolName, ...parallel }),
      closedObject({ type: z.literal('none') }),
    ],
    {},
    'tool_choice',
  ).optional(),
  thinking: unionOf(
    'type',
    [
      closedObject({
        type: z.literal('enabled'),
        budget_tokens: z.number().int().positive(),
        display: z.enum(['summarized', 'omitted']).nullish(),
      }),
      closedObject({ type: z.literal('disabled') }),
      closedObject({ type: z.literal('adaptive'), display: z.enum(['summarized', 'omitted']).nullish() }),
    ],
    {},
    'thinking',
  ).optional(),
  output_config: closedObject({
    effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullish(),
    format: closedObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) }).nullish(),
  }).optional(),
  metadata: closedObject({ user_id: z.string().max(128).nullish() }).optional(),
  stream: z.boolean().optional(),
  cache_control: cacheControl,
  service_tier: z.string().optional(),
  speed: z.string().nullish(),
  // Taken so that they are refused by name with a reason (fromAnthropic), not as unknown keys.
  top_k: z.unknown().optional(),
  container: z.unknown().optional(),
  mcp_servers: z.unknown().optional(),
  inference_geo: z.unknown().optional(),
  diagnostics: z.unknown().optional(),
  context_management: z.unknown().optional(),
});

export type AnthropicMessagesRequest = z.infer<typeof anthropicMessagesRequestSchema>;

/** Fields Anthropic takes that change the answer and that the door cannot honour: each is a 400 naming it. */
const REFUSED_FIELDS: Array<[keyof AnthropicMessagesRequest, string, (v: unknown) => boolean]> = [
  ['top_k', 'top_k is not supported: not every model Switchyard routes to takes it; use top_p', isSet],
  ['container', 'container is not supported: Switchyard runs no code execution container', isSet],
  ['mcp_servers', "mcp_servers is not supported: Switchyard's models call only the caller's tools", isSet],
  ['inference_geo', 'inference_geo is not supported: Switchyard chooses the model, and so where it runs', isSet],
  ['diagnostics', 'diagnostics is not supported', isSet],
  ['context_management', 'context_management is not supported', isSet],
  ['service_tier', 'service_tier: only "auto" is supported', (v) => isSet(v) && v !== 'auto'],
  ['speed', 'speed: only "standard" is supported', (v) => isSet(v) && v !== 'standard'],
];

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function refuse(field: string, message: string): never {
  throw new RouterError('invalid_request', message, field);
}

/**
 * Extended thinking's token budget as a reasoning effort, the one knob every reasoning model takes.
 * Boundaries: Anthropic's minimum budget (1,024 tokens; below it, `minimal`), then steps of four times that
 * (4,096 and 16,384): each effort spans a factor of four in thinking tokens.
 */
export function effortForBudget(budgetTokens: number): NonNullable<GenerationParams['reasoningEffort']> {
  if (budgetTokens < 1024) return 'minimal';
  if (budgetTokens < 4096) return 'low';
  if (budgetTokens < 16_384) return 'medium';
  return 'high';
}

type TextBlock = z.infer<typeof textBlock>;

/** One text block as a plain string; several kept as parts (no separator of ours is invented). */
function textContent(parts: ContentPart[]): ChatMessage['content'] {
  return parts.length === 1 && parts[0].type === 'text' ? parts[0].text : parts;
}

function texts(blocks: TextBlock[]): ContentPart[] {
  return blocks.map((b) => ({ type: 'text', text: b.text }));
}

function userMessages(message: z.infer<typeof userMessage>): ChatMessage[] {
  const results: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  for (const block of message.content) {
    if (block.type === 'tool_result') {
      const result = texts(block.content ?? []);
      let content = result.length === 0 ? '' : textContent(result);
      // Tool messages have no is_error: the model learns that its call failed from the result's text.
      if (block.is_error) content = `Error: ${messageText({ content })}`.trimEnd();
      results.push({ role: 'tool', toolCallId: block.tool_use_id, content });
    } else if (block.type === 'image') {
      const { source } = block;
      parts.push({
        type: 'image',
        url: source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url,
      });
    } else parts.push({ type: 'text', text: block.text });
  }
  // Tool results first: a tool message must follow the assistant message whose call it answers.
  if (parts.length > 0) results.push({ role: 'user', content: textContent(parts) });
  return results;
}

function assistantMessageOf(message: z.infer<typeof assistantMessage>): ChatMessage {
  const parts: ContentPart[] = [];
  const toolCalls: NonNullable<ChatMessage['toolCalls']> = [];
  for (const block of message.content) {
    if (block.type === 'text') parts.push({ type: 'text', text: block.text });
    else if (block.type === 'tool_use')
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
  }
  const result: ChatMessage = {
    role: 'assistant',
    content: parts.length > 0 ? textContent(parts) : toolCalls.length > 0 ? null : '',
  };
  if (toolCalls.length > 0) result.toolCalls = toolCalls;
  return result;
}

/** Anthropic's Messages request as Switchyard's ChatRequest; throws `invalid_request` naming what it cannot honour. */
export function fromAnthropic(
  body: AnthropicMessagesRequest,
  hints: { requestId?: string; tenant?: string },
): ChatRequest {
  for (const [field, message, refused] of REFUSED_FIELDS) if (refused(body[field])) refuse(field, message);
  const last = body.messages.length - 1;
  if (body.messages[last].role === 'assistant')
    refuse(
      `messages.${last}`,
      'a final assistant message (prefill) is not supported: not every model Switchyard routes to continues one; end with a user message',
    );

  const messages: ChatMessage[] = [];
  if (body.system !== undefined && body.system.length > 0)
    messages.push({ role: 'system', content: textContent(texts(body.system)) });
  for (const m of body.messages) {
    if (m.role === 'user') messages.push(...userMessages(m));
    else messages.push(assistantMessageOf(m));
  }

  const request: ChatRequest = { model: body.model, messages };
  const params: GenerationParams = { maxTokens: body.max_tokens };
  if (body.temperature !== undefined) params.temperature = body.temperature;
  if (body.top_p !== undefined) params.topP = body.top_p;
  if (body.stop_sequences !== undefined && body.stop_sequences.length > 0) params.stop = body.stop_sequences;
  const effort = reasoningEffort(body);
  if (effort !== undefined) params.reasoningEffort = effort;
  request.params = params;

  if (body.tools !== undefined && body.tools.length > 0)
    request.tools = body.tools.map((t) => {
      const tool: NonNullable<ChatRequest['tools']>[number] = { name: t.name, parameters: t.input_schema };
      if (t.description !== undefined) tool.description = t.description;
      if (t.strict !== undefined) tool.strict = t.strict;
      return tool;
    });
  if (body.tool_choice !== undefined) mapToolChoice(body.tool_choice, request);

  const format = body.output_config?.format;
  if (format) request.responseFormat = { type: 'json_schema', name: 'output', schema: format.schema, strict: true };
  if (body.metadata?.user_id) request.user = body.metadata.user_id;
  if (body.stream) request.stream = true;
  if (hints.requestId !== undefined) request.requestId = hints.requestId;
  if (hints.tenant !== undefined) request.tenant = hints.tenant;
  return request;
}

function reasoningEffort(body: AnthropicMessagesRequest): GenerationParams['reasoningEffort'] {
  const thinking = body.thinking;
  let fromThinking: GenerationParams['reasoningEffort'];
  if (thinking?.type === 'enabled') {
    // As in Anthropic's API: thinking counts toward max_tokens, and must leave room for the answer.
    if (thinking.budget_tokens >= body.max_tokens)
      refuse('thinking.budget_tokens', 'thinking.budget_tokens must be less than max_tokens');
    fromThinking = effortForBudget(thinking.budget_tokens);
  }
  const effort = body.output_config?.effort;
  if (effort === 'xhigh' || effort === 'max')
    refuse('output_config.effort', `output_config.effort "${effort}" is not supported: use low, medium or high`);
  const fromEffort = effort ?? undefined;
  if (fromThinking !== undefined && fromEffort !== undefined && fromThinking !== fromEffort)
    refuse(
      'output_config.effort',
      `output_config.effort "${fromEffort}" disagrees with thinking.budget_tokens ${String(
        thinking?.type === 'enabled' ? thinking.budget_tokens : '',
      )} (effort "${fromThinking}"): give one of them`,
    );
  return fromThinking ?? fromEffort;
}

function mapToolChoice(choice: NonNullable<AnthropicMessagesRequest['tool_choice']>, request: ChatRequest): void {
  if (choice.type === 'none') {
    request.toolChoice = 'none';
    return;
  }
  if (request.tools === undefined) refuse('tool_choice', `tool_choice "${choice.type}" needs "tools"`);
  if (choice.type === 'tool') {
    if (!request.tools.some((t) => t.name === choice.name))
      refuse('tool_choice.name', `tool_choice.name "${choice.name}" names no tool of "tools"`);
    request.toolChoice = { name: choice.name };
  } else request.toolChoice = choice.type === 'any' ? 'required' : 'auto';
  if (choice.disable_parallel_tool_use) request.parallelToolCalls = false;
}

/** The `id` of the Message answering a request. */
export function messageId(requestId: string): string {
  return `msg_${requestId}`;
}

/**
 * Why the model stopped, in Anthropic's words. Whether a stop sequence ended the answer is not reported
 * by every provider (OpenAI's says `stop` for both), so it is always `end_turn` with `stop_sequence: null`.
 */
export function stopReason(reply: Pick<ChatSuccess, 'answer' | 'finishReason'>): string {
  // Some providers say `stop` when the answer calls tools: Anthropic's clients loop on `tool_use`.
  if (reply.answer.toolCalls?.length && (reply.finishReason === 'stop' || reply.finishReason === 'tool_calls'))
    return 'tool_use';
  switch (reply.finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    case 'stop':
    case 'other':
      return 'end_turn';
  }
}

/**
 * A tool call's arguments as the `input` object Anthropic's clients expect; undefined when they are not a
 * JSON object (a model cut off mid-call by max_tokens, a provider that does not check them).
 */
export function toolInput(args: string): Record<string, unknown> | undefined {
  if (args.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(args);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Anthropic's Message, with Switchyard's routing metadata alongside under `switchyard`. A tool call whose
 * arguments are not a JSON object gets `input: {}` (what the clients can parse), and its arguments as the
 * model wrote them in `switchyard.unparsedToolInputs` by tool_use id.
 */
export function toAnthropic(reply: ChatSuccess) {
  const content: Array<Record<string, unknown>> = [];
  if (reply.answer.content !== '') content.push({ type: 'text', text: reply.answer.content });
  const unparsed: Record<string, string> = {};
  for (const call of reply.answer.toolCalls ?? []) {
    const input = toolInput(call.arguments);
    if (input === undefined) unparsed[call.id] = call.arguments;
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: input ?? {} });
  }
  return {
    id: messageId(reply.requestId),
    type: 'message' as const,
    role: 'assistant' as const,
    model: reply.model,
    content,
    stop_reason: stopReason(reply),
    stop_sequence: null,
    usage: { input_tokens: reply.usage.inputTokens, output_tokens: reply.usage.outputTokens },
    switchyard: {
      ...routingMetadata(reply),
      ...(Object.keys(unparsed).length > 0 ? { unparsedToolInputs: unparsed } : {}),
    },
  };
}

/** Anthropic's error types (what its SDKs read from `error.type`) for our codes; the status stays ours. */
export const ANTHROPIC_ERROR_TYPE_BY_CODE: Record<ErrorCode, string> = {
  invalid_json: 'invalid_request_error',
  invalid_request: 'invalid_request_error',
  payload_too_large: 'request_too_large',
  unauthorized: 'authentication_error',
  unknown_tenant: 'permission_error',
  not_found: 'not_found_error',
  no_route: 'invalid_request_error',
  all_quotas_exhausted: 'rate_limit_error',
  rate_limited: 'rate_limit_error',
  provider_error: 'api_error',
  timeout: 'timeout_error',
  request_timeout: 'timeout_error',
  unavailable: 'overloaded_error',
  internal_error: 'api_error',
};

/** Anthropic's error shape, with our code and field alongside under `switchyard`. */
export function toAnthropicError(error: RouterErrorBody, requestId?: string) {
  return {
    type: 'error' as const,
    error: { type: ANTHROPIC_ERROR_TYPE_BY_CODE[error.code], message: error.message },
    ...(requestId ? { request_id: requestId } : {}),
    switchyard: requestId ? { requestId, error } : { error },
  };
}
