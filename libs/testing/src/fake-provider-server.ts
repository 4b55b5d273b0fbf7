import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the fake does with one request. Each imitates a real provider behaviour that adapters must survive:
 * a normal answer (with optional latency), rate limiting with retry-after, server errors, a request that
 * never answers, a dropped connection, a body that is not JSON, a body cut short.
 */
export type FakeBehaviour =
  | {
      kind: 'ok';
      content?: string;
      latencyMs?: number;
      usage?: boolean;
      /** `content_filter`: OpenAI's finish reason, Anthropic's `refusal` stop reason. */
      finishReason?: 'stop' | 'length' | 'content_filter';
      /**
       * Answer with these tool calls (arguments as JSON text) whatever the request offers; without it the
       * fake calls a tool when the request offers tools (see FakeProviderServer).
       */
      toolCalls?: Array<{ name: string; arguments: string }>;
    }
  | { kind: 'rate-limited'; retryAfterSeconds?: number }
  | { kind: 'error'; status: 500 | 503 | 400 | 401 }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'malformed-json' }
  | { kind: 'truncated' };

export interface FakeRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** The images the messages carry, as URLs (Anthropic's base64 sources as data URLs). */
  images: string[];
}

/**
 * A local HTTP server that speaks OpenAI's Chat Completions (`POST /v1/chat/completions`) and Anthropic's
 * Messages (`POST /v1/messages`) wire formats, with faults queued per request. Imitates the fields the
 * real APIs send (ids, usage, finish/stop reasons, error bodies), not their semantics, and, on an `ok`
 * answer, refuses with a 400 what they refuse (openAiRefusal, anthropicRefusal: unanswered tool calls,
 * roles that do not alternate, a reasoning model's temperature...).
 *
 * Like a chat model, it calls a tool (the one tool_choice names, else the first; the arguments its
 * schema's required properties filled) when the request offers tools, its tool choice is not `none` and
 * the conversation does not end with a tool's result; answers a JSON format with JSON; writes `n` choices;
 * cuts at stop sequences; returns logprobs when asked; thinks first when Anthropic's thinking is on.
 */
export class FakeProviderServer {
  readonly requests: FakeRequest[] = [];
  private readonly queue: FakeBehaviour[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  /** What happens when the queue is empty. */
  fallback: FakeBehaviour = { kind: 'ok' };
  /**
   * Chooses the behaviour from the request itself, before the queue (undefined: the queue, then the fallback):
   * a provider serving several models, each answering its own way (a judge grading, a model answering).
   */
  respond: ((request: FakeRequest) => FakeBehaviour | undefined) | undefined;

  get baseUrl(): string {
    const { port } = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Queues behaviours for the next requests, in order. */
  enqueue(...behaviours: FakeBehaviour[]): this {
    this.queue.push(...behaviours);
    return this;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) {
      this.server.close();
      await once(this.server, 'close');
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      // recorded as empty; the behaviour decides the answer
    }
    const path = req.url ?? '';
    const request: FakeRequest = { path, headers: req.headers, body, images: imagesIn(body) };
    this.requests.push(request);
    const anthropic = path.endsWith('/messages');
    const behaviour = this.respond?.(request) ?? this.queue.shift() ?? this.fallback;
    switch (behaviour.kind) {
      case 'ok': {
        if (behaviour.latencyMs) await new Promise((r) => setTimeout(r, behaviour.latencyMs));
        const refusal = anthropic ? anthropicRefusal(body) : openAiRefusal(body);
        if (refusal) return json(res, 400, errorBody(anthropic, 'invalid_request_error', refusal));
        const content = behaviour.content ?? defaultContent(body, anthropic, behaviour);
        if (body['stream'] === true)
          return sse(
            res,
            anthropic ? anthropicEvents(body, content, behaviour) : openAiEvents(body, content, behaviour),
          );
        const payload = anthropic ? anthropicAnswer(body, content, behaviour) : openAiAnswer(body, content, behaviour);
        return json(res, 200, payload);
      }
      case 'rate-limited':
        res.setHeader('retry-after', String(behaviour.retryAfterSeconds ?? 1));
        return json(res, 429, errorBody(anthropic, 'rate_limit_error', 'Rate limit reached'));
      case 'error':
        return json(
          res,
          behaviour.status,
          errorBody(
            anthropic,
            behaviour.status >= 500 ? 'api_error' : 'invalid_request_error',
            `fake ${behaviour.status}`,
          ),
        );
      case 'hang':
        return; // never answers; the client's timeout must end it
      case 'reset':
        req.socket.destroy();
        return;
      case 'malformed-json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "x", "choices": [');
        return;
      case 'truncated': {
        const full = JSON.stringify(anthropic ? anthropicAnswer(body, 'cut', {}) : openAiAnswer(body, 'cut', {}));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(full.length) });
        res.write(full.slice(0, Math.floor(full.length / 2)));
        req.socket.destroy();
        return;
      }
    }
  }
}

