import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { TRACEPARENT_HEADER, contextFromTraceparent, currentTraceparent } from '../trace-context';
import { SPAN_ATTRIBUTES as A } from './attributes';
import { markFailed } from './spans';
import { tracingEnabled } from './state';

/**
 * Handles one HTTP request in a server span that continues the caller's W3C `traceparent` (or starts a
 * trace), and answers with the `traceparent` of that span, so a caller can find its request in the tracing
 * backend. `route` is the route template (`/v1/chat/completions`), never the URL with ids in it. The span ends
 * when `handle` settles, with the status code it wrote. Tracing off: nothing at all (no span, no header).
 */
export function traceHttpRequest(
  tracerName: string,
  route: string,
  req: IncomingMessage,
  res: ServerResponse,
  handle: () => Promise<void>,
): Promise<void> {
  // Off: the request runs exactly as it did before tracing existed, not even inside an async function of ours
  // (docs/operations.md, Tracing: what it costs). Its hops still get a trace id, made up at the first one.
  return tracingEnabled() ? inServerSpan(tracerName, route, req, res, handle) : handle();
}

async function inServerSpan(
  tracerName: string,
  route: string,
  req: IncomingMessage,
  res: ServerResponse,
  handle: () => Promise<void>,
): Promise<void> {
  const incoming = req.headers[TRACEPARENT_HEADER];
  const parent = contextFromTraceparent(Array.isArray(incoming) ? incoming[0] : incoming);
  const method = req.method ?? 'GET';
  const span = trace.getTracer(tracerName).startSpan(
    `${method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        [A.httpMethod]: method,
        [A.httpRoute]: route,
        [A.urlPath]: route,
        [A.urlScheme]: 'http',
      },
    },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  // Set before anything is written: the door's writeHead merges it with its own headers.
  const traceparent = currentTraceparent(ctx);
  if (traceparent) res.setHeader(TRACEPARENT_HEADER, traceparent);
  try {
    await context.with(ctx, handle);
  } catch (err) {
    markFailed(span, err);
    throw err;
  } finally {
    span.setAttribute(A.httpStatus, res.statusCode);
    // Server spans: 4xx is the caller's error, not the server's (the HTTP conventions).
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
}
