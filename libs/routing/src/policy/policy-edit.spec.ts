import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compilePolicy, parsePolicy } from './compile-policy';
import { policyOutline, withRoute } from './policy-edit';

const yaml = readFileSync(join(__dirname, '../../../../policies/default.yaml'), 'utf8');

describe('policy outline and edits', () => {
  it('names rules and bands as decisions record them', () => {
    expect(policyOutline(parsePolicy(yaml))).toEqual({
      version: 'default@1',
      rules: ['greeting', 'code_generation', 'financial_analysis'],
      bands: ['band < 0.2', 'band < 0.5', 'band < 0.8', 'band >= 0.8'],
    });
  });

  it('routes one rule or band to another model under a new version, leaving the original alone', () => {
    const doc = parse(yaml) as Record<string, unknown>;
    const edited = compilePolicy(withRoute(doc, { kind: 'rule', name: 'code_generation' }, 'gpt-4o', 'default@1+s1'));
    expect(edited.version).toBe('default@1+s1');
    expect(edited.rules.find((r) => r.rule.name === 'code_generation')?.rule.route).toEqual({ model: 'gpt-4o' });
    expect(parsePolicy(yaml).rules.find((r) => r.rule.name === 'code_generation')?.rule.route).toEqual({
      model: 'claude-3-sonnet',
    });
    const banded = compilePolicy(withRoute(doc, { kind: 'band', name: 'band >= 0.8' }, 'claude-3-sonnet', 'v2'));
    expect(banded.document.difficulty?.bands[3].route).toEqual({ model: 'claude-3-sonnet' });
    expect((doc['rules'] as Array<{ route: unknown }>)[1].route).toEqual({ model: 'claude-3-sonnet' });
  });

  it('refuses a target or model the policy does not have, naming it', () => {
    const doc = parse(yaml) as Record<string, unknown>;
    expect(() => withRoute(doc, { kind: 'rule', name: 'nope' }, 'gpt-4o', 'v')).toThrow(
      /rule "nope" is not in policy default@1/,
    );
    expect(() => withRoute(doc, { kind: 'band', name: 'band < 0.3' }, 'gpt-4o', 'v')).toThrow(/no difficulty band/);
    expect(() => withRoute(doc, { kind: 'rule', name: 'greeting' }, 'gpt-5', 'v')).toThrow(/model "gpt-5"/);
  });
});
