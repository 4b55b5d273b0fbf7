import type { ChatRequest } from '@switchyard/contracts';
import { extractFeatures } from '../features/extract-features';
import { LearnedRouter, trainLearnedRouter } from '../learned/learned-router';
import { parsePolicy } from '../policy/compile-policy';
import { PolicyError } from '../policy/policy-error';
import { learnedSettingsSchema } from '../policy/policy.schema';
import { type LearnedContext, decideRoute, learnedContext, planRoute } from './decide-route';

const models = `
models:
  - { id: small, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.2 } }
  - { id: mid, provider: simulated, tier: balanced, priceUsdPerMTok: { input: 1, output: 2 } }
  - { id: big, provider: simulated, tier: premium, priceUsdPerMTok: { input: 5, output: 15 } }
default: { route: { model: mid } }`;

const input = (content: string, extra: Partial<ChatRequest> = {}) => {
  const request: ChatRequest = { messages: [{ role: 'user', content }], ...extra };
  return { request, tenant: 't', features: extractFeatures(request.messages) };
};

// The small model answers arithmetic, only the big one proofs.
const router = new LearnedRouter(
  trainLearnedRouter(
    Array.from({ length: 200 }, (_, i) => ({
      text: i % 2 ? `prove theorem ${i % 5} by induction` : `what is ${i % 9} plus ${i % 4}`,
      outcomes: {
        small: { score: i % 2 ? 0 : 1, outputTokens: 20, costUsd: 0.001 },
        mid: { score: i % 2 ? 0 : 1, outputTokens: 20, costUsd: 0.002 },
        big: { score: 1, outputTokens: 20, costUsd: 0.01 },
      },
    })),
    { version: 'toy@1', dims: 1 << 12, epochs: 4, learningRate: 0.1 },
  ),
);
const learned = (settings: object): LearnedContext => ({
  router,
  settings: learnedSettingsSchema.parse({ artifact: 'x.json', ...settings }),
});

