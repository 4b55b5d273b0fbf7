import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CurveHeadline,
  type FoldOverSeeds,
  foldsReportHtml,
  matchesOrBeats,
  type Spread,
  spreadOf,
  spreadOverSeeds,
  type PairedDifference,
  verdict,
  type VersusBaseline,
} from '@switchyard/evaluation';
import { pct, table } from '../demo/table';

const out = (line = '') => process.stdout.write(`${line}\n`);

/** The check a generalisation run makes, as results.json names it. */
export type GeneralisationCheck = 'leave-one-task-out' | 'train-size' | 'repeated-split';

const CHECK_TITLES: Record<GeneralisationCheck, string> = {
  'leave-one-task-out': 'leave one task out',
  'train-size': 'learning curve',
  'repeated-split': 'repeated splits',
};

/** The page's line under its title: the data and how many runs. */
function describeRun(header: Record<string, unknown>, runs: number, severalSeeds: boolean): string {
  const source = [header['dataset'], header['train'], header['test']].filter((v) => typeof v === 'string').join(', ');
  return `${source === '' ? 'the runs combined' : source}: ${runs} ${severalSeeds ? 'runs (every fold at every seed)' : 'folds'}, each router trained on the fold's train part and read on its test part against the per-model logistic-regression baseline.`;
}

/**
 * What eval says of test prompts the train part repeats word for word (`testRowsSeenInTrain`): `seen` of
 * `tests`, over one split or summed over the runs or folds `of` a generalisation check.
 */
export function repeatedPromptsNote(seen: number, tests: number, of?: 'runs' | 'folds'): string {
  return `${seen} of the ${tests} test prompts${of ? ` of the ${of}` : ''} (${pct(seen / tests)}) are also in ${of ? 'their' : 'the'} train part, word for word: the data repeats them, and a router may have learnt their outcomes`;
}

/** One fold of a generalisation check, as results.json keeps it. */
export interface FoldResult {
  fold: string;
  /** The seed it ran at: the split's, the rows' order and the training's. */
  seed: number;
  trainSize: number;
  testSize: number;
  /** Test rows whose prompt is also in the fold's train part, word for word (absent in older results.json). */
  testRowsSeenInTrain?: number;
  bestSingle: { name: string; quality: number; costUsd: number };
  cheapest: { name: string; quality: number; costUsd: number };
  learned: CurveHeadline & { saving95?: number; saving100?: number };
  baseline: CurveHeadline & { saving95?: number; saving100?: number };
  training: { setting: string; epochs: number };
  validationPick95?: { qualityVsBest: number; saving: number };
  validationPick100?: { qualityVsBest: number; saving: number };
  /** Router minus baseline with 95% paired bootstrap intervals over the fold's test rows. */
  versusBaseline?: VersusBaseline;
}

/**
 * Writes a generalisation check's results.json (its header, the folds, each fold over its seeds when it ran
 * at several, and each figure's spread) and prints its tables: what `eval --cv task`, `--train-size` and
 * `--repeat` end with, and what `eval --combine` writes for runs made apart.
 */
