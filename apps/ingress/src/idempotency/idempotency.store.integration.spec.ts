import type { ChatSuccess } from '@switchyard/contracts';
import { testInfra, uniqueName } from '@switchyard/testing';
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