function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function promptText(body: Record<string, unknown>): string {
  const messages = (body['messages'] as Array<{ content: unknown }> | undefined) ?? [];
  return (
    messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('\n') +
    String(body['system'] ?? '')
  );
}

/** An `ok` behaviour's options that shape the answer. */
type OkOptions = Omit<Extract<FakeBehaviour, { kind: 'ok' }>, 'kind' | 'content' | 'latencyMs'>;

/** The request body, read loosely: the fake reads what clients send, whatever they send. */
type Wire = Record<string, any>;

/** One answer the fake writes: text, tool calls, why it ended. */
interface FakeChoice {
  content: string;
  calls: Array<{ id: string; name: string; arguments: string }>;
  finish: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** The stop sequence that cut the text. */
  stopSequence?: string;
}

let toolCallSeq = 0;

/** Whether the model name is one of OpenAI's reasoning models, which refuse sampling settings. */
function isReasoningModel(body: Wire): boolean {
  return /^(o1|o3|o4|gpt-5)/.test(String(body['model']));
}

/** Whether a model would call a tool: it was offered tools, may call them, and has not just had a result. */
function callsTools(body: Wire, anthropic: boolean): boolean {
  const tools = body['tools'];
  if (!Array.isArray(tools) || tools.length === 0) return false;
  const choice = body['tool_choice'];
  if (choice === 'none' || choice?.type === 'none') return false;
  return toolResult(body, anthropic) === undefined;
}

/** The text of the tool result the conversation ends with, if it does. */
function toolResult(body: Wire, anthropic: boolean): string | undefined {
  const messages: Wire[] = Array.isArray(body['messages']) ? body['messages'] : [];
  const last = messages.at(-1);
  if (!anthropic) return last?.['role'] === 'tool' ? textOf(last['content']) : undefined;
  if (last?.['role'] !== 'user' || !Array.isArray(last['content'])) return undefined;
  const results = (last['content'] as Wire[]).filter((b) => b?.['type'] === 'tool_result');
  return results.length > 0 ? results.map((b) => textOf(b['content'])).join('\n') : undefined;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Wire[]).map((p) => (typeof p?.['text'] === 'string' ? p['text'] : '')).join('');
}

/**
 * What the fake says when the behaviour does not say: nothing besides its tool calls; after a tool's
 * result, an answer quoting it; JSON for a JSON answer format (a json_schema's required properties
 * filled); otherwise `fake answer to <model>`.
 */
function defaultContent(body: Wire, anthropic: boolean, b: OkOptions): string {
  if (b.toolCalls?.length || callsTools(body, anthropic)) return '';
  const result = toolResult(body, anthropic);
  if (result !== undefined) return `fake answer to ${String(body['model'])} using ${result}`;
  const format = anthropic ? undefined : body['response_format'];
  if (format?.type === 'json_schema') return JSON.stringify(fakeJson(format.json_schema?.schema));
  if (format?.type === 'json_object') return JSON.stringify({ answer: `fake answer to ${String(body['model'])}` });
  return `fake answer to ${String(body['model'])}`;
}