export function reportGeneralisation(run: {
  out: string;
  /** results.json's fields before the results: the data, the split, the routers' settings. */
  header: Record<string, unknown>;
  check: GeneralisationCheck;
  /** The folds ran at several seeds: read each fold over them. */
  severalSeeds: boolean;
  results: FoldResult[];
  started: number;
}): number {
  const { results, check, severalSeeds } = run;
  mkdirSync(run.out, { recursive: true });
  const file = join(run.out, 'results.json');
  const summary = {
    learned: {
      apgr: spreadOf(results.map((r) => r.learned.apgr)),
      saving95: spreadOf(results.map((r) => r.learned.saving95)),
      saving100: spreadOf(results.map((r) => r.learned.saving100)),
    },
    baseline: {
      apgr: spreadOf(results.map((r) => r.baseline.apgr)),
      saving95: spreadOf(results.map((r) => r.baseline.saving95)),
      saving100: spreadOf(results.map((r) => r.baseline.saving100)),
    },
  };
  const byFold = severalSeeds ? spreadOverSeeds(results) : undefined;
  writeFileSync(
    file,
    JSON.stringify(
      {
        ...run.header,
        check,
        folds: results,
        ...(byFold ? { byFold } : {}),
        summary,
      },
      null,
      2,
    ),
  );
  const s = (v: number | undefined) => (v === undefined ? 'not reached' : pct(v));
  const a = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(3));
  out(
    table(
      [
        'fold',
        ...(severalSeeds ? ['seed'] : []),
        'train',
        'test',
        'best model',
        'APGR',
        'saving @95%',
        'baseline @95%',
        'saving @100%',
        'baseline @100%',
        'vs random',
        'vs baseline',
        'setting × epochs',
      ],
      results.map((r) => [
        r.fold,
        ...(severalSeeds ? [String(r.seed)] : []),
        String(r.trainSize),
        String(r.testSize),
        r.bestSingle.name,
        `${a(r.learned.apgr)} (${a(r.baseline.apgr)})`,
        s(r.learned.saving95),
        s(r.baseline.saving95),
        s(r.learned.saving100),
        s(r.baseline.saving100),
        r.learned.marginOverRandomMixing === undefined
          ? 'n/a'
          : `${r.learned.marginOverRandomMixing >= 0 ? '+' : ''}${r.learned.marginOverRandomMixing.toFixed(3)}`,
        verdicts(r.versusBaseline),
        r.training.setting,
      ]),
    ),
  );
  const wins = (rows: FoldResult[], key: 'saving95' | 'saving100') =>
    rows.filter((r) => matchesOrBeats(r.learned[key], r.baseline[key])).length;
  const below = results.filter((r) => (r.learned.marginOverRandomMixing ?? 0) < -1e-9).length;
  if (!byFold)
    out(
      `\nAPGR in brackets: the baseline's. The learned router matches or beats the baseline's saving in ${wins(results, 'saving95')} of ${results.length} folds at 95% and ${wins(results, 'saving100')} at 100%; its hull falls below random mixing in ${below}.`,
    );
  else printFoldsOverSeeds(byFold, results, wins, below);
  const tested = results.flatMap((r) => (r.versusBaseline ? [r.versusBaseline] : []));
  if (tested.length > 0) {
    const count = (pick: (v: VersusBaseline) => PairedDifference | undefined) => {
      const verdicts = tested.flatMap((v) => {
        const d = pick(v);
        return d ? [verdict(d)] : [];
      });
      const n = (kind: string) => verdicts.filter((v) => v === kind).length;
      return `ahead in ${n('ahead')}, behind in ${n('behind')}, not told apart in ${n('level')}`;
    };
    out(
      `Router against baseline on each ${severalSeeds ? 'run' : 'fold'}'s test rows (paired bootstrap, ${tested[0].resamples} resamples, 95% interval of the difference; "vs baseline" above: APGR, @95%, @100%, + ahead, - behind, = not told apart), of ${tested.length}: APGR ${count((v) => v.apgr)}; saving @95% ${count((v) => v.saving95)}; @100% ${count((v) => v.saving100)}.`,
    );
  }
  const seen = results.reduce((n, r) => n + (r.testRowsSeenInTrain ?? 0), 0);
  const tests = results.reduce((n, r) => n + r.testSize, 0);
  if (seen > 0) out(`${repeatedPromptsNote(seen, tests, severalSeeds ? 'runs' : 'folds')}.`);
  const spread = (x: Spread, format: (v: number) => string) =>
    x.n === 0
      ? 'never reached'
      : `${format(x.mean)} ± ${format(x.sd)} (${format(x.min)} to ${format(x.max)}${x.n < results.length ? `; reached in ${x.n} of ${results.length}` : ''})`;
  const apgr = (v: number) => v.toFixed(3);
  out(`Over the ${results.length} ${severalSeeds ? 'runs (every fold at every seed)' : 'folds'}, mean ± sd (range):`);
  out(`  APGR          router ${spread(summary.learned.apgr, apgr)}; baseline ${spread(summary.baseline.apgr, apgr)}`);
  out(
    `  saving @95%   router ${spread(summary.learned.saving95, pct)}; baseline ${spread(summary.baseline.saving95, pct)}`,
  );
  out(
    `  saving @100%  router ${spread(summary.learned.saving100, pct)}; baseline ${spread(summary.baseline.saving100, pct)}`,
  );
  const html = join(run.out, 'report.html');
  writeFileSync(
    html,
    foldsReportHtml(
      `Routing on data it was not tuned on: ${CHECK_TITLES[check]}`,
      describeRun(run.header, results.length, severalSeeds),
      results,
    ),
  );
  out(`wrote ${file} and ${html} in ${((Date.now() - run.started) / 1000).toFixed(1)} s`);
  return 0;
}

