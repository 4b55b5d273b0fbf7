import type { ChatRequest } from '@switchyard/contracts';
import { parsePolicy } from '../policy/compile-policy';
import { matchRule } from './match-rule';

function ruleFrom(when: string) {
  const policy = parsePolicy(`version: r@1
models:
  - { id: m, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }
rules:
  - { name: r, when: ${when}, route: { model: m } }
default: { route: { model: m } }
`);
  return policy.rules[0];
}

function input(text: string, extra: Partial<ChatRequest> = {}, tenant = 'acme') {
  return {
    request: { messages: [{ role: 'user' as const, content: text }], ...extra },
    tenant,
    text,
    lowerText: text.toLowerCase(),
  };
}

describe(matchRule.name, () => {
  it('matches keywords in Chinese and English, saying which', () => {
    const rule = ruleFrom('{ keywordsAny: [股票, stock] }');
    expect(matchRule(rule, input('这只股票怎么样'))).toBe('keyword "股票"');
    expect(matchRule(rule, input('Is this STOCK good?'))).toBe('keyword "stock"');
    expect(matchRule(rule, input('stockings'))).toBeUndefined();
  });

  it('matches a regular expression with its flags', () => {
    const rule = ruleFrom('{ regex: "^translate\\\\b", regexFlags: i }');
    expect(matchRule(rule, input('Translate this'))).toBe('regex');
    expect(matchRule(rule, input('please translate'))).toBeUndefined();
  });

  it('matches a length range, both ends inclusive', () => {
    const rule = ruleFrom('{ minChars: 3, maxChars: 5 }');
    expect(matchRule(rule, input('abc'))).toBe('length 3');
    expect(matchRule(rule, input('abcde'))).toBe('length 5');
    expect(matchRule(rule, input('ab'))).toBeUndefined();
    expect(matchRule(rule, input('abcdef'))).toBeUndefined();
  });

  it('matches the task hint, the tenant and metadata', () => {
    expect(matchRule(ruleFrom('{ taskIn: [code] }'), input('x', { hints: { task: 'code' } }))).toBe('task code');
    expect(matchRule(ruleFrom('{ taskIn: [code] }'), input('x'))).toBeUndefined();
    expect(matchRule(ruleFrom('{ tenantIn: [acme] }'), input('x'))).toBe('tenant acme');
    expect(matchRule(ruleFrom('{ tenantIn: [beta] }'), input('x'))).toBeUndefined();
    expect(matchRule(ruleFrom('{ metadata: { app: faq } }'), input('x', { metadata: { app: 'faq', v: '2' } }))).toBe(
      'metadata',
    );
    expect(
      matchRule(ruleFrom('{ metadata: { app: faq } }'), input('x', { metadata: { app: 'chat' } })),
    ).toBeUndefined();
  });

  it('needs every condition of a rule to hold', () => {
    const rule = ruleFrom('{ keywordsAny: [hello], maxChars: 10, tenantIn: [acme] }');
    expect(matchRule(rule, input('hello'))).toBe('length 5; tenant acme; keyword "hello"');
    expect(matchRule(rule, input('hello', {}, 'beta'))).toBeUndefined();
    expect(matchRule(rule, input('hello there, friend'))).toBeUndefined();
  });
});
