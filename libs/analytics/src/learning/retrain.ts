import {
  type CompiledPolicy,
  DEFAULT_CONTEXT_WEIGHT,
  DEFAULT_COST_WEIGHT,
  LearnedRouter,
  type LearnedRouterArtifact,
  compilePolicy,
  learnedContext,
  trainRouterFromLabels,
  withStoredRouter,
} from '@switchyard/routing';
import { estimateTokens } from '@switchyard/contracts';
import {
  type LabelledRecordExample,
  type LearningRecord,
  labelledExamples,
  policyChoiceOn,
  rewardModel,
  splitByTime,
} from './learning-set';
import { type OffPolicyComparison, compareOffPolicy } from './off-policy';
import { type SeedSet, seedExamples } from './seed-set';

export interface RetrainOptions {
  /** The new router's version. */
  version: string;
  /** Hashed feature dimensions (a power of two). */
  dims?: number;
  /** Largest importance weight of the off-policy estimate. */
  maxWeight?: number;
  /** Training passes; chosen on a validation cut when left out. */
  epochs?: number;
  /**
   * Weight of a record's context (the conversation before its text) against the text; DEFAULT_CONTEXT_WEIGHT
   * when left out, as `switchyard train`'s default. Records without context train on their text alone.
   */
  contextWeight?: number;
  /** Train on these labels instead of the records' own (a test's deliberately wrong labels). */
  relabel?: (train: readonly LearningRecord[]) => LearningRecord[];
  /**
   * A seed dataset whose rows join the training part (never the held-out records, which alone the gate
   * compares on); see `seedExamples`. `minLabels` still counts the records alone.
   */
  seed?: SeedSet;
  /**
   * The router in force, to continue from (`TrainFromLabelsOptions.warmStart`): the released router and the
   * half that decides in the gate start from it, keeping its features (`dims` and `contextWeight` are then
   * its own); the half that predicts the gate's rewards is trained from scratch, so the judgement does not
   * share the candidate's starting point.
   */
  warmStart?: LearnedRouterArtifact;
  /**
   * The router the policy in force serves (its `learned.model` or artifact), to replay the policy's choices on
   * the held-out records. Without it, a policy with a learned level is judged by the choices the records
   * logged, which are those of whatever policy was in force when each was made.
   */
  inForceRouter?: LearnedRouterArtifact;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export type RetrainResult =
  | { outcome: 'skipped'; reason: string; training: Record<string, unknown> }
  | {
      outcome: 'refused' | 'passed';
      reason: string;
      training: Record<string, unknown>;
      evaluation: OffPolicyComparison & { costWeight: number; costScale: number };
      artifact: LearnedRouterArtifact;
      /** The policy the router would serve (the one in force with its learned level on it). */
      candidateDocument: Record<string, unknown>;
    };

/**
 * One retraining, pure: the labelled records of the policy in force (`document`, as parsed from its YAML)
 * split by time, a router trained on the older part (with a seed dataset's rows, when given), and the
 * candidate policy compared with the policy in force on the recent part, records only, by a doubly robust
 * off-policy estimate. What to do with the result (store it, release it) is the caller's.
 */
export function retrainFromRecords(
  document: Record<string, unknown>,
  records: readonly LearningRecord[],
  options: RetrainOptions,
): RetrainResult {
  const policy = compilePolicy(document);
  const settings = policy.document.learning;
  if (!settings?.retrain)
    return {
      outcome: 'skipped',
      reason: `policy ${policy.version} does not ask for retraining (no learning section, or retrain: false)`,
      training: {},
    };
  const usable = records.filter((r) => policy.models.has(r.model));
  const { train, holdout } = splitByTime(usable, settings.holdoutShare);
  const training: Record<string, unknown> = { labelled: usable.length, train: train.length, holdout: holdout.length };
  if (train.length < settings.minLabels)
    return {
      outcome: 'skipped',
      reason: `${train.length} labelled requests to train on, fewer than minLabels ${settings.minLabels}`,
      training,
    };
  if (holdout.length < settings.minHoldout)
    return {
      outcome: 'skipped',
      reason: `${holdout.length} held-out requests, fewer than minHoldout ${settings.minHoldout}`,
      training,
    };

  const models = [...policy.models.keys()];
  const tokens = meanTokens(train);
  const labelled = options.relabel ? options.relabel(train) : [...train];
  const examples: LabelledRecordExample[] = labelledExamples(labelled);
  if (options.seed) {
    const seed = seedExamples(
      options.seed,
      models,
      holdout.map((r) => r.text),
    );
    examples.push(...seed.examples);
    training['seed'] = seed.summary;
  }
  const warm = options.warmStart;
  const trainOn = (
    part: readonly LabelledRecordExample[],
    version: string,
    { epochs = options.epochs, fromInForce = true }: { epochs?: number; fromInForce?: boolean } = {},
  ) =>
    trainRouterFromLabels(part, {
      version,
      models,
      epochs,
      ...(warm && fromInForce
        ? { warmStart: warm }
        : { dims: options.dims, contextWeight: options.contextWeight ?? DEFAULT_CONTEXT_WEIGHT }),
      expectedOutputTokens: Object.fromEntries(models.map((m) => [m, tokens.output])),
      expectedCostUsd: Object.fromEntries(models.map((m) => [m, expectedCost(policy, m, tokens)])),
      onProgress: options.onProgress,
    });
  // The router released, trained on all of the training part (its passes chosen on a validation cut)...
  const artifact = trainOn(examples, options.version);
  // ...judged honestly: a router trained the same way on one half of the training part decides, one trained
  // on the other half predicts the rewards. A router graded by its own predictions picks the models it
  // happens to overrate and believes itself (the winner's curse); with independent halves the noise of the
  // one is not the other's. The rewards' half starts from scratch even with a warm start, for the same reason.
  const epochs = artifact.training.epochs;
  const judged = trainOn(
    examples.filter((_, i) => i % 2 === 0),
    `${options.version}/a`,
    { epochs },
  );
  const rewards = new LearnedRouter(
    trainOn(
      examples.filter((_, i) => i % 2 === 1),
      `${options.version}/b`,
      { epochs, fromInForce: false },
    ),
  );
  // Model ids hold dots: stored as a list, since MongoDB-wire servers may refuse dotted keys (FerretDB does).
  const { labelsPerModel, ...trained } = artifact.training;
  Object.assign(training, trained, {
    labelsPerModel: Object.entries(labelsPerModel ?? {}).map(([model, labels]) => ({ model, labels })),
    // The hashed feature dimensions (a warm start keeps its router's).
    featureDims: artifact.featurizer.dims,
    // How much the conversation before a text counted, and how many training records had one to count.
    contextWeight: artifact.features?.contextWeight ?? 0,
    withContext: labelled.filter((r) => r.context !== undefined).length,
  });

  const candidateDocument = withStoredRouter(document, options.version, settings);
  const candidate = compilePolicy(candidateDocument);
  // A target needs a calibrated router, which partial labels do not give: learnedContext says so.
  const learned = learnedContext(
    new LearnedRouter(judged),
    candidate.document.learned as NonNullable<typeof candidate.document.learned>,
  );
  const meanQuality = labelled.reduce((s, r) => s + r.quality, 0) / labelled.length;
  const reward = rewardModel(rewards, candidate, meanQuality);
  const costWeight = settings.costWeight ?? DEFAULT_COST_WEIGHT;
  const costScale = Math.max(...Object.values(artifact.meanCostUsd), 1e-12);
  const current = currentChoices(policy, holdout, options.inForceRouter);
  training['currentChoices'] = current.from;
  if (current.fallback) training['currentChoicesFallback'] = current.fallback;
  const comparison = compareOffPolicy({
    records: holdout.map((r) => ({
      loggedModel: r.model,
      propensity: r.propensity,
      quality: r.quality,
      costUsd: r.costUsd,
    })),
    current: current.choices,
    candidate: holdout.map((r) => policyChoiceOn(candidate, r, learned)),
    qualityHat: (i, m) => reward.quality(holdout[i], m),
    costHat: (i, m) => reward.cost(holdout[i], m),
    costWeight,
    costScale,
    margin: settings.margin,
    minSamples: settings.minHoldout,
    maxWeight: options.maxWeight,
  });
  return {
    outcome: comparison.pass ? 'passed' : 'refused',
    reason: comparison.reason,
    training,
    evaluation: { ...comparison, costWeight, costScale },
    artifact,
    candidateDocument,
  };
}

/**
 * What the policy in force chooses on each held-out record: replayed (`from: 'replayed'`),
 * so that records logged under an earlier policy of the window (before a promotion, or the other arm of a
 * canary) judge the candidate against the policy in force now, not against the one that made them. A policy
 * with a learned level needs its router for that; without it the records' own choices stand (`'records'`).
 */
function currentChoices(
  policy: CompiledPolicy,
  holdout: readonly LearningRecord[],
  router: LearnedRouterArtifact | undefined,
): { choices: string[]; from: 'replayed' | 'records'; fallback?: string } {
  const settings = policy.document.learned;
  if (!settings || settings.enabled === false)
    return { choices: holdout.map((r) => policyChoiceOn(policy, r)), from: 'replayed' };
  const recorded = { choices: holdout.map((r) => r.policyChoice), from: 'records' as const };
  if (!router) return recorded;
  let learned: ReturnType<typeof learnedContext>;
  try {
    learned = learnedContext(new LearnedRouter(router), settings);
  } catch (err) {
    return { ...recorded, fallback: (err as Error).message };
  }
  return { choices: holdout.map((r) => policyChoiceOn(policy, r, learned)), from: 'replayed' };
}

function expectedCost(policy: CompiledPolicy, model: string, tokens: { input: number; output: number }): number {
  const price = policy.models.get(model)?.priceUsdPerMTok ?? { input: 0, output: 0 };
  return (tokens.input * price.input + tokens.output * price.output) / 1e6;
}

/** Mean input (as the analyzer counted it, the conversation included; else the text's) and answer tokens. */
function meanTokens(records: readonly LearningRecord[]): { input: number; output: number } {
  let input = 0;
  let output = 0;
  let outputs = 0;
  for (const r of records) {
    input += r.features?.tokenEstimate ?? estimateTokens(r.text);
    if (r.outputTokens !== undefined) {
      output += r.outputTokens;
      outputs++;
    }
  }
  return { input: input / Math.max(records.length, 1), output: outputs ? output / outputs : 0 };
}
