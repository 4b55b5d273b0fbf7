import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatRequest } from '@switchyard/contracts';
import { extractFeatures } from '../features/extract-features';
import { parsePolicy } from '../policy/compile-policy';
import { decideRoute } from './decide-route';

const policy = parsePolicy(readFileSync(join(__dirname, '../../../../policies/default.yaml'), 'utf8'));

function decide(content: string, extra: Partial<ChatRequest> = {}, tenant = 'acme') {
  const request: ChatRequest = { messages: [{ role: 'user', content }], ...extra };
  return decideRoute(policy, { request, tenant, features: extractFeatures(request.messages) });
}

describe(decideRoute.name, () => {
  describe('L1 rules', () => {
    it('routes a short greeting to the cheap model with the rule params', () => {
      expect(decide('你好')).toMatchObject({
        method: 'rule',
        rule: 'greeting',
        plan: { kind: 'single', model: 'gpt-4o-mini' },
        params: { temperature: 0.3, maxTokens: 100 },
      });
    });
    it('routes code requests in English and Chinese to the code model', () => {
      expect(decide('Please implement a function that sorts a list').rule).toBe('code_generation');
      expect(decide('帮我写代码实现快速排序').plan).toEqual({ kind: 'single', model: 'claude-3-sonnet' });
    });
    it('takes the first matching rule in policy order', () => {
      expect(decide('write code to track my stock portfolio').rule).toBe('code_generation');
      expect(decide('hello, how do I buy a stock?').rule).toBe('greeting');
    });
    it('lets the caller override the rule params', () => {
      expect(decide('hi', { params: { temperature: 0.9 } }).params).toEqual({ temperature: 0.9, maxTokens: 100 });
    });
    it('carries the policy version and the reason', () => {
      const d = decide('股票怎么买');
      expect(d).toMatchObject({
        policyVersion: 'default@1',
        rule: 'financial_analysis',
        reason: expect.stringContaining('股票'),
      });
    });
  });

  describe('L2 difficulty', () => {
    it('sends an easy question to the cheap tier', () => {
      expect(decide('What is the capital of France?')).toMatchObject({
        method: 'difficulty',
        plan: { model: 'gpt-4o-mini' },
      });
    });
    it('sends a hard analytical question to the premium tier', () => {
      const d = decide('为什么如果比较分析推理这个假设?请用表格和JSON输出,涉及数学公式和法律、科学问题。');
      expect(d.method).toBe('difficulty');
      expect(d.plan).toEqual({ kind: 'single', model: 'gpt-4o' });
    });
    it('puts a difficulty on a band edge in the upper band', () => {
      const request: ChatRequest = { messages: [{ role: 'user', content: 'x' }] };
      const features = { ...extractFeatures(request.messages), difficulty: 0.2 };
      expect(decideRoute(policy, { request, tenant: 't', features }).plan).toEqual({
        kind: 'single',
        model: 'claude-3-haiku',
      });
    });
  });

  it('falls back to the policy default when difficulty is off and no rule matches', () => {
    const off = parsePolicy(
      readFileSync(join(__dirname, '../../../../policies/default.yaml'), 'utf8').replace(
        'enabled: true',
        'enabled: false',
      ),
    );
    const request: ChatRequest = { messages: [{ role: 'user', content: 'What is 2+2?' }] };
    expect(decideRoute(off, { request, tenant: 't', features: extractFeatures(request.messages) })).toMatchObject({
      method: 'rule',
      rule: 'default',
      plan: { model: 'gpt-4o-mini' },
    });
  });
});
