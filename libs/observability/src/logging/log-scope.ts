import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { parseTraceparent } from '../trace-context';
import { processLogging } from './process-logging';

/** What the lines written while handling one request (or inside one service) say about it. */
export interface LogScope {
  /** The service whose code writes the line: in a co-located process, the one handling the message. */
  service?: string;
  requestId?: string;
  tenant?: string;
  /** The trace of the message being handled, for lines written outside its span (a failure's, say). */
  traceId?: string;
  spanId?: string;
  /** A request's scope takes its request id and tenant once they are known; a service's never does. */
  readonly request: boolean;
}

/** Runs `fn` (a service's start-up) so that every line written from it, now or later, names `service`. */
export function withServiceLogContext<T>(service: string, fn: () => T): T {
  return processLogging().scopes.run({ service, request: false }, fn);
}

/**
 * Runs `fn`, the handling of one request or message, in a log context of its own: its lines carry the
 * request id and tenant given later with `annotateLogContext`. Lines written outside any span (a failure
 * reported after the handler's span ended) name the trace the annotation saw, else the sender's
 * (`traceparent`). `service` defaults to the one the caller runs in.
 */
export function withRequestLogContext<T>(options: { service?: string; traceparent?: string }, fn: () => T): T {
  const scopes = processLogging().scopes;
  const scope: LogScope = { service: options.service ?? scopes.getStore()?.service, request: true };
  const sender = parseTraceparent(options.traceparent);
  if (sender) {
    scope.traceId = sender.traceId;
    scope.spanId = sender.spanId;
  }
  return scopes.run(scope, fn);
}

/**
 * Names the request being handled (and the span handling it) on every line written for it from now on,
 * including the ones written after the handler returns: the scope is one object. Outside a request's log
 * context it does nothing, so a service's own lines never take one request's id.
 */
export function annotateLogContext(fields: { requestId?: string; tenant?: string }): void {
  const scope = processLogging().scopes.getStore();
  if (!scope?.request) return;
  if (fields.requestId !== undefined) scope.requestId = fields.requestId;
  if (fields.tenant !== undefined) scope.tenant = fields.tenant;
  const span = trace.getSpanContext(context.active());
  if (span && isSpanContextValid(span)) {
    scope.traceId = span.traceId;
    scope.spanId = span.spanId;
  }
}

/** The log context of the code running now, if any. */
export function currentLogScope(): Readonly<LogScope> | undefined {
  return processLogging().scopes.getStore();
}

/**
 * Express/Connect middleware that gives each HTTP request a log context of its own (the doors learn the
 * request id and tenant once they have read the request, and annotate it).
 */
export function httpLogContext(service: string): (req: unknown, res: unknown, next: () => void) => void {
  return (_req, _res, next) => withRequestLogContext({ service }, next);
}
