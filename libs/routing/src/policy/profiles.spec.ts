import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from './compile-policy';
import { PolicyError } from './policy-error';
import { profileLearnedSettings } from './profiles';
import { learnedSettingsSchema } from './policy.schema';

const models = `
models:
  - { id: small, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.2 } }
  - { id: big, provider: simulated, tier: premium, priceUsdPerMTok: { input: 5, output: 15 } }
default: { route: { model: small } }`;

function problems(text: string): Array<{ field: string; message: string }> {
  try {
    parsePolicy(text);
  } catch (err) {
    if (err instanceof PolicyError) return err.problems;
    throw err;
  }
  throw new Error('accepted');
}

describe('routing profiles in a policy', () => {
  it('accepts the default policy and its profiles', () => {
    const policy = parsePolicy(readFileSync(join(__dirname, '../../../../policies/default.yaml'), 'utf8'));
    expect(Object.keys(policy.document.profiles ?? {})).toEqual(['cheap', 'quality']);
  });

  it('accepts a route profile, and a learned-knob profile when the policy has a cost-aware learned level', () => {
    const policy = parsePolicy(`version: p@1
learned: { artifact: x.json }
profiles:
  cheap: { costWeight: 0.9, description: spend little }
  best: { target: { quality: 0.99, of: big } }
  top: { route: { tier: premium }, params: { maxTokens: 100 } }
${models}`);
    expect(policy.document.profiles?.['top']).toEqual({ route: { tier: 'premium' }, params: { maxTokens: 100 } });
  });

  it('names what is wrong with each profile, at its field', () => {
    expect(
      problems(`version: p@1
profiles:
  cheap: { costWeight: 0.9 }
  gold: { route: { tier: gold } }
  both: { costWeight: 1, route: { model: big } }
  loose: { tolerance: 0.1, params: { temperature: 1 } }
  Bad: { route: { model: big } }
${models}`).map((p) => `${p.field}: ${p.message}`),
    ).toEqual([
      'profiles.both: give a profile one of costWeight, tolerance, target (the learned level) or route',
      'profiles.loose.params: params go with a route',
    ]);
    expect(problems(`version: p@1\nprofiles:\n  Bad: { route: { model: big } }\n${models}`)).toEqual([
      { field: 'profiles.Bad', message: 'a profile name is lower-case letters, digits, _ or - (at most 64)' },
    ]);
    expect(
      problems(`version: p@1\nprofiles:\n  cheap: { costWeight: 0.9 }\n  gold: { route: { tier: gold } }\n${models}`),
    ).toEqual([
      {
        field: 'profiles.cheap.costWeight',
        message:
          "costWeight sets the learned level's cost-aware knob, and this policy has no learned level: give the profile a route instead ({ tier: <name> } or { model: <id> })",
      },
      { field: 'profiles.gold.route.tier', message: 'no model has tier "gold"; tiers: cheap, premium' },
    ]);
    expect(
      problems(
        `version: p@1\nlearned: { artifact: x.json }\nprofiles:\n  best: { target: { quality: 1, of: gpt-9 } }\n${models}`,
      ),
    ).toEqual([{ field: 'profiles.best.target.of', message: 'unknown model "gpt-9"' }]);
  });

  it('reserves the model ids a request uses to ask Switchyard to choose', () => {
    expect(
      problems(`version: p@1
models:
  - { id: auto, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }
  - { id: "auto:x", provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }
default: { route: { tier: t } }`).map((p) => p.field),
    ).toEqual(['models.0.id', 'models.1.id']);
  });

  it("puts a profile's knob in place of the policy's", () => {
    const settings = learnedSettingsSchema.parse({ artifact: 'x.json', tolerance: 0.05 });
    expect(profileLearnedSettings(settings, { costWeight: 0.9 })).toMatchObject({
      costWeight: 0.9,
      mode: 'cost-aware',
    });
    expect(profileLearnedSettings(settings, { costWeight: 0.9 }).tolerance).toBeUndefined();
  });
});
