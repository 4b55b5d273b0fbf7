import { DatasetError, parseDataset } from './dataset-format';
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
  it('names the line of malformed JSON', () => {
    expect(() => parseDataset('{oops', 'f.jsonl')).toThrow(/^f.jsonl:1: not valid JSON/);
  });
});

describe(replayedAnswer.name, () => {
  it('answers with the recorded choice, or a marker naming the score when there is none', () => {
    expect(replayedAnswer('m', { score: 1, pred: 'C' }).content).toBe('The answer is (C).');
    expect(replayedAnswer('m', { score: 0, pred: null }).content).toBe('[replayed m: score 0]');
  });
});
