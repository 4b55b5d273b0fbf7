import { parseDataset } from '@switchyard/datasets';
import { NoJudgeError, PolicyError, parsePolicy } from '@switchyard/routing';
import { assertOfflineReplayable, offlineReplayProblems, replayPlan } from './replay-plan';

const judged = parsePolicy(`
version: j@1
models:
  - { id: small, provider: replay, tier: cheap, priceUsdPerMTok: { input: 1, output: 1 } }
  - { id: large, provider: replay, tier: premium, priceUsdPerMTok: { input: 9, output: 9 } }
default: { route: { model: small } }
judge: { model: large }
rules:
  - { name: plain, when: { keywordsAny: [hi] }, route: { model: small } }
  - { name: careful, when: { keywordsAny: [sky] }, plan: { kind: cascade, models: [small, large], acceptGrade: 7 } }
`);
const plain = parsePolicy(`
version: p@1
models:
  - { id: small, provider: replay, tier: cheap, priceUsdPerMTok: { input: 1, output: 1 } }
  - { id: large, provider: replay, tier: premium, priceUsdPerMTok: { input: 9, output: 9 } }
default: { route: { model: small } }
judge: { model: large, sampleRate: 0.1 }
rules:
  - { name: careful, when: { keywordsAny: [sky] }, plan: { kind: cascade, models: [small, large] } }
`);

describe('offline replay of a policy whose cascade accepts by a judge grade', () => {
  describe(offlineReplayProblems.name, () => {
    it("names each rule's acceptGrade, under where the policy sits", () => {
      expect(offlineReplayProblems(judged)).toEqual([
        { field: 'rules.1.plan.acceptGrade', message: expect.stringContaining('rule "careful" accepts by the judge') },
      ]);
      expect(offlineReplayProblems(judged, 'canary.candidate.')[0].field).toBe(
        'canary.candidate.rules.1.plan.acceptGrade',
      );
      // A judge that only labels (sampled, after the reply) changes no decision: such a policy replays.
      expect(offlineReplayProblems(plain)).toEqual([]);
    });
  });

  describe(assertOfflineReplayable.name, () => {
    it('refuses the policy or its canary candidate with a PolicyError naming the field', () => {
      expect(() => assertOfflineReplayable(plain)).not.toThrow();
      expect(() => assertOfflineReplayable(judged)).toThrow(PolicyError);
      expect(() => assertOfflineReplayable(judged)).toThrow(/rules\.1\.plan\.acceptGrade/);
      expect(() => assertOfflineReplayable(plain, judged)).toThrow(/canary\.candidate\.rules\.1\.plan\.acceptGrade/);
    });
  });

  describe(replayPlan.name, () => {
    it('cannot run such a plan: it says the judge is what it cannot call', () => {
      const [row] = parseDataset(
        JSON.stringify({
          id: 'a',
          prompt: 'Why is the sky blue?',
          outcomes: { small: { score: 1, cost_usd: 0.001, pred: 'Rayleigh' }, large: { score: 1, cost_usd: 0.01 } },
        }),
      );
      const plan = {
        kind: 'cascade' as const,
        model: 'small',
        models: ['small', 'large'],
        acceptance: ['non-empty' as const],
        acceptGrade: 7,
      };
      expect(() => replayPlan(row, plan)).toThrow(NoJudgeError);
      const { acceptGrade: _grade, ...checksOnly } = plan;
      expect(replayPlan(row, checksOnly).answer.model).toBe('small');
    });
  });
});
