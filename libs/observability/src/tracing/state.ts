/**
 * The process's tracing state, shared through globalThis: in co-located mode each service's bundle carries
 * its own copy of this library, and they must see one SDK (the first service starts it, the last one to stop
 * flushes it).
 */
export interface TracingState {
  /** An SDK is registered: spans are recorded (as the sampler decides) and exported. */
  enabled: boolean;
  /** Services of this process using the SDK. */
  users: number;
  starting?: Promise<ShutdownProvider>;
}

/** The SDK's tracer provider as the state keeps it (its type is the SDK's, loaded only when tracing is on). */
export interface ShutdownProvider {
  shutdown(): Promise<void>;
}

const KEY = Symbol.for('switchyard.tracing');

export const tracingState: TracingState = ((globalThis as { [KEY]?: TracingState })[KEY] ??= {
  enabled: false,
  users: 0,
});

/**
 * Whether spans are recorded in this process. Off (no OTLP endpoint configured), code that only decorates
 * spans skips its work: the hot path pays one property read.
 */
export function tracingEnabled(): boolean {
  return tracingState.enabled;
}