/**
 * `--cv task` or `--train-size` with `--repeat`: each fold's mean over its seeds against the baseline's,
 * and how many folds the router wins at each seed alone (what one run would have said).
 */
function printFoldsOverSeeds(
  byFold: FoldOverSeeds[],
  results: FoldResult[],
  wins: (rows: FoldResult[], key: 'saving95' | 'saving100') => number,
  below: number,
): void {
  const m = (x: Spread, format: (v: number) => string) =>
    x.n === 0 ? 'not reached' : `${format(x.mean)} ± ${format(x.sd)}${x.n < byFold[0].seeds.length ? ` (${x.n})` : ''}`;
  const apgr = (v: number) => v.toFixed(3);
  out(
    `\nAPGR in brackets: the baseline's. Each fold over its ${byFold[0].seeds.length} seeds, mean ± sd (in brackets, the seeds where it was reached):`,
  );
  out(
    table(
      ['fold', 'APGR', 'baseline APGR', 'saving @95%', 'baseline @95%', 'saving @100%', 'baseline @100%'],
      byFold.map((f) => [
        f.fold,
        m(f.learned.apgr, apgr),
        m(f.baseline.apgr, apgr),
        m(f.learned.saving95, pct),
        m(f.baseline.saving95, pct),
        m(f.learned.saving100, pct),
        m(f.baseline.saving100, pct),
      ]),
    ),
  );
  const meanWins = (key: 'saving95' | 'saving100') =>
    byFold.filter((f) => matchesOrBeats(meanOrUndefined(f.learned[key]), meanOrUndefined(f.baseline[key]))).length;
  const seeds = [...new Set(results.map((r) => r.seed))];
  const perSeed = (key: 'saving95' | 'saving100') =>
    seeds
      .map((seed) =>
        wins(
          results.filter((r) => r.seed === seed),
          key,
        ),
      )
      .join(', ');
  out(
    `\nOn its mean over the seeds, the learned router matches or beats the baseline's saving in ${meanWins('saving95')} of ${byFold.length} folds at 95% and ${meanWins('saving100')} at 100% (at each seed alone, ${seeds.join(', ')}: ${perSeed('saving95')} at 95%; ${perSeed('saving100')} at 100%); its hull falls below random mixing in ${below} of ${results.length} runs.`,
  );
}

const meanOrUndefined = (x: Spread): number | undefined => (x.n === 0 ? undefined : x.mean);

/** A fold's three bootstrap verdicts as the table shows them: APGR, @95%, @100%; + ahead, - behind, = level, ? none. */
function verdicts(v: VersusBaseline | undefined): string {
  if (!v) return 'n/a';
  const sign = (d: PairedDifference | undefined) =>
    d === undefined ? '?' : { ahead: '+', behind: '-', level: '=' }[verdict(d)];
  return `${sign(v.apgr)} ${sign(v.saving95)} ${sign(v.saving100)}`;
}