describe(planRoute.name, () => {
  it('lists the rule model first, then the fallback order cheapest first, each model once', () => {
    const policy = parsePolicy(
      `version: p@1\nrules:\n  - { name: hi, when: { keywordsAny: [hello] }, route: { model: mid } }\n${models}`,
    );
    const options = planRoute(policy, input('hello'));
    expect(options.map((o) => [o.model, o.method])).toEqual([
      ['mid', 'rule'],
      ['small', 'fallback'],
      ['big', 'fallback'],
    ]);
  });

  it('skips the rules left once the rule budget is spent, and says so on the decision', () => {
    const policy = parsePolicy(
      `version: p@1\nrules:\n  - { name: slow, when: { regex: "zzz" }, route: { model: big } }\n` +
        `  - { name: never-reached, when: { keywordsAny: [hello] }, route: { model: small } }\n${models}`,
    );
    // A clock that moves 30 ms whenever it is read: the first rule "takes" longer than the 25 ms budget.
    let t = 0;
    const options = planRoute(policy, input('hello'), undefined, { now: () => (t += 30) });
    expect(options[0]).toMatchObject({ model: 'mid', method: 'rule', rule: 'default' });
    expect(options[0].reason).toMatch(/rules after "slow" skipped: over the 25 ms rule budget/);
    // With time to spare the second rule decides.
    expect(planRoute(policy, input('hello'), undefined, { now: () => 0 })[0]).toMatchObject({ rule: 'never-reached' });
  });

  it('follows the policy fallbackOrder when it has one', () => {
    const policy = parsePolicy(`version: p@1\nfallbackOrder: [big, small]\n${models}`);
    expect(planRoute(policy, input('x')).map((o) => o.model)).toEqual(['mid', 'big', 'small']);
  });

  it('asks the learned router when no rule matched and difficulty is off (cost-aware)', () => {
    const policy = parsePolicy(`version: p@1\n${models}`);
    const ctx = learned({ mode: 'cost-aware', tolerance: 0.1 });
    expect(planRoute(policy, input('what is 3 plus 1'), ctx)[0]).toMatchObject({ model: 'small', method: 'learned' });
    expect(planRoute(policy, input('prove theorem 2 by induction'), ctx)[0]).toMatchObject({
      model: 'big',
      method: 'learned',
    });
    expect(decideRoute(policy, input('what is 3 plus 1'), ctx).learnedModelVersion).toBe('toy@1');
  });

  it('prices the whole conversation, not only the routed message, at each model input price', () => {
    // small is cheap to answer with and dear to read; big the other way round; mid dearest at both.
    const policy = parsePolicy(
      `version: p@1\nmodels:\n` +
        `  - { id: small, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 2, output: 0.2 } }\n` +
        `  - { id: mid, provider: simulated, tier: balanced, priceUsdPerMTok: { input: 10, output: 30 } }\n` +
        `  - { id: big, provider: simulated, tier: premium, priceUsdPerMTok: { input: 1, output: 15 } }\n` +
        `default: { route: { model: mid } }`,
    );
    const ctx = learned({ mode: 'cost-aware', costWeight: 0.5 });
    // Arithmetic, which every model answers: the cheaper call wins.
    expect(planRoute(policy, input('what is 3 plus 1'), ctx)[0]).toMatchObject({ model: 'small' });
    // After a long document (about 10,000 tokens of input), reading is what costs: big is now the cheaper call.
    const messages: ChatRequest['messages'] = [
      { role: 'system', content: 'Answer briefly. '.repeat(2500) },
      { role: 'user', content: 'what is 3 plus 1' },
    ];
    const long = { request: { messages }, tenant: 't', features: extractFeatures(messages) };
    expect(long.features.tokenEstimate).toBeGreaterThan(8000);
    expect(planRoute(policy, long, ctx)[0]).toMatchObject({ model: 'big', method: 'learned' });
  });

  it('routes a follow-up with the conversation before it, for a router that weighs context', () => {
    const policy = parsePolicy(`version: p@1\n${models}`);
    const followUp = (before: string): ReturnType<typeof input> => {
      const request: ChatRequest = {
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: before },
          { role: 'assistant', content: 'Here it is.' },
          { role: 'user', content: 'and why?' },
        ],
      };
      return { request, tenant: 't', features: extractFeatures(request.messages) };
    };
    // The toy router weighs context at the default 0.25: "and why?" alone predicts small at 0.57, after the
    // arithmetic question 0.64, after the proof less; a tolerance of 0.4 below big's 1.0 tells them apart.
    expect(router.usesContext).toBe(true);
    const settings = learnedSettingsSchema.parse({ artifact: 'x.json', mode: 'cost-aware', tolerance: 0.4 });
    const ctx = { router, settings };
    expect(planRoute(policy, followUp('prove theorem 2 by induction'), ctx)[0]).toMatchObject({
      model: 'big',
      method: 'learned',
    });
    expect(planRoute(policy, followUp('what is 3 plus 1'), ctx)[0]).toMatchObject({ model: 'small' });
    // The same router with context weighed at 0 sees "and why?" alone either way.
    const blind = new LearnedRouter({ ...router.artifact, features: { taskHint: false, contextWeight: 0 } });
    const blindCtx = { router: blind, settings };
    expect(planRoute(policy, followUp('prove theorem 2 by induction'), blindCtx)[0].model).toBe('big');
    expect(planRoute(policy, followUp('what is 3 plus 1'), blindCtx)[0].model).toBe('big');
  });

  it('spreads the same follow-up after different questions over both sides of a target mix', () => {
    const policy = parsePolicy(`version: p@1\n${models}`);
    const mix = { lowWeight: 0, highWeight: 0, lowModel: 'small', highModel: 'big', share: 0.5 };
    const settings = learnedSettingsSchema.parse({ artifact: 'x.json', mode: 'cost-aware' });
    const conversation = (question: string): ReturnType<typeof input> => {
      const request: ChatRequest = {
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: 'Done.' },
          { role: 'user', content: 'and why?' },
        ],
      };
      return { request, tenant: 't', features: extractFeatures(request.messages) };
    };
    const sides = (r: LearnedRouter) =>
      new Set(
        Array.from({ length: 40 }, (_, i) => {
          const ctx = { router: r, settings, mix: { ...mix, expectedQuality: 1, expectedCostUsd: 0, reached: true } };
          return planRoute(policy, conversation(`what is ${i} plus ${i + 1}`), ctx)[0].model;
        }),
      );
    // A router that reads context hashes it too: both sides serve these 40 follow-ups.
    expect(router.usesContext).toBe(true);
    expect(sides(router)).toEqual(new Set(['small', 'big']));
    // One that does not sees the same text 40 times: one side.
    expect(sides(new LearnedRouter({ ...router.artifact, features: { taskHint: false, contextWeight: 0 } })).size).toBe(
      1,
    );
  });

  it('serves a target resolved on the router’s calibration: the best model’s quality at the least cost', () => {
    const policy = parsePolicy(`version: p@1\n${models}`);
    const ctx = learnedContext(
      router,
      learnedSettingsSchema.parse({ artifact: 'x.json', target: { quality: 1, of: 'big' } }),
    );
    expect(ctx.mix).toMatchObject({ reached: true, share: 1 });
    expect(ctx.mix?.expectedQuality).toBe(1);
    expect(planRoute(policy, input('what is 3 plus 1'), ctx)[0]).toMatchObject({ model: 'small', method: 'learned' });
    expect(planRoute(policy, input('prove theorem 2 by induction'), ctx)[0]).toMatchObject({ model: 'big' });
  });

  it('refuses a target the router cannot serve, saying why', () => {
    const target = learnedSettingsSchema.parse({ artifact: 'x.json', target: { quality: 0.9, of: 'gpt-9' } });
    expect(() => learnedContext(router, target)).toThrow('target.of: "gpt-9" is not one of the router\'s models');
    const uncalibrated = new LearnedRouter({ ...router.artifact, calibration: undefined });
    expect(() =>
      learnedContext(
        uncalibrated,
        learnedSettingsSchema.parse({ artifact: 'x.json', target: { maxCostPerRequestUsd: 1 } }),
      ),
    ).toThrow(/has no calibration .*set costWeight instead of target/);
    expect(() =>
      learnedSettingsSchema.parse({ artifact: 'x.json', costWeight: 0.1, target: { maxCostPerRequestUsd: 1 } }),
    ).toThrow('set target, or costWeight or tolerance, not both');
    expect(() => learnedSettingsSchema.parse({ artifact: 'x.json', target: { quality: 0.9 } })).toThrow();
  });

  it('falls back to premium in classifier mode when the classifier is unsure', () => {
    const policy = parsePolicy(`version: p@1\n${models}`);
    const ctx = learned({ mode: 'classifier', confidenceThreshold: 1, fallback: { tier: 'premium' } });
    expect(planRoute(policy, input('what is 3 plus 1'), ctx)[0]).toMatchObject({
      model: 'big',
      method: 'learned',
      reason: expect.stringContaining('premium fallback'),
    });
  });

  it('puts the difficulty band before the learned router, as the seed does', () => {
    const policy = parsePolicy(`version: p@1\ndifficulty:\n  bands:\n    - { route: { tier: balanced } }\n${models}`);
    const options = planRoute(policy, input('what is 3 plus 1'), learned({}));
    expect(options.slice(0, 2).map((o) => [o.model, o.method])).toEqual([
      ['mid', 'difficulty'],
      ['small', 'learned'],
    ]);
  });

  it('uses the policy default only when no level decided', () => {
    const policy = parsePolicy(`version: p@1\n${models}`);
    expect(planRoute(policy, input('x'))[0]).toMatchObject({ model: 'mid', rule: 'default' });
  });
});

