import { join } from 'node:path';
import { type RequestAnalyzed, SUBJECTS } from '@switchyard/contracts';
import type { EventPublisher, OutgoingMeta } from '@switchyard/messaging';
import { type PolicyStore, readPolicyFile } from '@switchyard/policy-store';
import { type CompiledPolicy, extractFeatures, parsePolicy } from '@switchyard/routing';
import type { Reservation, RoutingStateStore } from '@switchyard/routing-state';
import { recorder, strictFake } from '@switchyard/testing';
import { MakeDecision } from './make-decision.usecase';

const defaultPolicy = readPolicyFile(join(__dirname, '../../../../policies/default.yaml'));

function analyzed(content: string, tenant = 'acme'): RequestAnalyzed {
  const messages = [{ role: 'user' as const, content }];
  return {
    requestId: 'r-1',
    tenant,
    receivedAt: 1,
    request: { messages },
    features: extractFeatures(messages),
    analyzedAt: 2,
  };
}

function setup(policy: CompiledPolicy, state: Partial<RoutingStateStore>, arm?: 'control' | 'candidate') {
  const publish = recorder((_subject: string, _payload: unknown, _meta?: OutgoingMeta) => undefined);
  const sut = new MakeDecision(
    strictFake<PolicyStore>('PolicyStore', { forRequest: () => (arm ? { policy, arm } : { policy }) }),
    strictFake<EventPublisher>('EventPublisher', { publish }),
    strictFake<RoutingStateStore>('RoutingStateStore', state),
  );
  return { sut, publish };
}

const reserveFrom = (answers: Record<string, Reservation>) =>
  recorder(async (model: string, _limit?: number) => answers[model] ?? 'granted');

describe(MakeDecision.name, () => {
  describe('execute', () => {
    it('routes with the policy and hands the plan to provider-adapters', async () => {
      const reserve = reserveFrom({});
      const { sut, publish } = setup(defaultPolicy, { reserve });
      const decided = await sut.execute({
        event: analyzed('Please implement a binary search function'),
        replyTo: '_INBOX.y',
      });
      expect(decided.decision).toMatchObject({
        method: 'rule',
        rule: 'code_generation',
        plan: { kind: 'single', model: 'claude-3-sonnet' },
        policyVersion: 'default@1',
      });
      expect(publish.calls).toEqual([
        [SUBJECTS.routeDecided, decided, { replyTo: '_INBOX.y', deadline: undefined, messageId: 'acme:r-1' }],
      ]);
      expect(reserve.calls).toEqual([['claude-3-sonnet', undefined]]);
    });

    it('falls back in order, cheapest first, past models out of quota or cooling down', async () => {
      const { sut } = setup(defaultPolicy, {
        reserve: reserveFrom({ 'claude-3-sonnet': 'exhausted', 'gpt-4o-mini': 'cooling' }),
      });
      const { decision } = await sut.execute({
        event: analyzed('Please implement a binary search function'),
        replyTo: 'x',
      });
      expect(decision).toMatchObject({
        method: 'fallback',
        plan: { model: 'claude-3-haiku' },
        skipped: [
          { model: 'claude-3-sonnet', why: 'out of quota' },
          { model: 'gpt-4o-mini', why: 'cooling down' },
        ],
      });
    });

    it('answers all_quotas_exhausted with a retry-after, never a silent premium call', async () => {
      const { sut, publish } = setup(defaultPolicy, { reserve: async () => 'exhausted' });
      await expect(sut.execute({ event: analyzed('hello'), replyTo: 'x' })).rejects.toMatchObject({
        code: 'all_quotas_exhausted',
        retryAfterSeconds: expect.any(Number),
      });
      expect(publish.calls).toHaveLength(0);
    });

    it('refuses a tenant over its daily budget', async () => {
      const policy = parsePolicy(
        `version: b@1\nquotas: { tenants: { acme: 1, '*': 100 } }\nmodels:\n  - { id: m, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }\ndefault: { route: { model: m } }\n`,
      );
      const { sut } = setup(policy, {
        spentToday: async (tenant: string) => (tenant === 'acme' ? 1.5 : 0),
        reserve: async () => 'granted',
      });
      await expect(sut.execute({ event: analyzed('hi', 'acme'), replyTo: 'x' })).rejects.toMatchObject({
        code: 'all_quotas_exhausted',
        message: expect.stringContaining('daily budget'),
      });
      await expect(sut.execute({ event: analyzed('hi', 'other'), replyTo: 'x' })).resolves.toMatchObject({
        decision: { plan: { model: 'm' } },
      });
    });

    it('routes without quotas when the store is down and the policy fails open', async () => {
      const { sut } = setup(defaultPolicy, { reserve: async () => Promise.reject(new Error('Connection is closed.')) });
      const { decision } = await sut.execute({ event: analyzed('hello'), replyTo: 'x' });
      expect(decision).toMatchObject({
        plan: { model: 'gpt-4o-mini' },
        reason: expect.stringContaining('quotas not checked'),
      });
    });

    it('records the canary arm the request was routed by', async () => {
      const { sut } = setup(defaultPolicy, { reserve: reserveFrom({}) }, 'candidate');
      const { decision } = await sut.execute({ event: analyzed('hello'), replyTo: 'x' });
      expect(decision).toMatchObject({ canaryArm: 'candidate', policyVersion: 'default@1' });
    });

    it('refuses when the store is down and the policy fails closed', async () => {
      const closed = parsePolicy(
        `version: c@1\nquotas: { onStoreDown: closed }\nmodels:\n  - { id: m, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }\ndefault: { route: { model: m } }\n`,
      );
      const { sut } = setup(closed, { reserve: async () => Promise.reject(new Error('Connection is closed.')) });
      await expect(sut.execute({ event: analyzed('hello'), replyTo: 'x' })).rejects.toMatchObject({
        code: 'unavailable',
        retryAfterSeconds: 5,
      });
    });
  });
});

