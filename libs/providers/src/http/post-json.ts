import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ProviderError } from '../lib/provider-error';

export interface JsonResponse {
  status: number;
  body: Record<string, unknown>;
}

/** The largest answer body read (a JSON answer, or an error body): beyond it the call fails, not retried. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * How long a connection may sit idle before it is closed (sooner when the server's Keep-Alive header says
 * so), as fetch's undici does: a provider's load balancer may drop an idle connection without a word, and
 * a call sent on it would wait for its timeout.
 */
export const IDLE_CONNECTION_MS = 4_000;

// node:http with keep-alive connections per provider host, not fetch: on an instant upstream fetch costs
// about four times the CPU of the same call made this way (docs/benchmarks.md), on every request's path.
const keepAlive = { keepAlive: true, timeout: IDLE_CONNECTION_MS };
const agents = { http: new HttpAgent(keepAlive), https: new HttpsAgent(keepAlive) };

/**
 * POSTs JSON and reads a JSON answer, turning every way it can go wrong into a ProviderError: network
 * failures, timeouts and aborts, 429 (with retry-after), 5xx, other 4xx (not retryable), and bodies that
 * are not JSON, are cut short or are larger than MAX_RESPONSE_BYTES.
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  payload: unknown,
  signal: AbortSignal | undefined,
  provider: string,
): Promise<JsonResponse> {
  const res = await send(url, { accept: 'application/json', ...headers }, payload, signal, provider);
  const text = await readText(res, signal, provider);
  const status = res.statusCode ?? 0;
  const body = parsedObject(text);
  if (succeeded(status) && body === undefined)
    throw new ProviderError(
      `${provider} answered ${status} with a body that is not JSON (${text.length} bytes)`,
      true,
      status,
    );
  if (succeeded(status) && body) return { status, body };
  throw statusError(res, body, text, provider);
}

/**
 * POSTs JSON asking for server-sent events and hands each event's data (and event name) to `onEvent` as
 * it arrives. Non-2xx answers fail as in postJson; a stream that breaks off fails retryable.
 */
export async function postSse(
  url: string,
  headers: Record<string, string>,
  payload: unknown,
  signal: AbortSignal | undefined,
  provider: string,
  onEvent: (data: string, event: string | undefined) => void,
): Promise<void> {
  const res = await send(url, { accept: 'text/event-stream', ...headers }, payload, signal, provider);
  if (!succeeded(res.statusCode ?? 0)) {
    const text = await readText(res, signal, provider).catch(() => '');
    throw statusError(res, parsedObject(text), text, provider);
  }
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n/g, '\n');
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event: string | undefined;
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length > 0) onEvent(data.join('\n'), event);
      }
    }
  } catch (err) {
    res.destroy();
    if (err instanceof ProviderError) throw err;
    if (err instanceof SyntaxError) throw new ProviderError(`${provider} sent an event that is not JSON`, true);
    throw transportError(err, provider, signal);
  }
  // A connection closed before the response ended is not an end of stream.
  if (!res.complete) throw new ProviderError(`${provider} connection failed: the stream broke off`, true);
}

/** Sends the request; resolves with the response once its head has arrived. */
function send(
  url: string,
  headers: Record<string, string>,
  payload: unknown,
  signal: AbortSignal | undefined,
  provider: string,
): Promise<IncomingMessage> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new ProviderError(`${provider} base URL is not a URL: ${url}`, false));
  }
  const secure = target.protocol === 'https:';
  if (!secure && target.protocol !== 'http:')
    return Promise.reject(new ProviderError(`${provider} base URL must be http or https: ${url}`, false));
  const body = Buffer.from(JSON.stringify(payload));
  return new Promise((resolve, reject) => {
    const options = {
      method: 'POST',
      agent: secure ? agents.https : agents.http,
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers },
      signal,
    };
    const req = secure ? httpsRequest(target, options, resolve) : httpRequest(target, options, resolve);
    req.on('error', (err) => reject(transportError(err, provider, signal)));
    req.end(body);
  });
}

/** The response body as text, bounded by MAX_RESPONSE_BYTES; a body cut short fails retryable. */
function readText(res: IncomingMessage, signal: AbortSignal | undefined, provider: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        res.destroy();
        reject(new ProviderError(`${provider} answered more than ${MAX_RESPONSE_BYTES} bytes`, false, res.statusCode));
      } else chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (err) => reject(transportError(err, provider, signal)));
    // Closed before its end (a reset, an abort): what arrived is not the answer.
    res.on('close', () => {
      if (!res.complete) reject(transportError(new Error('the answer was cut short'), provider, signal));
    });
  });
}

function statusError(
  res: IncomingMessage,
  body: Record<string, unknown> | undefined,
  text: string,
  provider: string,
): ProviderError {
  const detail = errorMessage(body) ?? text.slice(0, 200);
  const header = res.headers['retry-after'];
  const retryAfter = retryAfterMs(typeof header === 'string' ? header : null);
  const status = res.statusCode ?? 0;
  if (status === 429) return new ProviderError(`${provider} rate limited the call: ${detail}`, true, 429, retryAfter);
  if (status >= 500) return new ProviderError(`${provider} failed with ${status}: ${detail}`, true, status, retryAfter);
  if (succeeded(status)) return new ProviderError(`${provider} answered ${status} without a body`, true, status);
  return new ProviderError(`${provider} refused the call with ${status}: ${detail}`, false, status);
}

function succeeded(status: number): boolean {
  return status >= 200 && status < 300;
}

/** The body parsed as JSON; undefined when it is not JSON (the status then says enough). */
function parsedObject(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function transportError(err: unknown, provider: string, signal: AbortSignal | undefined): ProviderError {
  const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
  if (signal?.aborted) {
    const reason = signal.reason as Error | undefined;
    return new ProviderError(`${provider} call ${reason?.name === 'TimeoutError' ? 'timed out' : 'was aborted'}`, true);
  }
  return new ProviderError(
    `${provider} connection failed: ${e.code ?? e.cause?.code ?? e.cause?.message ?? e.message}`,
    true,
  );
}

function errorMessage(body: Record<string, unknown> | undefined): string | undefined {
  const error = body?.['error'];
  if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string')
    return (error as { message: string }).message;
  return undefined;
}

/** Retry-After in seconds or as an HTTP date, in milliseconds. */
export function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
