import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LiveComparison, splitDataset } from '@switchyard/evaluation';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { testInfra } from '@switchyard/testing';

// `switchyard eval --live` as a user runs it (the built CLI, which starts the six built services itself) on a
// dataset of the shared format that has nothing of MMLU-Pro: made-up models, prices and prompts.
const root = findWorkspaceRoot(__dirname);

const CHEAP = 'acorn-s';
const MIDDLE = 'birch-m';
const STRONG = 'cedar-xl';
const COST = { [CHEAP]: 0.0001, [MIDDLE]: 0.001, [STRONG]: 0.01 };
const ROWS = 80;
const SPLIT = 0.7;
const SEED = 0;

interface Row {
  id: string;
  task: string;
  prompt: string;
  context?: string;
  outcomes: Record<string, { score: number; pred: string; cost_usd: number }>;
}

/**
 * Sums everyone gets right (all three models) and proofs only the strong model gets right; the middle
 * model costs more than the cheap one and is never better. One sum is in the file twice: the second copy
 * charges the cheap model triple, and the first copy is a test prompt, so replaying by prompt alone would
 * charge the wrong row.
 */
function syntheticRows(): { rows: Row[]; repeated: string } {
  const rows: Row[] = [];
  for (let i = 0; i < ROWS; i++) {
    const hard = i % 2 === 1;
    const a = 17 + i * 7;
    const b = 3 + i * 11;
    rows.push({
      id: `syn-${i}`,
      task: hard ? 'proof' : 'arithmetic',
      prompt: hard
        ? `Prove rigorously that the sequence ${a}^n / n! converges to zero, and bound it for n > ${b}.`
        : `Add ${a} and ${b}. What is the sum?`,
      outcomes: {
        // The right answer is A; on proofs the two weaker models give two different wrong ones.
        [CHEAP]: { score: hard ? 0 : 1, pred: hard ? 'B' : 'A', cost_usd: COST[CHEAP] },
        [MIDDLE]: { score: hard ? 0 : 1, pred: hard ? 'C' : 'A', cost_usd: COST[MIDDLE] },
        [STRONG]: { score: 1, pred: 'A', cost_usd: COST[STRONG] },
      },
    });
  }
  const { test } = splitDataset(
    rows.map((_, i) => i),
    SPLIT,
    SEED,
  );
  const first = Math.min(...test.filter((i) => i % 2 === 0 && i < ROWS - 1));
  const copy = rows.length - 1; // a later row, so it is the one a lookup by prompt finds
  rows[copy] = {
    ...rows[copy],
    task: 'arithmetic',
    prompt: rows[first].prompt,
    outcomes: {
      [CHEAP]: { score: 1, pred: 'A', cost_usd: 3 * COST[CHEAP] },
      [MIDDLE]: { score: 1, pred: 'A', cost_usd: COST[MIDDLE] },
      [STRONG]: { score: 1, pred: 'A', cost_usd: COST[STRONG] },
    },
  };
  return { rows, repeated: rows[first].id };
}

/** A policy over the three models, each served by the replay provider, with these rules; default: the cheap one. */
function writePolicy(dir: string, version: string, rules: string[]): string {
  const file = join(dir, `${version.replace(/\W/g, '-')}.yaml`);
  writeFileSync(
    file,
    [
      `version: ${version}`,
      'models:',
      ...[CHEAP, MIDDLE, STRONG].map(
        (id, i) =>
          `  - { id: ${id}, provider: replay, tier: t${i}, priceUsdPerMTok: { input: ${10 ** i}, output: ${10 ** i} } }`,
      ),
      'rules:',
      ...rules,
      `default: { route: { model: ${CHEAP} } }`,
    ].join('\n'),
  );
  return file;
}

interface LiveFile extends LiveComparison {
  policyVersion: string;
  answers: Array<{ id: string; offline: string; live: string | null; costUsd: number | null }>;
}