describe(`${MakeDecision.name} with multi-model plans`, () => {
  const plans = parsePolicy(`
version: plans@1
models:
  - { id: a, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.1 } }
  - { id: b, provider: simulated, tier: mid, priceUsdPerMTok: { input: 1, output: 1 } }
  - { id: c, provider: simulated, tier: top, priceUsdPerMTok: { input: 5, output: 5 } }
rules:
  - { name: careful, when: { keywordsAny: [careful] }, plan: { kind: cascade, models: [a, b, c], acceptance: [non-empty, not-refusal] } }
  - { name: vote, when: { keywordsAny: [vote] }, plan: { kind: consensus, models: [a, b, c], quorum: 2 } }
default: { route: { model: a } }
`);

  it('emits a cascade from the first tier with quota', async () => {
    const { sut } = setup(plans, { reserve: reserveFrom({ a: 'exhausted' }) });
    const { decision } = await sut.execute({ event: analyzed('be careful'), replyTo: 'x' });
    expect(decision.plan).toEqual({
      kind: 'cascade',
      model: 'b',
      models: ['b', 'c'],
      acceptance: ['non-empty', 'not-refusal'],
    });
  });

  it('emits a consensus of the available voters, led by the priciest', async () => {
    const { sut } = setup(plans, { reserve: reserveFrom({ b: 'cooling' }) });
    const { decision } = await sut.execute({ event: analyzed('please vote'), replyTo: 'x' });
    expect(decision.plan).toEqual({
      kind: 'consensus',
      model: 'c',
      models: ['a', 'c'],
      quorum: 2,
      onDisagreement: 'escalate',
    });
  });

  it('gives back the voters and falls back when fewer than the quorum are available', async () => {
    const release = recorder(async (_model: string) => undefined);
    const { sut } = setup(plans, { reserve: reserveFrom({ b: 'exhausted', c: 'exhausted' }), release });
    const { decision } = await sut.execute({ event: analyzed('please vote'), replyTo: 'x' });
    expect(release.calls).toEqual([['a']]);
    expect(decision).toMatchObject({ method: 'fallback', plan: { kind: 'single', model: 'a' } });
  });
});
