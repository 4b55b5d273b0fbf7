import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy, compilePolicy } from './compile-policy';
import { afterCanary, rootVersion, withCanary, withStoredRouter } from './policy-release';

const DEFAULT = readFileSync(join(__dirname, '..', '..', '..', '..', 'policies', 'default.yaml'), 'utf8');
const auto = { minRequests: 100, minLabels: 50, maxRequests: 1000, margin: 0.02 };

describe('the policies the learning loop releases', () => {
  const doc = () => parse(DEFAULT) as Record<string, unknown>;

  it('puts a stored router in place of the difficulty bands, rules first, and compiles', () => {
    const candidate = withStoredRouter(doc(), 'lr-1', { costWeight: 0.2 });
    const compiled = compilePolicy(candidate);
    expect(compiled.version).toBe('default@1+lr-1');
    expect(compiled.document.learned).toMatchObject({ model: 'lr-1', mode: 'cost-aware', costWeight: 0.2 });
    expect(compiled.document.difficulty?.enabled).toBe(false);
    expect(compiled.rules.map((r) => r.rule.name)).toEqual(['greeting', 'code_generation', 'financial_analysis']);
    // The document it came from is untouched.
    expect(parsePolicy(DEFAULT).document.learned).toBeUndefined();
  });

  it('releases it as an inline canary, then promotes or rolls it back under versions of the same root', () => {
    const candidate = withStoredRouter(doc(), 'lr-2', {});
    const canary = withCanary(doc(), candidate, { percent: 20, stickyBy: 'user', auto });
    const compiled = compilePolicy(canary);
    expect(compiled.version).toBe('default@1+canary-default@1+lr-2');
    expect(compiled.document.canary).toMatchObject({ percent: 20, stickyBy: 'user', auto });
    expect(compiled.document.learned).toBeUndefined();

    expect(afterCanary(canary, 'promote')).toEqual(candidate);
    const rolledBack = compilePolicy(afterCanary(canary, 'rollback'));
    expect(rolledBack.version).toBe('default@1+rollback-default@1+lr-2');
    expect(rolledBack.document.canary).toBeUndefined();
    expect(rolledBack.document.difficulty?.enabled).toBe(true);
    expect(rootVersion(rolledBack.version)).toBe('default@1');
  });

  it('refuses a verdict on a policy without an inline candidate', () => {
    expect(() => afterCanary(doc(), 'promote')).toThrow(/no inline canary candidate/);
  });

  it('takes learning settings with defaults, and refuses unknown keys', () => {
    const withLearning = parsePolicy(`${DEFAULT}\nlearning: { canary: { percent: 10 } }\n`).document.learning;
    expect(withLearning).toMatchObject({
      retrain: true,
      windowDays: 7,
      canary: { percent: 10, stickyBy: 'user', auto: { minRequests: 500, minLabels: 100 } },
    });
    expect(() => parsePolicy(`${DEFAULT}\nlearning: { windowDay: 3 }\n`)).toThrow(/windowDay/);
    expect(() => parsePolicy(`${DEFAULT}\nlearned: { artifact: a.json, model: lr-1 }\n`)).toThrow(/either as a file/);
  });
});