/** The choices of an answer: `n` of them (OpenAI), each cut at a stop sequence, calling tools when it would. */
function planAnswer(body: Wire, content: string, b: OkOptions, anthropic: boolean): FakeChoice[] {
  const n = !anthropic && typeof body['n'] === 'number' ? body['n'] : 1;
  const wanted = b.toolCalls ?? (callsTools(body, anthropic) ? [autoToolCall(body, anthropic)] : []);
  const rawStop = anthropic ? body['stop_sequences'] : body['stop'];
  const stops: string[] = typeof rawStop === 'string' ? [rawStop] : Array.isArray(rawStop) ? rawStop : [];
  return Array.from({ length: n }, (_, k) => {
    const choice: FakeChoice = {
      content: k === 0 || content === '' ? content : `${content} (answer ${k + 1})`,
      calls: wanted.map((c) => ({ id: `${anthropic ? 'toolu' : 'call'}_fake_${++toolCallSeq}`, ...c })),
      finish: b.finishReason ?? 'stop',
    };
    let cut: { at: number; stop: string } | undefined;
    for (const stop of stops) {
      const at = choice.content.indexOf(stop);
      if (at >= 0 && (!cut || at < cut.at)) cut = { at, stop };
    }
    if (cut) {
      choice.content = choice.content.slice(0, cut.at);
      choice.finish = 'stop';
      choice.stopSequence = cut.stop;
    }
    if (choice.calls.length > 0) choice.finish = 'tool_calls';
    return choice;
  });
}

/** A call of the tool the request names, or its first, with the tool schema's required properties filled. */
function autoToolCall(body: Wire, anthropic: boolean): { name: string; arguments: string } {
  const tools: Wire[] = body['tools'];
  const choice = body['tool_choice'];
  const named: unknown = anthropic ? choice?.type === 'tool' && choice.name : choice?.function?.name;
  const nameOf = (t: Wire): unknown => (anthropic ? t['name'] : t['function']?.name);
  const tool = tools.find((t) => nameOf(t) === named) ?? tools[0];
  const filled = fakeJson(anthropic ? tool['input_schema'] : tool['function']?.parameters);
  const args = filled !== null && typeof filled === 'object' && !Array.isArray(filled) ? filled : {};
  return { name: String(nameOf(tool)), arguments: JSON.stringify(args) };
}

/** A value for a JSON Schema, as a model fills it: required properties, placeholders by type. */
function fakeJson(schema: unknown, depth = 0): unknown {
  if (schema === null || typeof schema !== 'object' || depth > 5) return null;
  const s = schema as Wire;
  if ('const' in s) return s['const'];
  if (Array.isArray(s['enum']) && s['enum'].length > 0) return s['enum'][0];
  const type = Array.isArray(s['type']) ? s['type'].find((t: unknown) => t !== 'null') : s['type'];
  if (type === 'string') return 'fake';
  if (type === 'number' || type === 'integer') return 1;
  if (type === 'boolean') return true;
  if (type === 'array') return [];
  if (type === 'null') return null;
  const properties: Wire = s['properties'] ?? {};
  const required: unknown[] = Array.isArray(s['required']) ? s['required'] : [];
  return Object.fromEntries(required.map((name) => [String(name), fakeJson(properties[String(name)], depth + 1)]));
}

/** Tokens a reasoning model spends thinking, by effort (OpenAI counts them in completion_tokens). */
function reasoningTokens(body: Wire): number {
  if (!isReasoningModel(body)) return 0;
  return { minimal: 0, low: 8, medium: 16, high: 32 }[String(body['reasoning_effort'])] ?? 16;
}

/** The thinking an Anthropic model writes with thinking enabled. */
const FAKE_THINKING = 'The fake thinks it over.';

function writtenTokens(choices: FakeChoice[]): number {
  return choices.reduce((sum, c) => sum + tokens(c.content + c.calls.map((t) => t.name + t.arguments).join('')), 0);
}

