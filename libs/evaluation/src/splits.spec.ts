import { parseDataset } from '@switchyard/datasets';
import { splitDataset } from './dataset';
import { seededSplits, spreadOf, subsample, taskFoldName, taskFolds, testRowsSeenInTrain } from './splits';

const data = (tasks: Array<string | undefined>) =>
  parseDataset(
    tasks
      .map((task, id) =>
        JSON.stringify({
          id,
          ...(task === undefined ? {} : { task }),
          prompt: `p${id}`,
          outcomes: { a: { score: 1, cost_usd: 0.1 }, b: { score: 0, cost_usd: 0.01 } },
        }),
      )
      .join('\n'),
  );

describe(taskFolds.name, () => {
  it('tests each task on its own rows, trained on every other task', () => {
    const folds = taskFolds(data(['math', 'law', 'math', 'bio', 'law']));
    expect(folds.map((f) => [f.task, f.train.map((r) => r.id), f.test.map((r) => r.id)])).toEqual([
      ['bio', ['0', '1', '2', '4'], ['3']],
      ['law', ['0', '2', '3'], ['1', '4']],
      ['math', ['1', '3', '4'], ['0', '2']],
    ]);
  });

  it('refuses rows without a task, and a single task, saying which', () => {
    expect(() => taskFolds(data(['math', undefined]))).toThrow('1 of 2 rows have none');
    expect(() => taskFolds(data(['math', 'math']))).toThrow('only "math"');
  });

  it('names a fold by its task, quoting a label that would print blank', () => {
    expect(taskFolds(data(['', 'math'])).map((f) => taskFoldName(f.task))).toEqual(['task ""', 'math']);
    expect(taskFoldName('  ')).toBe('task "  "');
    expect(taskFoldName('computer science')).toBe('computer science');
  });
});

describe(subsample.name, () => {
  const rows = Array.from({ length: 100 }, (_, i) => i);
  it('draws n distinct rows, the same for the same seed, in their original order', () => {
    const a = subsample(rows, 10, 0);
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(subsample(rows, 10, 0)).toEqual(a);
    expect(subsample(rows, 10, 1)).not.toEqual(a);
  });
  it('keeps every row when asked for more, and refuses a size that is not a positive whole number', () => {
    expect(subsample(rows, 500, 0)).toEqual(rows);
    expect(() => subsample(rows, 0, 0)).toThrow('positive whole number');
    expect(() => subsample(rows, 1.5, 0)).toThrow('positive whole number');
  });
});

describe(seededSplits.name, () => {
  it('makes the splits eval --seed makes, at consecutive seeds, each a partition of the rows', () => {
    const rows = Array.from({ length: 10 }, (_, i) => i);
    const splits = seededSplits(rows, 0.7, 3, 3);
    expect(splits.map((s) => s.seed)).toEqual([3, 4, 5]);
    for (const s of splits) {
      expect(s).toMatchObject(splitDataset(rows, 0.7, s.seed));
      expect(s.train).toHaveLength(7);
      expect([...s.train, ...s.test].sort((a, b) => a - b)).toEqual(rows);
    }
    expect(splits[0].test).not.toEqual(splits[1].test);
  });

  it('refuses fewer than two', () => {
    expect(() => seededSplits([1, 2, 3], 0.7, 0, 1)).toThrow('at least 2, got 1');
    expect(() => seededSplits([1, 2, 3], 0.7, 0, 2.5)).toThrow('got 2.5');
  });
});

describe(spreadOf.name, () => {
  it('gives the mean, the sample standard deviation and the range, leaving out what is undefined', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, sample variance 32/7.
    const s = spreadOf([2, 4, undefined, 4, 4, 5, 5, 7, 9]);
    expect(s).toMatchObject({ n: 8, mean: 5, min: 2, max: 9 });
    expect(s.sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(spreadOf([1.5])).toEqual({ n: 1, mean: 1.5, sd: 0, min: 1.5, max: 1.5 });
    expect(spreadOf([undefined]).n).toBe(0);
    expect(spreadOf([]).mean).toBeNaN();
  });
});

describe(testRowsSeenInTrain.name, () => {
  it('counts test rows whose prompt and context a train row has, word for word', () => {
    const train = [{ prompt: 'a' }, { prompt: 'b', context: 'x' }, { prompt: 'a' }];
    const test = [
      { prompt: 'a' }, // seen (twice in train: counted once)
      { prompt: 'a' }, // a repeat within the test part counts again
      { prompt: 'b' }, // the train row has a context: not the same request
      { prompt: 'b', context: 'x' }, // seen
      { prompt: 'A' }, // case matters
    ];
    expect(testRowsSeenInTrain(train, test)).toBe(3);
    expect(testRowsSeenInTrain([], test)).toBe(0);
  });
});
