import { comparableRows, describeLeftOutModels, describeLeftOutRows } from './comparable-rows';
import { DatasetError, type DatasetRow } from './dataset-format';

const row = (id: number, models: string[]): DatasetRow => ({
  id: String(id),
  prompt: `p${id}`,
  outcomes: Object.fromEntries(models.map((m) => [m, { score: 1, cost_usd: 0.001 }])),
});

describe('comparableRows', () => {
  it('keeps every row and model of a complete file, in order', () => {
    const rows = [row(1, ['b', 'a']), row(2, ['a', 'b'])];
    const [r] = comparableRows([rows]);
    expect(r.rows).toEqual(rows);
    expect(r.models).toEqual(['a', 'b']);
    expect(r.droppedModels).toEqual([]);
    expect(r.droppedRows).toBe(0);
    expect(describeLeftOutModels(r, 'f')).toBeUndefined();
    expect(describeLeftOutRows(r, 'f')).toBeUndefined();
  });

  it('keeps a model missing on a few rows and leaves those rows out', () => {
    // c lacks an outcome on 1 of 20 rows (95% >= 90%): c stays, that row goes.
    const rows = Array.from({ length: 20 }, (_, i) => row(i, i === 7 ? ['a', 'b'] : ['a', 'b', 'c']));
    const [r] = comparableRows([rows]);
    expect(r.models).toEqual(['a', 'b', 'c']);
    expect(r.rows.map((x) => x.id)).not.toContain('7');
    expect(r.rows).toHaveLength(19);
    expect(r.droppedRows).toBe(1);
    expect(r.lacking).toEqual([{ model: 'c', rows: 1 }]);
    expect(describeLeftOutRows(r, 'f.jsonl')).toBe(
      'f.jsonl: left out 1 of 20 rows lacking an outcome of a routed model (c: 1)',
    );
  });

  it('leaves out a model with outcomes on fewer than 90% of the rows, keeping the rows', () => {
    // d is on 17 of 20 rows (85%): it goes, and no row is lost for it.
    const rows = Array.from({ length: 20 }, (_, i) => row(i, i < 17 ? ['a', 'b', 'd'] : ['a', 'b']));
    const [r] = comparableRows([rows]);
    expect(r.models).toEqual(['a', 'b']);
    expect(r.rows).toHaveLength(20);
    expect(r.droppedModels).toEqual([{ model: 'd', rows: 17 }]);
    expect(describeLeftOutModels(r, 'f.jsonl')).toBe(
      'f.jsonl: left out d (outcomes on 17 rows): fewer than 90% of the rows',
    );
  });

  it('judges several files together, so a train and a test file keep the same models', () => {
    // e is on all 10 train rows and 0 of 2 test rows: 10 of 12 (83%), left out of both.
    const train = Array.from({ length: 10 }, (_, i) => row(i, ['a', 'b', 'e']));
    const test = [row(10, ['a', 'b']), row(11, ['a', 'b'])];
    const [tr, te] = comparableRows([train, test]);
    expect(tr.models).toEqual(['a', 'b']);
    expect(te.models).toEqual(['a', 'b']);
    expect(tr.rows).toHaveLength(10);
    expect(te.rows).toHaveLength(2);
    // With f on all 10 train rows and 9 of 10 test rows it stays, and the test row lacking it goes from the
    // test file only.
    const [tr2, te2] = comparableRows([
      train.map((r) => row(Number(r.id), ['a', 'b', 'f'])),
      Array.from({ length: 10 }, (_, i) => row(10 + i, i === 0 ? ['a', 'b'] : ['a', 'b', 'f'])),
    ]);
    expect(tr2.models).toEqual(['a', 'b', 'f']);
    expect([tr2.droppedRows, te2.droppedRows]).toEqual([0, 1]);
    // g answered every row of a large test file and none of a small train file: 20 of 22 overall (91%), but
    // keeping it would leave nothing to train on. Each file must have it on 90% of its rows.
    const [tr3, te3] = comparableRows([
      [row(0, ['a', 'b']), row(1, ['a', 'b'])],
      Array.from({ length: 20 }, (_, i) => row(i + 2, ['a', 'b', 'g'])),
    ]);
    expect(tr3.models).toEqual(['a', 'b']);
    expect(tr3.droppedModels).toEqual([{ model: 'g', rows: 20 }]);
    expect([tr3.rows.length, te3.rows.length]).toEqual([2, 20]);
  });

  it('refuses data with fewer than two well-covered models, naming the most covered', () => {
    const rows = Array.from({ length: 10 }, (_, i) => row(i, i < 5 ? ['a', 'b'] : ['a']));
    expect(() => comparableRows([rows], { name: 'x.jsonl' })).toThrow(DatasetError);
    expect(() => comparableRows([rows], { name: 'x.jsonl' })).toThrow(
      'x.jsonl: routing needs at least two models with outcomes on 90% of the rows; the most covered are a (10 of 10 rows), b (5 of 10 rows)',
    );
  });
});
