import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from './compile-policy';
import { PolicyError } from './policy-error';
import { DEFAULT_COST_WEIGHT, costAwareKnob, learnedSettingsSchema } from './policy.schema';

const defaultYaml = readFileSync(join(__dirname, '../../../../policies/default.yaml'), 'utf8');

function problemsOf(text: string): Array<{ field: string; message: string }> {
  try {
    parsePolicy(text);
  } catch (err) {
    if (err instanceof PolicyError) return err.problems;
    throw err;
  }
  throw new Error('policy was accepted');
}

const minimal = (extra: string) => `
version: t@1
models:
  - { id: cheap-1, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.2 } }
  - { id: big-1, provider: simulated, tier: premium, priceUsdPerMTok: { input: 5, output: 15 } }
default: { route: { model: cheap-1 } }
${extra}`;

describe(parsePolicy.name, () => {
  it('accepts the default policy in the repo', () => {
    const sut = parsePolicy(defaultYaml);
    expect(sut.version).toBe('default@1');
    expect(sut.rules.map((r) => r.rule.name)).toEqual(['greeting', 'code_generation', 'financial_analysis']);
    expect(sut.tiers.get('premium')).toEqual(['gpt-4o']);
  });

  it('takes one cost-aware knob: costWeight (default DEFAULT_COST_WEIGHT) or tolerance, not both', () => {
    const knob = (learned: string) => costAwareKnob(learnedSettingsSchema.parse(JSON.parse(learned)));
    expect(knob('{"artifact":"a.json"}')).toEqual({ costWeight: DEFAULT_COST_WEIGHT });
    expect(knob('{"artifact":"a.json","costWeight":0.4}')).toEqual({ costWeight: 0.4 });
    expect(knob('{"artifact":"a.json","tolerance":0.05}')).toEqual({ tolerance: 0.05 });
    expect(problemsOf(minimal('learned: { artifact: a.json, costWeight: 0.1, tolerance: 0.1 }'))).toEqual([
      expect.objectContaining({ field: 'learned.tolerance', message: 'set costWeight or tolerance, not both' }),
    ]);
  });

  it('takes a judge among its models, with the defaults, and names judge.model and the known ids otherwise', () => {
    const judge = parsePolicy(minimal('judge: { model: big-1 }')).document.judge;
    expect(judge).toEqual({ model: 'big-1', sampleRate: 0.05, maxPromptChars: 4000, maxAnswerChars: 4000 });
    expect(problemsOf(minimal('judge: { model: gpt-9 }'))).toEqual([
      {
        field: 'judge.model',
        message: `unknown model "gpt-9"; the judge must be one of the policy's models: cheap-1, big-1`,
      },
    ]);
    expect(problemsOf(minimal('judge: { model: big-1, sampleRate: 1.5 }'))[0].field).toBe('judge.sampleRate');
    expect(problemsOf(minimal('judge: { model: big-1, maxAnswerChars: 10 }'))[0].field).toBe('judge.maxAnswerChars');
    expect(problemsOf(minimal('judge: { model: big-1, rate: 0.1 }'))).toEqual([
      expect.objectContaining({ field: 'judge.rate', message: expect.stringContaining('unknown key "rate"') }),
    ]);
  });

  it('names the field of an unknown model in a rule', () => {
    const problems = problemsOf(minimal(`rules:\n  - { name: r1, when: { maxChars: 10 }, route: { model: gpt-9 } }`));
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'rules.0.route.model',
        message: expect.stringContaining('unknown model "gpt-9"'),
      }),
    ]);
  });

  it('names an unknown tier in a difficulty band', () => {
    const problems = problemsOf(minimal(`difficulty:\n  bands:\n    - { route: { tier: gold } }`));
    expect(problems[0].field).toBe('difficulty.bands.0.route.tier');
  });

  it('rejects bands that are not ascending and a last band with a bound', () => {
    const problems = problemsOf(
      minimal(
        `difficulty:\n  bands:\n    - { below: 0.5, route: { tier: cheap } }\n    - { below: 0.3, route: { tier: premium } }`,
      ),
    );
    expect(problems.map((p) => p.field)).toEqual(['difficulty.bands.1.below', 'difficulty.bands.1.below']);
  });

  it('reports an invalid regex at its field', () => {
    const problems = problemsOf(
      minimal(`rules:\n  - { name: r1, when: { regex: "([a-" }, route: { model: cheap-1 } }`),
    );
    expect(problems[0].field).toBe('rules.0.when.regex');
  });

  it('refuses a regex RE2 cannot run (lookaround), naming the field and the engine', () => {
    const problems = problemsOf(
      minimal(`rules:\n  - { name: r1, when: { regex: "(?<!un)happy" }, route: { model: cheap-1 } }`),
    );
    expect(problems).toEqual([{ field: 'rules.0.when.regex', message: expect.stringMatching(/RE2/) }]);
  });

  it('rejects a rule without conditions and a negative price', () => {
    const text = minimal(`rules:\n  - { name: r1, when: {}, route: { model: cheap-1 } }`).replace(
      'input: 0.1',
      'input: -1',
    );
    expect(
      problemsOf(text)
        .map((p) => p.field)
        .sort(),
    ).toEqual(['models.0.priceUsdPerMTok.input', 'rules.0.when']);
  });

  it('reports YAML syntax errors', () => {
    expect(problemsOf('version: [unclosed')[0].field).toBe('(document)');
  });

  it('rejects duplicate model ids and rule names', () => {
    const text = minimal(
      `rules:\n  - { name: r1, when: { maxChars: 5 }, route: { model: cheap-1 } }\n  - { name: r1, when: { maxChars: 9 }, route: { model: cheap-1 } }`,
    ).replace('id: big-1', 'id: cheap-1');
    expect(problemsOf(text).map((p) => p.field)).toEqual(['models.1.id', 'rules.1.name']);
  });
});
