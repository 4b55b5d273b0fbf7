// Measured (docs/benchmarks.md, "The regression unless the folds say otherwise"): on small data tuning's
// five folds of a few hundred rows each pick the best mean score among the early-stopped settings, the
// regularised regression (the baseline) and their blend, and the candidates are about equally good there,
// so the pick is often the folds' noise. Here the default (the best mean) against the one-standard-error
// rule: the regression unless the winner's lead over it, fold by fold, exceeds one standard error of its mean.
// Not part of `npm test` (a minute or more a split); run it with:
//
//   DATASET=out/stress-sets/graded-noisy.jsonl SEEDS=0,1,2 \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/tune-select.experiment.ts'
//
// and with few-rows, one-task, two-models, or MMLU-Pro with TRAIN_SIZE=500, 1000 or 2000.
import { trainLearnedRouter } from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { routerSummary } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

it('prints the test-part curve of the router whose tuning picks the best mean, or the regression within one SE', () => {
  const rules = (process.env['SELECT'] ?? 'best,regularised-within-one-se').split(',') as Array<
    'best' | 'regularised-within-one-se'
  >;
  for (const { seed, label, trainEx, testEx } of experimentCases(experimentRows())) {
    for (const tuneSelect of rules) {
      const started = Date.now();
      const artifact = trainLearnedRouter(trainEx, { version: 'x', seed, tuneSelect });
      process.stdout.write(`${label}, ${tuneSelect}: ${routerSummary(artifact, testEx, { started })}\n`);
    }
  }
});
