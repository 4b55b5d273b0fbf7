import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DATASET_CONTEXT_MAX_CHARS, DatasetError, loadDataset, parseDataset } from './dataset-format';
import { replayedAnswer } from './replay-answer';

const line = (id: number, a: number, b: number) =>
  JSON.stringify({
    id,
    task: 't',
    prompt: `q${id}`,
    outcomes: { a: { score: a, cost_usd: 0.001 }, b: { score: b, pred: 'A', cost_usd: 0.01, output_tokens: 5 } },
  });

describe(parseDataset.name, () => {
  it('reads rows and skips blank lines', () => {
    const rows = parseDataset(`${line(1, 1, 0)}\n\n${line(2, 0, 1)}\n`);
    expect(rows.map((r) => r.id)).toEqual(['1', '2']);
    expect(rows[1].outcomes['b']).toEqual({ score: 1, pred: 'A', cost_usd: 0.01, output_tokens: 5 });
  });
  it('names the line and field of a bad row', () => {
    expect(() =>
      parseDataset(`${line(1, 1, 0)}\n{"id":2,"prompt":"x","outcomes":{"a":{"score":3,"cost_usd":0}}}`, 'f.jsonl'),
    ).toThrow(new DatasetError('f.jsonl:2: outcomes.a.score: Too big: expected number to be <=1'));
  });
  it('keeps a row’s conversation context, and names the line of one beyond the limit', () => {
    const row = (id: number, context: string) => JSON.stringify({ ...JSON.parse(line(id, 1, 0)), context });
    expect(parseDataset(`${line(1, 1, 0)}\n${row(2, 'earlier question')}`).map((r) => r.context)).toEqual([
      undefined,
      'earlier question',
    ]);
    expect(() =>
      parseDataset(`${row(1, 'ok')}\n${row(2, 'x'.repeat(DATASET_CONTEXT_MAX_CHARS + 1))}`, 'f.jsonl'),
    ).toThrow(/^f.jsonl:2: context: Too big: expected string to have <=20000 characters/);
  });
  it('names the line of malformed JSON', () => {
    expect(() => parseDataset('{oops', 'f.jsonl')).toThrow(/^f.jsonl:1: not valid JSON/);
  });
});

describe(loadDataset.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dataset-'));
  const text = `${line(1, 1, 0)}\n${line(2, 0, 1)}\n`;
  writeFileSync(join(dir, 'd.jsonl'), text);
  writeFileSync(join(dir, 'd.jsonl.gz'), gzipSync(text));

  it('reads plain and gzipped files alike', () => {
    expect(loadDataset(join(dir, 'd.jsonl'))).toEqual(loadDataset(join(dir, 'd.jsonl.gz')));
  });
  it('refuses a file, or what a gzipped one expands to, beyond maxBytes', () => {
    const bytes = Buffer.byteLength(text);
    expect(loadDataset(join(dir, 'd.jsonl'), { maxBytes: bytes })).toHaveLength(2);
    expect(() => loadDataset(join(dir, 'd.jsonl'), { maxBytes: bytes - 1 })).toThrow(
      new RegExp(`cannot read dataset .*d.jsonl: ${bytes} bytes, more than the ${bytes - 1} allowed`),
    );
    expect(() => loadDataset(join(dir, 'd.jsonl.gz'), { maxBytes: bytes - 1 })).toThrow(
      /cannot read dataset .*d.jsonl.gz/,
    );
  });
  it('names a file that is not there', () => {
    expect(() => loadDataset(join(dir, 'missing.jsonl'))).toThrow(/cannot read dataset .*missing.jsonl: ENOENT/);
  });
});

describe(replayedAnswer.name, () => {
  it('answers with the recorded choice, or a marker naming the score when there is none', () => {
    expect(replayedAnswer('m', { score: 1, pred: 'C' }).content).toBe('The answer is (C).');
    expect(replayedAnswer('m', { score: 0, pred: null }).content).toBe('[replayed m: score 0]');
  });
});
