import { join } from 'node:path';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { ServiceStack, type StackOptions, findWorkspaceRoot } from '@switchyard/launcher';
import { mongoUriFor, testInfra, uniqueName } from '@switchyard/testing';

export const TENANT_KEYS = { acme: 'key-acme', beta: 'key-beta' } as const;
export const MAX_REQUEST_BYTES = 64 * 1024;
export const POLICY_FILE = join(findWorkspaceRoot(__dirname), 'policies', 'default.yaml');

/** The six services on free ports, with a database, durable consumer and queue of this test run's own. */
export function e2eStack(
  database: string,
  overrides: { env?: Record<string, string>; replicas?: StackOptions['replicas'] } = {},
): ServiceStack {
  return new ServiceStack({
    ports: 'free',
    replicas: overrides.replicas,
    env: {
      NATS_URL: testInfra.natsUrl,
      REDIS_URL: testInfra.redisUrl,
      MONGODB_URI: mongoUriFor(database),
      POLICY_FILE,
      TENANT_KEYS: Object.entries(TENANT_KEYS)
        .map(([tenant, key]) => `${tenant}:${key}`)
        .join(','),
      MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES),
      REQUEST_TIMEOUT_MS: '15000',
      // A durable of its own that starts at the stream's end: earlier runs' events stay out of this database.
      DURABLE_NAME: uniqueName('e2e-records'),
      CONSUMER_START: 'new',
      CONSUMER_ACK_WAIT_MS: '2000',
      OPTIMIZER_QUEUE: uniqueName('e2e-optimizer'),
      ROUTING_STATE_PREFIX: uniqueName('e2e-sy'),
      LOG_LEVEL: 'warn',
      ...overrides.env,
    },
  });
}

/** Starts the stack before the suite and stops it after; the tests get a NATS connection of their own. */
export function useStack(stack: ServiceStack): () => NatsConnection {
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    await stack.start();
    nc = await connect({ servers: testInfra.natsUrl });
  }, 120_000);
  afterAll(async () => {
    await nc?.close();
    await stack.stop();
  }, 60_000);
  return () => {
    if (!nc) throw new Error('the stack is not started');
    return nc;
  };
}