function openAiUsage(body: Wire, choices: FakeChoice[]) {
  const p = tokens(promptText(body));
  const reasoning = reasoningTokens(body);
  const c = writtenTokens(choices) + reasoning;
  return {
    prompt_tokens: p,
    completion_tokens: c,
    total_tokens: p + c,
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}

/** Log-probabilities of a text, a word (with its leading space) a token, as `logprobs: true` returns them. */
function openAiLogprobs(text: string, top: number) {
  return words(text).map((token, i) => {
    const logprob = -0.125 * (i % 4);
    const alternatives = [token, ' maybe', ' perhaps', ' likely'].slice(0, top);
    return {
      token,
      logprob,
      bytes: [...Buffer.from(token)],
      top_logprobs: alternatives.map((t, j) => ({ token: t, logprob: logprob - j, bytes: [...Buffer.from(t)] })),
    };
  });
}

function openAiAnswer(body: Record<string, unknown>, content: string, b: OkOptions) {
  const choices = planAnswer(body, content, b, false);
  const top = typeof body['top_logprobs'] === 'number' ? body['top_logprobs'] : 0;
  const answer: Record<string, unknown> = {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body['model'],
    choices: choices.map((c, index) => ({
      index,
      message: {
        role: 'assistant',
        // OpenAI sends null content with tool calls and nothing else.
        content: c.calls.length > 0 && c.content === '' ? null : c.content,
        ...(c.calls.length > 0
          ? {
              tool_calls: c.calls.map((t) => ({
                id: t.id,
                type: 'function',
                function: { name: t.name, arguments: t.arguments },
              })),
            }
          : {}),
      },
      logprobs: body['logprobs'] === true ? { content: openAiLogprobs(c.content, top), refusal: null } : null,
      finish_reason: c.finish,
    })),
  };
  if (b.usage !== false) answer['usage'] = openAiUsage(body, choices);
  return answer;
}

function anthropicStopReason(c: FakeChoice): string {
  if (c.stopSequence !== undefined) return 'stop_sequence';
  return { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal' }[c.finish];
}

function toolInput(args: string): unknown {
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return {};
  }
}

function anthropicAnswer(body: Record<string, unknown>, content: string, b: OkOptions) {
  const [c] = planAnswer(body, content, b, true);
  const thinking = (body['thinking'] as Wire | undefined)?.['type'] === 'enabled';
  const blocks: Wire[] = [];
  if (thinking) blocks.push({ type: 'thinking', thinking: FAKE_THINKING, signature: 'fake-signature' });
  if (c.content !== '' || c.calls.length === 0) blocks.push({ type: 'text', text: c.content });
  for (const t of c.calls) blocks.push({ type: 'tool_use', id: t.id, name: t.name, input: toolInput(t.arguments) });
  const answer: Record<string, unknown> = {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: body['model'],
    content: blocks,
    stop_reason: anthropicStopReason(c),
    stop_sequence: c.stopSequence ?? null,
  };
  if (b.usage !== false)
    answer['usage'] = {
      input_tokens: tokens(promptText(body)),
      output_tokens: writtenTokens([c]) + (thinking ? tokens(FAKE_THINKING) : 0),
    };
  return answer;
}

/** A text in the pieces the fakes stream it in, and the tokens of its logprobs: a word (with the space before it) at a time. */
function words(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** A tool call's arguments in the pieces the fakes stream them in: two halves. */
function halves(text: string): string[] {
  const middle = Math.ceil(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)].filter((p) => p !== '');
}

/**
 * The answer as OpenAI's chat.completion.chunk events: each choice's text a word at a time, its tool calls
 * (id and name, then the arguments in pieces), the choices interleaved as OpenAI interleaves them, and
 * with `stream_options.include_usage` a last chunk with the usage and no choices.
 */
function openAiEvents(body: Record<string, unknown>, content: string, b: OkOptions): string[] {
  const choices = planAnswer(body, content, b, false);
  const top = typeof body['top_logprobs'] === 'number' ? body['top_logprobs'] : 0;
  const base = {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: body['model'],
  };
  const perChoice = choices.map((c, index) => {
    const entry = (delta: Wire, extra: Wire = {}) => ({ index, delta, logprobs: null, finish_reason: null, ...extra });
    const entries: Wire[] = [entry({ role: 'assistant', content: '' })];
    for (const piece of words(c.content))
      entries.push(
        entry(
          { content: piece },
          body['logprobs'] === true ? { logprobs: { content: openAiLogprobs(piece, top), refusal: null } } : {},
        ),
      );
    c.calls.forEach((t, i) => {
      entries.push(
        entry({ tool_calls: [{ index: i, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }] }),
      );
      for (const piece of halves(t.arguments))
        entries.push(entry({ tool_calls: [{ index: i, function: { arguments: piece } }] }));
    });
    entries.push(entry({}, { finish_reason: c.finish }));
    return entries;
  });
  const events: Wire[] = [];
  for (let i = 0; perChoice.some((entries) => i < entries.length); i++)
    for (const entries of perChoice) if (i < entries.length) events.push({ ...base, choices: [entries[i]] });
  if (b.usage !== false && (body['stream_options'] as Wire | undefined)?.['include_usage'] === true)
    events.push({ ...base, choices: [], usage: openAiUsage(body, choices) });
  return [...events.map((e) => `data: ${JSON.stringify(e)}\n\n`), 'data: [DONE]\n\n'];
}

/**
 * The answer as Anthropic's Messages stream events: a ping, then one block after another (thinking with
 * its signature when thinking is on, the text a word at a time, each tool_use with its input as
 * input_json_delta pieces, the first of them empty as Anthropic sends it), then the stop reason and usage.
 */
function anthropicEvents(body: Record<string, unknown>, content: string, b: OkOptions): string[] {
  const full = anthropicAnswer(body, content, b) as {
    content: Wire[];
    stop_reason: string;
    stop_sequence: string | null;
    usage?: { input_tokens: number; output_tokens: number };
  };
  const ev = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const events = [
    ev('message_start', {
      message: {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model: body['model'],
        content: [],
        stop_reason: null,
        usage: { input_tokens: full.usage?.input_tokens ?? 0, output_tokens: 0 },
      },
    }),
    ev('ping', {}),
  ];
  full.content.forEach((block, index) => {
    if (block['type'] === 'thinking') {
      events.push(ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '' } }));
      events.push(ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: block['thinking'] } }));
      events.push(
        ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: block['signature'] } }),
      );
    } else if (block['type'] === 'text') {
      events.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (const piece of words(block['text']))
        events.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
    } else {
      events.push(
        ev('content_block_start', {
          index,
          content_block: { type: 'tool_use', id: block['id'], name: block['name'], input: {} },
        }),
      );
      for (const piece of ['', ...halves(JSON.stringify(block['input']))])
        events.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }));
    }
    events.push(ev('content_block_stop', { index }));
  });
  events.push(
    ev('message_delta', {
      delta: { stop_reason: full.stop_reason, stop_sequence: full.stop_sequence },
      usage: { output_tokens: full.usage?.output_tokens ?? 0 },
    }),
    ev('message_stop', {}),
  );
  return events;
}

