import { CONTEXT_MAX_CHARS } from '@switchyard/contracts';
import { parseDataset } from '@switchyard/datasets';
import { datasetModels, splitDataset, toExamples } from './dataset';
import { referencePoints, replay } from './metrics';

const line = (id: number, a: number, b: number) =>
  JSON.stringify({
    id,
    task: 't',
    prompt: `q${id}`,
    outcomes: { a: { score: a, cost_usd: 0.001 }, b: { score: b, pred: 'A', cost_usd: 0.01, output_tokens: 5 } },
  });

describe(datasetModels.name, () => {
  it('lists the models of the rows', () => {
    expect(datasetModels(parseDataset(`${line(1, 1, 0)}\n${line(2, 0, 1)}`))).toEqual(['a', 'b']);
  });
});

describe(toExamples.name, () => {
  it("trains on a row's context as serving reads it from a request: cut to what a request carries", () => {
    const long = 'earlier turn. '.repeat(1000);
    const [withContext, without] = parseDataset(
      [
        { id: 'a', prompt: 'And why?', context: long, outcomes: { m: { score: 1, cost_usd: 0.1 } } },
        { id: 'b', prompt: 'Hi', outcomes: { m: { score: 0, cost_usd: 0.2, output_tokens: 3 } } },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const [a, b] = toExamples([withContext, without]);
    expect(a.context).toBe(long.slice(0, CONTEXT_MAX_CHARS));
    expect(b).toEqual({ text: 'Hi', outcomes: { m: { score: 0, costUsd: 0.2, outputTokens: 3 } } });
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
