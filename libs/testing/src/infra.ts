import { randomBytes } from 'node:crypto';

/**
 * Where the real local servers are, for integration and e2e tests. `npm test` brings them up first
 * (scripts/infra.sh up); these defaults match it.
 */
export const testInfra = {
  natsUrl: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
  redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  /** Server part of the MongoDB URI; tests add their own database name. */
  mongoServer: (process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27017').replace(/\/[^/]*$/, (tail) =>
    tail.includes(':') ? tail : '',
  ),
};

/** A name no other test run uses, for databases, streams, queues and key prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export function mongoUriFor(database: string): string {
  return `${testInfra.mongoServer}/${database}`;
}
