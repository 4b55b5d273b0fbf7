import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCombine } from './combine-runs';

/** A fold of a finished run, with the figures the combination reads. */
const fold = (name: string, router: number, baseline: number) => ({
  fold: name,
  trainSize: 10,
  testSize: 5,
  bestSingle: { name: 'big', quality: 0.8, costUsd: 1 },
  cheapest: { name: 'small', quality: 0.5, costUsd: 0.1 },
  learned: { apgr: router, saving95: router / 2 },
  baseline: { apgr: baseline, saving95: baseline / 2 },
  training: { setting: 'step 0.02', epochs: 2 },
});

describe(runCombine.name, () => {
  let dir: string;
  let printed: string;
  const writeRun = (name: string, doc: Record<string, unknown>) => {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'results.json'), JSON.stringify(doc));
    return join(dir, name);
  };
  const cvRun = (name: string, seed: number, folds: unknown[], extra: Record<string, unknown> = {}) =>
    writeRun(name, { dataset: 'd.jsonl', split: 0.7, seed, check: 'leave-one-task-out', folds, ...extra });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'combine-'));
    printed = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((text) => {
      printed += String(text);
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads runs at other seeds as one run at several: every fold at every seed, each fold over them', async () => {
    const a = cvRun('a', 1, [fold('law', 0.6, 0.5), fold('math', 0.9, 1)]);
    const b = cvRun('b', 0, [fold('law', 0.4, 0.5), fold('math', 0.9, 0.8)]);
    const out = join(dir, 'both');
    await expect(runCombine([a, b], out)).resolves.toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(doc).toMatchObject({ dataset: 'd.jsonl', check: 'leave-one-task-out', seed: 0, repeat: 2 });
    expect(doc.combinedFrom).toEqual([a, b]);
    // In seed order, as --repeat runs them.
    expect(doc.folds.map((f: { fold: string; seed: number }) => [f.fold, f.seed])).toEqual([
      ['law', 0],
      ['math', 0],
      ['law', 1],
      ['math', 1],
    ]);
    expect(doc.byFold.map((f: { fold: string; seeds: number[] }) => [f.fold, f.seeds])).toEqual([
      ['law', [0, 1]],
      ['math', [0, 1]],
    ]);
    expect(doc.byFold[0].learned.apgr.mean).toBeCloseTo(0.5, 12);
    expect(doc.byFold[1].baseline.apgr.mean).toBeCloseTo(0.9, 12);
    expect(doc.summary.learned.apgr.n).toBe(4);
    // law: router 0.25 vs baseline 0.25 at 95% (a tie counts); math: 0.45 vs 0.45.
    expect(printed).toContain('combined 2 runs');
    expect(printed).toMatch(/matches or beats the baseline's saving in 2 of 2 folds at 95%/);
  });

  it('refuses runs that are not the same check, naming the file and what differs', async () => {
    const a = cvRun('a', 0, [fold('law', 0.6, 0.5)]);
    const other = cvRun('other', 1, [fold('law', 0.6, 0.5)], { dataset: 'e.jsonl', contextWeight: 0 });
    await expect(runCombine([a, other], join(dir, 'x'))).rejects.toThrow(
      `${join(other, 'results.json')}: not the same check as ${join(a, 'results.json')} (they differ in dataset, contextWeight)`,
    );
    const split = writeRun('split', { dataset: 'd.jsonl', split: 0.7, seed: 1, check: 'repeated-split', folds: [] });
    await expect(runCombine([a, split], join(dir, 'x'))).rejects.toThrow(
      'a repeated-split run; --combine takes runs of --cv task or --train-size',
    );
    await expect(runCombine([a, other], `${a}/`)).rejects.toThrow(`--out ${a}/ is one of the runs read`);
    await expect(runCombine([a, join(dir, 'missing')], join(dir, 'x'))).rejects.toThrow(
      `${join(dir, 'missing', 'results.json')}: not found`,
    );
  });

  it('refuses a seed given twice, one seed alone, and seeds with different folds', async () => {
    const a = cvRun('a', 0, [fold('law', 0.6, 0.5)]);
    const again = cvRun('again', 0, [fold('law', 0.6, 0.5)]);
    await expect(runCombine([a, again], join(dir, 'x'))).rejects.toThrow(
      `fold "law" at seed 0 is in both ${join(a, 'results.json')} and ${join(again, 'results.json')}`,
    );
    const sameSeed = cvRun('same-seed', 0, [fold('math', 0.6, 0.5)]);
    await expect(runCombine([a, sameSeed], join(dir, 'x'))).rejects.toThrow(
      'every run given is at seed 0: --combine takes 2 or more seeds',
    );
    const fewer = cvRun('fewer', 1, [fold('math', 0.6, 0.5)]);
    await expect(runCombine([a, fewer], join(dir, 'x'))).rejects.toThrow(
      'seed 1 does not have the folds of seed 0 (law)',
    );
  });
});
