import type { Decision } from '@switchyard/contracts';
import {
  DEFAULT_CONTEXT_WEIGHT,
  LearnedRouter,
  learnedSettingsSchema,
  parsePolicy,
  trainRouterFromLabels,
} from '@switchyard/routing';
import {
  type LearningRecord,
  type StoredOutcome,
  labelOf,
  labelledExamples,
  learningRecordOf,
  policyChoiceOn,
  rewardModel,
  splitByTime,
  unlearnableBecause,
} from './learning-set';

const decision = (over: Partial<Decision> = {}): Decision => ({
  plan: { kind: 'single', model: 'cheap' },
  method: 'difficulty',
  reason: 'r',
  params: {},
  policyVersion: 'p@1',
  alternatives: [],
  ...over,
});

const record = (over: Partial<StoredOutcome> = {}): StoredOutcome => ({
  tenant: 't',
  status: 'succeeded',
  completedAt: new Date(1000),
  prompt: 'what is 2 + 2?',
  model: 'cheap',
  costUsd: 0.001,
  decision: decision(),
  feedback: { success: true },
  ...over,
});

describe('records as the learning loop reads them', () => {
  it('trusts feedback over a stored label, and maps a rating onto 0..1', () => {
    expect(labelOf(record())).toEqual({ quality: 1, source: 'feedback' });
    expect(labelOf(record({ feedback: { rating: 4 } }))).toEqual({ quality: 0.75, source: 'feedback' });
    expect(
      labelOf(record({ feedback: undefined, label: { quality: 0.2, source: 'dataset', at: new Date() } })),
    ).toEqual({ quality: 0.2, source: 'dataset' });
    expect(labelOf(record({ feedback: undefined }))).toBeUndefined();
  });

  it('keeps the propensity and the policy’s own choice of an explored request', () => {
    const explored = learningRecordOf(
      record({
        model: 'strong',
        decision: decision({
          plan: { kind: 'single', model: 'strong' },
          method: 'explore',
          propensity: 0.025,
          policyChoice: 'cheap',
        }),
      }),
    );
    expect(explored).toMatchObject({ model: 'strong', propensity: 0.025, policyChoice: 'cheap', evaluable: true });
    // Deterministic choices have propensity 1 and are their own policy choice.
    expect(learningRecordOf(record())).toMatchObject({ propensity: 1, policyChoice: 'cheap', evaluable: true });
  });

  it('leaves out what cannot teach, and what the gate cannot weigh', () => {
    expect(learningRecordOf(record({ status: 'failed' }))).toBeUndefined();
    expect(learningRecordOf(record({ prompt: undefined }))).toBeUndefined();
    expect(learningRecordOf(record({ feedback: undefined }))).toBeUndefined();
    // A fallback after a failure answered with another model than decided: trains, but is not evaluable.
    expect(learningRecordOf(record({ model: 'other' }))).toMatchObject({ evaluable: false, policyChoice: 'other' });
  });

  it('says why a record cannot teach: a labelled record without its text is counted apart', () => {
    expect(unlearnableBecause(record())).toBeUndefined();
    expect(unlearnableBecause(record({ status: 'failed' }))).toBe('not-succeeded');
    expect(unlearnableBecause(record({ feedback: undefined }))).toBe('unlabelled');
    // RECORD_PROMPTS=none, or removed after PROMPT_RETENTION_DAYS.
    expect(unlearnableBecause(record({ prompt: undefined }))).toBe('no-text');
    expect(unlearnableBecause(record({ prompt: undefined, feedback: undefined }))).toBe('unlabelled');
  });

  it('holds out the most recent evaluable records, none of them also trained on', () => {
    const records = Array.from({ length: 100 }, (_, i) =>
      learningRecordOf(record({ completedAt: new Date(1000 + ((i * 37) % 100)) })),
    ).filter((r) => r !== undefined);
    const { train, holdout } = splitByTime(records, 0.2);
    expect(holdout).toHaveLength(20);
    expect(train).toHaveLength(80);
    expect(Math.max(...train.map((r) => r.at))).toBeLessThan(Math.min(...holdout.map((r) => r.at)));
  });
});

