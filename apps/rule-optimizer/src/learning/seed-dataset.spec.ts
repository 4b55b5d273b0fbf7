import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ConfigError } from '@switchyard/runtime';
import { bootstrap } from '../bootstrap';
import { loadOptimizerConfig } from '../config';
import { loadSeedDataset } from './seed-dataset';

const line = (id: number) =>
  JSON.stringify({
    id,
    task: 'math',
    prompt: `question ${id}`,
    ...(id === 3 ? { context: 'what came before question 3' } : {}),
    outcomes: {
      cheap: { score: id % 2, pred: 'A', cost_usd: 0.0001, output_tokens: 7 },
      strong: { score: 1, cost_usd: 0.002 },
    },
  });

describe(loadSeedDataset.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'seed-dataset-'));
  const good = join(dir, 'seed.jsonl.gz');
  writeFileSync(good, gzipSync(Array.from({ length: 10 }, (_, i) => line(i)).join('\n')));
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, `${line(1)}\n{"id":2,"prompt":"x","outcomes":{"cheap":{"score":2,"cost_usd":0}}}\n`);
  const config = (env: Record<string, string>) => loadOptimizerConfig(env);

  it('is null when RETRAIN_SEED_DATASET is unset', () => {
    expect(loadSeedDataset(config({}))).toBeNull();
  });

  it('reads the file once into what training needs, at most RETRAIN_SEED_MAX_ROWS rows, with its weight', () => {
    const seed = loadSeedDataset(
      config({ RETRAIN_SEED_DATASET: good, RETRAIN_SEED_MAX_ROWS: '4', RETRAIN_SEED_WEIGHT: '0.5' }),
    );
    expect(seed).toMatchObject({ file: good, fileRows: 10, weight: 0.5 });
    expect(seed?.rows).toHaveLength(4);
    // The recorded answers (pred) and ids are not kept: the rows stay in the heap for the service's life.
    expect(seed?.rows[0]).toEqual({
      prompt: expect.stringMatching(/^question \d$/),
      task: 'math',
      outcomes: {
        cheap: { score: expect.any(Number), cost_usd: 0.0001, output_tokens: 7 },
        strong: { score: 1, cost_usd: 0.002 },
      },
    });
    const all = loadSeedDataset(config({ RETRAIN_SEED_DATASET: good }))?.rows;
    expect(all).toHaveLength(10);
    // A row's conversation context is what training reads too; rows without one get no field.
    expect(all?.[3]).toMatchObject({ prompt: 'question 3', context: 'what came before question 3' });
    expect(all?.[2]).not.toHaveProperty('context');
  });

  it('names each model as policies do: a name no policy may use under its routable id', () => {
    const renamed = join(dir, 'renamed.jsonl');
    writeFileSync(
      renamed,
      `${JSON.stringify({ id: 1, prompt: 'q', outcomes: { 'claude@2024': { score: 1, cost_usd: 0.002 }, cheap: { score: 0, cost_usd: 0.0001 } } })}\n`,
    );
    const seed = loadSeedDataset(config({ RETRAIN_SEED_DATASET: renamed }));
    expect(Object.keys(seed?.rows[0].outcomes ?? {}).sort()).toEqual(['cheap', 'claude-2024']);
  });

  it('fails naming the variable, the file, the line and the field of a bad row', () => {
    expect(() => loadSeedDataset(config({ RETRAIN_SEED_DATASET: bad }))).toThrow(ConfigError);
    expect(() => loadSeedDataset(config({ RETRAIN_SEED_DATASET: bad }))).toThrow(
      `rule-optimizer: invalid configuration: RETRAIN_SEED_DATASET="${bad}": ${bad}:2: outcomes.cheap.score: Too big`,
    );
  });

  it('fails naming the variable when the file is missing', () => {
    const missing = join(dir, 'missing.jsonl');
    expect(() => loadSeedDataset(config({ RETRAIN_SEED_DATASET: missing }))).toThrow(
      new RegExp(`RETRAIN_SEED_DATASET="${missing}": cannot read dataset ${missing}: ENOENT`),
    );
  });

  it('bounds the rows and the weight in the configuration', () => {
    expect(() => config({ RETRAIN_SEED_MAX_ROWS: '0' })).toThrow(/RETRAIN_SEED_MAX_ROWS="0"/);
    expect(() => config({ RETRAIN_SEED_MAX_ROWS: '50001' })).toThrow(/RETRAIN_SEED_MAX_ROWS="50001"/);
    expect(() => config({ RETRAIN_SEED_WEIGHT: '0' })).toThrow(/RETRAIN_SEED_WEIGHT="0"/);
    expect(config({})).toMatchObject({ RETRAIN_SEED_MAX_ROWS: 5000, RETRAIN_SEED_WEIGHT: 1 });
  });

  it('fails the service start before any connection opens', async () => {
    // Nothing listens on these ports: had the start got as far as connecting, it would fail otherwise.
    await expect(
      bootstrap({
        RETRAIN_SEED_DATASET: bad,
        NATS_URL: 'nats://127.0.0.1:1',
        REDIS_URL: 'redis://127.0.0.1:1',
        MONGODB_URI: 'mongodb://127.0.0.1:1/x',
      }),
    ).rejects.toThrow(/RETRAIN_SEED_DATASET=.*bad\.jsonl:2: outcomes\.cheap\.score/);
  });
});
