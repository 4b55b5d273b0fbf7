import { parseDataset } from '@switchyard/datasets';
import { subsample, taskFolds } from './splits';

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
