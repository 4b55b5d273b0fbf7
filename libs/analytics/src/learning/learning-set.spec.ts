import type { Decision } from '@switchyard/contracts';
import { type StoredOutcome, labelOf, learningRecordOf, splitByTime, unlearnableBecause } from './learning-set';

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
