// The nightly retraining continued from the router in force (a warm start) against what it can do without:
// the router in force left as it is, a router trained on the log alone (one label a row: in production only
// the model that answered has one), and one trained on the log with the router's own training rows beside it
// (every model's label, as RETRAIN_SEED_DATASET gives them).
//
// Two scenarios:
// - the same traffic (default): the router in force is trained offline (`trainLearnedRouter`, as `switchyard
//   train`) on the first PRIOR_SIZE rows of the training part (half when unset), every label; the log is the
//   rest of the training part, one model's label a row drawn at random; tested on the test part.
// - new traffic (HOLD_OUT_TASK=<task>): the router in force is trained on the other tasks; the log is half of
//   the held-out task's rows (drawn by the seed), one label a row; tested on the other half.
//
// Not part of `npm test` (minutes a split); run it with:
//
//   SEEDS=0,1,2 [ROUTERS=log,log+rows,warm,warm:conc,warm:e1,warm:lr01] [PRIOR_SIZE=1000] [HOLD_OUT_TASK=health] [DATASET=out/stress-sets/few-rows.jsonl] \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/warm-start.experiment.ts'
import {
  type LearnedRouterArtifact,
  type OutcomeExample,
  type TrainFromLabelsOptions,
  labelledFromOutcomes,
  mulberry32,
  trainLearnedRouter,
  trainRouterFromLabels,
} from '@switchyard/routing';
import { experimentCases, experimentRows, oneLabelEach } from './experiment-rows';
import { routerSummary } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

/** ROUTERS' variants (`warm:conc`): settings of the retraining beside its defaults. */
const VARIANTS: Record<string, Partial<TrainFromLabelsOptions>> = {
  '': {},
  conc: { chooseEpochsBy: 'concordance' },
  e1: { epochs: 1 },
  // A warm start's step is WARM_START_LEARNING_RATE (0.005) unless told; the cold retraining's is 0.02.
  lr02: { learningRate: 0.02 },
  lr01: { learningRate: 0.01 },
  lr005: { learningRate: 0.005 },
  shared: { sharedPart: true },
  // A warm start's passes are chosen among 0 (the router as it is), 1, 2, 4 and 8 unless told.
  nozero: { epochCandidates: [1, 2, 4, 8] },
  // A warm start keeps the fewest passes within one standard error of the least log-loss unless told.
  least: { epochsRule: 'least' },
};

/** The rows shuffled by the seed, then cut in two at `at`. */
function cut<T>(rows: readonly T[], at: number, seed: number): [T[], T[]] {
  const rand = mulberry32(seed + 2000);
  const order = [...rows];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return [order.slice(0, at), order.slice(at)];
}

it('prints the test-part curve of the router in force, and of retrainings from scratch, with its rows, and from it', () => {
  const shift = process.env['HOLD_OUT_TASK'] !== undefined;
  for (const { seed, label, trainEx, testEx } of experimentCases(experimentRows())) {
    let prior: OutcomeExample[];
    let log: OutcomeExample[];
    let test: OutcomeExample[];
    if (shift) {
      prior = trainEx;
      [log, test] = cut(testEx, Math.floor(testEx.length / 2), seed);
    } else {
      [prior, log] = cut(trainEx, Number(process.env['PRIOR_SIZE'] ?? Math.floor(trainEx.length / 2)), seed);
      test = testEx;
    }
    const models = Object.keys(trainEx[0].outcomes);
    const logged = oneLabelEach(labelledFromOutcomes(log), seed);
    const report = (name: string, artifact: LearnedRouterArtifact, started: number) =>
      process.stdout.write(
        `${label}, prior ${prior.length}, log ${log.length}, test ${test.length}: ${name.padEnd(12)} (× ${artifact.training.epochs}): ${routerSummary(artifact, test, { started })}\n`,
      );
    let started = Date.now();
    const inForce = trainLearnedRouter(prior, { version: 'in-force', seed });
    report('in force', inForce, started);
    const seeded = [...labelledFromOutcomes(prior), ...logged];
    for (const name of (process.env['ROUTERS'] ?? 'log,log+rows,warm').split(',')) {
      const [base, variant = ''] = name.split(':');
      const settings = VARIANTS[variant];
      if (!settings) throw new Error(`ROUTERS: ${name}: no variant ${variant} (${Object.keys(VARIANTS).join(', ')})`);
      const examples = base === 'log+rows' ? seeded : logged;
      if (base !== 'log' && base !== 'log+rows' && base !== 'warm')
        throw new Error(`ROUTERS: ${name} is not log, log+rows or warm (each with an optional :variant)`);
      started = Date.now();
      const artifact = trainRouterFromLabels(examples, {
        version: name,
        models,
        seed,
        ...settings,
        ...(base === 'warm' ? { warmStart: inForce } : {}),
      });
      report(name, artifact, started);
    }
  }
});
