// Measured (docs/benchmarks.md, "Tuning's folds drawn more than once"): on small data tuning scores every
// setting on five folds of one shuffle, and another shuffle of the same rows can choose another setting
// (the fold-average experiment saw APGR move by ±0.05 with the draw alone). Here the router is trained with
// tuning's folds drawn once (the default), twice and three times (`tuneRepeats`: every setting scored on
// 5, 10 or 15 held-out cuts), and the test part is scored once per router.
// Not part of `npm test` (a minute or more a split); run it with:
//
//   DATASET=out/stress-sets/graded-noisy.jsonl SEEDS=0,1,2 REPEATS=1,2,3 \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/tune-repeats.experiment.ts'
//
// and with few-rows, one-task, or MMLU-Pro with TRAIN_SIZE=500, 1000 or 2000.
import { trainLearnedRouter } from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { routerSummary } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

it('prints the test-part curve of the router tuned on folds drawn once or more', () => {
  const repeats = (process.env['REPEATS'] ?? '1,2,3').split(',').map(Number);
  for (const { seed, label, trainEx, testEx } of experimentCases(experimentRows())) {
    for (const tuneRepeats of repeats) {
      const started = Date.now();
      const artifact = trainLearnedRouter(trainEx, { version: 'x', seed, tuneRepeats });
      process.stdout.write(`${label}, folds drawn ${tuneRepeats}×: ${routerSummary(artifact, testEx, { started })}\n`);
    }
  }
});
