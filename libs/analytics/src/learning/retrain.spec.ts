import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  DEFAULT_CONTEXT_WEIGHT,
  LearnedRouter,
  compilePolicy,
  extractFeatures,
  mulberry32,
  routeOptions,
} from '@switchyard/routing';
import { parse } from 'yaml';
import type { LearningRecord } from './learning-set';
import { retrainFromRecords } from './retrain';

// The gate on real outcomes: MMLU-Pro questions (the committed slice) routed by a cold policy (difficulty
// bands over the nine replayed models) with 10% exploration, each answer labelled with the model's recorded
// score: what production logs. A router trained on those labels must pass the gate against the cold
// policy; once it is in force, a router trained on its traffic with the labels shuffled must be refused,
// on every seed.
const ROOT = join(__dirname, '..', '..', '..', '..');
interface Row {
  id: string;
  prompt: string;
  outcomes: Record<string, { score: number; cost_usd: number; output_tokens?: number }>;
}
const rows: Row[] = gunzipSync(readFileSync(join(ROOT, 'datasets', 'sample', 'mmlu-pro-3000.jsonl.gz')))
  .toString('utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Row);

const document = {
  ...(parse(readFileSync(join(ROOT, 'policies', 'mmlu-pro-replay.yaml'), 'utf8')) as Record<string, unknown>),
  exploration: { percent: 20 },
  learning: { minLabels: 200, minHoldout: 200, holdoutShare: 0.5, margin: 0 },
};

/** Traffic as the services log it under a policy: model, propensity, the policy's own choice. */
function logged(seed: number, n: number, doc: Record<string, unknown> = document): LearningRecord[] {
  const policy = compilePolicy(doc);
  const random = mulberry32(seed);
  const order = rows.map((_, i) => i).sort(() => random() - 0.5);
  return order.slice(0, n).map((k, at) => {
    const row = rows[k];
    const messages = [{ role: 'user' as const, content: row.prompt }];
    const option = routeOptions(
      policy,
      { request: { messages }, tenant: 't', features: extractFeatures(messages) },
      undefined,
      {
        random,
      },
    ).next().value;
    if (!option) throw new Error('no option');
    const outcome = row.outcomes[option.model];
    return {
      text: row.prompt,
      tenant: 't',
      model: option.model,
      propensity: option.propensity ?? 1,
      policyChoice: option.policyChoice ?? option.model,
      evaluable: true,
      quality: outcome.score,
      labelSource: 'dataset' as const,
      costUsd: outcome.cost_usd,
      outputTokens: outcome.output_tokens,
      at,
    };
  });
}

function invertedLabels(train: readonly LearningRecord[]): LearningRecord[] {
  return train.map((r) => ({ ...r, quality: 1 - r.quality }));
}

function shuffledLabels(seed: number) {
  return (train: readonly LearningRecord[]) => {
    const random = mulberry32(seed + 100);
    const qualities = train.map((r) => r.quality).sort(() => random() - 0.5);
    return train.map((r, i) => ({ ...r, quality: qualities[i] }));
  };
}

// One seed each way: every retraining here is a full one on 3,000 records (about 15 s on a busy 2-core
// machine), and the suite has a time budget; `switchyard bench retrain` and the learning-loop e2e cover more.
describe('the retraining gate on MMLU-Pro outcomes', () => {
  const seed = 1;
  it(`passes a router trained on the cold policy's labelled traffic (seed ${seed})`, () => {
    const real = retrainFromRecords(document, logged(seed, 3000), {
      version: `real-${seed}`,
      dims: 1 << 16,
      epochs: 2,
    });
    expect(real.outcome).toBe('passed');
    if (real.outcome === 'skipped') return;
    expect(real.evaluation.difference.utilityCi95[0]).toBeGreaterThan(0);
    expect(real.evaluation.n).toBe(1500);
  }, 120_000);

  // The best-value single model in force (gemini-1.5-flash: 0.64 of gpt-4o's 0.72 at 1/160 of its cost):
  // candidates trained on its traffic with the labels shuffled (nothing left to learn but prices) or
  // inverted are no better, and must be refused.
  const flashDocument = {
    ...document,
    version: 'flash@1',
    difficulty: undefined,
    rules: [{ name: 'everything', when: { minChars: 1 }, route: { model: 'gemini-1.5-flash-002' } }],
  };
  it(`refuses routers trained on shuffled or inverted labels of the best-value model's traffic (seed ${seed})`, () => {
    const traffic = logged(seed + 10, 3000, flashDocument);
    expect(traffic.filter((r) => r.policyChoice !== r.model).length).toBeGreaterThan(300);
    for (const relabel of [shuffledLabels(seed), invertedLabels]) {
      const worse = retrainFromRecords(flashDocument, traffic, {
        version: `worse-${seed}`,
        dims: 1 << 16,
        epochs: 2,
        relabel,
      });
      expect(`${worse.outcome}: ${worse.reason}`).toMatch(/^refused/);
      if (worse.outcome === 'skipped') return;
      expect(worse.evaluation.difference.utility).toBeLessThanOrEqual(0);
    }
  }, 120_000);

  it('judges against the policy in force now, replaying its choices, not against the one that logged the records', () => {
    // Traffic logged while flash answered everything; since then the bands policy (`document`) is in force.
    const traffic = logged(seed + 20, 600, flashDocument);
    const options = { version: 'replay', dims: 1 << 12, epochs: 1 };
    const underFlash = retrainFromRecords(flashDocument, traffic, options);
    const underBands = retrainFromRecords(document, traffic, options);
    if (underFlash.outcome === 'skipped' || underBands.outcome === 'skipped') throw new Error('skipped');
    expect(underFlash.training['currentChoices']).toBe('replayed');
    expect(underBands.training['currentChoices']).toBe('replayed');
    // The same records and candidate router; the policy in force alone differs, and the bands cost more.
    expect(underBands.evaluation.current.costUsd).toBeGreaterThan(underFlash.evaluation.current.costUsd);
    // A policy with a learned level and no router to replay it with: the records' own choices stand.
    const learned = { ...document, learned: { model: 'lr-in-force' } };
    const fallback = retrainFromRecords(learned, traffic, options);
    expect(fallback.training['currentChoices']).toBe('records');
    if (fallback.outcome === 'skipped') throw new Error('skipped');
    expect(fallback.evaluation.current).toEqual(underFlash.evaluation.current);
  }, 120_000);

  it('skips when the policy asks for no retraining or there are too few labels', () => {
    const { learning: _omit, ...without } = document;
    expect(retrainFromRecords(without, logged(1, 300), { version: 'x' })).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/does not ask for retraining/),
    });
    expect(retrainFromRecords(document, logged(1, 100), { version: 'x' })).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/fewer than minLabels 200/),
    });
  });
});

