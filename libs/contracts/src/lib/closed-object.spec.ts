import { z } from 'zod';
import { closedObject, closestKey } from './closed-object';
import { parsePayload } from './validate';

describe('closedObject', () => {
  const schema = closedObject({ quotas: z.number().optional(), maxTokens: z.number().optional() });

  it('accepts known keys', () => {
    expect(schema.parse({ quotas: 1, maxTokens: 2 })).toEqual({ quotas: 1, maxTokens: 2 });
  });

  it('names an unknown key and the closest known one', () => {
    expect(() => parsePayload(schema, { quota: 1 }, 'policy')).toThrow(
      'policy: unknown key "quota" (did you mean "quotas"?)',
    );
    expect(() => parsePayload(schema, { max_tokens: 1 }, 'params')).toThrow('did you mean "maxTokens"?');
  });

  it('suggests keys an extension added', () => {
    const extended = schema.extend({ budgets: z.number().optional() });
    expect(() => parsePayload(extended, { budget: 1 }, 'policy')).toThrow('did you mean "budgets"?');
  });

  it('names an unknown key without a suggestion when nothing is close', () => {
    expect(() => parsePayload(schema, { zebra: 1 }, 'params')).toThrow(/unknown key "zebra"$/);
  });
});

describe('closestKey', () => {
  it('ignores case, underscores and hyphens', () => {
    expect(closestKey('TOP_P', ['topP', 'temperature'])).toBe('topP');
    expect(closestKey('tempreature', ['topP', 'temperature'])).toBe('temperature');
    expect(closestKey('x', ['topP'])).toBeUndefined();
  });
});
