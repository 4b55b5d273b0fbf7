import { canaryArm } from './canary-arm';

describe(canaryArm.name, () => {
  it('puts the same key in the same arm every time', () => {
    const arms = Array.from({ length: 5 }, () => canaryArm('tenant-42', 10, 'v2'));
    expect(new Set(arms).size).toBe(1);
  });

  it('sends about the configured share of keys to the candidate', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);
    const share = keys.filter((k) => canaryArm(k, 10, 'v2') === 'candidate').length / keys.length;
    expect(share).toBeGreaterThan(0.09);
    expect(share).toBeLessThan(0.11);
  });

  it('keeps a key in the candidate as the share grows', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `t${i}`);
    const at10 = keys.filter((k) => canaryArm(k, 10, 's') === 'candidate');
    expect(at10.every((k) => canaryArm(k, 50, 's') === 'candidate')).toBe(true);
  });

  it('reshuffles for a new candidate and honours 0 and 100', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    const a = keys.filter((k) => canaryArm(k, 50, 'v2') === 'candidate');
    const b = keys.filter((k) => canaryArm(k, 50, 'v3') === 'candidate');
    expect(a).not.toEqual(b);
    expect(canaryArm('x', 0, 's')).toBe('control');
    expect(canaryArm('x', 100, 's')).toBe('candidate');
  });
});
