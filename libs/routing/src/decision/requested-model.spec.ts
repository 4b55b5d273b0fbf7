import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChatRequest, RouterError } from '@switchyard/contracts';
import { extractFeatures } from '../features/extract-features';
import { LearnedRouter, trainLearnedRouter } from '../learned/learned-router';
import { parsePolicy } from '../policy/compile-policy';
import { learnedSettingsSchema } from '../policy/policy.schema';
import { decideRoute, learnedContext, planRoute } from './decide-route';
import { requestedModel } from './requested-model';

const policy = parsePolicy(readFileSync(join(__dirname, '../../../../policies/default.yaml'), 'utf8'));

function input(content: string, extra: Partial<ChatRequest> = {}) {
  const request: ChatRequest = { messages: [{ role: 'user', content }], ...extra };
  return { request, tenant: 't', features: extractFeatures(request.messages) };
}

function thrown(run: () => unknown): RouterError {
  try {
    run();
  } catch (err) {
    if (err instanceof RouterError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe(requestedModel.name, () => {
  it('routes when the model is absent or auto', () => {
    expect(requestedModel(policy, undefined)).toEqual({ kind: 'auto' });
    expect(requestedModel(policy, 'auto')).toEqual({ kind: 'auto' });
    expect(decideRoute(policy, input('hello', { model: 'auto' }))).toMatchObject({ method: 'rule', rule: 'greeting' });
  });

  it('refuses an unknown model at the field model, the closest of the policy first', () => {
    const err = thrown(() => requestedModel(policy, 'gpt-4-o'));
    expect(err).toMatchObject({ code: 'invalid_request', field: 'model' });
    expect(err.message).toBe(
      `model "gpt-4-o" is not one of policy default@1's models: gpt-4o, gpt-4o-mini, claude-3-haiku, claude-3-sonnet; or "auto" to let Switchyard choose`,
    );
  });

  it('refuses an unknown profile at the field model, listing the profiles', () => {
    const err = thrown(() => requestedModel(policy, 'auto:qualty'));
    expect(err).toMatchObject({ code: 'invalid_request', field: 'model' });
    expect(err.message).toBe('unknown routing profile "qualty"; profiles: "auto:quality", "auto:cheap"');
    // Only the policy's own profiles, never an object's inherited keys.
    expect(thrown(() => requestedModel(policy, 'auto:constructor')).field).toBe('model');
    const bare = parsePolicy(`version: b@1
models:
  - { id: a, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }
default: { route: { model: a } }
`);
    expect(thrown(() => requestedModel(bare, 'auto:cheap')).message).toBe(
      'policy b@1 has no routing profiles: use "auto" or one of its models (a)',
    );
  });
});

describe('pinned models', () => {
  it('sends the request to the model the caller named, then the fallback order naming it', () => {
    const options = planRoute(policy, input('Please implement a binary search', { model: 'gpt-4o' }));
    expect(options[0]).toMatchObject({ model: 'gpt-4o', method: 'pinned', reason: 'the caller asked for gpt-4o' });
    expect(options[0].rule).toBeUndefined();
    expect(options.slice(1).map((o) => [o.model, o.method, o.reason])).toEqual([
      ['gpt-4o-mini', 'fallback', 'fallback order after pinned model gpt-4o'],
      ['claude-3-haiku', 'fallback', 'fallback order after pinned model gpt-4o'],
      ['claude-3-sonnet', 'fallback', 'fallback order after pinned model gpt-4o'],
    ]);
    // The caller's params only: no rule's.
    expect(options[0].params).toEqual({});
  });

  it('never explores away from a pinned model', () => {
    const exploring = parsePolicy(
      readFileSync(join(__dirname, '../../../../policies/default.yaml'), 'utf8') + '\nexploration: { percent: 20 }\n',
    );
    const [first] = planRoute(exploring, input('hello', { model: 'claude-3-haiku' }), undefined, { random: () => 0 });
    expect(first).toMatchObject({ model: 'claude-3-haiku', method: 'pinned' });
    expect(first.propensity).toBeUndefined();
  });

  it('refuses a pinned model unable to honour the request, naming it', () => {
    const textOnly = parsePolicy(`version: p@1
models:
  - { id: text, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.1 } }
  - { id: eyes, provider: simulated, tier: premium, priceUsdPerMTok: { input: 1, output: 1 }, capabilities: [vision] }
default: { route: { model: text } }
`);
    const request = {
      model: 'text',
      messages: [{ role: 'user' as const, content: [{ type: 'image' as const, url: 'https://example.com/a.png' }] }],
    };
    expect(thrown(() => planRoute(textOnly, input('', request)))).toMatchObject({
      code: 'invalid_request',
      field: 'messages.0.content.0',
      message: 'model "text" cannot honour this request: lacks vision (messages.0.content.0 is an image)',
    });
    expect(planRoute(textOnly, input('', { ...request, model: 'eyes' }))[0]).toMatchObject({
      model: 'eyes',
      method: 'pinned',
    });
  });
});

describe('routing profiles', () => {
  it('routes with a profile that names a route, in place of the rules and bands, and records it', () => {
    const d = decideRoute(policy, input('Please implement a binary search', { model: 'auto:quality' }));
    expect(d).toMatchObject({
      method: 'rule',
      plan: { model: 'gpt-4o' },
      profile: 'quality',
      reason: 'profile "quality" routes to tier premium',
      params: { temperature: 0.2 },
    });
    expect(d.rule).toBeUndefined();
    const options = planRoute(policy, input('hello', { model: 'auto:cheap', params: { temperature: 1 } }));
    expect(options[0]).toMatchObject({ model: 'gpt-4o-mini', profile: 'cheap', params: { temperature: 1 } });
    for (const o of options) expect(o.profile).toBe('cheap');
    expect(options.slice(1).map((o) => o.method)).toEqual(['fallback', 'fallback', 'fallback']);
  });

  describe('with a learned level', () => {
    const models = `
models:
  - { id: small, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.2 } }
  - { id: big, provider: simulated, tier: premium, priceUsdPerMTok: { input: 5, output: 15 } }
default: { route: { model: small } }`;
    const learnedPolicy = parsePolicy(`version: l@1
learned: { artifact: x.json, costWeight: 0 }
profiles:
  cheap: { costWeight: 50 }
  near-best: { tolerance: 1 }
${models}`);
    // Both answer arithmetic, only big proofs; big costs 50 times more.
    const router = new LearnedRouter(
      trainLearnedRouter(
        Array.from({ length: 200 }, (_, i) => ({
          text: i % 2 ? `prove theorem ${i % 5} by induction` : `what is ${i % 9} plus ${i % 4}`,
          outcomes: {
            small: { score: i % 2 ? 0 : 1, outputTokens: 20, costUsd: 0.001 },
            big: { score: 1, outputTokens: 20, costUsd: 0.05 },
          },
        })),
        { version: 'toy@1', dims: 1 << 12, epochs: 4, learningRate: 0.1 },
      ),
    );
    const settings = learnedSettingsSchema.parse(learnedPolicy.document.learned);

    it("sets the learned level's knob for the request", () => {
      for (const ctx of [
        learnedContext(router, settings),
        learnedContext(router, settings, learnedPolicy.document.profiles),
      ]) {
        const proof = (model?: string) =>
          decideRoute(learnedPolicy, input('prove theorem 3 by induction', { model }), ctx);
        expect(proof()).toMatchObject({ method: 'learned', plan: { model: 'big' } });
        expect(proof('auto:cheap')).toMatchObject({ method: 'learned', plan: { model: 'small' }, profile: 'cheap' });
        expect(proof('auto:near-best')).toMatchObject({ plan: { model: 'small' }, profile: 'near-best' });
      }
    });

    it('refuses at load a profile target the router cannot serve', () => {
      const uncalibrated = new LearnedRouter({ ...router.artifact, calibration: undefined });
      expect(() => learnedContext(uncalibrated, settings, { best: { target: { quality: 1, of: 'big' } } })).toThrow(
        /^profiles\.best: router toy@1 has no calibration/,
      );
    });
  });
});
