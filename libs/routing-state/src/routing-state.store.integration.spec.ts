import { testInfra, uniqueName } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { RoutingStateStore, secondsUntilUtcMidnight, utcDay } from './routing-state.store';

// Runs against the real local Redis, under a key prefix of its own.
describe(RoutingStateStore.name, () => {
  const prefix = uniqueName('sy');
  let a: Redis;
  let b: Redis;

  beforeAll(() => {
    a = new Redis(testInfra.redisUrl);
    b = new Redis(testInfra.redisUrl);
  });

  afterAll(async () => {
    const keys = await a.keys(`${prefix}:*`);
    if (keys.length > 0) await a.del(...keys);
    await a.quit();
    await b.quit();
  });

  describe('reserve', () => {
    it('grants exactly the quota to 2,000 concurrent calls from two replicas', async () => {
      // Two stores on two connections: what two decision-engine replicas do.
      const replicas = [new RoutingStateStore(a, prefix), new RoutingStateStore(b, prefix)];
      const results = await Promise.all(Array.from({ length: 2000 }, (_, i) => replicas[i % 2].reserve('gpt-4o', 100)));
      expect(results.filter((r) => r === 'granted')).toHaveLength(100);
      expect(results.filter((r) => r === 'exhausted')).toHaveLength(1900);
      expect(await replicas[0].used('gpt-4o')).toBe(100);
    });

    it('grants without counting when the model has no quota', async () => {
      const sut = new RoutingStateStore(a, prefix);
      expect(await sut.reserve('free-model', undefined)).toBe('granted');
      expect(await sut.used('free-model')).toBe(0);
    });

    it('refuses a model that is cooling down, and grants again once the cooldown ends', async () => {
      const sut = new RoutingStateStore(a, prefix);
      await sut.startCooldown('flaky', 150);
      expect(await sut.reserve('flaky', 10)).toBe('cooling');
      await new Promise((r) => setTimeout(r, 200));
      expect(await sut.reserve('flaky', 10)).toBe('granted');
    });

    it('with clearForMs, grants a model without a quota from memory until that time is over', async () => {
      let now = Date.parse('2026-12-02T10:00:00Z');
      const sut = new RoutingStateStore(a, prefix, () => new Date(now), 100);
      const other = new RoutingStateStore(b, prefix);
      expect(await sut.reserve('cached', undefined)).toBe('granted');
      // Another process starts a cooldown: this replica sees it only once its 100 ms are over.
      await other.startCooldown('cached', 60_000);
      now += 99;
      expect(await sut.reserve('cached', undefined)).toBe('granted');
      now += 2;
      expect(await sut.reserve('cached', undefined)).toBe('cooling');
      // Not cached while cooling: every call asks until it is clear again.
      expect(await sut.reserve('cached', undefined)).toBe('cooling');
      await a.del(sut.cooldownKey('cached'));
      expect(await sut.reserve('cached', undefined)).toBe('granted');
    });

    it('with clearForMs, sees its own cooldown at once and still counts every quota', async () => {
      const sut = new RoutingStateStore(a, prefix, undefined, 60_000);
      expect(await sut.reserve('own', undefined)).toBe('granted');
      await sut.startCooldown('own', 60_000);
      expect(await sut.reserve('own', undefined)).toBe('cooling');
      for (let i = 0; i < 3; i++) expect(await sut.reserve('counted', 2)).toBe(i < 2 ? 'granted' : 'exhausted');
      expect(await sut.used('counted')).toBe(2);
    });

    it('keeps each day in its own expiring, cluster-safe key', async () => {
      const sut = new RoutingStateStore(a, prefix, () => new Date('2026-11-23T23:59:00Z'));
      await sut.reserve('m1', 5);
      const key = sut.quotaKey('m1');
      expect(key).toBe(`${prefix}:quota:{m1}:20261123`);
      expect(await a.ttl(key)).toBeGreaterThan(24 * 3600);
    });

    it('gives a reservation back on release', async () => {
      const sut = new RoutingStateStore(a, prefix);
      await sut.reserve('m2', 1);
      expect(await sut.reserve('m2', 1)).toBe('exhausted');
      await sut.release('m2', 1);
      expect(await sut.reserve('m2', 1)).toBe('granted');
    });

    it('gives nothing back for a model without a quota, so a quota added later starts at zero', async () => {
      const sut = new RoutingStateStore(a, prefix);
      await sut.reserve('m3', undefined);
      await sut.release('m3', undefined);
      expect(await sut.used('m3')).toBe(0);
    });
  });
});

describe(secondsUntilUtcMidnight.name, () => {
  it('counts to the next UTC midnight', () => {
    expect(secondsUntilUtcMidnight(new Date('2026-11-23T23:59:30Z'))).toBe(30);
    expect(utcDay(new Date('2026-01-02T00:00:00Z'))).toBe('20260102');
  });
});
