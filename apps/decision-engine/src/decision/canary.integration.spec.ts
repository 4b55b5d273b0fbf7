import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestAnalyzed } from '@switchyard/contracts';
import type { EventPublisher } from '@switchyard/messaging';
import { PolicyStore } from '@switchyard/policy-store';
import { extractFeatures } from '@switchyard/routing';
import { RoutingStateStore, TenantLimitsStore } from '@switchyard/routing-state';
import { strictFake, testInfra, uniqueName } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { MakeDecision } from './make-decision.usecase';
import { TenantAllowance } from './tenant-allowance';

// Two engines (two replicas) over the real Redis, with a 20% canary sticky by tenant.
const dir = mkdtempSync(join(tmpdir(), 'canary-it-'));
const model = (id: string) =>
  `  - { id: ${id}, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }`;
writeFileSync(
  join(dir, 'candidate.yaml'),
  `version: candidate@2\nmodels:\n${model('new-model')}\ndefault: { route: { model: new-model } }\n`,
);
writeFileSync(
  join(dir, 'control.yaml'),
  `version: control@1\ncanary: { percent: 20, policy: candidate.yaml }\nmodels:\n${model('old-model')}\ndefault: { route: { model: old-model } }\n`,
);

function analyzed(tenant: string): RequestAnalyzed {
  const messages = [{ role: 'user' as const, content: 'hello' }];
  return {
    requestId: `r-${tenant}`,
    tenant,
    receivedAt: 1,
    request: { messages },
    features: extractFeatures(messages),
    analyzedAt: 2,
  };
}

describe('canary across replicas', () => {
  const prefix = uniqueName('canary');
  const redis = [new Redis(testInfra.redisUrl), new Redis(testInfra.redisUrl)];
  const engines = redis.map(
    (r) =>
      new MakeDecision(
        new PolicyStore({ file: join(dir, 'control.yaml') }),
        strictFake<EventPublisher>('EventPublisher', { publish: () => undefined }),
        new RoutingStateStore(r, prefix),
        new TenantAllowance(new TenantLimitsStore(r, prefix), { BUDGET_HOLD_SECONDS: 300 }),
      ),
  );

  afterAll(async () => {
    await Promise.all(redis.map((r) => r.quit()));
  });

  it('routes each tenant by the same arm on every replica and every request, about 20% to the candidate', async () => {
    const tenants = Array.from({ length: 300 }, (_, i) => `tenant-${i}`);
    const arms = new Map<string, string>();
    for (let round = 0; round < 2; round++) {
      for (const [i, tenant] of tenants.entries()) {
        const { decision } = await engines[(i + round) % 2].execute({ event: analyzed(tenant), replyTo: 'x' });
        const expectedModel = decision.canaryArm === 'candidate' ? 'new-model' : 'old-model';
        expect(decision.plan).toEqual({ kind: 'single', model: expectedModel });
        expect(decision.policyVersion).toBe(decision.canaryArm === 'candidate' ? 'candidate@2' : 'control@1');
        const seen = arms.get(tenant);
        if (seen) expect(decision.canaryArm).toBe(seen);
        arms.set(tenant, decision.canaryArm ?? 'none');
      }
    }
    const share = [...arms.values()].filter((a) => a === 'candidate').length / tenants.length;
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.28);
  });
});
