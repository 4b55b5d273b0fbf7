import { usd } from '../demo/table';
import { endpointOf, httpFailure, postToIngress, readError } from '../http/ingress-http';
import type { CliIo } from '../program/cli-context';
import { serverSentEvents } from './server-sent-events';

export const CHAT_PATH = '/v1/chat/completions';

export interface ChatOptions {
  message: string;
  /** ingress's HTTP door. */
  url: string;
  apiKey?: string;
  /** `auto` lets Switchyard choose. */
  model: string;
  system?: string;
  maxTokens?: number;
  /** Print the answer as it is written (server-sent events). */
  stream: boolean;
  /** The whole exchange, a streamed answer's last piece included. */
  timeoutMs: number;
  json: boolean;
}

/** Switchyard's routing metadata beside OpenAI's fields (ingress's toOpenAi). */
interface RoutingMetadata {
  requestId?: string;
  costUsd?: number;
  replayed?: boolean;
  decision?: { method?: string; rule?: string; band?: string };
}

/** What this command reads of OpenAI's chat.completion and chat.completion.chunk. */
interface Completion {
  id?: string;
  model?: string;
  object?: string;
  choices?: Array<{
    index?: number;
    message?: { role?: string; content?: string | null };
    delta?: { content?: string | null };
    finish_reason?: string | null;
  }>;
  usage?: unknown;
  switchyard?: RoutingMetadata;
  error?: { message?: string; code?: string };
}

type Io = Pick<CliIo, 'stdout' | 'stderr'>;

/**
 * `switchyard chat`: one request through the HTTP door, as any OpenAI client sends it. The answer goes to
 * stdout (piece by piece with --stream), the model, routing method, cost and request id to stderr; --json
 * prints the whole response instead (a streamed one assembled into the same shape).
 */
export async function runChat(opts: ChatOptions, io: Io): Promise<number> {
  const endpoint = endpointOf(opts.url, CHAT_PATH);
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const res = await postToIngress({
    url: opts.url,
    path: CHAT_PATH,
    body: requestBody(opts),
    apiKey: opts.apiKey,
    signal,
    timeoutMs: opts.timeoutMs,
    accept: opts.stream ? 'text/event-stream' : 'application/json',
  });
  try {
    if (!res.ok) {
      const failure = await httpFailure(res);
      if (opts.json && failure.body !== undefined) print(io, failure.body);
      io.stderr(`switchyard: chat refused: ${failure.message}\n`);
      return 1;
    }
    const streamed = opts.stream && (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
    return streamed ? await printStream(res, opts, io) : printWhole((await res.json()) as Completion, opts, io);
  } catch (err) {
    throw readError(err, endpoint, opts.timeoutMs);
  }
}

/** OpenAI's request: the system message first when given, `max_tokens`, `stream`. */
export function requestBody(opts: ChatOptions): Record<string, unknown> {
  const messages = [
    ...(opts.system === undefined ? [] : [{ role: 'system', content: opts.system }]),
    { role: 'user', content: opts.message },
  ];
  return {
    model: opts.model,
    messages,
    ...(opts.maxTokens === undefined ? {} : { max_tokens: opts.maxTokens }),
    ...(opts.stream ? { stream: true } : {}),
  };
}

function printWhole(completion: Completion, opts: ChatOptions, io: Io): number {
  if (opts.json) print(io, completion);
  else {
    io.stdout(`${completion.choices?.[0]?.message?.content ?? ''}\n`);
    io.stderr(`${describeRouting(completion)}\n`);
  }
  return 0;
}

async function printStream(res: Response, opts: ChatOptions, io: Io): Promise<number> {
  if (!res.body) throw new Error('the server opened a stream without a body');
  let content = '';
  let finishReason: string | null = null;
  let last: Completion = {};
  let done = false;
  for await (const data of serverSentEvents(res.body)) {
    if (data === '[DONE]') {
      done = true;
      break;
    }
    const event = JSON.parse(data) as Completion;
    if (event.error) {
      // The model failed after the first piece: the stream ends with OpenAI's error shape.
      if (!opts.json && content !== '') io.stdout('\n');
      if (opts.json) print(io, event);
      io.stderr(`switchyard: the answer broke off (${event.error.code ?? 'error'}): ${event.error.message ?? ''}\n`);
      return 1;
    }
    const piece = event.choices?.[0]?.delta?.content ?? '';
    if (piece !== '') {
      content += piece;
      if (!opts.json) io.stdout(piece);
    }
    finishReason = event.choices?.[0]?.finish_reason ?? finishReason;
    last = { ...last, ...event };
  }
  if (!opts.json) io.stdout('\n');
  if (!done) {
    io.stderr('switchyard: the stream ended before the answer was complete\n');
    return 1;
  }
  // The shape of a whole answer, so scripts read a streamed one the same way.
  const whole: Completion = {
    id: last.id,
    object: 'chat.completion',
    model: last.model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
    usage: last.usage,
    switchyard: last.switchyard,
  };
  if (opts.json) print(io, whole);
  else io.stderr(`${describeRouting(whole)}\n`);
  return 0;
}

/** `model gpt-4o-mini, method rule (greeting), cost $0.000021, request 7f3a…`: who answered and why. */
export function describeRouting(completion: Completion): string {
  const meta = completion.switchyard ?? {};
  const decision = meta.decision ?? {};
  const why = decision.rule ? ` (${decision.rule})` : decision.band ? ` (band ${decision.band})` : '';
  return [
    `model ${completion.model ?? '?'}`,
    `method ${decision.method ?? '?'}${why}`,
    `cost ${meta.costUsd === undefined ? '?' : usd(meta.costUsd)}`,
    `request ${meta.requestId ?? '?'}${meta.replayed ? ' (replayed)' : ''}`,
  ].join(', ');
}

function print(io: Io, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
