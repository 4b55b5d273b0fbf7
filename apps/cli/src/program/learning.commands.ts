import { join } from 'node:path';
import {
  ADAGRAD_INITIAL_ACCUMULATOR,
  DEFAULT_CONTEXT_WEIGHT,
  type LearnedRouterArtifact,
  featurizerReads,
  WORD_SCANNERS,
  type WordScanner,
} from '@switchyard/routing';
import { DEFAULT_BOOTSTRAP_RESAMPLES } from '@switchyard/evaluation';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { runEvalLive } from '../eval/eval-live.command';
import { runCombine } from '../eval/combine-runs';
import { runEval } from '../eval/eval.command';
import { runSimulate } from '../simulate/simulate.command';
import { runTrain } from '../train/train.command';
import type { CliContext } from './cli-context';
import { printResultFile, readJsonFile, withStdoutOnStderr } from './json-output';
import {
  foldCount,
  intIn,
  nonNegativeInt,
  nonNegativeNumber,
  numberIn,
  positiveInt,
  positiveIntList,
  positiveNumber,
} from './option-parsers';
import { UsageError } from './usage.error';

const SAMPLE_DATASET = 'datasets/sample/mmlu-pro-3000.jsonl.gz';

/** A share of the rows strictly between 0 and 1 (0.7: 70% train, 30% test). */
function splitShare(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n < 1)) throw new InvalidArgumentError('Expected a share between 0 and 1.');
  return n;
}

/** The dataset commands' shared options: how a dataset is split into train and test parts. */
function withSplit(command: Command): Command {
  return command
    .option('--split <share>', 'share used for training', splitShare, 0.7)
    .option('--seed <n>', 'split and training seed', nonNegativeInt, 0);
}

interface TrainFlags {
  dataset: string;
  split: number;
  seed: number;
  out?: string;
  epochs?: number;
  learningRate?: number;
  dimsLog2: number;
  l2: number;
  taskHint?: boolean;
  contextWeight?: number;
  words: WordScanner;
  /** --quality-scaling (an experiment). */
  qualityScaling?: boolean;
  publish?: boolean;
  json?: boolean;
}

interface EvalFlags {
  dataset?: string;
  split: number;
  seed: number;
  out: string;
  train?: string;
  test?: string;
  cv?: string;
  trainSize?: number[];
  repeat?: number;
  combine?: string[];
  epochs?: number;
  step?: number;
  contextWeight?: number;
  /** --quality-scaling (an experiment). */
  qualityScaling?: boolean;
  /** --tune-by-task (an experiment). */
  tuneByTask?: boolean | 'alongside';
  /** --adagrad-start (an experiment). */
  adagradStart?: number;
  averageFolds?: number;
  averageIterates?: 'epoch' | 'all' | 'none';
  dimsLog2?: number;
  bootstrap?: number;
  live?: boolean;
  costWeight?: number;
  tolerance?: number;
  policy?: string;
  concurrency: number;
  taskHint?: boolean;
  json?: boolean;
}

interface SimulateFlags {
  dataset: string;
  days: number;
  requestsPerDay: number;
  out: string;
  split: number;
  seed: number;
  feedbackShare: number;
  feedbackNoise: number;
  exploration: number;
  canary: number;
  concurrency: number;
  reference: boolean;
  seedDataset?: string;
  startRouter?: number;
  warmStart: boolean;
  json?: boolean;
}

