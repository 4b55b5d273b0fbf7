import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { compilePolicy, extractFeatures, mulberry32, routeOptions } from '@switchyard/routing';
import { parse } from 'yaml';
import type { LearningRecord } from './learning-set';
import { retrainFromRecords } from './retrain';
import { SEED_TEXT_KEY_CHARS, type SeedRow, sampleSeedRows, seedExamples } from './seed-set';

const row = (prompt: string, outcomes: SeedRow['outcomes'], task?: string): SeedRow =>
  task === undefined ? { prompt, outcomes } : { prompt, task, outcomes };

describe(seedExamples.name, () => {
  const models = ['cheap', 'strong', 'never-in-file'];

  it("makes one full-information example per row, labelling each of the policy's models the row has", () => {
    const { examples, summary } = seedExamples(
      {
        rows: [
          row(
            'what is 2 + 2?',
            {
              cheap: { score: 1, cost_usd: 0.0001, output_tokens: 12 },
              strong: { score: 0.5, cost_usd: 0.002 },
            },
            'math',
          ),
        ],
      },
      models,
    );
    expect(examples).toEqual([
      {
        text: 'what is 2 + 2?',
        task: 'math',
        labels: { cheap: { score: 1, costUsd: 0.0001, outputTokens: 12 }, strong: { score: 0.5, costUsd: 0.002 } },
      },
    ]);
    // Weight 1 is left out: the trainer then runs unweighted, as without a seed.
    expect(examples[0]).not.toHaveProperty('weight');
    expect(summary).toEqual({
      rows: 1,
      used: 1,
      heldOut: 0,
      withoutPolicyModel: 0,
      weight: 1,
      models: ['cheap', 'strong'],
      ignoredModels: [],
    });
  });

  it("keeps a row's conversation context on its example, as a record's", () => {
    const followUp: SeedRow = {
      prompt: 'and why?',
      context: 'what is 2 + 2?',
      outcomes: { cheap: { score: 1, cost_usd: 0 } },
    };
    const { examples } = seedExamples({ rows: [followUp, row('what is 2 + 2?', followUp.outcomes)] }, models);
    expect(examples.map((e) => e.context)).toEqual(['what is 2 + 2?', undefined]);
    expect(examples[1]).not.toHaveProperty('context');
  });

  it('ignores models the policy does not have, and drops rows labelling none of its models', () => {
    const { examples, summary } = seedExamples(
      {
        rows: [
          row('a', { cheap: { score: 0, cost_usd: 0.1 }, 'other-model': { score: 1, cost_usd: 9 } }),
          row('b', { 'other-model': { score: 1, cost_usd: 9 }, retired: { score: 0, cost_usd: 1 } }),
        ],
        weight: 0.25,
      },
      models,
    );
    expect(examples).toEqual([{ text: 'a', labels: { cheap: { score: 0, costUsd: 0.1 } }, weight: 0.25 }]);
    expect(summary).toMatchObject({
      rows: 2,
      used: 1,
      withoutPolicyModel: 1,
      models: ['cheap'],
      ignoredModels: ['other-model', 'retired'],
      weight: 0.25,
    });
  });

  it("leaves out rows whose text is a held-out record's, comparing the capped text a record keeps", () => {
    const long = `${'x'.repeat(SEED_TEXT_KEY_CHARS)} and a tail the record's cap cut off`;
    const { examples, summary } = seedExamples(
      {
        rows: [
          row('held out', { cheap: { score: 1, cost_usd: 0 } }),
          row(long, { cheap: { score: 1, cost_usd: 0 } }),
          row('trains', { cheap: { score: 1, cost_usd: 0 } }),
        ],
      },
      models,
      ['held out', long.slice(0, 4000 - 100)],
    );
    expect(examples.map((e) => e.text)).toEqual(['trains']);
    expect(summary).toMatchObject({ used: 1, heldOut: 2 });
  });

  it('refuses a weight that is not above 0', () => {
    expect(() => seedExamples({ rows: [], weight: 0 }, models)).toThrow(/above 0; got 0/);
    expect(() => seedExamples({ rows: [], weight: Number.NaN }, models)).toThrow(/above 0/);
  });
});

