import { randomBytes } from 'node:crypto';
import {
  type Context,
  ROOT_CONTEXT,
  type SpanContext,
  TraceFlags,
  context,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';
import { tracingEnabled } from './tracing/state';

/** The W3C header that carries trace context, on HTTP and in NATS headers alike. */
export const TRACEPARENT_HEADER = 'traceparent';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a W3C `traceparent` header; undefined when absent or malformed. */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  if (!value) return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const sc: SpanContext = { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16), isRemote: true };
  return isSpanContextValid(sc) ? sc : undefined;
}

export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

// Random bytes for ids, drawn 4 KiB at a time: one small randomBytes call per id cost a system call each
// (0.06 ms apiece on this machine's sandbox, three or four per request).
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;

function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return hex;
}

/** A fresh sampled root span context, for requests that arrive without a trace. */
export function newRootSpanContext(): SpanContext {
  return { traceId: randomHex(16), spanId: randomHex(8), traceFlags: TraceFlags.SAMPLED };
}

/**
 * The OpenTelemetry context to run a handler in, continuing the caller's trace (or starting one). With the
 * SDK on, a request without one starts from the root: its first span is the trace's root, and the sampler
 * decides for it (a made-up parent would be a span no backend ever receives, and would count as a sampled
 * parent). With only the API, a trace id is made up here so it still flows through every hop via the
 * traceparent header.
 */
export function contextFromTraceparent(value: string | undefined): Context {
  const sc = parseTraceparent(value);
  if (sc) return trace.setSpanContext(ROOT_CONTEXT, sc);
  return tracingEnabled() ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, newRootSpanContext());
}

/** The traceparent to put on an outgoing message: the active span's context. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const sc = trace.getSpanContext(ctx);
  return sc && isSpanContextValid(sc) ? formatTraceparent(sc) : undefined;
}