function sse(res: ServerResponse, events: string[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) res.write(e);
  res.end();
}

function errorBody(anthropic: boolean, type: string, message: string) {
  return anthropic ? { type: 'error', error: { type, message } } : { error: { message, type, code: null } };
}

function json(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) })
    .end(text);
}

/** The images a request carries, as URLs (base64 sources as data URLs), so tests can see they arrived. */
function imagesIn(body: Wire): string[] {
  const images: string[] = [];
  for (const m of Array.isArray(body['messages']) ? (body['messages'] as Wire[]) : [])
    for (const part of Array.isArray(m?.['content']) ? (m['content'] as Wire[]) : []) {
      if (part?.['type'] === 'image_url' && typeof part['image_url']?.url === 'string')
        images.push(part['image_url'].url);
      const source = part?.['type'] === 'image' ? part['source'] : undefined;
      if (source?.type === 'url') images.push(String(source.url));
      if (source?.type === 'base64') images.push(`data:${String(source.media_type)};base64,${String(source.data)}`);
    }
  return images;
}

const OPENAI_FIELDS = new Set([
  'model',
  'messages',
  'temperature',
  'top_p',
  'n',
  'stream',
  'stream_options',
  'stop',
  'max_tokens',
  'max_completion_tokens',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'user',
  'seed',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'reasoning_effort',
  'metadata',
  'store',
  'service_tier',
]);