/** train, eval, simulate: the learned router on a dataset, offline and through the services. */
export function declareLearningCommands(program: Command, ctx: CliContext): void {
  withSplit(
    program
      .command('train')
      .summary('train the learned router on a dataset')
      .description('train the learned router on a dataset (format: docs/datasets.md) and check it on held-out prompts')
      .requiredOption('--dataset <file>', 'JSONL outcomes file, .gz too'),
  )
    .option('--out <file>', 'where to write the artifact (default: models/<dataset>.json)')
    .option(
      '--epochs <n>',
      'fixed passes; by default passes and step are tuned on a validation cut of the train part (the routing curve APGR, early stopping)',
      positiveInt,
    )
    .option('--learning-rate <x>', 'fixed AdaGrad step (tuned by default, as --epochs)', positiveNumber)
    .option('--dims-log2 <n>', 'hashed feature dimensions, log2', intIn(10, 22), 18)
    .option('--l2 <x>', 'L2 penalty', nonNegativeNumber, 0)
    .option('--task-hint', "learn from the rows' task label too; requests then send theirs as hints.task")
    .option(
      '--context-weight <w>',
      `weight of the rows' conversation context against their prompt (0: the prompt alone; default ${DEFAULT_CONTEXT_WEIGHT}); requests then weigh theirs alike`,
      nonNegativeNumber,
    )
    .addOption(
      new Option(
        '--words <scanner>',
        'what the featurizer reads as a word: letters, digits and marks of any script (letters), or Latin words and Han characters only, as routers trained before it',
      )
        .choices(WORD_SCANNERS)
        .default('letters'),
    )
    .option(
      '--quality-scaling',
      'an experiment: Platt-scale the predicted qualities, one scale for every model, fitted on the validation cut (docs/benchmarks.md: it did not help on MMLU-Pro)',
    )
    .option(
      '--publish',
      'also store it in the model store (MONGODB_URI); a policy names it with learned: { model: VERSION } and every decision-engine replica loads it, no file',
    )
    .option('--json', 'print the artifact without its weights (version, training, calibration) as JSON')
    .action(async (flags: TrainFlags) => {
      const name = flags.dataset.replace(/^.*\//, '').replace(/\.jsonl?(\.gz)?$/, '');
      const out = flags.out ?? `models/${name}.json`;
      const run = () =>
        runTrain({
          dataset: flags.dataset,
          split: flags.split,
          seed: flags.seed,
          out,
          ...(flags.epochs === undefined ? {} : { epochs: flags.epochs }),
          dimsLog2: flags.dimsLog2,
          l2: flags.l2,
          ...(flags.learningRate === undefined ? {} : { learningRate: flags.learningRate }),
          taskHint: flags.taskHint === true,
          ...(flags.contextWeight === undefined ? {} : { contextWeight: flags.contextWeight }),
          words: flags.words,
          ...(flags.qualityScaling === true ? { scaleQuality: true } : {}),
          publishTo: flags.publish ? ctx.mongoUri : undefined,
        });
      if (!flags.json) {
        ctx.exitCode = await run();
        return;
      }
      const { code } = await withStdoutOnStderr(ctx, run);
      // The weights are megabytes of numbers: the document says what was trained and where it is.
      const artifact = (code === 0 ? readJsonFile(out) : undefined) as LearnedRouterArtifact | undefined;
      if (!artifact) {
        ctx.printJson({ ok: false, exitCode: code });
      } else {
        const { featurizer, quality: _q, classifier: _c, ...about } = artifact;
        ctx.printJson({ ok: true, out, ...about, featurizer: featurizerReads(featurizer) });
      }
      ctx.exitCode = code;
    });

  withSplit(
    program
      .command('eval')
      .summary("every routing strategy on a dataset's held-out part (--live: through the services)")
      .description(
        "every routing strategy replayed on a dataset's held-out part: quality, cost, saving, APGR (writes results.json and report.html)",
      )
      .option('--dataset <file>', 'JSONL outcomes file, .gz too (or --train and --test)'),
  )
    .option('--out <dir>', 'where results.json and report.html go (and live.json with --live)', 'out/eval')
    .option('--train <file>', 'your own train part, with --test, instead of --dataset and --split')
    .option('--test <file>', 'your own test part, with --train')
    .option('--cv <how>', 'task: leave one task out, a fold per task trained on the others (routers only)')
    .option(
      '--train-size <list>',
      'learning curve: the train part subsampled to N rows, same test part (routers only; e.g. 500,1000,2000,5000)',
      positiveIntList,
    )
    .option(
      '--repeat <n>',
      'run at N seeds, --seed, --seed + 1, ... (routers only), with the mean and spread of each figure: N splits instead of one, or with --cv or --train-size each fold at N seeds (its rows in another order, or another subsample)',
      positiveInt,
    )
    .option(
      '--epochs <n>',
      'train the learned router with these passes, with --step, instead of tuning them on a validation cut',
      positiveInt,
    )
    .option(
      '--step <x>',
      'the AdaGrad step, with --epochs (e.g. --epochs 2 --step 0.02, the settings before tuning)',
      positiveNumber,
    )
    .option(
      '--context-weight <w>',
      `weight of the rows' conversation context against their prompt, for every router trained (0: the prompt alone; default ${DEFAULT_CONTEXT_WEIGHT})`,
      nonNegativeNumber,
    )
    .option(
      '--quality-scaling',
      "an experiment: Platt-scale the learned routers' predicted qualities on a validation cut of the train part (it did not help on MMLU-Pro)",
    )
    .option(
      '--tune-by-task [how]',
      "an experiment: tune the learned routers on a cut that holds out whole tasks of the train part (rows' task labels, at least three) instead of random rows ('instead', the default); 'alongside': as one more fold beside the random ones",
      tuneByTaskMode,
    )
    .option(
      '--adagrad-start <sum>',
      `an experiment: AdaGrad's starting sum of squared gradients for the learned routers' early-stopped settings (default ${ADAGRAD_INITIAL_ACCUMULATOR}; 0 trains them as before it had one)`,
      nonNegativeNumber,
    )
    .option(
      '--average-folds <k>',
      "an experiment: the learned routers' quality model as the average of k models, each trained without one of k folds (default 0: one model on every row; on small data it did not route better)",
      foldCount,
    )
    .addOption(
      new Option(
        '--average-iterates <how>',
        "the learned routers' early-stopped settings return their weights averaged over the last epoch's updates (epoch, the default), over all of them (all), or their last weights (none, as before)",
      ).choices(['epoch', 'all', 'none']),
    )
    .option(
      '--dims-log2 <n>',
      "the learned routers' hashed feature dimensions, log2 (the training default when absent; the baseline keeps 18)",
      intIn(10, 22),
    )
    .option(
      '--bootstrap <n>',
      `resamples of the paired bootstrap that says whether the test part tells the router and the baseline apart (default ${DEFAULT_BOOTSTRAP_RESAMPLES}; 0: none)`,
      intIn(0, 100_000),
    )
    .option(
      '--live',
      'instead: send the test prompts through the six services (started here, replay provider) and check they reproduce the offline numbers of the same policy; writes live.json',
    )
    .option(
      '--cost-weight <w>',
      "--live: the learned router's cost weight in the policy (default: the policy default)",
      nonNegativeNumber,
    )
    .option('--tolerance <t>', '--live: or its tolerance instead, 0..1', numberIn(0, 1))
    .option('--policy <file>', '--live: evaluate this policy instead of the learned router trained on the train part')
    .option('--concurrency <n>', '--live: requests in flight at once', positiveInt, 16)
    .option('--task-hint', "--live: requests carry the row's task label as hints.task (and the router learns it)")
    .option(
      '--combine <dir...>',
      'instead: read finished runs of the same --cv task or --train-size check at other seeds (their --out folders) together, as --repeat reports them',
    )
    .option('--json', 'print results.json (live.json with --live) instead of the table')
    .action(async (flags: EvalFlags, command: Command) => {
      if (flags.combine) checkCombineFlags(flags, command);
      else checkEvalFlags(flags);
      const run = () =>
        flags.combine ? runCombine(flags.combine, flags.out) : flags.live ? evalLive(flags, ctx) : evalOffline(flags);
      ctx.exitCode = flags.json
        ? await printResultFile(ctx, join(flags.out, flags.live ? 'live.json' : 'results.json'), run)
        : await run();
    });

  withSplit(
    program
      .command('simulate')
      .summary('the learning loop on real data, day by day, through the six services')
      .description(
        "the learning loop on real data: N days of traffic from a dataset's train part through the six services (started here, replay provider, a private nats-server), feedback on a share of answers, and at the end of each day rule-optimizer's canary check and retraining; each day's policy replayed on the test part; writes simulate.json and simulate.html",
      )
      .option('--dataset <file>', 'JSONL outcomes file, .gz too', SAMPLE_DATASET),
  )
    .option('--days <n>', 'simulated days', positiveInt, 7)
    .option('--requests-per-day <n>', 'requests a day', positiveInt, 1500)
    .option('--out <dir>', 'where simulate.json and simulate.html go', 'out/simulate')
    .option('--feedback-share <x>', 'share of answers with feedback, 0..1', numberIn(0, 1), 0.5)
    .option(
      '--feedback-noise <x>',
      'chance a feedback says the opposite of the recorded score, 0..1',
      numberIn(0, 1),
      0.05,
    )
    .option('--exploration <p>', 'exploration percent of the cold policy, 0..20', numberIn(0, 20, ' (percent)'), 5)
    .option('--canary <p>', 'canary share of a released router, percent, above 0 up to 100', canaryPercent, 50)
    .option('--concurrency <n>', 'requests in flight at once', positiveInt, 16)
    .option('--no-reference', 'skip training the offline reference router')
    .option(
      '--seed-dataset <file>',
      "a dataset whose rows join every night's training (rule-optimizer's RETRAIN_SEED_DATASET); its questions of the test part are left out",
    )
    .option(
      '--start-router <rows>',
      "start with a learned router in force instead of rules and bands: trained offline on this many rows of the train part (every model's outcome), stored, and continued from by the nights (learning.warmStart)",
      positiveInt,
    )
    .option(
      '--no-warm-start',
      'the nights train from scratch, not from the router in force (learning.warmStart: false)',
    )
    .option('--json', 'print simulate.json instead of the summary')
    .action(async (flags: SimulateFlags) => {
      const run = () =>
        runSimulate({
          dataset: flags.dataset,
          days: flags.days,
          requestsPerDay: flags.requestsPerDay,
          out: flags.out,
          split: flags.split,
          seed: flags.seed,
          feedbackShare: flags.feedbackShare,
          feedbackNoise: flags.feedbackNoise,
          explorationPercent: flags.exploration,
          canaryPercent: flags.canary,
          concurrency: flags.concurrency,
          redisUrl: ctx.redisUrl,
          mongoServer: ctx.mongoServer,
          reference: flags.reference,
          ...(flags.seedDataset !== undefined ? { seedDataset: flags.seedDataset } : {}),
          ...(flags.startRouter !== undefined ? { startRouterRows: flags.startRouter } : {}),
          warmStart: flags.warmStart,
        });
      ctx.exitCode = flags.json ? await printResultFile(ctx, join(flags.out, 'simulate.json'), run) : await run();
    });
}

function canaryPercent(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n <= 100))
    throw new InvalidArgumentError('Expected a percent above 0, up to 100.');
  return n;
}

