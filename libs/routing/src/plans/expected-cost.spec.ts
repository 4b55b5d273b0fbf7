import type { RoutePlan } from '@switchyard/contracts';
import { parsePolicy } from '../policy/compile-policy';
import { expectedCostUsd } from './expected-cost';

const policy = parsePolicy(`version: c@1
models:
  - { id: small, provider: simulated, tier: a, priceUsdPerMTok: { input: 1, output: 2 } }
  - { id: big, provider: simulated, tier: b, priceUsdPerMTok: { input: 10, output: 20 } }
  - { id: judge, provider: simulated, tier: c, priceUsdPerMTok: { input: 100, output: 100 } }
default: { route: { model: small } }
`);

describe(expectedCostUsd.name, () => {
  it('prices one model with the prompt in and the expected output out', () => {
    expect(expectedCostUsd(policy, { kind: 'single', model: 'big' }, 1000, 500)).toBeCloseTo(
      (1000 * 10 + 500 * 20) / 1e6,
      12,
    );
  });

  it('counts every tier a cascade may climb to, and every voter plus the escalation of a consensus', () => {
    const small = (1000 * 1 + 100 * 2) / 1e6;
    const big = (1000 * 10 + 100 * 20) / 1e6;
    const judge = (1000 * 100 + 100 * 100) / 1e6;
    const cascade: RoutePlan = { kind: 'cascade', model: 'small', models: ['small', 'big'], acceptance: ['non-empty'] };
    expect(expectedCostUsd(policy, cascade, 1000, 100)).toBeCloseTo(small + big, 12);
    const vote: RoutePlan = {
      kind: 'consensus',
      model: 'judge',
      models: ['small', 'big'],
      quorum: 2,
      onDisagreement: 'escalate',
    };
    expect(expectedCostUsd(policy, vote, 1000, 100)).toBeCloseTo(small + big + judge, 12);
  });

  it("adds the judge's gradings of every tier but the last to a cascade accepting by grade", () => {
    const judged = parsePolicy(`version: j@1
models:
  - { id: small, provider: simulated, tier: a, priceUsdPerMTok: { input: 1, output: 2 } }
  - { id: big, provider: simulated, tier: b, priceUsdPerMTok: { input: 10, output: 20 } }
  - { id: judge, provider: simulated, tier: c, priceUsdPerMTok: { input: 100, output: 100 } }
default: { route: { model: small } }
judge: { model: judge }
`);
    const tiers = { kind: 'cascade', model: 'small', models: ['small', 'big'], acceptance: ['non-empty'] } as const;
    const plain = expectedCostUsd(
      judged,
      { ...tiers, models: [...tiers.models], acceptance: [...tiers.acceptance] },
      1000,
      100,
    );
    const graded = expectedCostUsd(
      judged,
      { ...tiers, models: [...tiers.models], acceptance: [...tiers.acceptance], acceptGrade: 7 },
      1000,
      100,
    );
    // One grading (of small): question + answer + the prompt's own 300 tokens in, 20 out, at the judge's price.
    expect(graded - plain).toBeCloseTo(((1000 + 100 + 300) * 100 + 20 * 100) / 1e6, 12);
  });
});
