import { parsePolicy } from './compile-policy';
import { PolicyError } from './policy-error';
import { learnedSettingsSchema } from './policy.schema';

function problemsOf(text: string): Array<{ field: string; message: string }> {
  try {
    parsePolicy(text);
  } catch (err) {
    if (err instanceof PolicyError) return err.problems;
    throw err;
  }
  throw new Error('policy was accepted');
}

// Two models, a default, and what each case adds (a block of top-level YAML).
const policy = (extra: string, model = '{ input: 0.1, output: 0.2 }') => `
version: t@1
models:
  - { id: cheap-1, provider: simulated, tier: cheap, priceUsdPerMTok: ${model} }
  - { id: big-1, provider: simulated, tier: premium, priceUsdPerMTok: { input: 5, output: 15 } }
default: { route: { model: cheap-1 } }
${extra}`;

const rule = (body: string) => policy(`rules:\n  - { name: r1, ${body} }`);

describe('policySchema', () => {
  describe('unknown keys', () => {
    it.each([
      ['the top level', policy('quota: { models: { cheap-1: 10 } }'), 'quota', 'quotas'],
      ['a rule', rule('when: { maxChars: 9 }, rout: { model: cheap-1 }'), 'rules.0.rout', 'route'],
      [
        'a condition',
        rule('when: { keywordAny: [hi] }, route: { model: cheap-1 }'),
        'rules.0.when.keywordAny',
        'keywordsAny',
      ],
      ['a route', rule('when: { maxChars: 9 }, route: { modle: cheap-1 }'), 'rules.0.route.modle', 'model'],
      [
        'a model entry',
        policy('').replace('tier: cheap,', 'tier: cheap, contextWindw: 1000,'),
        'models.0.contextWindw',
        'contextWindow',
      ],
      ['a model price', policy('', '{ input: 0.1, ouput: 0.2 }'), 'models.0.priceUsdPerMTok.ouput', 'output'],
      [
        "a rule's params",
        rule('when: { maxChars: 9 }, route: { model: cheap-1 }, params: { max_tokens: 100 }'),
        'rules.0.params.max_tokens',
        'maxTokens',
      ],
      [
        "the default's params",
        policy('').replace(
          '{ route: { model: cheap-1 } }',
          '{ route: { model: cheap-1 }, params: { temprature: 0.2 } }',
        ),
        'default.params.temprature',
        'temperature',
      ],
      [
        'a consensus plan',
        rule(
          'when: { maxChars: 9 }, plan: { kind: consensus, models: [cheap-1, big-1], quorum: 2, escalate_to: big-1 }',
        ),
        'rules.0.plan.escalate_to',
        'escalateTo',
      ],
      [
        'a cascade plan',
        rule('when: { maxChars: 9 }, plan: { kind: cascade, models: [cheap-1, big-1], max_cost_usd: 1 }'),
        'rules.0.plan.max_cost_usd',
        'maxCostUsd',
      ],
      [
        "a plan's kind",
        rule('when: { maxChars: 9 }, plan: { knd: cascade, models: [cheap-1, big-1] }'),
        'rules.0.plan.knd',
        'kind',
      ],
      [
        'a difficulty band',
        policy('difficulty: { bands: [{ route: { tier: cheap }, parms: {} }] }'),
        'difficulty.bands.0.parms',
        'params',
      ],
      [
        'difficulty',
        policy('difficulty: { enabeld: true, bands: [{ route: { tier: cheap } }] }'),
        'difficulty.enabeld',
        'enabled',
      ],
      [
        'a learned target',
        policy('learned: { artifact: a.json, target: { quality: 0.9, off: big-1 } }'),
        'learned.target.off',
        'of',
      ],
      ['learned', policy('learned: { artifacts: a.json }'), 'learned.artifacts', 'artifact'],
      [
        'a tenant rate',
        policy("quotas: { rates: { '*': { requestPerMinute: 60 } } }"),
        'quotas.rates.*.requestPerMinute',
        'requestsPerMinute',
      ],
      ['quotas', policy('quotas: { model: { cheap-1: 10 } }'), 'quotas.model', 'models'],
      ['a canary', policy('canary: { percent: 10, policy: c.yaml, stickBy: user }'), 'canary.stickBy', 'stickyBy'],
      [
        "the learning canary's verdict",
        policy('learning: { canary: { auto: { minLabel: 10 } } }'),
        'learning.canary.auto.minLabel',
        'minLabels',
      ],
      ['exploration', policy('exploration: { percent: 5, model: [big-1] }'), 'exploration.model', 'models'],
    ])('names the key, its path and the closest known key in %s', (_where, text, field, closest) => {
      const key = field.split('.').pop();
      // A misspelt required key also leaves that key missing (models.0.priceUsdPerMTok.output), said apart.
      expect(problemsOf(text)).toContainEqual({ field, message: `unknown key "${key}" (did you mean "${closest}"?)` });
    });

    it('reports a misspelt key once, not again as the condition or route it left missing', () => {
      expect(problemsOf(rule('when: { keywordAny: [hi] }, rout: { model: cheap-1 }'))).toEqual([
        { field: 'rules.0.when.keywordAny', message: 'unknown key "keywordAny" (did you mean "keywordsAny"?)' },
        { field: 'rules.0.rout', message: 'unknown key "rout" (did you mean "route"?)' },
      ]);
    });

    it('says so when no known key is close', () => {
      expect(problemsOf(policy('zebra: 1'))).toEqual([{ field: 'zebra', message: 'unknown key "zebra"' }]);
    });

    it('names every unknown key of one object at the object', () => {
      expect(problemsOf(rule('when: { keywordAny: [hi], maxChar: 9 }, route: { model: cheap-1 }'))).toEqual([
        {
          field: 'rules.0.when',
          message:
            'unknown key "keywordAny" (did you mean "keywordsAny"?); unknown key "maxChar" (did you mean "maxChars"?)',
        },
      ]);
    });

    it('puts the path and the message in the error a user reads', () => {
      const text = policy(
        `rules:\n${['hi', 'yo'].map((k, i) => `  - { name: r${i}, when: { keywordsAny: [${k}] }, route: { model: cheap-1 } }\n`).join('')}  - { name: r2, when: { keywordAny: [hey] }, route: { model: cheap-1 } }`,
      );
      expect(() => parsePolicy(text)).toThrow(
        'invalid policy: rules.2.when.keywordAny: unknown key "keywordAny" (did you mean "keywordsAny"?)',
      );
    });
  });

  describe('what closing the objects keeps', () => {
    it('still tells a rule without a route or plan, and a route naming both model and tier', () => {
      expect(problemsOf(rule('when: { maxChars: 9 }'))).toEqual([
        { field: 'rules.0.route', message: 'give a rule either "route" or "plan"' },
      ]);
      expect(problemsOf(rule('when: { maxChars: 9 }, route: { model: cheap-1, tier: cheap }'))).toEqual([
        { field: 'rules.0.route', message: 'a route is { model: <id> } or { tier: <name> }, one of the two' },
      ]);
    });

    it('still picks the plan by its kind and fills its defaults', () => {
      const sut = parsePolicy(rule('when: { maxChars: 9 }, plan: { kind: cascade, models: [cheap-1, big-1] }'));
      expect(sut.rules[0].rule.plan).toEqual({
        kind: 'cascade',
        models: ['cheap-1', 'big-1'],
        acceptance: ['non-empty', 'not-refusal', 'not-truncated'],
      });
      expect(problemsOf(rule('when: { maxChars: 9 }, plan: { kind: vote, models: [cheap-1, big-1] }'))).toEqual([
        { field: 'rules.0.plan.kind', message: expect.stringContaining("'cascade' | 'consensus'") },
      ]);
    });

    it('still refines learned settings and parses their targets', () => {
      expect(learnedSettingsSchema.parse({ artifact: 'a.json', target: { maxCostPerRequestUsd: 1 } }).target).toEqual({
        maxCostPerRequestUsd: 1,
      });
      expect(problemsOf(policy('learned: { artifact: a.json, costWeight: 0.1, tolerance: 0.1 }'))).toEqual([
        { field: 'learned.tolerance', message: 'set costWeight or tolerance, not both' },
      ]);
    });

    it('accepts a policy that parses its own output again (the defaults it filled are known keys)', () => {
      const first = parsePolicy(
        policy(
          "quotas: { rates: { '*': { requestsPerMinute: 60 } } }\nlearning: {}\nexploration: { percent: 5 }\n" +
            'rules:\n  - { name: r1, when: { maxChars: 9 }, plan: { kind: consensus, models: [cheap-1, big-1], quorum: 2 } }',
        ),
      );
      expect(parsePolicy(JSON.stringify(first.document)).document).toEqual(first.document);
    });
  });
});
