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
  const detail = errorMessage(body) ?? text.slice(0, 200);
  if (res.status === 429)
    throw new ProviderError(
      `${provider} rate limited the call: ${detail}`,
      true,
      429,
      retryAfterMs(res.headers.get('retry-after')),
    );
  if (res.status >= 500)
    throw new ProviderError(
      `${provider} failed with ${res.status}: ${detail}`,
      true,
      res.status,
      retryAfterMs(res.headers.get('retry-after')),
    );
  throw new ProviderError(`${provider} refused the call with ${res.status}: ${detail}`, false, res.status);
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
