// The nightly retraining (`trainRouterFromLabels`, partial labels: in production only the model that
// answered has one) trained as it always has (AdaGrad from a zero sum, its last weights) and with what the
// offline trainer adopted since (docs/benchmarks.md, "AdaGrad's starting sum" and "Iterates averaged"):
// the starting sum ADAGRAD_INITIAL_ACCUMULATOR, the weights averaged per epoch, and both. Epochs are chosen
// as the retraining chooses them (validation log-loss); the test part is scored once per router.
//
// LABELS=one (default): each training row keeps the label of one model drawn at random, as an exploring
// log would have it; LABELS=full: every model's label (a seed dataset).
// Not part of `npm test` (minutes a split); run it with:
//
//   DATASET=out/stress-sets/graded-noisy.jsonl SEEDS=0,1,2 [LABELS=one|full] [MODES=last,sum,avg,both,sum16,last16,steps,conc,conc16,shared,sharedc] \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/train-from-labels.experiment.ts'
//
// and with few-rows, one-task, or MMLU-Pro (whole, or TRAIN_SIZE=500, 1000 or 2000).
import { type TrainFromLabelsOptions, labelledFromOutcomes, trainRouterFromLabels } from '@switchyard/routing';
import { experimentCases, experimentRows, oneLabelEach } from './experiment-rows';
import { routerSummary } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

// `last` is how the retraining trained before (a zero starting sum, the last weights); `sum` its default now.
const MODES: Record<string, Partial<TrainFromLabelsOptions>> = {
  last: { initialAccumulator: 0 },
  sum: {},
  avg: { initialAccumulator: 0, averageIterates: 'epoch' },
  both: { averageIterates: 'epoch' },
  // Up to 16 passes: with one label a row, a model's output sees a ninth of the rows per pass.
  sum16: { epochCandidates: [1, 2, 4, 8, 16] },
  last16: { initialAccumulator: 0, epochCandidates: [1, 2, 4, 8, 16] },
  // The passes chosen by how each model's predictions order its labelled rows, not by log-loss.
  conc: { chooseEpochsBy: 'concordance' },
  conc16: { chooseEpochsBy: 'concordance', epochCandidates: [1, 2, 4, 8, 16] },
  // Each model's weights as its own plus a part shared by all, learned from every label.
  shared: { sharedPart: true },
  sharedc: { sharedPart: true, chooseEpochsBy: 'concordance' },
};

/** MODES=steps: the step too chosen by validation log-loss, among these (the passes chosen per step as usual). */
const STEPS = [0.02, 0.05, 0.1];

it('prints the test-part curve of the retrained router, as trained now and with the offline trainer’s settings', () => {
  const modes = (process.env['MODES'] ?? 'last,sum,avg,both').split(',');
  const full = process.env['LABELS'] === 'full';
  for (const { seed, label, trainEx, testEx } of experimentCases(experimentRows())) {
    const models = Object.keys(trainEx[0].outcomes);
    const examples = labelledFromOutcomes(trainEx);
    const labelled = full ? examples : oneLabelEach(examples, seed);
    for (const mode of modes) {
      const settings = MODES[mode];
      if (!settings && mode !== 'steps')
        throw new Error(`MODES: ${mode} is not one of ${[...Object.keys(MODES), 'steps'].join(', ')}`);
      const started = Date.now();
      const artifact = settings
        ? trainRouterFromLabels(labelled, { version: 'x', models, seed, ...settings })
        : STEPS.map((learningRate) =>
            trainRouterFromLabels(labelled, { version: 'x', models, seed, learningRate }),
          ).reduce((a, b) =>
            (b.training.validationLogLoss ?? Infinity) < (a.training.validationLogLoss ?? Infinity) ? b : a,
          );
      const summary = routerSummary(artifact, testEx, { started });
      process.stdout.write(
        `${label}, ${full ? 'full' : 'one'} labels, ${mode.padEnd(6)} (step ${artifact.training.learningRate} × ${artifact.training.epochs}): ${summary}\n`,
      );
    }
  }
});
