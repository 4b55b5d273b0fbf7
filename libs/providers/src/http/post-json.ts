import { ProviderError } from '../lib/provider-error';

export interface JsonResponse {
  status: number;
  body: Record<string, unknown>;
}

/**
 * POSTs JSON and reads a JSON answer, turning every way it can go wrong into a ProviderError: network
 * failures, timeouts and aborts, 429 (with retry-after), 5xx, other 4xx (not retryable), and bodies that
 * are not JSON or are cut short.
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  payload: unknown,
  signal: AbortSignal | undefined,
  provider: string,
): Promise<JsonResponse> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(payload),
      signal,
    });
  } catch (err) {
    throw transportError(err, provider, signal);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw transportError(err, provider, signal);
  }
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    if (res.ok)
      throw new ProviderError(
        `${provider} answered ${res.status} with a body that is not JSON (${text.length} bytes)`,
        true,
        res.status,
      );
  }
  if (res.ok && body) return { status: res.status, body };
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
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify(payload),
      signal,
    });
  } catch (err) {
    throw transportError(err, provider, signal);
  }
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => '');
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON: the status says enough
    }
    throw statusError(res, body, text, provider);
  }
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
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
    if (err instanceof ProviderError) throw err;
    if (err instanceof SyntaxError) throw new ProviderError(`${provider} sent an event that is not JSON`, true);
    throw transportError(err, provider, signal);
  }
}

function statusError(
  res: Response,
  body: Record<string, unknown> | undefined,
  text: string,
  provider: string,
): ProviderError {
  const detail = errorMessage(body) ?? text.slice(0, 200);
  const retryAfter = retryAfterMs(res.headers.get('retry-after'));
  if (res.status === 429)
    return new ProviderError(`${provider} rate limited the call: ${detail}`, true, 429, retryAfter);
  if (res.status >= 500)
    return new ProviderError(`${provider} failed with ${res.status}: ${detail}`, true, res.status, retryAfter);
  if (res.ok) return new ProviderError(`${provider} answered ${res.status} without a body`, true, res.status);
  return new ProviderError(`${provider} refused the call with ${res.status}: ${detail}`, false, res.status);
}

function transportError(err: unknown, provider: string, signal: AbortSignal | undefined): ProviderError {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (signal?.aborted) {
    const reason = signal.reason as Error | undefined;
    return new ProviderError(`${provider} call ${reason?.name === 'TimeoutError' ? 'timed out' : 'was aborted'}`, true);
  }
  return new ProviderError(`${provider} connection failed: ${e.cause?.code ?? e.cause?.message ?? e.message}`, true);
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
