/** A call to ingress's HTTP door. */
export interface IngressCall {
  /** The door's base URL (`http://127.0.0.1:3000`, or behind a proxy with a path prefix). */
  url: string;
  path: string;
  body: unknown;
  /** A tenant key, sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** The whole exchange, the answer's last byte included, ends within this. */
  signal: AbortSignal;
  timeoutMs: number;
  accept?: string;
}

/** Where a call goes: the base URL (without trailing slashes) and the path. */
export function endpointOf(url: string, path: string): string {
  return `${url.replace(/\/+$/, '')}${path}`;
}

/**
 * POSTs JSON to ingress. A refused connection or no answer in time is an Error saying which and what to
 * check; an HTTP error status is returned as is, for the caller to read the server's message from.
 */
export async function postToIngress(call: IngressCall): Promise<Response> {
  const endpoint = endpointOf(call.url, call.path);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: call.accept ?? 'application/json',
  };
  if (call.apiKey) headers['authorization'] = `Bearer ${call.apiKey}`;
  try {
    return await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(call.body), signal: call.signal });
  } catch (err) {
    throw transportError(err, endpoint, call.timeoutMs);
  }
}

/** A failure while sending or reading, said in the terms the user can act on. */
export function transportError(err: unknown, endpoint: string, timeoutMs: number): Error {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return new Error(`no answer from ${endpoint} within ${timeoutMs} ms (--timeout-ms)`);
  const why = e.cause?.code ?? e.cause?.message ?? e.message;
  return new Error(
    `cannot reach ${endpoint}: ${why} (is ingress running? npx switchyard serve, or set --url / SWITCHYARD_URL)`,
  );
}

/** A failure while reading an answer that had begun: no more time, or the connection dropped. */
export function readError(err: unknown, endpoint: string, timeoutMs: number): Error {
  const e = err as Error;
  if (e instanceof SyntaxError) return new Error(`${endpoint} answered something that is not JSON: ${e.message}`);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return transportError(err, endpoint, timeoutMs);
  return new Error(`the answer from ${endpoint} broke off: ${e.message}`);
}

/**
 * The server's reason for an HTTP error: OpenAI's error shape (`error.message`, `error.code`) as ingress
 * answers, or the status and the start of whatever else came back. The parsed body too, when it was JSON.
 */
export async function httpFailure(res: Response): Promise<{ message: string; body?: unknown }> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { message?: unknown; code?: unknown } } | undefined)?.error;
  const status = `HTTP ${res.status}${typeof error?.code === 'string' ? ` ${error.code}` : ''}`;
  if (typeof error?.message === 'string') return { message: `${status}: ${error.message}`, body };
  return { message: `${status}: ${text.slice(0, 200) || res.statusText}`, body };
}