describe(sampleSeedRows.name, () => {
  const rows = Array.from({ length: 100 }, (_, i) => i);

  it('keeps every row when the file has no more than the cap', () => {
    expect(sampleSeedRows(rows, 100)).toEqual(rows);
  });

  it('takes the same seeded sample each time, in file order, of exactly the cap', () => {
    const sample = sampleSeedRows(rows, 30);
    expect(sample).toHaveLength(30);
    expect(new Set(sample).size).toBe(30);
    expect([...sample].sort((a, b) => a - b)).toEqual(sample);
    expect(sampleSeedRows(rows, 30)).toEqual(sample);
    // Not simply the head of the file: a file sorted by task would give the first tasks only.
    expect(sample.some((i) => i >= 30)).toBe(true);
  });
});

// The merge inside a retraining, on real outcomes: logged traffic of the committed MMLU-Pro slice, and a
// seed of other questions from it (plus, on purpose, the questions of the held-out records).
describe('retrainFromRecords with a seed dataset', () => {
  const ROOT = join(__dirname, '..', '..', '..', '..');
  const rows: Array<SeedRow & { id: string }> = gunzipSync(
    readFileSync(join(ROOT, 'datasets', 'sample', 'mmlu-pro-3000.jsonl.gz')),
  )
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as SeedRow & { id: string });
  const document = {
    ...(parse(readFileSync(join(ROOT, 'policies', 'mmlu-pro-replay.yaml'), 'utf8')) as Record<string, unknown>),
    exploration: { percent: 20 },
    learning: { minLabels: 100, minHoldout: 100, holdoutShare: 0.5, margin: 0 },
  };
  const policy = compilePolicy(document);
  const random = mulberry32(5);
  const traffic: LearningRecord[] = rows.slice(0, 400).map((r, at) => {
    const messages = [{ role: 'user' as const, content: r.prompt }];
    const option = routeOptions(
      policy,
      { request: { messages }, tenant: 't', features: extractFeatures(messages) },
      undefined,
      { random },
    ).next().value;
    if (!option) throw new Error('no option');
    return {
      text: r.prompt,
      tenant: 't',
      model: option.model,
      propensity: option.propensity ?? 1,
      policyChoice: option.policyChoice ?? option.model,
      evaluable: true,
      quality: r.outcomes[option.model].score,
      labelSource: 'dataset',
      costUsd: r.outcomes[option.model].cost_usd,
      at,
    };
  });
  // Other questions, one model the policy does not have, and the 200 questions the gate holds out.
  const seedRows: SeedRow[] = [
    ...rows.slice(1000, 1300).map((r) => ({
      ...r,
      outcomes: { ...r.outcomes, 'not-in-policy': { score: 1, cost_usd: 0 } },
    })),
    ...rows.slice(200, 400),
  ];
  const options = { version: 'seeded', dims: 1 << 14, epochs: 1 };
  const without = retrainFromRecords(document, traffic, options);
  const seeded = retrainFromRecords(document, traffic, { ...options, seed: { rows: seedRows } });

  it('trains on the records and the seed rows, counting what the seed gave', () => {
    if (seeded.outcome === 'skipped' || without.outcome === 'skipped') throw new Error(seeded.reason);
    expect(seeded.training['seed']).toEqual({
      rows: 500,
      used: 300,
      heldOut: 200,
      withoutPolicyModel: 0,
      weight: 1,
      models: [...policy.models.keys()],
      ignoredModels: ['not-in-policy'],
    });
    expect(seeded.artifact.training.examples).toBe(200 + 300);
    expect(without.artifact.training.examples).toBe(200);
    // Every seed row labels all nine models; a record only the one that answered.
    expect(seeded.artifact.training.labels).toBe(200 + 300 * 9);
    expect(without.training).not.toHaveProperty('seed');
  }, 60_000);

  it('leaves the gate its records alone: the same held-out requests, graded as without the seed', () => {
    if (seeded.outcome === 'skipped' || without.outcome === 'skipped') throw new Error(seeded.reason);
    expect(seeded.training).toMatchObject({ labelled: 400, train: 200, holdout: 200 });
    expect(without.training).toMatchObject({ labelled: 400, train: 200, holdout: 200 });
    expect(seeded.evaluation.n).toBe(200);
    // The inverse propensity estimate of the policy in force reads nothing but the held-out records (logged
    // model, propensity, label, the policy's own choice): equal to the bit, so they are the same records.
    expect(seeded.evaluation.ips.current).toBe(without.evaluation.ips.current);
    expect(seeded.evaluation.ips.current).toBeGreaterThan(0);
  }, 60_000);

  it('still needs minLabels records of its own: a seed does not stand in for traffic', () => {
    const few = traffic.slice(0, 150);
    expect(retrainFromRecords(document, few, { ...options, seed: { rows: seedRows } })).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/fewer than minLabels 100/),
    });
  });
});
