import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ChatFailure, type ChatSuccess, HTTP_HEADERS, HTTP_STATUS_BY_CODE } from '@switchyard/contracts';
import { shouldRetry } from './should-retry';

/**
 * HTTP write helpers every door of ingress shares (OpenAI's, Anthropic's): what differs between doors is
 * the body's shape, never the status, the headers or how a stream opens.
 */

/** A request header's first value; an empty one counts as absent. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value || undefined;
}

/** A JSON answer with its length and, when known, the request id. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId?: string,
  extraHeaders: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    ...extraHeaders,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  };
  if (requestId) headers[HTTP_HEADERS.requestId] = requestId;
  res.writeHead(status, headers).end(text);
}

/** Opens a server-sent events answer: nothing may change the status once this is written. */
export function startEventStream(
  res: ServerResponse,
  requestId: string,
  extraHeaders: Record<string, string> = {},
): void {
  res.writeHead(200, {
    ...extraHeaders,
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    [HTTP_HEADERS.requestId]: requestId,
  });
}

/**
 * A failure in a door's own error shape (`body`), with the status and headers its code calls for: its
 * retry-after, and `x-should-retry`, which OpenAI's and Anthropic's SDKs obey over their own rule.
 */
export function sendFailureAs(
  res: ServerResponse,
  reply: ChatFailure,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  if (reply.error.retryAfterSeconds !== undefined)
    res.setHeader('retry-after', String(Math.ceil(reply.error.retryAfterSeconds)));
  // The rest of a stalled body would never come: the connection cannot carry another request.
  if (reply.error.code === 'request_timeout') res.setHeader('connection', 'close');
  res.setHeader(HTTP_HEADERS.shouldRetry, String(shouldRetry(reply.error)));
  sendJson(res, HTTP_STATUS_BY_CODE[reply.error.code], body, reply.requestId, extraHeaders);
}

/** Switchyard's routing metadata, which every door returns alongside the answer under `switchyard`. */
export function routingMetadata(reply: ChatSuccess) {
  return {
    requestId: reply.requestId,
    tenant: reply.tenant,
    provider: reply.provider,
    decision: reply.decision,
    difficulty: reply.difficulty,
    costUsd: reply.costUsd,
    usageEstimated: reply.usage.estimated,
    latency: reply.latency,
    replayed: reply.replayed ?? false,
  };
}