describe('a retraining on records with the conversation before their text', () => {
  // Follow-ups ("and why is that?") that only the big model answers after a proof, and both after the other
  // questions; each record labels the one model that answered (either, at random: explored), as traffic does.
  const followUpDocument = {
    version: 'follow-ups@1',
    models: [
      { id: 'small', provider: 'simulated', tier: 'cheap', priceUsdPerMTok: { input: 0.1, output: 0.2 } },
      { id: 'big', provider: 'simulated', tier: 'premium', priceUsdPerMTok: { input: 5, output: 15 } },
    ],
    default: { route: { model: 'small' } },
    // A cost weight under which small is worth it where the router predicts it good (about 0.8 after the
    // other questions, 0.4 after a proof, against big's 1.0).
    learning: { minLabels: 200, minHoldout: 100, holdoutShare: 0.25, margin: 0, costWeight: 0.3 },
  };
  const questions = ['add 7 and 5 please', 'say hello to my friend', 'prove the theorem by induction on n'];
  const random = mulberry32(3);
  const followUps: LearningRecord[] = Array.from({ length: 600 }, (_, at) => {
    const context = questions[at % 3];
    const model = random() < 0.5 ? 'small' : 'big';
    return {
      text: 'and why is that?',
      context,
      tenant: 't',
      model,
      propensity: 0.5,
      policyChoice: 'small',
      evaluable: true,
      quality: model === 'big' || !context.startsWith('prove') ? 1 : 0,
      labelSource: 'feedback',
      costUsd: model === 'big' ? 0.01 : 0.0001,
      outputTokens: 50,
      at,
    };
  });
  const retrain = (contextWeight?: number) => {
    const result = retrainFromRecords(followUpDocument, followUps, {
      version: `follow-ups-${contextWeight ?? 'default'}`,
      dims: 1 << 12,
      epochs: 4,
      ...(contextWeight === undefined ? {} : { contextWeight }),
    });
    if (result.outcome === 'skipped') throw new Error(result.reason);
    return result;
  };

  const result = retrain();

  it('trains the router on it, weighed at DEFAULT_CONTEXT_WEIGHT, and says how many records had it', () => {
    expect(result.artifact.features?.contextWeight).toBe(DEFAULT_CONTEXT_WEIGHT);
    expect(result.training).toMatchObject({ contextWeight: DEFAULT_CONTEXT_WEIGHT, withContext: 450 });
    const router = new LearnedRouter(result.artifact);
    const small = (before: string) => router.predictQuality('and why is that?', undefined, before).quality[0];
    expect(router.models[0]).toBe('small');
    expect(small('add 7 and 5 please')).toBeGreaterThan(small('prove the theorem by induction on n') + 0.1);
  });

  it('replays the candidate on the held-out records with their context: big after a proof, small after the rest', () => {
    // The policy in force always chose small: the candidate agrees on the two questions in three, and is
    // better where it does not.
    expect(result.evaluation.agreement).toBeCloseTo(2 / 3, 1);
    expect(result.outcome).toBe('passed');
    // Trained and replayed on the text alone, it sees one follow-up and chooses one model for all of them.
    expect([0, 1]).toContain(retrain(0).evaluation.agreement);
  });
});
