import type { ChatSuccess } from '@switchyard/contracts';
import { createFailFastRedis } from '@switchyard/runtime';
import { TemporaryRedis, testInfra, uniqueName, waitFor } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { IdempotencyStore } from './idempotency.store';

// Runs against the real local Redis.
describe(IdempotencyStore.name, () => {
  let redis: Redis;
  let sut: IdempotencyStore;
  const tenant = uniqueName('tenant');

  beforeAll(() => {
    redis = new Redis(testInfra.redisUrl);
    sut = new IdempotencyStore(redis);
  });

  afterAll(async () => {
    const keys = await redis.keys(`switchyard:idem:${tenant}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const reply = { ok: true, requestId: 'r', answer: { role: 'assistant', content: 'x' } } as unknown as ChatSuccess;

  it('lets exactly one of many concurrent calls claim an id', async () => {
    const claims = await Promise.all(Array.from({ length: 20 }, () => sut.claim(tenant, 'same', 60)));
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'pending')).toHaveLength(19);
  });

  it('returns the stored answer once the call completes, and hands it to waiters', async () => {
    await sut.claim(tenant, 'answered', 60);
    const waiting = sut.waitForAnswer(tenant, 'answered', Date.now() + 5000);
    await sut.complete(tenant, 'answered', reply, 60);
    expect(await waiting).toEqual(reply);
    expect(await sut.claim(tenant, 'answered', 60)).toEqual({ kind: 'done', reply });
  });

  it('lets the id be claimed again after a release', async () => {
    await sut.claim(tenant, 'released', 60);
    await sut.release(tenant, 'released');
    expect(await sut.claim(tenant, 'released', 60)).toEqual({ kind: 'claimed' });
  });

  it('expires claims after the window', async () => {
    await sut.claim(tenant, 'short', 1);
    expect(await redis.ttl(`switchyard:idem:${tenant}:short`)).toBeLessThanOrEqual(1);
  });

  it('stops waiting at the deadline', async () => {
    await sut.claim(tenant, 'slow', 60);
    expect(await sut.waitForAnswer(tenant, 'slow', Date.now() + 100)).toBeUndefined();
  });
});

// SDK attempts remembered by body, against the real local Redis; every test has a tenant of its own.
describe(`${IdempotencyStore.name} SDK attempts`, () => {
  let redis: Redis;
  let sut: IdempotencyStore;
  const tenants: string[] = [];
  const digest = 'f'.repeat(64);
  const newTenant = () => {
    tenants.push(uniqueName('sdk'));
    return tenants[tenants.length - 1];
  };

  beforeAll(() => {
    redis = new Redis(testInfra.redisUrl);
    sut = new IdempotencyStore(redis);
  });

  afterAll(async () => {
    for (const tenant of tenants) {
      const keys = await redis.keys(`switchyard:idem-sdk:${tenant}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  describe('requestOfRetry', () => {
    it("gives a retry its first attempt's request id", async () => {
      const tenant = newTenant();
      await sut.rememberFirstAttempt(tenant, digest, 'first', 60);
      expect(await sut.requestOfRetry(tenant, digest, 'retry', 60)).toBe('first');
    });

    it('gives a retry of an unknown body its own id, and the retries after it that one', async () => {
      const tenant = newTenant();
      expect(await sut.requestOfRetry(tenant, digest, 'retry-1', 60)).toBe('retry-1');
      expect(await sut.requestOfRetry(tenant, digest, 'retry-2', 60)).toBe('retry-1');
    });

    it('gives every one of many concurrent retries of an unknown body the same id', async () => {
      const tenant = newTenant();
      const ids = await Promise.all(
        Array.from({ length: 20 }, (_, i) => sut.requestOfRetry(tenant, digest, `retry-${i}`, 60)),
      );
      expect(new Set(ids).size).toBe(1);
    });

    it("never gives one tenant another's request", async () => {
      const [a, b] = [newTenant(), newTenant()];
      await sut.rememberFirstAttempt(a, digest, 'of-a', 60);
      expect(await sut.requestOfRetry(b, digest, 'of-b', 60)).toBe('of-b');
    });
  });

  describe('rememberFirstAttempt', () => {
    it('makes the same body sent again as a first attempt the request its retries belong to', async () => {
      const tenant = newTenant();
      await sut.rememberFirstAttempt(tenant, digest, 'earlier', 60);
      await sut.rememberFirstAttempt(tenant, digest, 'later', 60);
      expect(await sut.requestOfRetry(tenant, digest, 'retry', 60)).toBe('later');
    });

    it('forgets the attempt after the window', async () => {
      const tenant = newTenant();
      await sut.rememberFirstAttempt(tenant, digest, 'first', 7);
      const ttl = await redis.ttl(`switchyard:idem-sdk:${tenant}:${digest}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(7);
    });
  });
});

// A redis-server of this test's own, stopped under the store (the fail-fast client ingress uses).
describe(`${IdempotencyStore.name} while Redis is away`, () => {
  const server = new TemporaryRedis();
  let redis: Redis;

  beforeAll(async () => {
    await server.start();
    redis = createFailFastRedis(server.url);
    await waitFor('redis ready', () => (redis.status === 'ready' ? true : undefined), 5000);
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('refuses at once with unavailable and a retry-after, then works again within a second of Redis returning', async () => {
    const sut = new IdempotencyStore(redis);
    await server.stop();
    const started = Date.now();
    await expect(sut.claim('acme', 'r-1', 60)).rejects.toMatchObject({
      code: 'unavailable',
      field: 'requestId',
      retryAfterSeconds: 2,
    });
    const refusedAfterMs = Date.now() - started;
    await server.start();
    const back = Date.now();
    await waitFor(
      'claims work again',
      async () => ((await sut.claim('acme', 'r-1', 60).catch(() => undefined)) ? true : undefined),
      10_000,
      50,
    );
    console.log(
      `redis away: refused in ${refusedAfterMs} ms; claims again ${Date.now() - back} ms after redis-server started`,
    );
  });
});
