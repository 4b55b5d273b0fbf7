import { MONGO_CONNECT_OPTIONS, RouterModelRepository } from '@switchyard/persistence';
import { trainLearnedRouter } from '@switchyard/routing';
import { mongoUriFor, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { runInProcess } from '../testing/run-in-process';

// `switchyard models list | show` against the real MongoDB-wire server, with two routers stored as the
// nightly retraining and `train --publish` store them.
describe('switchyard models', () => {
  const uri = mongoUriFor(uniqueName('cli_models'));
  const env = { MONGODB_URI: uri };
  let connection: Connection;
  const artifact = (version: string) =>
    trainLearnedRouter(
      Array.from({ length: 40 }, (_, i) => ({ text: `q${i % 4}`, outcomes: { a: { score: i % 2 }, b: { score: 1 } } })),
      { version, dims: 1 << 10, epochs: 1 },
    );

  beforeAll(async () => {
    connection = await mongoose.createConnection(uri, MONGO_CONNECT_OPTIONS).asPromise();
    const store = new RouterModelRepository(connection);
    await store.save(artifact('lr-old'), {
      source: 'switchyard train rows.jsonl',
      createdAt: new Date('2026-12-01T02:30:00Z'),
      training: { rows: 40 },
    });
    await store.save(artifact('lr-new'), {
      source: 'retraining run-7',
      status: 'candidate',
      createdAt: new Date('2026-12-02T02:30:00Z'),
      evaluation: { utility: 0.02 },
    });
    await store.setStatus('lr-old', 'rejected', 'canary lost');
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('lists them newest first, with status, why, when, size and what made them', async () => {
    const sut = await runInProcess(['models', 'list'], { env });
    expect(sut).toMatchObject({ code: 0, stderr: '' });
    const lines = sut.stdout.split('\n');
    expect(lines[0]).toMatch(/^version\s+status\s+created \(UTC\)\s+stored\s+made by$/);
    expect(lines[1]).toMatch(/^lr-new\s+candidate\s+2026-12-02 02:30\s+0\.\d{3} MB\s+retraining run-7$/);
    expect(lines[2]).toMatch(
      /^lr-old\s+rejected\s+2026-12-01 02:30\s+0\.\d{3} MB\s+switchyard train rows\.jsonl \(canary lost\)$/,
    );
    const json = await runInProcess(['models', 'list', '--limit', '1', '--json'], { env });
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ version: 'lr-new', status: 'candidate', createdAt: '2026-12-02T02:30:00.000Z' }),
    ]);
  });

  it('shows one with its training and evaluation, and names a version it does not hold', async () => {
    const sut = await runInProcess(['models', 'show', 'lr-old'], { env });
    expect(sut.code).toBe(0);
    expect(sut.stdout).toContain('lr-old: rejected (canary lost)\nmade 2026-12-01T02:30:00.000Z by switchyard train');
    expect(sut.stdout).toContain('training: {\n  "rows": 40\n}\nevaluation: (none recorded)');
    const json = JSON.parse((await runInProcess(['models', 'show', 'lr-new', '--json'], { env })).stdout);
    expect(json).toMatchObject({ version: 'lr-new', evaluation: { utility: 0.02 } });
    const missing = await runInProcess(['models', 'show', 'lr-none'], { env });
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toContain('no learned router lr-none in the model store (npx switchyard models list');
  });

  it('says how routers get there when there are none', async () => {
    const empty = { MONGODB_URI: mongoUriFor(uniqueName('cli_models_empty')) };
    const sut = await runInProcess(['models', 'list'], { env: empty });
    expect(sut.code).toBe(0);
    expect(sut.stdout).toMatch(/^no learned routers in the model store \(npx switchyard train/);
  });
});
