import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type MsgHdrs, type NatsConnection, connect, headers } from '@nats-io/transport-node';
import { SERVICE_NAMES, ServiceStack, type StackOptions, findWorkspaceRoot } from '@switchyard/launcher';
import { MONGO_CONNECT_OPTIONS, TenantKeyRepository } from '@switchyard/persistence';
import { type TemporaryNats, mongoUriFor, testInfra, uniqueName } from '@switchyard/testing';
import mongoose from 'mongoose';

/** The two tenants of every e2e stack; their keys are created in the stack's database when it starts. */
export const TENANT_KEYS: Record<'acme' | 'beta', string> = { acme: '', beta: '' };
/** An admin key (tenant `ops`): what spans tenants, such as the optimizer's reports. */
export const ADMIN_KEY = { value: '' };
export const MAX_REQUEST_BYTES = 64 * 1024;
export const POLICY_FILE = join(findWorkspaceRoot(__dirname), 'policies', 'default.yaml');

/** NATS headers carrying a tenant's key, as a product team's client sends them. */
export function authHeaders(tenant: keyof typeof TENANT_KEYS = 'acme'): MsgHdrs {
  const h = headers();
  h.set('Authorization', `Bearer ${TENANT_KEYS[tenant]}`);
  return h;
}

/** Every service connecting as its own user of a NATS started with deploy/k8s/nats/nats-server.conf. */
export function natsUsersOf(nats: TemporaryNats): StackOptions['serviceEnv'] {
  return Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, { NATS_USER: name, NATS_PASSWORD: nats.passwords[name] }]),
  );
}

/** Creates the tenants' keys (hashed, as `switchyard keys create` does) in the stack's database. */
export async function provisionTenantKeys(mongoUri: string): Promise<void> {
  const db = await mongoose.createConnection(mongoUri, MONGO_CONNECT_OPTIONS).asPromise();
  try {
    const keys = new TenantKeyRepository(db);
    await keys.ensureIndexes();
    for (const tenant of Object.keys(TENANT_KEYS) as Array<keyof typeof TENANT_KEYS>)
      TENANT_KEYS[tenant] = (await keys.create(tenant, 'e2e')).key;
    ADMIN_KEY.value = (await keys.create('ops', 'e2e analysts', { admin: true })).key;
  } finally {
    await db.close();
  }
}

/** A stack that creates its tenants' keys before its services start (ingress loads them at start-up). */
class E2eStack extends ServiceStack {
  constructor(
    private readonly mongoUri: string,
    options: StackOptions,
  ) {
    super(options);
  }

  override async start(onReady?: Parameters<ServiceStack['start']>[0]): Promise<void> {
    await provisionTenantKeys(this.mongoUri);
    await super.start(onReady);
  }
}

/** The six services on free ports, with a database, durable consumer and queue of this test run's own. */
export function e2eStack(
  database: string,
  overrides: {
    env?: Record<string, string>;
    replicas?: StackOptions['replicas'];
    serviceEnv?: StackOptions['serviceEnv'];
    /** All six in one process (`switchyard serve --services all`). */
    colocated?: boolean;
  } = {},
): ServiceStack {
  const env = {
    NATS_URL: testInfra.natsUrl,
    REDIS_URL: testInfra.redisUrl,
    MONGODB_URI: mongoUriFor(database),
    POLICY_FILE,
    MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES),
    REQUEST_TIMEOUT_MS: '15000',
    BODY_TIMEOUT_MS: '1000',
    // A durable of its own that starts at the stream's end: earlier runs' events stay out of this database.
    DURABLE_NAME: uniqueName('e2e-records'),
    CONSUMER_START: 'new',
    CONSUMER_ACK_WAIT_MS: '2000',
    OPTIMIZER_QUEUE: uniqueName('e2e-optimizer'),
    ROUTING_STATE_PREFIX: uniqueName('e2e-sy'),
    LOG_LEVEL: 'warn',
    ...overrides.env,
  };
  return new E2eStack(env.MONGODB_URI, {
    ports: 'free',
    replicas: overrides.replicas,
    serviceEnv: overrides.serviceEnv,
    colocated: overrides.colocated,
    env,
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

/**
 * Runs the built `switchyard` CLI as one user of a TemporaryNats (deploy/k8s/nats/nats-server.conf), against
 * a stack's database; rejects with the exit code and stderr when it fails.
 */
export function runCliAs(
  args: string[],
  as: { natsUrl: string; user: string; password: string; database: string; env?: Record<string, string> },
) {
  const root = findWorkspaceRoot(__dirname);
  return promisify(execFile)('node', [join(root, 'bin', 'switchyard.js'), ...args], {
    cwd: root,
    env: {
      ...process.env,
      NATS_URL: as.natsUrl,
      NATS_USER: as.user,
      NATS_PASSWORD: as.password,
      MONGODB_URI: mongoUriFor(as.database),
      ...as.env,
    },
  });
}
