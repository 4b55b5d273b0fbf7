import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findWorkspaceRoot } from '@switchyard/launcher';

// `npx switchyard eval` as a user runs it (the built CLI), on a dataset unlike MMLU-Pro: other model names,
// four models, two tasks, and outcomes built so that some numbers do not depend on the split.
const root = findWorkspaceRoot(__dirname);
const cli = join(root, 'bin', 'switchyard.js');
const run = promisify(execFile);

interface Results {
  models: string[];
  trainSize: number;
  testSize: number;
  bestSingle: { name: string; quality: number; costUsd: number };
  cheapest: { name: string };
  apgr?: number;
  strategies: Array<{
    name: string;
    family: string;
    quality: number;
    costUsd: number;
    qualityVsBest: number;
    saving: number;
    usesTaskLabel: boolean;
  }>;
}

function syntheticDataset(dir: string): string {
  const lines = Array.from({ length: 120 }, (_, i) => {
    const hard = i % 3 === 0;
    const gold = 'ABCD'[i % 4];
    const wrong = 'ABCD'[(i + 1) % 4];
    const other = 'ABCD'[(i + 2) % 4];
    return JSON.stringify({
      id: `q${i}`,
      task: hard ? 'proofs' : 'lookup',
      prompt: hard ? `Prove that lemma ${i} holds for every n by induction.` : `What is the capital of country ${i}?`,
      outcomes: {
        // Always right, always $0.02: its numbers are the same on any test part.
        'zeta-large': { score: 1, pred: gold, cost_usd: 0.02 },
        // Right on lookups only.
        'eta-medium': { score: hard ? 0 : 1, pred: hard ? wrong : gold, cost_usd: 0.004 },
        // Half-right everywhere (a graded score), always $0.001.
        'theta-small': { score: 0.5, pred: gold, cost_usd: 0.001 },
        // Right on lookups, wrong on proofs with another wrong answer than eta's (no false agreement).
        'iota-mini': { score: hard ? 0 : 1, pred: hard ? other : gold, cost_usd: 0.002 },
      },
    });
  });
  const file = join(dir, 'synthetic.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('switchyard eval on a synthetic dataset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-eval-'));
  const dataset = syntheticDataset(dir);
  const out = join(dir, 'out');
  let stdout = '';
  let results: Results;

  beforeAll(async () => {
    ({ stdout } = await run('node', [
      cli,
      'eval',
      '--dataset',
      dataset,
      '--out',
      out,
      '--split',
      '0.6',
      '--seed',
      '3',
    ]));
    results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  }, 120_000);

  it('splits as asked and finds the best and the cheapest model without knowing their names', () => {
    expect(results).toMatchObject({
      models: ['eta-medium', 'iota-mini', 'theta-small', 'zeta-large'],
      trainSize: 72,
      testSize: 48,
    });
    expect(results.bestSingle).toMatchObject({ name: 'zeta-large', quality: 1 });
    expect(results.bestSingle.costUsd).toBeCloseTo(0.02, 12);
    expect(results.cheapest.name).toBe('theta-small');
    const small = results.strategies.find((s) => s.name === 'theta-small');
    expect(small).toMatchObject({ family: 'single', quality: 0.5, qualityVsBest: 0.5 });
    expect(small?.saving).toBeCloseTo(0.95, 12);
  });

  it('runs every family, the label-using ones marked, and the oracle on top', () => {
    const families = new Set(results.strategies.map((s) => s.family));
    for (const f of ['single', 'random', 'seed', 'per-task', 'cascade', 'consensus', 'classifier', 'learned'])
      expect(families).toContain(f);
    const marked = results.strategies.filter((s) => s.usesTaskLabel).map((s) => s.family);
    expect(new Set(marked)).toEqual(new Set(['per-task', 'learned+task']));
    // The oracle: zeta on proofs, eta on lookups. Every strategy is at or below it.
    const oracle = results.strategies.find((s) => s.family === 'oracle');
    expect(oracle?.quality).toBe(1);
    for (const s of results.strategies) expect(s.quality).toBeLessThanOrEqual(1);
    // Acceptance checks pass theta's every answer (a letter): its quality and cost alone.
    const cascade = results.strategies.find((s) => s.name.endsWith('(acceptance checks)'));
    expect(cascade).toMatchObject({ quality: 0.5 });
    expect(cascade?.costUsd).toBeCloseTo(0.001, 12);
    // A vote calls all three cheaper models on every prompt: 0.004 + 0.002 + 0.001.
    expect(results.strategies.find((s) => s.name.startsWith('consensus of 3'))?.costUsd).toBeCloseTo(0.007, 12);
    // Per-task is exact here: the task says which model is right.
    expect(results.strategies.find((s) => s.family === 'per-task')).toMatchObject({ quality: 1 });
  });

  it('learns the split from the text: some cost weight is as good as zeta for less', () => {
    const learned = results.strategies.filter((s) => s.family === 'learned');
    expect(learned.some((s) => s.quality === 1 && s.saving > 0.3)).toBe(true);
    expect(results.apgr).toBeGreaterThan(0.5);
  });

  it('writes the report and prints the table', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('zeta-large');
    expect(stdout).toContain('best single model: zeta-large');
    expect(stdout).toMatch(/learned router \(cost-aware\) APGR \d/);
  });

  it('names the file and the line of a bad row, and exits non-zero', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${readFileSync(dataset, 'utf8').split('\n')[0]}\n{"id": "x", "prompt": 3}\n`);
    await expect(run('node', [cli, 'eval', '--dataset', bad, '--out', join(dir, 'bad-out')])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('bad.jsonl:2'),
    });
  });
});
