import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatasetRow, loadDataset } from '@switchyard/datasets';
import { simulateHtml } from './simulate-html';
import { compilePolicy } from '@switchyard/routing';
import { type SimulatedDay, coldPolicy, daysTable, startPolicy, trainedFrom, writeSeed } from './simulate.command';

const row = (id: number): DatasetRow => ({
  id: String(id),
  prompt: `question ${id}`,
  outcomes: { a: { score: 1, cost_usd: 0.001 }, b: { score: 0, cost_usd: 0.01 } },
});

describe(writeSeed.name, () => {
  it("writes the seed rule-optimizer reads, without the test part's questions", () => {
    const dir = mkdtempSync(join(tmpdir(), 'simulate-seed-'));
    const source = join(dir, 'source.jsonl');
    writeFileSync(source, [1, 2, 3, 4].map((i) => JSON.stringify(row(i))).join('\n'));
    const seed = writeSeed(source, [row(2), row(4), row(9)], dir);
    expect(seed).toEqual({ file: join(dir, 'simulate-seed.jsonl'), rows: 2, leftOut: 2 });
    expect(loadDataset(seed.file).map((r) => r.prompt)).toEqual(['question 1', 'question 3']);
    expect(readFileSync(seed.file, 'utf8').endsWith('\n')).toBe(true);
    expect(() => writeSeed(source, [1, 2, 3, 4].map(row), dir)).toThrow(/every row asks a question of the test part/);
  });
});

describe(startPolicy.name, () => {
  const settings = { days: 7, explorationPercent: 5, canaryPercent: 50 };
  it('routes by the stored router alone, with the cold start’s models, exploration and learning', () => {
    const start = startPolicy([row(1), row(2)], ['a', 'b'], 'simulate-start-x1', settings);
    const cold = coldPolicy([row(1), row(2)], ['a', 'b'], settings);
    const compiled = compilePolicy(start);
    expect(compiled.document.learned).toMatchObject({ enabled: true, model: 'simulate-start-x1', mode: 'cost-aware' });
    expect(compiled.document.rules).toEqual([]);
    expect(compiled.document.difficulty?.enabled ?? false).toBe(false);
    expect(start).toMatchObject({
      models: cold['models'],
      exploration: cold['exploration'],
      learning: cold['learning'],
    });
    // The nights continue from it (learning.warmStart's default).
    expect(compiled.document.learning?.warmStart).toBe(true);
    // Unless told otherwise (--no-warm-start).
    const scratch = compilePolicy(startPolicy([row(1)], ['a', 'b'], 'v1', { ...settings, warmStart: false }));
    expect(scratch.document.learning?.warmStart).toBe(false);
  });
});

describe(trainedFrom.name, () => {
  it('says what a night trained from, and its passes, when the run says', () => {
    const gate = { outcome: 'refused', reason: 'utility' };
    expect(trainedFrom(gate)).toBe('');
    expect(trainedFrom({ ...gate, warmStart: { from: 'lr-1' }, passes: 0 })).toBe(' (from router lr-1, 0 passes)');
    expect(trainedFrom({ ...gate, warmStart: { from: 'lr-1' }, passes: 1 })).toBe(' (from router lr-1, 1 pass)');
    expect(trainedFrom({ ...gate, warmStart: { none: 'the policy has no learned router' }, passes: 8 })).toBe(
      ' (from scratch: the policy has no learned router, 8 passes)',
    );
  });
});

const day = (n: number, candidate?: SimulatedDay['testCandidate']): SimulatedDay => ({
  day: n,
  requests: 800,
  answered: 800,
  quality: 0.585,
  costUsdPerRequest: 0.000135,
  modelVersion: 'none',
  policyVersion: 'p@1',
  explorationShare: 0.053,
  shareByModel: { a: 1 },
  feedback: 400,
  testQuality: 0.6011,
  testCostUsdPerRequest: 0.000072,
  testPolicyVersion: 'p@1',
  ...(candidate ? { testCandidate: candidate } : {}),
  gate: { outcome: candidate ? 'released' : 'refused', reason: 'utility' },
  canary: { verdict: 'none', reason: 'no canary' },
});

describe(daysTable.name, () => {
  it("shows the canary's candidate on the test part under its own header, empty on days without one", () => {
    const lines = daysTable([
      day(1),
      day(2, { policyVersion: 'p@1+canary', quality: 0.7, costUsdPerRequest: 0.000507 }),
    ]).split('\n');
    expect(lines[0]).toMatch(/test cost +canary arm on test *$/);
    expect(lines[2]).toMatch(/\$0\.000072 *$/);
    expect(lines[3]).toMatch(/\$0\.000072 {2}0\.7000 at \$0\.000507$/);
    // Every column of the last row starts under its header.
    expect(lines[3].indexOf('0.7000')).toBe(lines[0].indexOf('canary arm on test'));
  });
});

describe(simulateHtml.name, () => {
  it("has a cell for every header, the canary's candidate among them", () => {
    const html = simulateHtml({
      dataset: 'd.jsonl',
      settings: {
        days: 2,
        requestsPerDay: 800,
        feedbackShare: 0.5,
        feedbackNoise: 0.1,
        explorationPercent: 5,
        canaryPercent: 50,
      },
      singles: [{ model: 'a', quality: 0.7, costUsd: 0.001 }],
      days: [day(1), day(2, { policyVersion: 'p@1+canary<x>', quality: 0.7, costUsdPerRequest: 0.000507 })],
    });
    const table = html.slice(html.indexOf('<h2>Days</h2>'));
    const headers = table.match(/<th>/g)?.length;
    const rows = table.split('</tr>').filter((r) => r.includes('<td>'));
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.match(/<td>/g)?.length).toBe(headers);
    expect(table).toContain('<th>canary arm on test</th>');
    expect(rows[1]).toContain('<td>p@1+canary&lt;x&gt;: 0.7000 at $0.000507</td>');
  });
});
