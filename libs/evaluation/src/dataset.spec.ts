import { DatasetError, datasetModels, parseDataset, splitDataset } from './dataset';
import { referencePoints, replay } from './metrics';

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
    expect(datasetModels(rows)).toEqual(['a', 'b']);
  });
  it('names the line and field of a bad row', () => {
    expect(() =>
      parseDataset(`${line(1, 1, 0)}\n{"id":2,"prompt":"x","outcomes":{"a":{"score":3,"cost_usd":0}}}`, 'f.jsonl'),
    ).toThrow(new DatasetError('f.jsonl:2: outcomes.a.score: Too big: expected number to be <=1'));
  });
  it('names the line of malformed JSON', () => {
    expect(() => parseDataset('{oops', 'f.jsonl')).toThrow(/^f.jsonl:1: not valid JSON/);
  });
});

describe(splitDataset.name, () => {
  it('cuts deterministically by seed and keeps every row once', () => {
    const rows = Array.from({ length: 10 }, (_, i) => i);
    const a = splitDataset(rows, 0.7, 0);
    expect(a.train).toHaveLength(7);
    expect([...a.train, ...a.test].sort((x, y) => x - y)).toEqual(rows);
    expect(splitDataset(rows, 0.7, 0)).toEqual(a);
    expect(splitDataset(rows, 0.7, 1)).not.toEqual(a);
  });
});

describe(replay.name, () => {
  it('averages score and cost of the chosen models (hand-computed)', () => {
    const rows = parseDataset([line(1, 1, 0), line(2, 0, 1)].join('\n'));
    // row1 -> a (1, 0.001), row2 -> b (1, 0.01): quality 1, cost 0.0055
    expect(replay('x', rows, (r) => (r.id === '1' ? 'a' : 'b'))).toEqual({ name: 'x', quality: 1, costUsd: 0.0055 });
    const ref = referencePoints(rows, ['a', 'b']);
    expect(ref.best.name).toBe('a'); // equal quality 0.5: the cheaper one
    expect(ref.oracle).toEqual({ name: 'oracle', quality: 1, costUsd: 0.0055 });
  });
});
