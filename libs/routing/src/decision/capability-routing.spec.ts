import type { ChatRequest } from '@switchyard/contracts';
import { extractFeatures } from '../features/extract-features';
import { LearnedRouter, trainLearnedRouter } from '../learned/learned-router';
import { parsePolicy } from '../policy/compile-policy';
import { learnedSettingsSchema } from '../policy/policy.schema';
import { type LearnedContext, decideRoute, planRoute, toDecision } from './decide-route';

const IMAGE = { type: 'image' as const, url: 'https://example.com/cat.png' };
const TOOL = { name: 'lookup', parameters: { type: 'object' } };

// small: text only; seer: sees images; big: tools and all the params; thinker: a reasoning model.
const models = `
models:
  - { id: small, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.1 }, contextWindow: 16000 }
  - { id: seer, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.5, output: 0.5 }, contextWindow: 128000, capabilities: [vision] }
  - { id: big, provider: simulated, tier: premium, priceUsdPerMTok: { input: 2, output: 6 }, contextWindow: 128000, capabilities: [vision, tools, json, logprobs, n, seed, penalties] }
  - { id: thinker, provider: simulated, tier: premium, priceUsdPerMTok: { input: 5, output: 15 }, contextWindow: 200000, capabilities: [tools, json, reasoning] }`;

const policy = parsePolicy(`version: caps@1
rules:
  - { name: code, when: { keywordsAny: [code] }, route: { model: small }, params: { maxTokens: 500 } }
  - { name: careful, when: { keywordsAny: [careful] }, plan: { kind: cascade, models: [small, seer, big] } }
  - { name: vote, when: { keywordsAny: [vote] }, plan: { kind: consensus, models: [small, seer, big], quorum: 2, escalateTo: thinker } }
difficulty:
  bands:
    - { below: 0.5, route: { tier: cheap }, params: { temperature: 0.5 } }
    - { route: { tier: premium }, params: { temperature: 0.2, maxTokens: 1000 } }
${models}
default: { route: { model: small } }
`);

function input(content: string, extra: Partial<ChatRequest> = {}, difficulty?: number) {
  const request: ChatRequest = { messages: [{ role: 'user', content }], ...extra };
  const features = extractFeatures(request.messages);
  return { request, tenant: 't', features: difficulty === undefined ? features : { ...features, difficulty } };
}

/** A user message of text and an image. */
const withImage = (text: string): Partial<ChatRequest> => ({
  messages: [{ role: 'user', content: [{ type: 'text', text }, IMAGE] }],
});

