import { type Attributes, type Context, SpanStatusCode, context, trace } from '@opentelemetry/api';

/** Runs `fn` in a span named `name` under `parent`; records an error status when it throws. */
export async function withSpan<T>(
  tracerName: string,
  name: string,
  parent: Context,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer(tracerName);
  const span = tracer.startSpan(name, { attributes }, parent);
  const ctx = trace.setSpan(parent, span);
  try {
    return await context.with(ctx, fn);
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}