/** The flags of eval that only make sense together, or apart (the messages name them). */
function checkEvalFlags(flags: EvalFlags): void {
  if ((flags.epochs === undefined) !== (flags.step === undefined))
    throw new UsageError('--epochs N and --step X go together (fixed training instead of tuning)');
  const offlineOnly = (['train', 'test', 'cv', 'trainSize', 'repeat', 'bootstrap'] as const).filter(
    (k) => flags[k] !== undefined,
  );
  if (flags.live && offlineOnly.length > 0)
    throw new UsageError(`${offlineOnly.map(flagName).join(', ')} cannot be combined with --live`);
  if ((flags.train === undefined) !== (flags.test === undefined))
    throw new UsageError('--train FILE and --test FILE go together');
  if (flags.train !== undefined && flags.dataset !== undefined)
    throw new UsageError('give --dataset (split here) or --train and --test (your own split), not both');
  if (flags.cv !== undefined && flags.cv !== 'task')
    throw new UsageError(`--cv takes "task" (leave one task out), got "${flags.cv}"`);
  const checks = (['cv', 'trainSize'] as const).filter((k) => flags[k] !== undefined);
  if (checks.length > 1) throw new UsageError(`give one of ${checks.map(flagName).join(', ')}, not more`);
  if (flags.repeat !== undefined && flags.repeat < 2)
    throw new UsageError(`--repeat takes 2 or more seeds, got ${flags.repeat} (one seed is a run without it)`);
  if (flags.repeat !== undefined && flags.train !== undefined)
    throw new UsageError('--repeat splits --dataset at several seeds; with --train and --test the split is yours');
  if (!flags.dataset && flags.train === undefined)
    throw new UsageError('eval needs --dataset FILE (or --train FILE --test FILE)');
  const liveOnly = (['tolerance', 'costWeight', 'policy', 'taskHint'] as const).filter(
    (k) => flags[k] !== undefined && flags[k] !== false,
  );
  if (!flags.live && liveOnly.length > 0)
    throw new UsageError(
      `${liveOnly.map(flagName).join(', ')} ${liveOnly.length === 1 ? 'applies' : 'apply'} only with --live (the offline eval traces every cost weight, with and without the task hint)`,
    );
  if (flags.live && flags.tolerance !== undefined && flags.costWeight !== undefined)
    throw new UsageError('give --tolerance or --cost-weight, not both');
  if (flags.live && !flags.dataset) throw new UsageError('eval --live needs --dataset FILE');
}

