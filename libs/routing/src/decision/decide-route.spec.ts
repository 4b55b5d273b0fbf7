import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatRequest } from '@switchyard/contracts';
import { extractFeatures } from '../features/extract-features';
import { parsePolicy } from '../policy/compile-policy';
import { decideRoute, explorationDraws, planRoute } from './decide-route';

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

  describe('whose traffic an option is', () => {
    const input = (content: string, difficulty?: number) => {
      const request: ChatRequest = { messages: [{ role: 'user', content }] };
      const features = extractFeatures(request.messages);
      return { request, tenant: 't', features: difficulty === undefined ? features : { ...features, difficulty } };
    };
    it("keeps the matched rule's name on every later option, the bands and the fallback included", () => {
      const options = planRoute(policy, input('hello there'));
      expect(options[0]).toMatchObject({ model: 'gpt-4o-mini', method: 'rule', rule: 'greeting' });
      expect(options.length).toBeGreaterThan(2);
      for (const o of options.slice(1)) {
        expect(o.rule).toBe('greeting');
        expect(o.band).toBeUndefined();
      }
      expect(options.map((o) => o.method)).toContain('fallback');
    });
    it("names the difficulty band when no rule matched, on the band's option and those after it", () => {
      const options = planRoute(policy, input('What is the capital of France?', 0.3));
      expect(options[0]).toMatchObject({ method: 'difficulty', band: '< 0.5', model: 'claude-3-haiku' });
      for (const o of options) expect(o).toMatchObject({ band: '< 0.5' });
      for (const o of options) expect(o.rule).toBeUndefined();
    });
  });

  describe('exploration', () => {
    const exploring = (extra: string) =>
      parsePolicy(readFileSync(join(__dirname, '../../../../policies/default.yaml'), 'utf8') + extra);
    const greeting = () => {
      const request: ChatRequest = { messages: [{ role: 'user', content: 'hello there' }] };
      return { request, tenant: 't', features: extractFeatures(request.messages) };
    };
    /** Yields the given numbers in turn, like Math.random would. */
    const rolls =
      (...values: number[]) =>
      () =>
        values.shift() ?? 0.999;

    it('sends the exploration share to another candidate, keeping the rule and the propensity', () => {
      const p = exploring('\nexploration: { percent: 10 }\n');
      // 0.05 < 10%: explore; 0.7 picks the third of the three other models.
      const options = planRoute(p, greeting(), undefined, { random: rolls(0.05, 0.7) });
      expect(options[0]).toMatchObject({
        model: 'gpt-4o',
        method: 'explore',
        rule: 'greeting',
        propensity: expect.closeTo(0.1 / 3, 10),
        policyChoice: 'gpt-4o-mini',
        params: { temperature: 0.3, maxTokens: 100 },
      });
      // Then the policy's own choice, in case the explored model is out of quota; no model twice.
      expect(options[1]).toMatchObject({ model: 'gpt-4o-mini', method: 'rule', rule: 'greeting' });
      expect(new Set(options.map((o) => o.model)).size).toBe(options.length);
    });
    it("gives the policy's own choice its propensity when the roll does not explore", () => {
      const p = exploring('\nexploration: { percent: 10 }\n');
      const [first] = planRoute(p, greeting(), undefined, { random: rolls(0.5) });
      expect(first).toMatchObject({ model: 'gpt-4o-mini', method: 'rule', propensity: 0.9 });
    });
    it('explores only among the listed candidates under the price ceiling', () => {
      const p = exploring(
        '\nexploration: { percent: 20, models: [gpt-4o-mini, claude-3-haiku, gpt-4o], maxPriceUsdPerMTok: 5 }\n',
      );
      for (const pick of [0, 0.5, 0.99]) {
        const [first] = planRoute(p, greeting(), undefined, { random: rolls(0.01, pick) });
        expect(first).toMatchObject({ model: 'claude-3-haiku', method: 'explore', propensity: 0.2 });
      }
    });
    it('explores nothing without a source of randomness (offline evaluation replays the policy)', () => {
      const p = exploring('\nexploration: { percent: 20 }\n');
      const [first] = planRoute(p, greeting());
      expect(first).toMatchObject({ model: 'gpt-4o-mini', method: 'rule' });
      expect(first.propensity).toBeUndefined();
    });
    it('refuses an unknown exploration candidate, naming the field', () => {
      expect(() => exploring('\nexploration: { percent: 5, models: [gpt-5] }\n')).toThrow(/exploration\.models\.0/);
    });
  });
});

describe(explorationDraws.name, () => {
  it('draws the same for the same tenant and request, and differently for another', () => {
    const a = explorationDraws('acme', 'r-1');
    const b = explorationDraws('acme', 'r-1');
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(explorationDraws('acme', 'r-2')()).not.toBe(explorationDraws('acme', 'r-1')());
    expect(explorationDraws('other', 'r-1')()).not.toBe(explorationDraws('acme', 'r-1')());
  });

  it('is uniform over requests, so a policy explores the share it says, with sequential ids too', () => {
    const n = 20_000;
    const first = Array.from({ length: n }, (_, i) => explorationDraws('acme', `req-${i}`)());
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    // 5% exploration: within 4 standard deviations of 1,000 (sd ~31).
    const explored = first.filter((x) => x < 0.05).length;
    expect(Math.abs(explored - 1000)).toBeLessThan(125);
    // Each tenth of the unit interval gets its share (sd ~42 around 2,000).
    for (let d = 0; d < 10; d++)
      expect(Math.abs(first.filter((x) => x >= d / 10 && x < (d + 1) / 10).length - 2000)).toBeLessThan(170);
  });
});
