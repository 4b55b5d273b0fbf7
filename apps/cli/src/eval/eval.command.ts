import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateStrategies, loadDataset, reportHtml, splitDataset } from '@switchyard/evaluation';
import { pct, table, usd } from '../demo/table';
import { Progress } from '../progress/progress';

export interface EvalOptions {
  dataset: string;
  split: number;
  seed: number;
  out: string;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * Splits a routing dataset, trains what learns on the train part, replays every strategy on the test part
 * and writes `results.json` with a table on stdout.
 */
export async function runEval(opts: EvalOptions): Promise<number> {
  const started = Date.now();
  const rows = loadDataset(opts.dataset);
  const { train, test } = splitDataset(rows, opts.split, opts.seed);
  out(
    `${opts.dataset}: ${rows.length} prompts; train ${train.length}, test ${test.length} (split ${opts.split}, seed ${opts.seed})`,
  );
  const progress = new Progress(process.stdout);
  const result = evaluateStrategies(train, test, {
    seed: opts.seed,
    onProgress: (stage, done, total) => progress.update(stage, done, total),
  });
  progress.done();
  mkdirSync(opts.out, { recursive: true });
  const file = join(opts.out, 'results.json');
  writeFileSync(
    file,
    JSON.stringify({ dataset: opts.dataset, split: opts.split, seed: opts.seed, ...result }, null, 2),
  );
  const html = join(opts.out, 'report.html');
  writeFileSync(html, reportHtml(result, `Routing strategies on ${opts.dataset}`));
  out(
    `\nbest single model: ${result.bestSingle.name} (quality ${result.bestSingle.quality.toFixed(3)}, ${usd(result.bestSingle.costUsd)} a prompt)`,
  );
  out(
    table(
      ['strategy', 'label?', 'quality', 'vs best', 'cost/prompt', 'saving'],
      result.strategies.map((s) => [
        s.name,
        s.usesTaskLabel ? 'yes' : '',
        s.quality.toFixed(3),
        pct(s.qualityVsBest),
        usd(s.costUsd),
        pct(s.saving),
      ]),
    ),
  );
  const reach = (v: number | undefined) =>
    v === undefined ? 'not reached' : `${usd(v)} (${pct(1 - v / result.bestSingle.costUsd)} saving)`;
  out(
    `\nlearned router (cost-aware) APGR ${result.apgr === undefined ? 'n/a (the best model is also the cheapest)' : result.apgr.toFixed(3)}; cost to reach 95% of the best: ${reach(result.costToReach95UsdPerPrompt)}; 100%: ${reach(result.costToReach100UsdPerPrompt)}`,
  );
  if (result.withTaskHint) {
    const h = result.withTaskHint;
    out(
      `with the task label as a hint (marked): APGR ${h.apgr === undefined ? 'n/a' : h.apgr.toFixed(3)}; cost to reach 95%: ${reach(h.costToReach95UsdPerPrompt)}; 100%: ${reach(h.costToReach100UsdPerPrompt)}`,
    );
  }
  for (const [target, pick] of [
    ['95%', result.validationPick95],
    ['100%', result.validationPick100],
  ] as const)
    out(
      pick
        ? `cost weight picked on a validation cut of the training part for ${target} of the best: ${pick.costWeight}; on the test part ${pct(pick.qualityVsBest)} of the best at ${pct(pick.saving)} saving`
        : `no cost weight reached ${target} of the best on the validation cut`,
    );
  out(`wrote ${file} and ${html} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}
