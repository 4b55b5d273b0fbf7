import { testInfra, uniqueName } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { TenantLimitsStore } from './tenant-limits.store';

// Runs against the real local Redis, under a key prefix of its own.
describe(TenantLimitsStore.name, () => {
  const prefix = uniqueName('sylim');
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

  describe('takeRate', () => {
    // A clock 30 s into a minute, fixed: what the test counts does not depend on when it runs.
    const at = (ms: number) => () => new Date(Date.UTC(2026, 10, 30, 12, 0, 0) + ms);

    it('lets exactly the limit through from 2,000 concurrent calls on two replicas', async () => {
      const replicas = [new TenantLimitsStore(a, prefix, at(30_000)), new TenantLimitsStore(b, prefix, at(30_000))];
      const verdicts = await Promise.all(
        Array.from({ length: 2000 }, (_, i) => replicas[i % 2].takeRate('acme', { requestsPerMinute: 100 }, 10)),
      );
      expect(verdicts.filter((v) => v.ok)).toHaveLength(100);
      expect(verdicts.find((v) => !v.ok)).toEqual({ ok: false, limit: 'requests', retryAfterSeconds: 30 });
    });

    it('counts tokens, and a tenant of its own has its own window', async () => {
      const sut = new TenantLimitsStore(a, prefix, at(1_000));
      expect(await sut.takeRate('beta', { tokensPerMinute: 1000 }, 600)).toEqual({ ok: true });
      expect(await sut.takeRate('beta', { tokensPerMinute: 1000 }, 600)).toMatchObject({ ok: false, limit: 'tokens' });
      expect(await sut.takeRate('gamma', { tokensPerMinute: 1000 }, 600)).toEqual({ ok: true });
    });

    it('weighs the last minute by how much of it is still within 60 s', async () => {
      const early = new TenantLimitsStore(a, prefix, at(120_000 + 6_000)); // minute 2, 10% in
      const late = new TenantLimitsStore(a, prefix, at(180_000 + 54_000)); // minute 3, 90% in
      for (let i = 0; i < 10; i++) expect((await early.takeRate('delta', { requestsPerMinute: 10 }, 0)).ok).toBe(true);
      // 10 last minute x 10% still in the window = 1: nine more fit, not ten.
      const next = await Promise.all(
        Array.from({ length: 10 }, () => late.takeRate('delta', { requestsPerMinute: 10 }, 0)),
      );
      expect(next.filter((v) => v.ok)).toHaveLength(9);
    });
  });

  describe('hold and settle', () => {
    it('never lets concurrent requests hold more than the budget between them', async () => {
      const replicas = [new TenantLimitsStore(a, prefix), new TenantLimitsStore(b, prefix)];
      const verdicts = await Promise.all(
        Array.from({ length: 500 }, (_, i) => replicas[i % 2].hold('acme', `h-${i}`, 0.01, 1, 60_000)),
      );
      expect(verdicts.filter((v) => v.ok)).toHaveLength(100);
      expect((await replicas[0].budgetToday('acme')).heldUsd).toBeCloseTo(1, 9);
    });

    it('charges the real cost and gives the hold back once, however often it is settled', async () => {
      const sut = new TenantLimitsStore(a, prefix);
      expect(await sut.hold('beta', 'r-1', 0.5, 1, 60_000)).toEqual({ ok: true });
      expect(await sut.hold('beta', 'r-2', 0.6, 1, 60_000)).toEqual({ ok: false, spentUsd: 0, heldUsd: 0.5 });
      await sut.settle('beta', 'r-1', 0.02);
      await sut.settle('beta', 'r-1', 0);
      expect(await sut.budgetToday('beta')).toEqual({ spentUsd: 0.02, heldUsd: 0 });
      expect(await sut.hold('beta', 'r-2', 0.6, 1, 60_000)).toEqual({ ok: true });
    });

    it('gives back a hold whose request never settled once it expires', async () => {
      let now = Date.UTC(2026, 10, 30, 10, 0, 0);
      const sut = new TenantLimitsStore(a, prefix, () => new Date(now));
      expect(await sut.hold('gamma', 'lost', 0.9, 1, 5_000)).toEqual({ ok: true });
      expect((await sut.hold('gamma', 'next', 0.2, 1, 5_000)).ok).toBe(false);
      now += 6_000;
      expect(await sut.hold('gamma', 'next', 0.2, 1, 5_000)).toEqual({ ok: true });
      expect((await sut.budgetToday('gamma')).heldUsd).toBeCloseTo(0.2, 9);
    });
  });
});