/** `--combine` reads finished runs: what would set up a new one has no place beside it. */
function checkCombineFlags(flags: EvalFlags, command: Command): void {
  const given = command.options
    .map((o) => o.attributeName())
    .filter((k) => k !== 'combine' && k !== 'out' && k !== 'json' && command.getOptionValueSource(k) === 'cli');
  if (given.length > 0)
    throw new UsageError(
      `--combine reads finished runs and takes only --out and --json, not ${given.map(flagName).join(', ')}`,
    );
  if (flags.combine && flags.combine.length < 2)
    throw new UsageError('--combine takes the folders of 2 or more runs, at different seeds');
}

/** `trainSize` -> `--train-size`. */
function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function evalLive(flags: EvalFlags, ctx: CliContext): Promise<number> {
  return runEvalLive({
    dataset: flags.dataset as string,
    split: flags.split,
    seed: flags.seed,
    out: flags.out,
    knob:
      flags.tolerance !== undefined
        ? { tolerance: flags.tolerance }
        : flags.costWeight !== undefined
          ? { costWeight: flags.costWeight }
          : undefined,
    policy: flags.policy,
    concurrency: flags.concurrency,
    taskHint: flags.taskHint === true,
    ...(flags.contextWeight === undefined ? {} : { contextWeight: flags.contextWeight }),
    natsUrl: ctx.natsUrl,
    redisUrl: ctx.redisUrl,
    mongoServer: ctx.mongoServer,
  });
}

