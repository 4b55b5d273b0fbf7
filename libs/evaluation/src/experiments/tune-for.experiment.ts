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
import { LearnedRouter, type TuneFor, trainLearnedRouter } from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { experimentScorer } from './experiment-scorer';

jest.setTimeout(3_600_000);

it('prints the test-part curve of a router tuned for each score', () => {
  for (const { label, trainEx, testEx } of experimentCases(experimentRows())) {
    for (const tuneFor of ['apgr', 'top', 'both'] as TuneFor[]) {
      const artifact = trainLearnedRouter(trainEx, { version: 'x', tuneFor });
      const router = new LearnedRouter(artifact);
      const scorer = experimentScorer(artifact.models, testEx, { modelsAlone: true });
      const preds = testEx.map((e) => Float64Array.from(router.predictQuality(e.text).quality));
      const t = artifact.training.tuning;
      const chose = t ? `step ${t.learningRate}, L2 ${t.l2} × ${t.epochs}${t.blendWith ? ', blended' : ''}` : 'untuned';
      process.stdout.write(`${label}, tuned for ${tuneFor}: ${scorer.summary(preds)} (chose ${chose})\n`);
    }
  }
});
