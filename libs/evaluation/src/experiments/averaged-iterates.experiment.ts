// Measured (docs/benchmarks.md, "Iterates averaged"): the early-stopped AdaGrad settings once returned
// their last weights. Averaging the weights after each update (`TrainOptions.averageIterates`) damps the
// pull of the last rows seen, which matters most with few passes over few rows: over the last epoch's
// updates (`epoch`, now the default) or over all of them (`all`, Polyak-Ruppert). Here the router is
// trained each way on the same rows (tuning chooses the step and epochs each time, on the same folds) and
// the test part is scored once per router.
// Not part of `npm test` (a minute or more a split); run it with:
//
//   DATASET=out/stress-sets/graded-noisy.jsonl SEEDS=0,1,2 [MODES=none,epoch,all] \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/averaged-iterates.experiment.ts'
//
// and with few-rows, one-task, or MMLU-Pro (whole, or TRAIN_SIZE=500, 1000 or 2000).
import { type TrainLearnedRouterOptions, trainLearnedRouter } from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { routerSummary } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

const LABELS = { none: 'last weights      ', epoch: 'averaged per epoch', all: 'iterates averaged ' } as const;

it('prints the test-part curve of the router with its last weights and with its iterates averaged', () => {
  const modes = (process.env['MODES'] ?? 'none,epoch,all').split(',') as Array<keyof typeof LABELS>;
  for (const { seed, label, trainEx, testEx } of experimentCases(experimentRows())) {
    for (const mode of modes) {
      const started = Date.now();
      const averageIterates: TrainLearnedRouterOptions['averageIterates'] = mode;
      const artifact = trainLearnedRouter(trainEx, { version: 'x', seed, averageIterates });
      process.stdout.write(`${label}, ${LABELS[mode]}: ${routerSummary(artifact, testEx, { started })}\n`);
    }
  }
});