function evalOffline(flags: EvalFlags): Promise<number> {
  return runEval({
    ...(flags.train !== undefined && flags.test !== undefined
      ? { files: { train: flags.train, test: flags.test } }
      : { dataset: flags.dataset as string }),
    split: flags.split,
    seed: flags.seed,
    out: flags.out,
    ...(flags.epochs !== undefined && flags.step !== undefined
      ? { training: { epochs: flags.epochs, learningRate: flags.step } }
      : {}),
    ...(flags.contextWeight === undefined ? {} : { contextWeight: flags.contextWeight }),
    ...(flags.qualityScaling === true ? { scaleQuality: true } : {}),
    ...(flags.tuneByTask ? { tuneByTask: flags.tuneByTask } : {}),
    ...(flags.adagradStart === undefined ? {} : { adagradStart: flags.adagradStart }),
    ...(flags.averageFolds === undefined ? {} : { averageFolds: flags.averageFolds }),
    ...(flags.averageIterates === undefined ? {} : { averageIterates: flags.averageIterates }),
    ...(flags.dimsLog2 === undefined ? {} : { dimsLog2: flags.dimsLog2 }),
    ...(flags.bootstrap === undefined ? {} : { bootstrap: flags.bootstrap }),
    ...(flags.cv === 'task' ? { cv: 'task' as const } : {}),
    ...(flags.trainSize === undefined ? {} : { trainSizes: flags.trainSize }),
    ...(flags.repeat === undefined ? {} : { repeat: flags.repeat }),
  });
}

/** `--tune-by-task` alone: instead of the random cut; `--tune-by-task alongside`: beside it. */
function tuneByTaskMode(value: string): true | 'alongside' {
  if (value === 'alongside') return 'alongside';
  if (value === 'instead') return true;
  throw new InvalidArgumentError("Expected 'instead' or 'alongside'.");
}
