import { type Attributes, type Context, type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { SPAN_ATTRIBUTES } from './attributes';
import { tracingEnabled } from './state';

/**
 * Runs `fn` in a span named `name` under `parent`, the span active inside it (what `fn` sends carries its
 * traceparent); records an error status when it throws. Without an SDK the span is the API's non-recording
 * one, which still carries `parent`'s trace id to every hop.
 */
export async function withSpan<T>(
  tracerName: string,
  name: string,
  parent: Context,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  const span = trace.getTracer(tracerName).startSpan(name, { attributes, kind }, parent);
  const ctx = trace.setSpan(parent, span);
  try {
    return await context.with(ctx, () => fn(span));
  } catch (err) {
    markFailed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * `run` in a client span under the active one (a call to a model's provider), described when it records by
 * `attributes` before the call and `describe` of its result after. Tracing off, `run` is called as it is:
 * neither function is, and nothing wraps its promise.
 */
export function withClientSpan<T>(
  tracerName: string,
  name: string,
  attributes: () => Attributes,
  run: () => Promise<T>,
  describe: (result: T) => Attributes = () => ({}),
): Promise<T> {
  if (!tracingEnabled()) return run();
  return withSpan(
    tracerName,
    name,
    context.active(),
    attributes(),
    async (span) => {
      const result = await run();
      if (span.isRecording()) span.setAttributes(describe(result));
      return result;
    },
    SpanKind.CLIENT,
  );
}

/** Adds attributes to the active span when it records (tracing on, sampled); nothing to build otherwise. */
export function annotateActiveSpan(attributesOf: () => Attributes): void {
  if (!tracingEnabled()) return;
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttributes(attributesOf());
}

/** Marks the active span failed with a Switchyard error code (`error.type`), when it records. */
export function failActiveSpan(code: string): void {
  if (!tracingEnabled()) return;
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.setAttribute(SPAN_ATTRIBUTES.errorType, code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/**
 * Marks a span failed by what failed, never by the error's text: a message may quote a provider's reply or
 * the request (as may a stack, which starts with it). The error's class and its code (a RouterError's
 * `provider_error`, `timeout`) are what failures are grouped by; the logs have the rest.
 */
export function markFailed(span: Span, err: unknown): void {
  if (!span.isRecording()) return;
  const name = err instanceof Error ? err.name : typeof err;
  const code = (err as { code?: unknown } | undefined)?.code;
  const kind = typeof code === 'string' ? code : name;
  span.recordException({ name, message: kind });
  span.setAttribute(SPAN_ATTRIBUTES.errorType, kind);
  span.setStatus({ code: SpanStatusCode.ERROR, message: kind });
}
