import { join } from 'node:path';
import { ServiceStack } from '@switchyard/launcher';
import { MONGO_CONNECT_OPTIONS, TenantKeyRepository } from '@switchyard/persistence';
import mongoose, { type Connection } from 'mongoose';

export interface InstantStackOptions {
  root: string;
  natsUrl: string;
  redisUrl: string;
  mongoUri: string;
  timeoutMs: number;
  /** Names this run's queue and key prefix, so two runs (or a run and the tests) stay apart. */
  run: string;
  /** More environment (a durable of the benchmark's own, say). */
  env?: Record<string, string>;
  /** All six in one process (`switchyard serve --services all`) instead of six. */
  colocated?: boolean;
  /** Flags for node in every service process. */
  nodeArgs?: string[];
}

/**
 * The six services as the benchmarks run them: the default policy, every model served by the simulated
 * provider with no added latency, pinned to the policy file (a policy published on a shared NATS would
 * otherwise replace it), warnings only.
 */
export function instantStack(opts: InstantStackOptions): ServiceStack {
  return new ServiceStack({
    ports: 'free',
    root: opts.root,
    colocated: opts.colocated,
    nodeArgs: opts.nodeArgs,
    env: {
      NATS_URL: opts.natsUrl,
      REDIS_URL: opts.redisUrl,
      MONGODB_URI: opts.mongoUri,
      POLICY_FILE: join(opts.root, 'policies', 'default.yaml'),
      POLICY_WATCH: 'false',
      SIMULATED_LATENCY_MS: '0',
      REQUEST_TIMEOUT_MS: String(opts.timeoutMs),
      OPTIMIZER_QUEUE: `switchyard-bench-${opts.run}`,
      ROUTING_STATE_PREFIX: `sy-bench-${opts.run}`,
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
  });
}

/**
 * A database of this run's own (`<name>_<run>`), with a key for its tenant (stored hashed, as `switchyard
 * keys create` does): requests authenticate as a product team's do, checked by ingress on every one. New
 * rather than emptied: FerretDB v1 can crash when a database is dropped while a previous run's writes are
 * still reaching it; `drop` removes it once the services are stopped.
 */
export async function runDatabaseWithKey(
  mongoServer: string,
  name: string,
  run: string,
  tenant: string,
): Promise<{ db: Connection; uri: string; key: string; drop: () => Promise<void> }> {
  const uri = `${mongoServer}/${name}_${run}`;
  const db = await mongoose.createConnection(uri, MONGO_CONNECT_OPTIONS).asPromise();
  const keys = new TenantKeyRepository(db);
  await keys.ensureIndexes();
  const { key } = await keys.create(tenant, 'benchmark');
  return { db, uri, key, drop: () => db.dropDatabase().then(() => db.close()) };
}

/** Stops the services; false (and which) when one did not exit cleanly. */
export async function stopStack(stack: ServiceStack, out: (line: string) => void): Promise<boolean> {
  const codes = await stack.stop();
  const unclean = Object.entries(codes).filter(([, c]) => c !== 0);
  if (unclean.length > 0) out(`Unclean exits: ${unclean.map(([n, c]) => `${n}=${c}`).join(', ')}`);
  return unclean.length === 0;
}