describe('routing only to models able to honour the request', () => {
  it('leaves a plain request alone: no filtered list, the same options as ever', () => {
    const options = planRoute(policy, input('write code'));
    expect(options.map((o) => o.model)).toEqual(['small', 'seer', 'big', 'thinker']);
    for (const o of options) expect(o.filtered).toBeUndefined();
    expect(decideRoute(policy, input('write code')).filtered).toBeUndefined();
  });

  it("falls through to the next level when a rule's model cannot honour it, keeping the rule's name", () => {
    const options = planRoute(policy, input('write code', withImage('write code for this'), 0.1));
    expect(options[0]).toMatchObject({
      model: 'seer',
      method: 'difficulty',
      rule: 'code',
      reason: expect.stringContaining('rule "code" matched, but small lacks vision (messages.0.content.1 is an image)'),
    });
    expect(options.map((o) => o.model)).toEqual(['seer', 'big']);
    const decision = toDecision(policy, options[0], options.slice(0, 1));
    expect(decision.filtered).toEqual([
      { model: 'small', why: 'lacks vision (messages.0.content.1 is an image)' },
      { model: 'thinker', why: 'lacks vision (messages.0.content.1 is an image)' },
    ]);
  });

  it("sends a band's tier to its one able model", () => {
    const d = decideRoute(policy, input('hard question', { params: { seed: 1 } }, 0.9));
    expect(d).toMatchObject({ method: 'difficulty', plan: { model: 'big' }, band: '>= 0.5' });
    expect(d.filtered).toEqual([
      { model: 'small', why: 'lacks seed (params.seed is set)' },
      { model: 'seer', why: 'lacks seed (params.seed is set)' },
      { model: 'thinker', why: 'lacks seed (params.seed is set)' },
    ]);
  });

  it("keeps a caller's temperature away from a reasoning model, and drops the policy's", () => {
    const refused = decideRoute(policy, input('hard', { tools: [TOOL], params: { temperature: 0.9 } }, 0.9));
    expect(refused.plan).toEqual({ kind: 'single', model: 'big' });
    expect(refused.filtered).toContainEqual({ model: 'thinker', why: 'refuses temperature (reasoning model)' });
    // Only the reasoning model takes a reasoning effort: the band's temperature 0.2 is not sent to it.
    const thinking = decideRoute(policy, input('hard', { params: { reasoningEffort: 'high' } }, 0.9));
    expect(thinking).toMatchObject({
      plan: { model: 'thinker' },
      params: { maxTokens: 1000, reasoningEffort: 'high' },
    });
    expect(thinking.params.temperature).toBeUndefined();
  });

  it('keeps the able tiers of a cascade and the able voters of a consensus', () => {
    expect(decideRoute(policy, input('be careful', withImage('be careful'))).plan).toMatchObject({
      kind: 'cascade',
      model: 'seer',
      models: ['seer', 'big'],
    });
    // Tools: only big of the voters (and the tie-breaker thinker): no quorum, the band decides.
    const vote = planRoute(policy, input('please vote', { tools: [TOOL] }, 0.9));
    expect(vote[0]).toMatchObject({ model: 'big', method: 'difficulty', rule: 'vote' });
    // Images: small is out, seer and big still vote; thinker, blind, no longer breaks ties.
    expect(decideRoute(policy, input('please vote', withImage('please vote'))).plan).toEqual({
      kind: 'consensus',
      model: 'big',
      models: ['seer', 'big'],
      quorum: 2,
      onDisagreement: 'escalate',
    });
  });

  it('refuses a request no model can honour, naming the first field, every need and every model', () => {
    const request = {
      tools: [TOOL],
      messages: [{ role: 'user' as const, content: [IMAGE] }],
      params: { reasoningEffort: 'low' as const },
    };
    expect(() => planRoute(policy, input('x', request))).toThrow(
      expect.objectContaining({
        code: 'invalid_request',
        field: 'tools',
        message:
          'no model of policy caps@1 can honour tools (needs capability "tools") and messages.0.content.0 (needs capability "vision") ' +
          'and params.reasoningEffort (needs capability "reasoning"); models: small (lacks tools (tools lists 1 function)), ' +
          'seer (lacks tools (tools lists 1 function)), big (lacks reasoning (params.reasoningEffort is set)), ' +
          'thinker (lacks vision (messages.0.content.0 is an image))',
      }),
    );
  });

  describe('context windows', () => {
    // ~15,000 tokens (the estimate says ~22,500): fits small's 16,000 with the rule's 500, not with 2,000.
    const long = 'hello '.repeat(15_000);

    it("takes a model out when the prompt and the route's maxTokens exceed its window", () => {
      const options = planRoute(policy, input(`write code ${long}`, { params: { maxTokens: 2000 } }, 0.1));
      expect(options[0]).toMatchObject({ model: 'seer', rule: 'code' });
      expect(options[0].filtered?.[0]).toMatchObject({
        model: 'small',
        why: expect.stringMatching(/^prompt ~15,0\d\d tokens \+ maxTokens 2,000 exceed contextWindow 16,000$/),
      });
    });

    it('lets the model serve a route whose maxTokens fits', () => {
      expect(planRoute(policy, input(`write code ${long}`, {}, 0.1))[0]).toMatchObject({
        model: 'small',
        rule: 'code',
      });
    });
  });

  describe('the learned level', () => {
    const learnedPolicy = parsePolicy(`version: l@1\n${models}\ndefault: { route: { model: small } }`);
    // small answers arithmetic; only thinker and big proofs; thinker is the dearest.
    const router = new LearnedRouter(
      trainLearnedRouter(
        Array.from({ length: 200 }, (_, i) => ({
          text: i % 2 ? `prove theorem ${i % 5} by induction` : `what is ${i % 9} plus ${i % 4}`,
          outcomes: {
            small: { score: i % 2 ? 0 : 1, outputTokens: 20, costUsd: 0.001 },
            seer: { score: i % 2 ? 0 : 1, outputTokens: 20, costUsd: 0.002 },
            big: { score: 1, outputTokens: 20, costUsd: 0.01 },
            thinker: { score: 1, outputTokens: 20, costUsd: 0.03 },
          },
        })),
        { version: 'toy@1', dims: 1 << 12, epochs: 4, learningRate: 0.1 },
      ),
    );
    const learned = (settings: object): LearnedContext => ({
      router,
      settings: learnedSettingsSchema.parse({ artifact: 'x.json', ...settings }),
    });

    it('chooses among the able models only (cost-aware)', () => {
      const ctx = learned({ tolerance: 0.1 });
      expect(planRoute(learnedPolicy, input('what is 3 plus 1'), ctx)[0]).toMatchObject({
        model: 'small',
        method: 'learned',
      });
      expect(planRoute(learnedPolicy, input('what is 3 plus 1', withImage('what is 3 plus 1')), ctx)[0]).toMatchObject({
        model: 'seer',
        method: 'learned',
      });
      expect(planRoute(learnedPolicy, input('what is 3 plus 1', { tools: [TOOL] }), ctx)[0]).toMatchObject({
        model: 'big',
        method: 'learned',
      });
    });

    it('chooses among the able models only (classifier)', () => {
      const ctx = learned({ mode: 'classifier', confidenceThreshold: 0 });
      const [first] = planRoute(learnedPolicy, input('what is 3 plus 1', { params: { reasoningEffort: 'low' } }), ctx);
      expect(first).toMatchObject({ model: 'thinker', method: 'learned' });
    });
  });

  describe('exploration', () => {
    const exploring = parsePolicy(
      `version: e@1\n${models}\ndefault: { route: { model: seer } }\nexploration: { percent: 20 }`,
    );
    const rolls =
      (...values: number[]) =>
      () =>
        values.shift() ?? 0.999;

    it('never explores to a model unable to honour the request', () => {
      for (const pick of [0, 0.5, 0.99]) {
        const options = planRoute(exploring, input('look', withImage('look')), undefined, {
          random: rolls(0.01, pick),
        });
        // seer is the policy's choice; of the others only big sees images.
        expect(options[0]).toMatchObject({ model: 'big', method: 'explore', propensity: 0.2, policyChoice: 'seer' });
        expect(options[0].filtered?.map((f) => f.model)).toEqual(['small', 'thinker']);
      }
    });
  });
});