describe('the conversation before a recorded text', () => {
  const context = 'You are terse.\nprove the theorem by induction on n';

  it('goes from the stored record into its learning record and its training example', () => {
    const learning = learningRecordOf(record({ prompt: 'and why is that?', context }));
    expect(learning).toMatchObject({ text: 'and why is that?', context });
    expect(labelledExamples([learning as LearningRecord])).toEqual([
      { text: 'and why is that?', context, labels: { cheap: { score: 1, costUsd: 0.001 } } },
    ]);
    // A first message has none: nothing to carry, and nothing stored empty is carried either.
    expect(learningRecordOf(record())).not.toHaveProperty('context');
    expect(learningRecordOf(record({ context: '' }))).not.toHaveProperty('context');
    expect(labelledExamples([learningRecordOf(record()) as LearningRecord])[0]).not.toHaveProperty('context');
  });

  // Follow-ups ("and why is that?") that only the big model answers after a proof, and both after a sum: the
  // records label one model each, as traffic does.
  const questions = ['add 7 and 5 please', 'say hello to my friend', 'prove the theorem by induction on n'];
  const followUps = Array.from({ length: 400 }, (_, i) => {
    const question = questions[i % 3];
    const model = i % 2 ? 'small' : 'big';
    const good = model === 'big' || !question.startsWith('prove');
    return {
      text: 'and why is that?',
      context: question,
      labels: { [model]: { score: good ? 1 : 0, costUsd: model === 'big' ? 0.01 : 0.0001, outputTokens: 50 } },
    };
  });
  const train = (contextWeight: number) =>
    new LearnedRouter(
      trainRouterFromLabels(followUps, {
        version: `follow-ups@${contextWeight}`,
        models: ['small', 'big'],
        dims: 1 << 12,
        epochs: 4,
        contextWeight,
      }),
    );
  const router = train(DEFAULT_CONTEXT_WEIGHT);
  const policy = parsePolicy(`
version: p@1
models:
  - { id: small, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.2 } }
  - { id: big, provider: simulated, tier: premium, priceUsdPerMTok: { input: 5, output: 15 } }
default: { route: { model: small } }`);
  const settings = learnedSettingsSchema.parse({ artifact: 'x.json', mode: 'cost-aware', tolerance: 0.3 });
  const recorded = (question: string) =>
    learningRecordOf(record({ prompt: 'and why is that?', context: question })) as LearningRecord;

  it('is what a router that reads it chooses by when the policy is replayed on the record', () => {
    expect(router.usesContext).toBe(true);
    const learned = { router, settings };
    expect(policyChoiceOn(policy, recorded('prove the theorem by induction on n'), learned)).toBe('big');
    expect(policyChoiceOn(policy, recorded('add 7 and 5 please'), learned)).toBe('small');
    // A router trained on the text alone cannot tell the two follow-ups apart.
    const blind = { router: train(0), settings };
    expect(blind.router.usesContext).toBe(false);
    expect(policyChoiceOn(policy, recorded('prove the theorem by induction on n'), blind)).toBe(
      policyChoiceOn(policy, recorded('add 7 and 5 please'), blind),
    );
  });

  it("is read by the reward model's predictions of a router that reads it", () => {
    const reward = rewardModel(router, policy, 0.5);
    const afterProof = reward.quality(recorded('prove the theorem by induction on n'), 'small');
    const afterSum = reward.quality(recorded('add 7 and 5 please'), 'small');
    expect(afterSum).toBeGreaterThan(afterProof + 0.1);
    // Without its context the record is predicted as the text alone.
    const { context: _, ...alone } = recorded('add 7 and 5 please');
    expect(reward.quality(alone, 'small')).toBe(router.predictQuality('and why is that?').quality[0]);
  });
});
