import { z } from 'zod';
import { closedObject } from '../lib/closed-object';
import { requestIdSchema, tenantSchema } from '../lib/identity';

/** The most tools one request may declare, and tool calls one message may carry (OpenAI's limit is 128). */
export const MAX_TOOLS = 128;

const toolName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -');

export const textPartSchema = closedObject({ type: z.literal('text'), text: z.string() });

/** An image, by https URL or `data:image/...;base64,` URL; only models with the `vision` capability see them. */
export const imagePartSchema = closedObject({
  type: z.literal('image'),
  url: z
    .string()
    .max(20_000_000)
    .refine((u) => /^https?:\/\//.test(u) || /^data:image\/[a-z0-9.+-]+;base64,/i.test(u), {
      message: 'must be an http(s) URL or a data:image/...;base64, URL',
    }),
  detail: z.enum(['auto', 'low', 'high']).optional(),
});

export const contentPartSchema = z.discriminatedUnion('type', [textPartSchema, imagePartSchema]);
export type ContentPart = z.infer<typeof contentPartSchema>;

/** A tool call the model asked for, as an assistant message carries it back in the conversation. */
export const toolCallSchema = closedObject({
  id: z.string().min(1).max(256),
  name: toolName,
  /** The arguments as the model wrote them: JSON text (not parsed, not checked). */
  arguments: z.string(),
});

export type ToolCall = z.infer<typeof toolCallSchema>;

export const chatMessageSchema = closedObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  /** Text, or text and image parts (user messages); null on an assistant message that only calls tools. */
  content: z.union([z.string(), z.array(contentPartSchema).min(1), z.null()]),
  /** A participant's name, passed to providers that take it. */
  name: z.string().min(1).max(64).optional(),
  /** An assistant message's tool calls. */
  toolCalls: z.array(toolCallSchema).min(1).max(MAX_TOOLS).optional(),
  /** A tool message: the id of the call it answers. */
  toolCallId: z.string().min(1).max(256).optional(),
}).superRefine((m, ctx) => {
  if (m.role === 'tool' && m.toolCallId === undefined)
    ctx.addIssue({ code: 'custom', path: ['toolCallId'], message: 'a tool message needs the toolCallId it answers' });
  if (m.role !== 'tool' && m.toolCallId !== undefined)
    ctx.addIssue({ code: 'custom', path: ['toolCallId'], message: 'only a tool message answers a tool call' });
  if (m.toolCalls !== undefined && m.role !== 'assistant')
    ctx.addIssue({ code: 'custom', path: ['toolCalls'], message: 'only an assistant message calls tools' });
  if (m.content === null && m.toolCalls === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['content'],
      message: 'only an assistant message with toolCalls may have no content',
    });
  if (Array.isArray(m.content) && m.role !== 'user' && m.content.some((p) => p.type === 'image'))
    ctx.addIssue({ code: 'custom', path: ['content'], message: 'only user messages may carry images' });
});

/** A message of the conversation, as in OpenAI's chat format. */
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const requestHintsSchema = closedObject({
  /** A task label the caller knows (`code`, `finance`, `math`…); rules may match on it. */
  task: z.string().min(1).max(64).optional(),
  /** Ask for a tier (`cheap`, `balanced`, `premium`); policy rules decide whether to honour it. */
  tier: z.string().min(1).max(64).optional(),
});

export const REASONING_EFFORTS = ['minimal', 'low', 'medium', 'high'] as const;

/** How the model writes: the caller's (which win) merged over the policy's for the route. */
export const generationParamsSchema = closedObject({
  temperature: z.number().min(0).max(2).optional(),
  /** The most tokens the answer may take (reasoning models: their `max_completion_tokens`, thinking included). */
  maxTokens: z.number().int().positive().max(1_000_000).optional(),
  topP: z.number().min(0).max(1).optional(),
  /** Up to four sequences at which the model stops. */
  stop: z.array(z.string().min(1).max(256)).min(1).max(4).optional(),
  /** Answers to write (choices); more than one needs the `n` capability. */
  n: z.number().int().min(1).max(8).optional(),
  seed: z.number().int().optional(),
  presencePenalty: z.number().min(-2).max(2).optional(),
  frequencyPenalty: z.number().min(-2).max(2).optional(),
  /** Return the answer's token log-probabilities (`logprobs` capability). */
  logprobs: z.boolean().optional(),
  topLogprobs: z.number().int().min(0).max(20).optional(),
  /** How hard a reasoning model thinks (`reasoning` capability). */
  reasoningEffort: z.enum(REASONING_EFFORTS).optional(),
});

