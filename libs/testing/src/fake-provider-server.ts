import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the fake does with one request. Each imitates a real provider behaviour that adapters must survive:
 * a normal answer (with optional latency), rate limiting with retry-after, server errors, a request that
 * never answers, a dropped connection, a body that is not JSON, a body cut short.
 */
export type FakeBehaviour =
  | { kind: 'ok'; content?: string; latencyMs?: number; usage?: boolean; finishReason?: 'stop' | 'length' }
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
}

/**
 * A local HTTP server that speaks OpenAI's Chat Completions (`POST /v1/chat/completions`) and Anthropic's
 * Messages (`POST /v1/messages`) wire formats, with faults queued per request. Imitates the fields the
 * real APIs send (ids, usage, finish/stop reasons, error bodies), not their semantics.
 */
export class FakeProviderServer {
  readonly requests: FakeRequest[] = [];
  private readonly queue: FakeBehaviour[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  /** What happens when the queue is empty. */
  fallback: FakeBehaviour = { kind: 'ok' };

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
    this.requests.push({ path, headers: req.headers, body });
    const anthropic = path.endsWith('/messages');
    const behaviour = this.queue.shift() ?? this.fallback;
    switch (behaviour.kind) {
      case 'ok': {
        if (behaviour.latencyMs) await new Promise((r) => setTimeout(r, behaviour.latencyMs));
        const content = behaviour.content ?? `fake answer to ${String(body['model'])}`;
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

function openAiAnswer(
  body: Record<string, unknown>,
  content: string,
  b: { usage?: boolean; finishReason?: 'stop' | 'length' },
) {
  const answer: Record<string, unknown> = {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body['model'],
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: b.finishReason ?? 'stop' }],
  };
  if (b.usage !== false) {
    const p = tokens(promptText(body));
    const c = tokens(content);
    answer['usage'] = { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
  }
  return answer;
}

function anthropicAnswer(
  body: Record<string, unknown>,
  content: string,
  b: { usage?: boolean; finishReason?: 'stop' | 'length' },
) {
  const answer: Record<string, unknown> = {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: body['model'],
    content: [{ type: 'text', text: content }],
    stop_reason: b.finishReason === 'length' ? 'max_tokens' : 'end_turn',
  };
  if (b.usage !== false) answer['usage'] = { input_tokens: tokens(promptText(body)), output_tokens: tokens(content) };
  return answer;
}

/** The answer as OpenAI's chat.completion.chunk events, a word at a time, usage in the last chunk. */
function openAiEvents(
  body: Record<string, unknown>,
  content: string,
  b: { usage?: boolean; finishReason?: 'stop' | 'length' },
): string[] {
  const base = {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: body['model'],
  };
  const events = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }];
  for (const piece of content.match(/\S+\s*/g) ?? [])
    events.push({
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: piece }, finish_reason: null }],
    });
  const last: Record<string, unknown> = {
    ...base,
    choices: [{ index: 0, delta: {}, finish_reason: b.finishReason ?? 'stop' }],
  };
  if (b.usage !== false) last['usage'] = (openAiAnswer(body, content, b) as { usage?: unknown }).usage;
  return [
    ...events.map((e) => `data: ${JSON.stringify(e)}\n\n`),
    `data: ${JSON.stringify(last)}\n\n`,
    'data: [DONE]\n\n',
  ];
}

/** The answer as Anthropic's Messages stream events. */
function anthropicEvents(
  body: Record<string, unknown>,
  content: string,
  b: { usage?: boolean; finishReason?: 'stop' | 'length' },
): string[] {
  const full = anthropicAnswer(body, content, b) as { usage?: { input_tokens: number; output_tokens: number } };
  const ev = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return [
    ev('message_start', {
      message: {
        id: 'msg_fake',
        role: 'assistant',
        content: [],
        usage: { input_tokens: full.usage?.input_tokens ?? 0, output_tokens: 0 },
      },
    }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...(content.match(/\S+\s*/g) ?? []).map((piece) =>
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } }),
    ),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', {
      delta: { stop_reason: b.finishReason === 'length' ? 'max_tokens' : 'end_turn' },
      usage: { output_tokens: full.usage?.output_tokens ?? 0 },
    }),
    ev('message_stop', {}),
  ];
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