/** Parameters OpenAI's reasoning models refuse. */
const REASONING_REFUSES = ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs'];

/**
 * Why OpenAI would refuse this Chat Completions body with a 400 (its messages), or undefined: unknown
 * fields, tool messages without a tool_call_id or not answering a preceding tool call, tool calls left
 * unanswered, images outside user messages, tool_choice or parallel_tool_calls without tools, a
 * json_object format whose messages never say "json", and a reasoning model given sampling settings or
 * max_tokens (or another model given reasoning_effort).
 */
function openAiRefusal(body: Wire): string | undefined {
  for (const key of Object.keys(body))
    if (!OPENAI_FIELDS.has(key)) return `Unrecognized request argument supplied: ${key}`;
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return "[] is too short - 'messages'";
  if (isReasoningModel(body)) {
    for (const key of REASONING_REFUSES)
      if (key in body) return `Unsupported parameter: '${key}' is not supported with this model.`;
    if ('max_tokens' in body)
      return "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";
  } else if ('reasoning_effort' in body)
    return "Unsupported parameter: 'reasoning_effort' is not supported with this model.";
  if ('stream_options' in body && body['stream'] !== true)
    return "The 'stream_options' parameter is only allowed when 'stream' is enabled.";
  if (body['top_logprobs'] !== undefined && body['logprobs'] !== true)
    return "Invalid value for 'top_logprobs': 'logprobs' must be true when 'top_logprobs' is set.";
  const stop = body['stop'];
  if (Array.isArray(stop) && stop.length > 4)
    return "Invalid 'stop': array too long. Expected an array with maximum length 4.";
  const n = body['n'];
  if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 128)) return `Invalid 'n': ${String(n)}.`;

  let unanswered: string[] = [];
  for (const [i, m] of (messages as Wire[]).entries()) {
    const role = m?.['role'];
    if (!['system', 'developer', 'user', 'assistant', 'tool'].includes(role))
      return `Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`;
    if (role !== 'tool' && unanswered.length > 0)
      return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${unanswered.join(', ')}`;
    const content = m['content'];
    if (Array.isArray(content)) {
      for (const [j, part] of (content as Wire[]).entries()) {
        if (part?.['type'] === 'image_url') {
          if (role !== 'user')
            return `Invalid 'messages[${i}]'. Image URLs are only allowed for messages with role 'user', but this message with role '${role}' contains an image URL.`;
          if (typeof part['image_url']?.url !== 'string')
            return `Missing required parameter: 'messages[${i}].content[${j}].image_url.url'.`;
        } else if (part?.['type'] !== 'text' || typeof part['text'] !== 'string')
          return `Invalid 'messages[${i}].content[${j}]': expected a text or image_url content part.`;
      }
    } else if (typeof content !== 'string' && !(content === null && role === 'assistant' && m['tool_calls']))
      return `Invalid value for 'messages[${i}].content': expected a string, got ${content === null ? 'null' : typeof content}.`;
    if (role === 'assistant' && m['tool_calls'] !== undefined) {
      if (!Array.isArray(m['tool_calls'])) return `Invalid type for 'messages[${i}].tool_calls': expected an array.`;
      for (const [j, call] of (m['tool_calls'] as Wire[]).entries()) {
        if (typeof call?.['id'] !== 'string')
          return `Missing required parameter: 'messages[${i}].tool_calls[${j}].id'.`;
        if (call['type'] !== 'function') return `Missing required parameter: 'messages[${i}].tool_calls[${j}].type'.`;
        if (typeof call['function']?.name !== 'string' || typeof call['function']?.arguments !== 'string')
          return `Missing required parameter: 'messages[${i}].tool_calls[${j}].function'.`;
      }
      unanswered = (m['tool_calls'] as Wire[]).map((c) => c['id']);
    }
    if (role === 'tool') {
      if (typeof m['tool_call_id'] !== 'string') return `Missing required parameter: 'messages[${i}].tool_call_id'.`;
      if (!unanswered.includes(m['tool_call_id']))
        return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
      unanswered = unanswered.filter((id) => id !== m['tool_call_id']);
    }
  }
  if (unanswered.length > 0)
    return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${unanswered.join(', ')}`;

  const tools = body['tools'];
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return "Invalid type for 'tools': expected an array.";
    for (const [i, t] of (tools as Wire[]).entries()) {
      if (t?.['type'] !== 'function') return `Missing required parameter: 'tools[${i}].type'.`;
      if (typeof t['function']?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t['function'].name))
        return `Invalid 'tools[${i}].function.name': string does not match pattern.`;
    }
  }
  const names = Array.isArray(tools) ? (tools as Wire[]).map((t) => t['function']?.name) : [];
  const choice = body['tool_choice'];
  if (choice !== undefined) {
    if (!Array.isArray(tools))
      return "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.";
    if (typeof choice === 'string' ? !['none', 'auto', 'required'].includes(choice) : choice?.type !== 'function')
      return "Invalid value for 'tool_choice'.";
    if (typeof choice === 'object' && !names.includes(choice.function?.name))
      return `Invalid value for 'tool_choice': function '${String(choice.function?.name)}' was not found in 'tools'.`;
  }
  if (body['parallel_tool_calls'] !== undefined && !Array.isArray(tools))
    return "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.";

  const format = body['response_format'];
  if (format !== undefined) {
    if (!['text', 'json_object', 'json_schema'].includes(format?.type))
      return "Invalid value for 'response_format.type': supported values are 'text', 'json_object' and 'json_schema'.";
    if (format.type === 'json_schema') {
      if (typeof format.json_schema?.name !== 'string')
        return "Missing required parameter: 'response_format.json_schema.name'.";
      if (format.json_schema.schema === null || typeof format.json_schema.schema !== 'object')
        return "Invalid type for 'response_format.json_schema.schema': expected an object.";
    }
    if (format.type === 'json_object' && !/json/i.test(JSON.stringify(messages)))
      return "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.";
  }
  return undefined;
}

