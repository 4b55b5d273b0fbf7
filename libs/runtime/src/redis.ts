import { Redis, type RedisOptions } from 'ioredis';
import type { ReadinessIndicator } from './health';

/** Readiness of Redis: a PING answered. */
export class RedisHealthIndicator implements ReadinessIndicator {
  readonly name = 'redis';
  constructor(private readonly redis: Redis) {}
  async check(): Promise<void> {
    await this.redis.ping();
  }
}

/**
 * A Redis client for the request path: commands fail at once while Redis is unreachable (no offline queue,
 * no retries), so callers can apply their own policy (fail open or closed), and it reconnects by itself.
 */
export function createFailFastRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000, ...options });
}
