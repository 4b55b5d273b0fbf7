import { join } from 'node:path';
import { type RequestAnalyzed, SUBJECTS } from '@switchyard/contracts';
import type { EventPublisher, OutgoingMeta } from '@switchyard/messaging';
import { type PolicyStore, readPolicyFile } from '@switchyard/policy-store';
import { type CompiledPolicy, extractFeatures, parsePolicy } from '@switchyard/routing';
import type { Reservation, RoutingStateStore, TenantLimitsStore } from '@switchyard/routing-state';
import { recorder, strictFake } from '@switchyard/testing';
import { MakeDecision } from './make-decision.usecase';
import { TenantAllowance } from './tenant-allowance';

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

function setup(
  policy: CompiledPolicy,
  state: Partial<RoutingStateStore>,
  arm?: 'control' | 'candidate',
  limits: Partial<TenantLimitsStore> = {},
) {
  const publish = recorder((_subject: string, _payload: unknown, _meta?: OutgoingMeta) => undefined);
  const sut = new MakeDecision(
    strictFake<PolicyStore>('PolicyStore', { forRequest: () => (arm ? { policy, arm } : { policy }) }),
    strictFake<EventPublisher>('EventPublisher', { publish }),
    strictFake<RoutingStateStore>('RoutingStateStore', state),
    new TenantAllowance(strictFake<TenantLimitsStore>('TenantLimitsStore', limits), { BUDGET_HOLD_SECONDS: 300 }),
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
        [SUBJECTS.routeDecidedV2, decided, { replyTo: '_INBOX.y', deadline: undefined, messageId: 'acme:r-1' }],
      ]);
      expect(reserve.calls).toEqual([['claude-3-sonnet', undefined]]);
      // Self-contained: the chosen model's spec and its fallbacks' (cheapest first, wrapping round after it) travel with the plan.
      expect(decided.execution.models.map((m) => [m.id, m.provider, m.priceUsdPerMTok.input])).toEqual([
        ['claude-3-sonnet', 'simulated', 3],
        ['gpt-4o-mini', 'simulated', 0.15],
        ['claude-3-haiku', 'simulated', 0.25],
        ['gpt-4o', 'simulated', 2.5],
      ]);
      expect(decided.execution).toMatchObject({
        fallbacks: ['gpt-4o-mini', 'claude-3-haiku', 'gpt-4o'],
        onStoreDown: 'open',
      });
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

    describe('tenant budgets', () => {
      const policy = parsePolicy(`version: b@1
quotas: { tenants: { acme: 1, '*': 100 }, models: { big: 1000 }, expectedOutputTokens: 500 }
models:
  - { id: small, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 1, output: 1 } }
  - { id: big, provider: simulated, tier: premium, priceUsdPerMTok: { input: 100, output: 100 } }
rules:
  - { name: hard, when: { keywordsAny: [prove] }, route: { model: big }, params: { maxTokens: 2000 } }
default: { route: { model: small } }
`);
      // Imitates TenantLimitsStore.hold: acme has $0.01 left today, everyone else plenty.
      const hold = recorder(
        async (tenant: string, _id: string, amount: number, _budget: number, _ttl: number, _at?: Date) =>
          tenant === 'acme' && amount > 0.01
            ? { ok: false as const, spentUsd: 0.99, heldUsd: 0 }
            : { ok: true as const },
      );

      it("holds the plan's most expensive outcome under an id of this attempt, on the day it was received", async () => {
        const { sut } = setup(policy, { reserve: async () => 'granted' }, undefined, { hold });
        hold.calls.length = 0;
        await sut.execute({ event: analyzed('hi', 'other'), replyTo: 'x' });
        const [tenant, id, amount, budget, ttlMs, at] = hold.calls[0];
        expect([tenant, id, budget, ttlMs, at]).toEqual(['other', 'other:r-1@1', 100, 300_000, new Date(1)]);
        const tokens = extractFeatures([{ role: 'user', content: 'hi' }]).tokenEstimate;
        expect(amount).toBeCloseTo((tokens + 500) / 1e6, 12);
      });

      it('downgrades to a model that fits what is left, giving the first one back, and says why', async () => {
        const release = recorder(async (_model: string, _limit?: number) => undefined);
        const { sut } = setup(policy, { reserve: async () => 'granted', release }, undefined, { hold });
        const { decision } = await sut.execute({ event: analyzed('prove it', 'acme'), replyTo: 'x' });
        expect(decision).toMatchObject({ method: 'fallback', plan: { model: 'small' } });
        expect(decision.skipped?.[0]).toMatchObject({
          model: 'big',
          why: expect.stringMatching(/over the tenant budget/),
        });
        expect(release.calls).toEqual([['big', 1000]]);
      });

      it('refuses with a retry-after when no model fits, never a silent call', async () => {
        const broke = recorder(async () => ({ ok: false as const, spentUsd: 1, heldUsd: 0 }));
        const { sut, publish } = setup(
          policy,
          { reserve: async () => 'granted', release: async () => undefined },
          undefined,
          {
            hold: broke,
          },
        );
        await expect(sut.execute({ event: analyzed('hi', 'acme'), replyTo: 'x' })).rejects.toMatchObject({
          code: 'all_quotas_exhausted',
          message: expect.stringMatching(/over the tenant budget.*\$1\.0000 spent/),
          retryAfterSeconds: expect.any(Number),
        });
        expect(publish.calls).toHaveLength(0);
      });
    });

    describe('tenant rates', () => {
      const policy = parsePolicy(`version: r@1
quotas: { rates: { '*': { requestsPerMinute: 60, tokensPerMinute: 5000 } }, expectedOutputTokens: 1000 }
models:
  - { id: m, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }
default: { route: { model: m } }
`);

      it('counts the prompt and the expected output, and refuses over the limit with a retry-after', async () => {
        const takeRate = recorder(async () => ({
          ok: false as const,
          limit: 'requests' as const,
          retryAfterSeconds: 12,
        }));
        const { sut } = setup(policy, { reserve: async () => 'granted' }, undefined, { takeRate });
        await expect(sut.execute({ event: analyzed('hello', 'acme'), replyTo: 'x' })).rejects.toMatchObject({
          code: 'rate_limited',
          message: 'tenant "acme" is over its 60 requests per minute',
          retryAfterSeconds: 12,
        });
        const tokens = extractFeatures([{ role: 'user', content: 'hello' }]).tokenEstimate;
        expect(takeRate.calls[0]).toEqual(['acme', { requestsPerMinute: 60, tokensPerMinute: 5000 }, tokens + 1000]);
      });

      it('refuses at once a request that could never fit the token limit, naming max tokens', async () => {
        const { sut } = setup(policy, {}, undefined, {});
        const event = analyzed('hello', 'acme');
        event.request.params = { maxTokens: 6000 };
        await expect(sut.execute({ event, replyTo: 'x' })).rejects.toMatchObject({
          code: 'rate_limited',
          field: 'params.maxTokens',
        });
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

describe(`${MakeDecision.name} with what the caller asked for`, () => {
  const withRequest = (request: Partial<RequestAnalyzed['request']>, content = 'hello'): RequestAnalyzed => {
    const event = analyzed(content);
    event.request = { ...event.request, ...request };
    event.features = extractFeatures(event.request.messages);
    return event;
  };
  // small reads text only; seer sees images; a candidate arm where only big does.
  const models = (seer: string) => `
models:
  - { id: small, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.1 } }
  - { id: seer, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.5, output: 0.5 }, capabilities: [${seer}] }
  - { id: big, provider: simulated, tier: premium, priceUsdPerMTok: { input: 5, output: 5 }, capabilities: [vision] }
default: { route: { model: small } }
`;
  const control = parsePolicy(`version: caps@1\n${models('vision')}`);
  const candidate = parsePolicy(`version: caps@2\n${models('')}`);
  const image = {
    messages: [{ role: 'user' as const, content: [{ type: 'image' as const, url: 'https://x.test/a.png' }] }],
  };

  it('serves a pinned model through the same reservation, and falls back naming it when out of quota', async () => {
    const reserve = reserveFrom({ 'claude-3-haiku': 'exhausted' });
    const { sut } = setup(defaultPolicy, { reserve });
    const { decision } = await sut.execute({ event: withRequest({ model: 'claude-3-haiku' }), replyTo: 'x' });
    expect(decision).toMatchObject({
      method: 'fallback',
      reason: 'fallback order after pinned model claude-3-haiku',
      plan: { model: 'gpt-4o-mini' },
      skipped: [{ model: 'claude-3-haiku', why: 'out of quota' }],
    });
    expect(reserve.calls.map(([model]) => model)).toEqual(['claude-3-haiku', 'gpt-4o-mini']);
    const pinned = await setup(defaultPolicy, { reserve: reserveFrom({}) }).sut.execute({
      event: withRequest({ model: 'gpt-4o' }),
      replyTo: 'x',
    });
    expect(pinned.decision).toMatchObject({ method: 'pinned', plan: { model: 'gpt-4o' } });
  });

  it('refuses an unknown model before reserving anything', async () => {
    const { sut, publish } = setup(defaultPolicy, {});
    await expect(sut.execute({ event: withRequest({ model: 'gpt-5' }), replyTo: 'x' })).rejects.toMatchObject({
      code: 'invalid_request',
      field: 'model',
    });
    expect(publish.calls).toHaveLength(0);
  });

  it('routes with a profile and records it', async () => {
    const reserve = reserveFrom({});
    const { sut } = setup(defaultPolicy, { reserve });
    const { decision } = await sut.execute({ event: withRequest({ model: 'auto:quality' }), replyTo: 'x' });
    expect(decision).toMatchObject({ profile: 'quality', plan: { model: 'gpt-4o' } });
    expect(reserve.calls).toEqual([['gpt-4o', undefined]]);
  });

  it('reserves only models able to honour the request, and says which were taken out', async () => {
    const reserve = reserveFrom({});
    const { sut } = setup(control, { reserve });
    const { decision } = await sut.execute({ event: withRequest(image), replyTo: 'x' });
    expect(decision).toMatchObject({
      method: 'fallback',
      reason: "fallback order: no level's model can honour the request",
      plan: { model: 'seer' },
      filtered: [{ model: 'small', why: 'lacks vision (messages.0.content.0 is an image)' }],
    });
    expect(reserve.calls.map(([model]) => model)).toEqual(['seer']);
  });

  it("filters by the canary arm's own policy", async () => {
    const { sut } = setup(candidate, { reserve: reserveFrom({}) }, 'candidate');
    const { decision } = await sut.execute({ event: withRequest(image), replyTo: 'x' });
    expect(decision).toMatchObject({ canaryArm: 'candidate', policyVersion: 'caps@2', plan: { model: 'big' } });
    expect(decision.filtered?.map((f) => f.model)).toEqual(['small', 'seer']);
  });

  it('refuses a request no model can honour with invalid_request naming the field, reserving nothing', async () => {
    const { sut, publish } = setup(control, {});
    const tools = { tools: [{ name: 'lookup' }] };
    await expect(sut.execute({ event: withRequest(tools), replyTo: 'x' })).rejects.toMatchObject({
      code: 'invalid_request',
      field: 'tools',
      message: expect.stringMatching(/^no model of policy caps@1 can honour tools \(needs capability "tools"\)/),
    });
    expect(publish.calls).toHaveLength(0);
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
    const release = recorder(async (_model: string, _limit?: number) => undefined);
    const { sut } = setup(plans, { reserve: reserveFrom({ b: 'exhausted', c: 'exhausted' }), release });
    const { decision } = await sut.execute({ event: analyzed('please vote'), replyTo: 'x' });
    expect(release.calls).toEqual([['a', undefined]]);
    expect(decision).toMatchObject({ method: 'fallback', plan: { kind: 'single', model: 'a' } });
  });
});
