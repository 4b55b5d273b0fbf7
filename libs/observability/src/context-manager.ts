import { AsyncLocalStorage } from 'node:async_hooks';
import { type Context, type ContextManager, ROOT_CONTEXT, context } from '@opentelemetry/api';

/**
 * OpenTelemetry's active context carried across `await` by AsyncLocalStorage. Without a context manager the
 * API's `context.with` sets nothing, so the span a handler runs in was never the active one: the messages a
 * handler sends went without a traceparent and each hop started a trace of its own.
 */
class AsyncLocalContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.call(thisArg, ...args));
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (...args: unknown[]) => this.with(ctx, () => (target as (...a: unknown[]) => unknown)(...args));
    return run as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}

const PROBE = Symbol('switchyard.context-probe');

/** Makes spans follow async code in this process (once: services sharing a process share it). */
export function registerContextManager(): void {
  // setGlobalContextManager refuses a second registration (and says so): ask first.
  const probe = context.with(context.active().setValue(PROBE, true), () => context.active().getValue(PROBE));
  if (probe === true) return;
  context.setGlobalContextManager(new AsyncLocalContextManager());
}
