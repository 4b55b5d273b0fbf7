import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findWorkspaceRoot } from '@switchyard/launcher';

// `npx switchyard eval` as a user runs it (the built CLI), on a dataset unlike MMLU-Pro: other model names,
// four models, two tasks, and outcomes built so that some numbers do not depend on the split.
const root = findWorkspaceRoot(__dirname);
const cli = join(root, 'bin', 'switchyard.js');
const run = promisify(execFile);

interface Results {
  models: string[];
  trainSize: number;
  testSize: number;
  bestSingle: { name: string; quality: number; costUsd: number };
  cheapest: { name: string };
  apgr?: number;
  strategies: Array<{
    name: string;
    family: string;
    quality: number;
    costUsd: number;
    qualityVsBest: number;
    saving: number;
    usesTaskLabel: boolean;
  }>;
  costToReach95UsdPerPrompt?: number;
  costToReach100UsdPerPrompt?: number;
  baseline?: { apgr?: number; costToReach95UsdPerPrompt?: number; costToReach100UsdPerPrompt?: number };
  versusBaseline?: {
    resamples: number;
    apgr?: { difference: number; low: number; high: number };
    saving95: { difference: number; low: number; high: number };
    saving100: { difference: number; low: number; high: number };
  };
}

function syntheticDataset(dir: string, rows = 120): string {
  const lines = Array.from({ length: rows }, (_, i) => {
    const hard = i % 3 === 0;
    const gold = 'ABCD'[i % 4];
    const wrong = 'ABCD'[(i + 1) % 4];
    const other = 'ABCD'[(i + 2) % 4];
    return JSON.stringify({
      id: `q${i}`,
      task: hard ? 'proofs' : 'lookup',
      prompt: hard ? `Prove that lemma ${i} holds for every n by induction.` : `What is the capital of country ${i}?`,
      outcomes: {
        // Always right, always $0.02: its numbers are the same on any test part.
        'zeta-large': { score: 1, pred: gold, cost_usd: 0.02 },
        // Right on lookups only.
        'eta-medium': { score: hard ? 0 : 1, pred: hard ? wrong : gold, cost_usd: 0.004 },
        // Half-right everywhere (a graded score), always $0.001.
        'theta-small': { score: 0.5, pred: gold, cost_usd: 0.001 },
        // Right on lookups, wrong on proofs with another wrong answer than eta's (no false agreement).
        'iota-mini': { score: hard ? 0 : 1, pred: hard ? other : gold, cost_usd: 0.002 },
      },
    });
  });
  const file = join(dir, `synthetic-${rows}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('switchyard eval on a synthetic dataset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-eval-'));
  const dataset = syntheticDataset(dir);
  const out = join(dir, 'out');
  let stdout = '';
  let results: Results;

  beforeAll(async () => {
    ({ stdout } = await run('node', [
      cli,
      'eval',
      '--dataset',
      dataset,
      '--out',
      out,
      '--split',
      '0.6',
      '--seed',
      '3',
    ]));
    results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  }, 120_000);

  it('splits as asked and finds the best and the cheapest model without knowing their names', () => {
    expect(results).toMatchObject({
      models: ['eta-medium', 'iota-mini', 'theta-small', 'zeta-large'],
      trainSize: 72,
      testSize: 48,
    });
    expect(results.bestSingle).toMatchObject({ name: 'zeta-large', quality: 1 });
    expect(results.bestSingle.costUsd).toBeCloseTo(0.02, 12);
    expect(results.cheapest.name).toBe('theta-small');
    const small = results.strategies.find((s) => s.name === 'theta-small');
    expect(small).toMatchObject({ family: 'single', quality: 0.5, qualityVsBest: 0.5 });
    expect(small?.saving).toBeCloseTo(0.95, 12);
  });

  it('runs every family, the label-using ones marked, and the oracle on top', () => {
    const families = new Set(results.strategies.map((s) => s.family));
    for (const f of ['single', 'random', 'seed', 'per-task', 'cascade', 'consensus', 'classifier', 'learned'])
      expect(families).toContain(f);
    const marked = results.strategies.filter((s) => s.usesTaskLabel).map((s) => s.family);
    expect(new Set(marked)).toEqual(new Set(['per-task', 'learned+task']));
    // The oracle: zeta on proofs, eta on lookups. Every strategy is at or below it.
    const oracle = results.strategies.find((s) => s.family === 'oracle');
    expect(oracle?.quality).toBe(1);
    for (const s of results.strategies) expect(s.quality).toBeLessThanOrEqual(1);
    // Acceptance checks pass theta's every answer (a letter): its quality and cost alone.
    const cascade = results.strategies.find((s) => s.name.endsWith('(acceptance checks)'));
    expect(cascade).toMatchObject({ quality: 0.5 });
    expect(cascade?.costUsd).toBeCloseTo(0.001, 12);
    // A vote calls all three cheaper models on every prompt: 0.004 + 0.002 + 0.001.
    expect(results.strategies.find((s) => s.name.startsWith('consensus of 3'))?.costUsd).toBeCloseTo(0.007, 12);
    // Per-task is exact here: the task says which model is right.
    expect(results.strategies.find((s) => s.family === 'per-task')).toMatchObject({ quality: 1 });
  });

  it('learns the split from the text: some cost weight is as good as zeta for less', () => {
    const learned = results.strategies.filter((s) => s.family === 'learned');
    expect(learned.some((s) => s.quality === 1 && s.saving > 0.3)).toBe(true);
    expect(results.apgr).toBeGreaterThan(0.5);
  });

  it('writes the report and prints the table', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('zeta-large');
    expect(stdout).toContain('best single model: zeta-large');
    expect(stdout).toMatch(/learned router \(cost-aware\), \d+ settings traced: APGR \d/);
    expect(stdout).toMatch(/logistic-regression baseline \(\d+ epochs\): APGR \d/);
    expect(stdout).toMatch(
      /router minus baseline on the 48 test rows, 95% paired bootstrap interval over 1000 resamples .*: APGR [+−]\d\.\d{3} \[[+−]\d\.\d{3}, [+−]\d\.\d{3}\] \((ahead|behind|level)\); saving @95% [+−][\d.]+ points/,
    );
    expect(html).toContain('class="versus-baseline"');
  });

  it('compares the router with the baseline on the test part: the headline figures’ differences, each with an interval', () => {
    const v = results.versusBaseline;
    const b = results.baseline;
    if (!v || !b || results.apgr === undefined || b.apgr === undefined)
      throw new Error('no comparison with the baseline');
    expect(v.resamples).toBe(1000);
    // The differences are the headline figures' own, read on every test row once.
    expect(v.apgr?.difference).toBeCloseTo(results.apgr - b.apgr, 9);
    const saving = (cost: number | undefined) => 1 - (cost ?? NaN) / results.bestSingle.costUsd;
    expect(v.saving95.difference).toBeCloseTo(
      saving(results.costToReach95UsdPerPrompt) - saving(b.costToReach95UsdPerPrompt),
      9,
    );
    expect(v.saving100.difference).toBeCloseTo(
      saving(results.costToReach100UsdPerPrompt) - saving(b.costToReach100UsdPerPrompt),
      9,
    );
    for (const d of [v.apgr, v.saving95, v.saving100]) {
      expect(d?.low).toBeLessThanOrEqual(d?.high ?? NaN);
      expect(Number.isFinite(d?.low)).toBe(true);
    }
  });

  it('takes the user’s own split (and leaves the bootstrap out when told to)', async () => {
    const lines = readFileSync(dataset, 'utf8').trim().split('\n');
    const trainFile = join(dir, 'own-train.jsonl');
    const testFile = join(dir, 'own-test.jsonl');
    writeFileSync(trainFile, `${lines.slice(0, 90).join('\n')}\n`);
    writeFileSync(testFile, `${lines.slice(90).join('\n')}\n`);
    const ownOut = join(dir, 'own-out');
    const noBootstrap = ['--bootstrap', '0'];
    const { stdout: printed } = await run('node', [
      cli,
      'eval',
      ...noBootstrap,
      '--train',
      trainFile,
      '--test',
      testFile,
      '--out',
      ownOut,
    ]);
    const own = JSON.parse(readFileSync(join(ownOut, 'results.json'), 'utf8')) as Results & { train: string };
    expect(own).toMatchObject({ train: trainFile, trainSize: 90, testSize: 30 });
    expect(own).not.toHaveProperty('versusBaseline');
    expect(printed).not.toContain('router minus baseline');
  }, 120_000);

  it('keeps a model missing on a few rows, leaves those rows and a sparse model out, renames what a policy cannot name, and says so', async () => {
    const rows = readFileSync(dataset, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { outcomes: Record<string, unknown> });
    // theta-small lacks an outcome on one test row; a fifth model answered only the first 10 train rows.
    delete rows[100].outcomes['theta-small'];
    // And a model name no policy may use: it is routed under a valid id.
    for (const r of rows) {
      r.outcomes['iota mini@2'] = r.outcomes['iota-mini'];
      delete r.outcomes['iota-mini'];
    }
    for (const r of rows.slice(0, 10)) r.outcomes['kappa-rare'] = { score: 1, cost_usd: 0.0001 };
    const trainFile = join(dir, 'gaps-train.jsonl');
    const testFile = join(dir, 'gaps-test.jsonl');
    writeFileSync(
      trainFile,
      `${rows
        .slice(0, 90)
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    writeFileSync(
      testFile,
      `${rows
        .slice(90)
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    const gapsOut = join(dir, 'gaps-out');
    const { stdout: printed } = await run('node', [
      cli,
      'eval',
      '--train',
      trainFile,
      '--test',
      testFile,
      '--out',
      gapsOut,
    ]);
    expect(printed).toContain(
      `${trainFile} and ${testFile}: left out kappa-rare (outcomes on 10 rows): fewer than 90% of the rows`,
    );
    expect(printed).toContain(
      `${testFile}: left out 1 of 30 rows lacking an outcome of a routed model (theta-small: 1)`,
    );
    expect(printed).toContain('model names a policy cannot use, routed as: "iota mini@2" as iota-mini-2');
    const gaps = JSON.parse(readFileSync(join(gapsOut, 'results.json'), 'utf8')) as Results & {
      leftOut: string[];
      renamedModels: unknown;
    };
    expect(gaps.renamedModels).toEqual([{ from: 'iota mini@2', to: 'iota-mini-2' }]);
    expect(gaps).toMatchObject({ trainSize: 90, testSize: 29 });
    // What was left out is in results.json too, as printed.
    expect(gaps.leftOut).toHaveLength(2);
    expect(gaps.leftOut.every((line) => printed.includes(line))).toBe(true);
    expect(readFileSync(join(gapsOut, 'report.html'), 'utf8')).toContain('left out kappa-rare');
    expect(results).not.toHaveProperty('leftOut');
    // A generalisation check on the same files keeps it the same way.
    const curveOut = join(dir, 'gaps-curve');
    await run('node', [cli, 'eval', '--train', trainFile, '--test', testFile, '--train-size', '60', '--out', curveOut]);
    const curve = JSON.parse(readFileSync(join(curveOut, 'results.json'), 'utf8')) as { leftOut: string[] };
    expect(curve.leftOut).toEqual(gaps.leftOut);
    expect(gaps.models).toEqual(['eta-medium', 'iota-mini-2', 'theta-small', 'zeta-large']);
  }, 120_000);

  it('leaves one task out, a fold per task, and reports each against the baseline', async () => {
    const cvOut = join(dir, 'cv-out');
    const { stdout: printed } = await run('node', [cli, 'eval', '--dataset', dataset, '--cv', 'task', '--out', cvOut]);
    const cv = JSON.parse(readFileSync(join(cvOut, 'results.json'), 'utf8')) as {
      check: string;
      folds: Array<{ fold: string; trainSize: number; testSize: number; bestSingle: { name: string } }>;
    };
    expect(cv.check).toBe('leave-one-task-out');
    // Every third row is a proof: 40 proofs, 80 lookups.
    expect(cv.folds.map((f) => [f.fold, f.trainSize, f.testSize])).toEqual([
      ['lookup', 40, 80],
      ['proofs', 80, 40],
    ]);
    expect(printed).toContain('leave one task out: 2 folds');
    expect(printed).toMatch(/beats the baseline's saving in \d of 2 folds/);
    expect(printed).toMatch(
      /Router against baseline on each fold's test rows \(paired bootstrap, 1000 resamples, 95% interval of the difference; .*\), of 2: APGR ahead in \d, behind in \d, not told apart in \d;/,
    );
    // The page beside results.json: a chart per figure, and each fold with its verdicts against the baseline.
    const page = readFileSync(join(cvOut, 'report.html'), 'utf8');
    expect(page).toContain('<h1>Routing on data it was not tuned on: leave one task out</h1>');
    expect(page.match(/<svg /g)?.length).toBeGreaterThanOrEqual(2);
    for (const fold of ['lookup', 'proofs']) expect(page).toContain(`<tr><td>${fold}</td>`);
    expect(page.match(/<td class="verdict (ahead|behind|level)"/g)?.length).toBeGreaterThanOrEqual(4);
    expect(printed).toContain(`wrote ${join(cvOut, 'results.json')} and ${join(cvOut, 'report.html')}`);
    // Each fold's row carries its three verdicts (APGR, @95%, @100%) in the "vs baseline" column.
    expect(printed).toMatch(/vs random +vs baseline +setting/);
    for (const fold of ['lookup', 'proofs']) expect(printed).toMatch(new RegExp(`\\n${fold} .* [-+=?] [-+=?] [-+=?] `));
  }, 120_000);

  it('leaves one task out at several seeds, each the run --seed makes, and reads each fold over them', async () => {
    type Figures = { apgr?: number; saving95?: number };
    const read = (d: string) =>
      JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')) as {
        check: string;
        repeat: number;
        folds: Array<{ fold: string; seed: number; learned: Figures; baseline: Figures }>;
        byFold: Array<{ fold: string; seeds: number[]; learned: { apgr: { n: number; mean: number } } }>;
      };
    const seeded = join(dir, 'cv-seeds');
    const { stdout: printed } = await run('node', [
      cli,
      'eval',
      '--dataset',
      dataset,
      '--cv',
      'task',
      '--repeat',
      '2',
      '--out',
      seeded,
    ]);
    const cv = read(seeded);
    expect(cv).toMatchObject({ check: 'leave-one-task-out', repeat: 2 });
    expect(cv.folds.map((f) => [f.fold, f.seed])).toEqual([
      ['lookup', 0],
      ['proofs', 0],
      ['lookup', 1],
      ['proofs', 1],
    ]);
    // Each seed's folds are the ones `--cv task --seed S` makes, routers and all: at seed 0, the plain run's.
    const figures = (f: { learned: Figures; baseline: Figures }) => [f.learned, f.baseline];
    expect(cv.folds.slice(0, 2).map(figures)).toEqual(read(join(dir, 'cv-out')).folds.map(figures));
    expect(cv.byFold.map((f) => [f.fold, f.seeds])).toEqual([
      ['lookup', [0, 1]],
      ['proofs', [0, 1]],
    ]);
    const lookups = cv.folds.filter((f) => f.fold === 'lookup').map((f) => f.learned.apgr as number);
    expect(cv.byFold[0].learned.apgr.n).toBe(2);
    expect(cv.byFold[0].learned.apgr.mean).toBeCloseTo((lookups[0] + lookups[1]) / 2, 12);
    // The same seeds run apart (the plain run at seed 0 above, one at seed 1) and read together: the same report.
    const seedOne = join(dir, 'cv-seed-1');
    await run('node', [cli, 'eval', '--dataset', dataset, '--cv', 'task', '--seed', '1', '--out', seedOne]);
    const combined = join(dir, 'cv-combined');
    await run('node', [cli, 'eval', '--combine', seedOne, join(dir, 'cv-out'), '--out', combined]);
    const together = read(combined);
    expect(together.folds).toEqual(cv.folds);
    expect(together.byFold).toEqual(cv.byFold);
    expect(together).toMatchObject({ check: 'leave-one-task-out', repeat: 2 });
    await expect(
      run('node', [cli, 'eval', '--combine', seeded, join(dir, 'cv-out'), '--out', join(dir, 'cv-twice')]),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('fold "lookup" at seed 0 is in both') });
    expect(printed).toContain('leave one task out: 2 folds, each at 2 seeds from 0: 4 runs');
    expect(printed).toMatch(
      /On its mean over the seeds, the learned router matches or beats the baseline's saving in \d of 2 folds at 95% and \d at 100% \(at each seed alone, 0, 1: \d, \d at 95%/,
    );
  }, 120_000);

  it('draws a learning curve on subsamples of the train part, the same test part for each', async () => {
    const sizesOut = join(dir, 'sizes-out');
    await run('node', [cli, 'eval', '--dataset', dataset, '--train-size', '30,60', '--out', sizesOut]);
    const sizes = JSON.parse(readFileSync(join(sizesOut, 'results.json'), 'utf8')) as {
      check: string;
      folds: Array<{ trainSize: number; testSize: number }>;
    };
    expect(sizes.check).toBe('train-size');
    expect(sizes.folds.map((f) => [f.trainSize, f.testSize])).toEqual([
      [30, 36],
      [60, 36],
    ]);
  }, 120_000);

  it('repeats the evaluation over seeded splits, each the split eval --seed makes, and says how the figures spread', async () => {
    const repeatOut = join(dir, 'repeat-out');
    const { stdout: printed } = await run('node', [
      cli,
      'eval',
      '--dataset',
      dataset,
      '--split',
      '0.6',
      '--seed',
      '3',
      '--repeat',
      '2',
      '--out',
      repeatOut,
    ]);
    const repeated = JSON.parse(readFileSync(join(repeatOut, 'results.json'), 'utf8')) as {
      check: string;
      repeat: number;
      folds: Array<{ fold: string; trainSize: number; testSize: number; learned: { apgr?: number } }>;
      summary: { learned: { apgr: { n: number; mean: number; min: number; max: number } } };
    };
    expect(repeated).toMatchObject({ check: 'repeated-split', repeat: 2 });
    expect(repeated.folds.map((f) => [f.fold, f.trainSize, f.testSize])).toEqual([
      ['split seed 3', 72, 48],
      ['split seed 4', 72, 48],
    ]);
    // The first split and its training are the plain run's (same --split and --seed): the same router.
    expect(repeated.folds[0].learned.apgr).toBeCloseTo(results.apgr as number, 9);
    const apgrs = repeated.folds.map((f) => f.learned.apgr as number);
    expect(repeated.summary.learned.apgr).toMatchObject({ n: 2, min: Math.min(...apgrs), max: Math.max(...apgrs) });
    expect(repeated.summary.learned.apgr.mean).toBeCloseTo((apgrs[0] + apgrs[1]) / 2, 12);
    expect(printed).toContain('repeated splits: 2 folds');
    expect(printed).toMatch(/Over the 2 folds, mean ± sd \(range\):\n {2}APGR {10}router \d\.\d{3} ± \d\.\d{3}/);
  }, 120_000);

  it('refuses flags that do not go together, naming them, and exits 2', async () => {
    // One of the refusals from the built command; the rest are program.spec's, in process.
    await expect(
      run('node', [cli, 'eval', '--dataset', dataset, '--cv', 'task', '--train-size', '30']),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('give one of --cv, --train-size, not more'),
    });
  });

  it('trains with settings tuned on a validation cut and a calibration a policy target resolves on', async () => {
    const bigger = syntheticDataset(dir, 400);
    const artifactFile = join(dir, 'router.json');
    const { stdout: printed } = await run('node', [cli, 'train', '--dataset', bigger, '--out', artifactFile]);
    expect(printed).toMatch(
      /Tuned on 5 folds of 280 rows \(APGR of the routing curve on held-out rows\): step [\d.]+.*, \d+ epochs/,
    );
    expect(printed).toContain('a policy may set learned.target, e.g. { quality: 0.95, of: zeta-large }');
    const artifact = JSON.parse(readFileSync(artifactFile, 'utf8')) as {
      training: { tuning: { trials: unknown[] } };
      calibration: { bestModel: string; hull: Array<{ quality: number }> };
    };
    // Three steps, the regularised regression, and the best step averaged with it.
    expect(artifact.training.tuning.trials).toHaveLength(5);
    expect(artifact.calibration.bestModel).toBe('zeta-large');
    expect(artifact.calibration.hull.at(-1)?.quality).toBe(1);
  }, 120_000);

  it('says how far the test rows alone move the quality a resolved target served', async () => {
    const bigger = syntheticDataset(dir, 400);
    const { stdout: printed } = await run('node', [
      cli,
      'eval',
      '--dataset',
      bigger,
      '--bootstrap',
      '200',
      '--out',
      join(dir, 'target-out'),
    ]);
    expect(printed).toMatch(
      /target 100% of the best, resolved on the router's calibration .*: on the test part [\d.]+% of the best \(95% bootstrap interval [\d.]+% to [\d.]+%\) at /,
    );
    expect(printed).toContain('over 200 resamples');
  }, 120_000);

  it('names the file and the line of a bad row, and exits non-zero', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${readFileSync(dataset, 'utf8').split('\n')[0]}\n{"id": "x", "prompt": 3}\n`);
    await expect(run('node', [cli, 'eval', '--dataset', bad, '--out', join(dir, 'bad-out')])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('bad.jsonl:2'),
    });
  });
});