/** Runs the built CLI; resolves with its exit code, its output and the live.json it wrote. */
async function evalLive(dir: string, dataset: string, extra: string[] = []) {
  const out = join(dir, `out-${extra.length}`);
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'switchyard.js'), 'eval', '--live', '--dataset', dataset, '--out', out, ...extra],
    {
      cwd: root,
      env: {
        ...process.env,
        NATS_URL: testInfra.natsUrl,
        REDIS_URL: testInfra.redisUrl,
        MONGODB_URI: testInfra.mongoServer,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
  if (code !== 0) process.stderr.write(output);
  return { code, output, live: JSON.parse(readFileSync(join(out, 'live.json'), 'utf8')) as LiveFile };
}

describe('switchyard eval --live', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eval-live-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dataset = join(dir, 'synthetic.jsonl');
  const { rows, repeated } = syntheticRows();
  writeFileSync(dataset, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const test = splitDataset(rows, SPLIT, SEED).test;
  const hard = test.filter((r) => r.task === 'proof');
  // By hand: proofs to the strong model, sums to the cheap one, every answer right.
  const ideal = {
    quality: 1,
    totalCostUsd: test.reduce((sum, r) => sum + r.outcomes[r.task === 'proof' ? STRONG : CHEAP].cost_usd, 0),
  };

  it('reproduces the offline numbers of a rule policy, which are the hand-computed ones', async () => {
    const policy = writePolicy(dir, 'synthetic-rules@1', [
      `  - { name: proofs, when: { keywordsAny: [prove] }, route: { model: ${STRONG} } }`,
    ]);

    const { code, output, live } = await evalLive(dir, dataset, ['--policy', policy]);

    expect(output).toContain('MATCH: the live system reproduced the offline numbers');
    expect(code).toBe(0);
    expect(live).toMatchObject({ matches: true, differing: [], failed: [], costMismatches: [], otherPolicy: [] });
    expect(live.policyVersion).toBe('synthetic-rules@1');
    expect(live.live.answered).toBe(test.length);
    expect(live.live.byModel).toEqual({ [STRONG]: hard.length, [CHEAP]: test.length - hard.length });
    expect(live.live.quality).toBe(ideal.quality);
    expect(live.live.totalCostUsd).toBeCloseTo(ideal.totalCostUsd, 12);
    expect(live.offline).toEqual(live.live);
    // The repeated sum was charged at its own row's price, not at its later copy's.
    expect(live.answers.find((a) => a.id === repeated)).toMatchObject({ live: CHEAP, costUsd: COST[CHEAP] });
  }, 240_000);

  it('reproduces the offline numbers of the learned router trained on the train part', async () => {
    // The router predicts the strong model right on everything (1.0), the cheap one right on sums (about 0.7-0.85)
    // and wrong on proofs (about 0.05-0.15), depending on how it is tuned: a tolerance of 0.5 sits inside the gap.
    const { code, output, live } = await evalLive(dir, dataset, ['--tolerance', '0.5']);

    expect(output).toContain('MATCH: the live system reproduced the offline numbers');
    expect(code).toBe(0);
    expect(live).toMatchObject({ matches: true, differing: [], failed: [], costMismatches: [], otherPolicy: [] });
    expect(live.offline).toEqual(live.live);
    expect(live.live.answered).toBe(test.length);
    // What the router chose, priced from the rows by hand: the totals are those of its choices.
    const chosen = live.answers.map((a) => rows.find((r) => r.id === a.id)?.outcomes[a.live ?? '']);
    expect(live.live.totalCostUsd).toBeCloseTo(
      chosen.reduce((sum, o) => sum + (o?.cost_usd ?? NaN), 0),
      12,
    );
    expect(live.live.quality).toBeCloseTo(chosen.reduce((sum, o) => sum + (o?.score ?? NaN), 0) / test.length, 12);
    // It learned the split: proofs to the strong model, sums to the cheap one.
    expect(live.live.quality).toBe(ideal.quality);
    expect(live.live.totalCostUsd).toBeCloseTo(ideal.totalCostUsd, 12);
  }, 240_000);

  it('reproduces an agreement cascade: two cheap voters, the strong model asked only when they disagree', async () => {
    const policy = writePolicy(dir, 'synthetic-agreement@1', [
      `  - name: agree-or-escalate`,
      `    when: { minChars: 1 }`,
      `    plan: { kind: consensus, models: [${CHEAP}, ${MIDDLE}], quorum: 2, onDisagreement: escalate, escalateTo: ${STRONG} }`,
    ]);

    const { code, output, live } = await evalLive(dir, dataset, ['--policy', policy, '--concurrency', '8']);

    expect(output).toContain('MATCH: the live system reproduced the offline numbers');
    expect(code).toBe(0);
    expect(live).toMatchObject({ matches: true, differing: [], failed: [], costMismatches: [], otherPolicy: [] });
    // By hand: sums agree (the cheap voter's answer, both voters charged); proofs disagree (all three charged).
    expect(live.live.byModel).toEqual({ [STRONG]: hard.length, [CHEAP]: test.length - hard.length });
    expect(live.live.quality).toBe(1);
    const byHand = test.reduce(
      (sum, r) =>
        sum + r.outcomes[CHEAP].cost_usd + r.outcomes[MIDDLE].cost_usd + (r.task === 'proof' ? COST[STRONG] : 0),
      0,
    );
    expect(live.live.totalCostUsd).toBeCloseTo(byHand, 12);
    expect(live.offline).toEqual(live.live);
  }, 240_000);

  it('routes follow-ups by the conversation the rows carry: the requests send it, the router reads it', async () => {
    // Every prompt is the same follow-up; only the question before it (the row's context) says whether the
    // cheap model can answer. Requests that carried the prompt alone would all be routed alike.
    const followUps = join(dir, 'follow-ups.jsonl');
    const asked = rows.map((r) => ({
      ...r,
      id: `follow-${r.id}`,
      prompt: 'Now explain your answer in one line.',
      context: r.prompt,
    }));
    writeFileSync(followUps, asked.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const held = splitDataset(asked, SPLIT, SEED).test;

    const { code, output, live } = await evalLive(dir, followUps, ['--tolerance', '0.5', '--context-weight', '1']);

    expect(output).toContain('MATCH: the live system reproduced the offline numbers');
    expect(code).toBe(0);
    expect(live).toMatchObject({ matches: true, differing: [], failed: [], costMismatches: [], otherPolicy: [] });
    expect(live.live.answered).toBe(held.length);
    // After a proof the strong model, after a sum the cheap one: every answer right at the least cost.
    expect(live.live.byModel).toEqual({
      [STRONG]: held.filter((r) => r.task === 'proof').length,
      [CHEAP]: held.filter((r) => r.task !== 'proof').length,
    });
    expect(live.live.quality).toBe(1);
  }, 240_000);
});