export type GenerationParams = z.infer<typeof generationParamsSchema>;

/** A function the model may call: name, what it does, its arguments as JSON Schema. */
export const toolSchema = closedObject({
  name: toolName,
  description: z.string().max(4096).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  /** Ask the provider to hold the arguments to the schema exactly (OpenAI's strict mode). */
  strict: z.boolean().optional(),
});

export type Tool = z.infer<typeof toolSchema>;

export const toolChoiceSchema = z.union([z.enum(['auto', 'none', 'required']), closedObject({ name: toolName })]);

export type ToolChoice = z.infer<typeof toolChoiceSchema>;

export const responseFormatSchema = z.discriminatedUnion('type', [
  closedObject({ type: z.literal('text') }),
  closedObject({ type: z.literal('json_object') }),
  closedObject({
    type: z.literal('json_schema'),
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
    description: z.string().max(4096).optional(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().optional(),
  }),
]);

export type ResponseFormat = z.infer<typeof responseFormatSchema>;

/** The model name that asks Switchyard to choose; `auto:<profile>` asks for one of the policy's routing profiles. */
export const AUTO_MODEL = 'auto';

/** Payload of the public subject `router.request.v1`: plain JSON that any NATS client can send. */
export const chatRequestSchema = closedObject({
  /** Caller's id for this request. Re-sending the same id within the idempotency window returns the first answer. */
  requestId: requestIdSchema.optional(),
  /** Tenant the request is billed to; `default` when absent. */
  tenant: tenantSchema.optional(),
  /**
   * `auto` (or absent): Switchyard chooses; `auto:<profile>`: chooses with one of the policy's routing
   * profiles; a model id of the policy: that model answers (quotas, budgets, fallback and the record apply).
   */
  model: z.string().min(1).max(128).optional(),
  /** End user, for stickiness and per-user stats. */
  user: z.string().min(1).max(128).optional(),
  messages: z.array(chatMessageSchema).min(1, 'must contain at least one message'),
  hints: requestHintsSchema.optional(),
  params: generationParamsSchema.optional(),
  /** Functions the model may call; only models with the `tools` capability are chosen. */
  tools: z.array(toolSchema).min(1).max(MAX_TOOLS).optional(),
  toolChoice: toolChoiceSchema.optional(),
  /** Whether the model may call several tools in one turn (provider default when absent). */
  parallelToolCalls: z.boolean().optional(),
  /** JSON answers: `json_object` or `json_schema` need the `json` capability. */
  responseFormat: responseFormatSchema.optional(),
  /** Send the answer in pieces as the model writes it (HTTP callers: server-sent events). */
  stream: z.boolean().optional(),
  /** Free-form string labels; rules may match on them. */
  metadata: z.record(z.string(), z.string()).optional(),
}).superRefine((r, ctx) => {
  const tools = new Set((r.tools ?? []).map((t) => t.name));
  if (r.tools && tools.size !== r.tools.length)
    ctx.addIssue({ code: 'custom', path: ['tools'], message: 'tool names must be unique' });
  if (typeof r.toolChoice === 'object' && !tools.has(r.toolChoice.name))
    ctx.addIssue({ code: 'custom', path: ['toolChoice', 'name'], message: `names no tool of "tools"` });
  if (r.toolChoice !== undefined && r.toolChoice !== 'none' && r.tools === undefined)
    ctx.addIssue({ code: 'custom', path: ['toolChoice'], message: 'needs "tools"' });
  if (r.params?.topLogprobs !== undefined && !r.params.logprobs)
    ctx.addIssue({ code: 'custom', path: ['params', 'topLogprobs'], message: 'needs params.logprobs: true' });
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** The text of a message: its text parts joined, images left out. */
export function messageText(message: Pick<ChatMessage, 'content'>): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (content === null) return '';
  let text = '';
  for (const part of content) if (part.type === 'text') text += part.text;
  return text;
}
