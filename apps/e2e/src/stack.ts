import { ServiceProcess, WORKSPACE_ROOT, freePort, mongoUriFor, testInfra, uniqueName } from '@switchyard/testing';
import { join } from 'node:path';

export const SERVICE_NAMES = ['ingress', 'analyzer', 'decision-engine', 'provider-adapters', 'feedback-aggregator', 'rule-optimizer'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const TENANT_KEYS = { acme: 'key-acme', beta: 'key-beta' } as const;
export const MAX_REQUEST_BYTES = 64 * 1024;
export const POLICY_FILE = join(WORKSPACE_ROOT, 'policies', 'default.yaml');

/** All six services, each its own process, on their own ports, database, durable consumer and queue. */
export class SwitchyardStack {
  readonly database = uniqueName('e2e');
  readonly services = new Map<ServiceName, ServiceProcess>();

  async start(): Promise<void> {
    const env: Record<string, string> = {
      NATS_URL: testInfra.natsUrl,
      REDIS_URL: testInfra.redisUrl,
      MONGODB_URI: mongoUriFor(this.database),
      POLICY_FILE,
      TENANT_KEYS: Object.entries(TENANT_KEYS).map(([tenant, key]) => `${tenant}:${key}`).join(','),
      MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES),
      REQUEST_TIMEOUT_MS: '15000',
      // A durable of its own that starts at the stream's end: earlier runs' events stay out of this database.
      DURABLE_NAME: uniqueName('e2e-records'),
      CONSUMER_START: 'new',
      CONSUMER_ACK_WAIT_MS: '2000',
      OPTIMIZER_QUEUE: uniqueName('e2e-optimizer'),
      LOG_LEVEL: 'warn',
    };
    for (const name of SERVICE_NAMES) this.services.set(name, new ServiceProcess(name, await freePort(), env));
    // Consumers first, the door last, as a rolling deploy would leave them.
    for (const name of [...SERVICE_NAMES].reverse()) await this.get(name).start();
  }

  get(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`no service ${name}`);
    return service;
  }

  /** Stops every service with SIGTERM; resolves with each exit code. */
  async stop(): Promise<Record<string, number>> {
    const codes: Record<string, number> = {};
    for (const name of SERVICE_NAMES) codes[name] = await this.get(name).stop('SIGTERM');
    return codes;
  }
}
