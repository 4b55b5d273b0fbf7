import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatasetRow, loadDataset } from '@switchyard/datasets';
import { writeSeed } from './simulate.command';

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
