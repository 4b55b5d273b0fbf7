import { type RequestAnalyzed } from '@switchyard/contracts';
import type { EventPublisher } from '@switchyard/messaging';
import type { PolicyStore } from '@switchyard/policy-store';
import { extractFeatures, parsePolicy } from '@switchyard/routing';
import { RoutingStateStore, TenantLimitsStore } from '@switchyard/routing-state';
import { createFailFastRedis } from '@switchyard/runtime';
import { TemporaryRedis, strictFake, waitFor } from '@switchyard/testing';
import type { Redis } from 'ioredis';
import { MakeDecision } from './make-decision.usecase';
import { TenantAllowance } from './tenant-allowance';

// A real redis-server of this test's own, stopped and started again under the engine.
const policyText = (onStoreDown: string) => `
version: q@1
quotas: { models: { big: 3 }, onStoreDown: ${onStoreDown} }
models:
  - { id: small, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.2 } }
  - { id: big, provider: simulated, tier: premium, priceUsdPerMTok: { input: 5, output: 15 } }
default: { route: { model: big } }
`;

function analyzed(): RequestAnalyzed {
  const messages = [{ role: 'user' as const, content: 'hi' }];
  return {
    requestId: 'r',
    tenant: 't',
    receivedAt: 1,
    request: { messages },
    features: extractFeatures(messages),
    analyzedAt: 2,
  };
}

describe(`${MakeDecision.name} with a real Redis`, () => {
  const redisServer = new TemporaryRedis();
  let redis: Redis;

  beforeAll(async () => {
    await redisServer.start();
    redis = createFailFastRedis(redisServer.url, { retryStrategy: () => 50 });
    await waitFor('redis ready', () => (redis.status === 'ready' ? true : undefined), 5000);
  });

  afterAll(async () => {
    redis.disconnect();
    await redisServer.stop();
  });

  function engine(onStoreDown: 'open' | 'closed') {
    const policy = parsePolicy(policyText(onStoreDown));
    return new MakeDecision(
      strictFake<PolicyStore>('PolicyStore', { forRequest: () => ({ policy }) }),
      strictFake<EventPublisher>('EventPublisher', { publish: () => undefined }),
      new RoutingStateStore(redis, 'it'),
      new TenantAllowance(new TenantLimitsStore(redis, 'it'), { BUDGET_HOLD_SECONDS: 300 }),
    );
  }

  it('spends the quota, falls back, fails open or closed while Redis is down, and recovers when it returns', async () => {
    const open = engine('open');
    const models = [];
    for (let i = 0; i < 5; i++)
      models.push((await open.execute({ event: analyzed(), replyTo: 'x' })).decision.plan.model);
    expect(models).toEqual(['big', 'big', 'big', 'small', 'small']);

    await redisServer.stop();
    await waitFor('client to notice', () => (redis.status !== 'ready' ? true : undefined), 5000);
    const down = await open.execute({ event: analyzed(), replyTo: 'x' });
    expect(down.decision).toMatchObject({
      plan: { model: 'big' },
      reason: expect.stringContaining('quotas not checked'),
    });
    await expect(engine('closed').execute({ event: analyzed(), replyTo: 'x' })).rejects.toMatchObject({
      code: 'unavailable',
    });

    await redisServer.start(); // a fresh, empty Redis on the same port: counters start again
    await waitFor('client to reconnect', () => (redis.status === 'ready' ? true : undefined), 10_000);
    const back = await engine('closed').execute({ event: analyzed(), replyTo: 'x' });
    expect(back.decision).toMatchObject({ plan: { model: 'big' }, method: 'rule' });
    expect(back.decision.reason).not.toContain('quotas not checked');
  });
});