describe('policy validation of quotas and fallback', () => {
  it('names unknown models in quotas, fallbackOrder and the learned fallback', () => {
    try {
      parsePolicy(
        `version: p@1\nquotas: { models: { gpt-9: 5 } }\nfallbackOrder: [small, nope]\nlearned: { artifact: a.json, fallback: { tier: gold } }\n${models}`,
      );
      throw new Error('accepted');
    } catch (err) {
      expect((err as PolicyError).problems.map((p) => p.field)).toEqual([
        'learned.fallback.tier',
        'quotas.models.gpt-9',
        'fallbackOrder.1',
      ]);
    }
  });
});

describe('rules with multi-model plans', () => {
  const policy = parsePolicy(`version: p@1
rules:
  - { name: cas, when: { keywordsAny: [careful] }, plan: { kind: cascade, models: [small, mid, big], maxCostUsd: 0.01 } }
  - { name: con, when: { keywordsAny: [vote] }, plan: { kind: consensus, models: [small, mid, big], quorum: 2, onDisagreement: flag } }
${models}`);

  it('decides a full cascade and consensus when every model is available', () => {
    expect(decideRoute(policy, input('be careful')).plan).toEqual({
      kind: 'cascade',
      model: 'small',
      models: ['small', 'mid', 'big'],
      acceptance: ['non-empty', 'not-refusal', 'not-truncated'],
      maxCostUsd: 0.01,
    });
    expect(decideRoute(policy, input('vote now')).plan).toEqual({
      kind: 'consensus',
      model: 'big',
      models: ['small', 'mid', 'big'],
      quorum: 2,
      onDisagreement: 'flag',
    });
  });

  it("carries a cascade's acceptGrade to its plan, and refuses it without the policy's judge", () => {
    const judged = parsePolicy(`version: p@1
rules:
  - { name: cas, when: { keywordsAny: [careful] }, plan: { kind: cascade, models: [small, big], acceptGrade: 7 } }
judge: { model: big }
${models}`);
    expect(decideRoute(judged, input('be careful')).plan).toMatchObject({ kind: 'cascade', acceptGrade: 7 });
    expect(() =>
      parsePolicy(
        `version: p@1\nrules:\n  - { name: x, when: { maxChars: 5 }, plan: { kind: cascade, models: [small, big], acceptGrade: 7 } }\n${models}`,
      ),
    ).toThrow(/rules.0.plan.acceptGrade: accepting by a judge grade needs the policy's judge/);
  });

  it('rejects a rule with both route and plan, and a quorum above the voters', () => {
    expect(() =>
      parsePolicy(
        `version: p@1\nrules:\n  - { name: x, when: { maxChars: 5 }, route: { model: big }, plan: { kind: cascade, models: [small, big] } }\n${models}`,
      ),
    ).toThrow(/rules.0.route: give a rule either "route" or "plan"/);
    expect(() =>
      parsePolicy(
        `version: p@1\nrules:\n  - { name: x, when: { maxChars: 5 }, plan: { kind: consensus, models: [small, big], quorum: 3 } }\n${models}`,
      ),
    ).toThrow(/rules.0.plan.quorum/);
  });
});
