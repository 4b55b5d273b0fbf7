// Measured, not adopted (docs/benchmarks.md, "Tuning for the top band"): what tuning maximises on its held-out
// rows (`trainLearnedRouter`'s `tuneFor`): the routing curve's APGR (the default), the mean saving over
// 90-100% of the best model's quality (`top`), or the mean of the two (`both`); each router scored on the test
// part. Not part of `npm test` (about 5 minutes a split for the three); run it with:
//
//   DATASET=../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl SEEDS=0,1,2 \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/tune-for.experiment.ts'
//
// and with HOLD_OUT_TASK=health (philosophy, business) for a leave-one-task-out fold, TRAIN_SIZE=1000 for
// the training part subsampled as `switchyard eval --train-size` does.
import { type TuneFor, trainLearnedRouter } from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { routerSummary } from './experiment-scorer';

jest.setTimeout(3_600_000);

it('prints the test-part curve of a router tuned for each score', () => {
  for (const { label, trainEx, testEx } of experimentCases(experimentRows())) {
    for (const tuneFor of ['apgr', 'top', 'both'] as TuneFor[]) {
      const artifact = trainLearnedRouter(trainEx, { version: 'x', tuneFor });
      const summary = routerSummary(artifact, testEx);
      process.stdout.write(`${label}, tuned for ${tuneFor}: ${summary}\n`);
    }
  }
});
