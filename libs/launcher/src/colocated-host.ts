import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { COLOCATED_ENV, closeService, colocatedServices } from '@switchyard/runtime';
import { DEFAULT_PORTS, SERVICE_NAMES, type ServiceName, portVariableOf } from './service-stack';

/**
 * Where the built services are: the nearest folder above `start` with `dist/apps` (the workspace, or an
 * image's /app, which has no nx.json).
 */
export function findInstallRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'dist', 'apps'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no dist/apps above ${start}: build the services first (npm run build)`);
  }
}

/** Which services `--services` names: `all`, or a comma-separated list of service names. */
export function parseServiceList(value: string): ServiceName[] {
  if (value.trim() === 'all') return [...SERVICE_NAMES];
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !(SERVICE_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0)
    throw new Error(
      `${unknown.length > 0 ? `unknown service ${unknown.join(', ')}` : 'no service named'}; ` +
        `use all or a list of ${SERVICE_NAMES.join(', ')}`,
    );
  // Started in the stack's order whatever the list's.
  return SERVICE_NAMES.filter((n) => names.includes(n));
}

export interface ColocatedOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  /** Where progress goes (stderr by default). */
  log?: (line: string) => void;
  /** Longest graceful stop of all of them together, after which the process exits 1. */
  shutdownTimeoutMs?: number;
}

/**
 * Runs several services in this process (co-located mode): each built service's bundle is loaded, hands its
 * bootstrap over (SWITCHYARD_COLOCATED) and is started with an environment of its own (HTTP_PORT from
 * HTTP_PORT_<SERVICE>, else its default port); hops between them are local calls (the same flag),
 * everything else stays on NATS as with separate processes. Consumers start first and the door last, and a
 * signal stops them the other way round, so nothing a service still needs is gone before it has drained.
 * Resolves once every service is ready; the process then runs until a signal.
 */
export async function serveColocated(names: readonly ServiceName[], options: ColocatedOptions): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  process.env[COLOCATED_ENV] = 'true';
  const load = createRequire(join(options.root, 'package.json'));
  const started: Array<{ name: ServiceName; app: INestApplication }> = [];
  let stopping = false;
  const stopAll = async (why: string, code = 0): Promise<never> => {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    log(`${why}: stopping ${started.map((s) => s.name).join(', ')} (door first)`);
    setTimeout(() => {
      log(`shutdown took longer than ${options.shutdownTimeoutMs ?? 20_000} ms; exiting`);
      process.exit(1);
    }, options.shutdownTimeoutMs ?? 20_000).unref();
    let failed = false;
    for (const { name, app } of [...started].reverse())
      await closeService(name, app).catch((err: Error) => {
        failed = true;
        log(`${name} did not stop cleanly: ${err.message}`);
      });
    process.exit(failed ? 1 : code);
  };
  // Every signal is handled (a second one while draining is ignored, not the default of dying at once).
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stopAll(signal));

  for (const name of [...names].reverse()) {
    const main = join(options.root, 'dist', 'apps', name, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build the services first (npm run build)`);
    load(main);
    const start = colocatedServices()[name];
    if (!start) throw new Error(`${main} did not hand over its bootstrap (built before co-located mode?)`);
    const port = options.env[portVariableOf(name)] ?? String(DEFAULT_PORTS[name]);
    try {
      started.push({ name, app: await start({ ...options.env, HTTP_PORT: port }) });
    } catch (err) {
      log(`${name} could not start: ${(err as Error).message}`);
      await stopAll('start-up failed', 1);
    }
    log(`${name} started in this process on port ${port}`);
  }
}