const ANTHROPIC_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'stream',
  'tools',
  'tool_choice',
  'thinking',
  'metadata',
  'service_tier',
]);

const ANTHROPIC_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

/**
 * Why Anthropic would refuse this Messages body with a 400 (its messages), or undefined: unknown fields
 * (`n`, `seed`...), no max_tokens, roles that do not alternate, empty text, images outside user turns or of
 * other types, tool_use blocks without their tool_result blocks in the next turn (and tool_result blocks
 * without their tool_use), tools without an object input_schema, and thinking with a budget that does not
 * fit max_tokens, with temperature, with forced tool use, or with a tool loop whose turn has no thinking
 * block.
 */
function anthropicRefusal(body: Wire): string | undefined {
  for (const key of Object.keys(body)) if (!ANTHROPIC_FIELDS.has(key)) return `${key}: Extra inputs are not permitted`;
  if (!Number.isInteger(body['max_tokens']) || body['max_tokens'] < 1) return 'max_tokens: Field required';
  const temperature = body['temperature'];
  if (typeof temperature === 'number' && (temperature < 0 || temperature > 1))
    return 'temperature: Input should be less than or equal to 1';
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: at least one message is required';

  let pendingToolUse: string[] = [];
  for (const [i, m] of (messages as Wire[]).entries()) {
    const role = m?.['role'];
    if (role !== 'user' && role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i > 0 && messages[i - 1]?.role === role)
      return `messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`;
    const blocks: Wire[] =
      typeof m['content'] === 'string'
        ? [{ type: 'text', text: m['content'] }]
        : Array.isArray(m['content'])
          ? m['content']
          : [];
    if (typeof m['content'] !== 'string' && !Array.isArray(m['content']))
      return `messages.${i}.content: Input should be a valid list`;
    const isLast = i === messages.length - 1;
    const results: string[] = [];
    for (const [j, block] of blocks.entries()) {
      const at = `messages.${i}.content.${j}`;
      switch (block?.['type']) {
        case 'text':
          if (typeof block['text'] !== 'string' || (block['text'] === '' && !(isLast && role === 'assistant')))
            return 'messages: text content blocks must be non-empty';
          break;
        case 'image': {
          if (role !== 'user') return `${at}: image blocks are only allowed in user messages`;
          const source = block['source'];
          if (source?.type === 'base64') {
            if (!ANTHROPIC_IMAGE_TYPES.includes(source.media_type))
              return `${at}.source.base64.media_type: Input should be ${ANTHROPIC_IMAGE_TYPES.map((t) => `'${t}'`).join(', ')}`;
            if (typeof source.data !== 'string' || source.data === '')
              return `${at}.source.base64.data: Field required`;
          } else if (source?.type !== 'url' || typeof source.url !== 'string' || !/^https?:\/\//.test(source.url))
            return `${at}.source: Input tag '${String(source?.type)}' does not match any of the expected tags: 'base64', 'url'`;
          break;
        }
        case 'tool_use':
          if (role !== 'assistant') return `${at}: tool_use blocks are only allowed in assistant messages`;
          if (typeof block['id'] !== 'string' || typeof block['name'] !== 'string')
            return `${at}.tool_use: id and name are required`;
          if (block['input'] === null || typeof block['input'] !== 'object' || Array.isArray(block['input']))
            return `${at}.tool_use.input: Input should be a valid dictionary`;
          break;
        case 'tool_result':
          if (role !== 'user') return `${at}: tool_result blocks are only allowed in user messages`;
          if (!pendingToolUse.includes(block['tool_use_id']))
            return `${at}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block['tool_use_id'])}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
          results.push(block['tool_use_id']);
          break;
        case 'thinking':
        case 'redacted_thinking':
          if (role !== 'assistant') return `${at}: thinking blocks are only allowed in assistant messages`;
          break;
        default:
          return `${at}: Input tag '${String(block?.['type'])}' does not match any of the expected tags`;
      }
    }
    const missing = pendingToolUse.filter((id) => !results.includes(id));
    if (missing.length > 0)
      return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    pendingToolUse = role === 'assistant' ? blocks.filter((b) => b?.['type'] === 'tool_use').map((b) => b['id']) : [];
  }

  const tools = body['tools'];
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
    for (const [i, t] of (tools as Wire[]).entries()) {
      if (typeof t?.['name'] !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t['name']))
        return `tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
      if (t['input_schema'] === null || typeof t['input_schema'] !== 'object')
        return `tools.${i}.input_schema: Field required`;
      if (t['input_schema'].type !== 'object') return `tools.${i}.input_schema.type: Input should be 'object'`;
    }
  }
  const choice = body['tool_choice'];
  if (choice !== undefined) {
    if (!Array.isArray(tools)) return 'tool_choice may only be specified while providing tools.';
    if (!['auto', 'any', 'tool', 'none'].includes(choice?.type))
      return "tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'";
    if (choice.type === 'tool' && !(tools as Wire[]).some((t) => t['name'] === choice.name))
      return `tool_choice.tool.name: no tool named '${String(choice.name)}' in tools`;
  }

  const thinking = body['thinking'];
  if (thinking !== undefined && thinking?.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (!Number.isInteger(budget) || budget < 1024)
      return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    if (body['max_tokens'] <= budget)
      return '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size';
    if (temperature !== undefined && temperature !== 1)
      return '`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#important-considerations-when-using-extended-thinking';
    if (typeof body['top_p'] === 'number' && body['top_p'] < 0.95)
      return '`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled.';
    if (body['top_k'] !== undefined) return '`top_k` must be unset when thinking is enabled.';
    if (choice?.type === 'any' || choice?.type === 'tool')
      return 'Thinking may not be enabled when tool_choice forces tool use.';
    const lastAssistant = (messages as Wire[]).map((m, i) => ({ m, i })).findLast(({ m }) => m['role'] === 'assistant');
    const content = lastAssistant?.m['content'];
    if (
      Array.isArray(content) &&
      content.some((b: Wire) => b?.['type'] === 'tool_use') &&
      !['thinking', 'redacted_thinking'].includes(content[0]?.type)
    )
      return `messages.${lastAssistant?.i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(content[0]?.type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks).`;
  } else if (thinking !== undefined && thinking?.type !== 'disabled')
    return "thinking: Input tag does not match any of the expected tags: 'enabled', 'disabled'";
  return undefined;
}
