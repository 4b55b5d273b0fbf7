import { type RoutePlan, routeDecidedV2Schema } from '@switchyard/contracts';
import { parsePolicy } from '../policy/compile-policy';
import { executionOf, planModels } from './execution';

const policy = parsePolicy(`
version: t@1
models:
  - { id: a, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }
  - { id: b, provider: openai, apiKeyEnv: SWITCHYARD_KEY_B, tier: t, priceUsdPerMTok: { input: 2, output: 2 } }
  - { id: c, provider: simulated, tier: t, priceUsdPerMTok: { input: 3, output: 3 } }
  - { id: z, provider: simulated, tier: t, priceUsdPerMTok: { input: 9, output: 9 } }
default: { route: { model: a } }
quotas: { models: { b: 10 }, onStoreDown: closed }
fallbackOrder: [c, a, b]
`);

describe(executionOf.name, () => {
  it('carries a single model with the fallback order after it, wrapping round, quotas and onStoreDown', () => {
    const execution = executionOf(policy, { kind: 'single', model: 'a' });
    expect(execution.fallbacks).toEqual(['b', 'c']);
    expect(execution.models.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(execution.models[1]).toMatchObject({ provider: 'openai', apiKeyEnv: 'SWITCHYARD_KEY_B', dailyQuota: 10 });
    expect(execution.models[0].dailyQuota).toBeUndefined();
    expect(execution.onStoreDown).toBe('closed');
  });

  it("carries a consensus's voters and its tie-breaker, without fallbacks", () => {
    const plan: RoutePlan = {
      kind: 'consensus',
      model: 'z',
      models: ['a', 'b', 'c'],
      quorum: 2,
      onDisagreement: 'escalate',
    };
    expect(planModels(plan)).toEqual(['a', 'b', 'c', 'z']);
    expect(executionOf(policy, plan)).toMatchObject({
      fallbacks: [],
      models: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'z' }],
    });
  });

  it("carries the policy's judge with its spec and quota, and nothing of a judge when there is none", () => {
    const judged = parsePolicy(`
version: j@1
models:
  - { id: a, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }
  - { id: grader, provider: openai, apiKeyEnv: SWITCHYARD_KEY_G, tier: t, priceUsdPerMTok: { input: 5, output: 5 } }
default: { route: { model: a } }
quotas: { models: { grader: 100 } }
fallbackOrder: [a]
judge: { model: grader, sampleRate: 0.1 }
`);
    const execution = executionOf(judged, { kind: 'single', model: 'a' });
    expect(execution.judge).toEqual({ model: 'grader', sampleRate: 0.1, maxPromptChars: 4000, maxAnswerChars: 4000 });
    expect(execution.models.map((m) => m.id)).toEqual(['a', 'grader']);
    expect(execution.models[1]).toMatchObject({ apiKeyEnv: 'SWITCHYARD_KEY_G', dailyQuota: 100 });
    expect(execution.fallbacks).toEqual([]);
    expect(executionOf(policy, { kind: 'single', model: 'a' }).judge).toBeUndefined();
  });

  it('makes an event the v2 schema accepts', () => {
    const plan: RoutePlan = { kind: 'cascade', model: 'a', models: ['a', 'c'], acceptance: ['non-empty'] };
    const event = {
      requestId: 'r',
      tenant: 't',
      receivedAt: 1,
      request: { messages: [{ role: 'user', content: 'hi' }] },
      features: {
        chars: 2,
        tokenEstimate: 1,
        language: 'en',
        turns: 1,
        questionCount: 0,
        codeBlocks: 0,
        signals: {},
        difficulty: 0,
      },
      analyzedAt: 2,
      decision: { plan, method: 'rule', reason: 'x', params: {}, policyVersion: 't@1', alternatives: ['a'] },
      decidedAt: 3,
      execution: executionOf(policy, plan),
    };
    expect(routeDecidedV2Schema.safeParse(event).error?.issues ?? []).toEqual([]);
  });
});
