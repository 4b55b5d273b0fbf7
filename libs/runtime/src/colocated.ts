import type { INestApplication } from '@nestjs/common';
import { runService } from './bootstrap';

/**
 * Set by `switchyard serve` in the process that hosts several services: their main.ts hand their bootstrap
 * to the host instead of starting, signals are the host's to handle (it stops the services in order), and
 * hops between them are local calls (libs/messaging's local bus).
 */
export const COLOCATED_ENV = 'SWITCHYARD_COLOCATED';

export type StartService = (env: NodeJS.ProcessEnv) => Promise<INestApplication>;

const KEY = Symbol.for('switchyard.colocated-services');

/** Whether this process hosts several services (the host handles signals). */
export function isColocated(): boolean {
  return process.env[COLOCATED_ENV] === 'true';
}

/**
 * Every service's main.ts: started on its own, or, in a co-located host, registered for the host to start
 * with an environment of its own (its HTTP port). Shared through globalThis: each service is its own bundle.
 */
export function startService(name: string, start: StartService): void {
  if (!isColocated()) return runService(() => start(process.env));
  const registry = ((globalThis as { [KEY]?: Record<string, StartService> })[KEY] ??= {});
  registry[name] = start;
}

/** The services registered in this process so far, by name (the host reads them after loading each bundle). */
export function colocatedServices(): Readonly<Record<string, StartService>> {
  return (globalThis as { [KEY]?: Record<string, StartService> })[KEY] ?? {};
}
