import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type LearningRecord, learningRecordOf, retrainFromRecords, unlearnableBecause } from '@switchyard/analytics';
import { type ModelPublished, SUBJECTS } from '@switchyard/contracts';
import { EventPublisher } from '@switchyard/messaging';
import {
  type LearningRunEntity,
  LearningRunRepository,
  RouterModelRepository,
  RoutingRecordRepository,
} from '@switchyard/persistence';
import {
  LearnedRouter,
  type LearnedRouterArtifact,
  type LearningSettings,
  type PolicyDocument,
  compilePolicy,
  withCanary,
} from '@switchyard/routing';
import { parse } from 'yaml';
import { OPTIMIZER_CONFIG, type OptimizerConfig } from '../config';
import { PolicyRelease } from './policy-release';
import { SEED_DATASET, type SeedDataset } from './seed-dataset';

export interface RetrainInput {
  runId: string;
  progress?: (percent: number) => Promise<void> | void;
  now?: Date;
}

/**
 * One run of the retraining: labelled records of the policy's window → a router trained on all but the most
 * recent → a doubly robust comparison with the policy in force on those recent ones → when it is better by
 * the margin, the router is stored and released as a canary. Publishes nothing unless every step before
 * succeeded; every run, whatever its outcome, is stored with its metrics (learning_runs).
 */
@Injectable()
export class RetrainRouter implements OnModuleInit {
  private readonly logger = new Logger(RetrainRouter.name);

  constructor(
    @Inject(OPTIMIZER_CONFIG) private readonly config: OptimizerConfig,
    private readonly records: RoutingRecordRepository,
    private readonly models: RouterModelRepository,
    private readonly runs: LearningRunRepository,
    private readonly release: PolicyRelease,
    private readonly publisher: EventPublisher,
    @Inject(SEED_DATASET) private readonly seed: SeedDataset | null,
  ) {}

  onModuleInit(): void {
    if (this.seed)
      this.logger.log(
        `seed dataset ${this.seed.file}: ${this.seed.rows.length} of its ${this.seed.fileRows} rows join every ` +
          `retraining's training part (weight ${this.seed.weight})`,
      );
  }

  async execute(input: RetrainInput): Promise<LearningRunEntity> {
    // A job run again after its first run finished (BullMQ re-runs a job whose lock lapsed while it trained):
    // that run's outcome stands. Running again would find its own canary in force and overwrite the release
    // with "skipped", losing the record the canary's verdict is written to. A failed run is tried again.
    const previous = await this.runs.find(input.runId);
    if (previous?.finishedAt && previous.outcome !== 'failed') {
      this.logger.warn(`retraining ${input.runId} already ended (${previous.outcome}); not running it again`);
      return previous;
    }
    const startedAt = input.now ?? new Date();
    const inForce = await this.release.inForce();
    const run: LearningRunEntity = {
      runId: input.runId,
      startedAt,
      outcome: 'skipped',
      reason: '',
      policyVersion: inForce.version,
    };
    try {
      await this.train(run, inForce.yaml, startedAt, input.progress ?? (() => undefined));
    } catch (err) {
      run.outcome = 'failed';
      run.reason = (err as Error).message;
      await this.finish(run);
      throw err;
    }
    return this.finish(run);
  }

  private async finish(run: LearningRunEntity): Promise<LearningRunEntity> {
    run.finishedAt = new Date();
    await this.runs.save(run);
    this.logger.log(`retraining ${run.runId} on ${run.policyVersion}: ${run.outcome}: ${run.reason}`);
    return run;
  }

  /**
   * The router the policy in force serves, from the model store: what the gate replays the policy's choices
   * with, and what a warm start continues from. When there is none or it does not load, why (the run then
   * trains from scratch, judges by the records' own choices, and says so).
   */
  private async routerInForce(settings: PolicyDocument): Promise<RouterInForce> {
    const stored = settings.learned?.model;
    if (!stored)
      return {
        none: settings.learned?.artifact
          ? `the policy's router is a file (learned.artifact ${settings.learned.artifact}), not in the model store`
          : 'the policy has no learned router',
      };
    try {
      return { artifact: new LearnedRouter((await this.models.load(stored)) as LearnedRouterArtifact).artifact };
    } catch (err) {
      const none = `router ${stored} did not load: ${(err as Error).message}`;
      this.logger.warn(`${none}: the run trains from scratch, and the gate judges by the records' own choices`);
      return { none };
    }
  }

  private async train(
    run: LearningRunEntity,
    yaml: string,
    now: Date,
    progress: (percent: number) => Promise<void> | void,
  ): Promise<void> {
    const document = parse(yaml) as Record<string, unknown>;
    const settings = compilePolicy(document).document;
    if (settings.canary) {
      run.reason = `a canary runs (${settings.version}); retraining waits for its verdict`;
      return;
    }
    const windowDays = settings.learning?.windowDays ?? 0;
    const window = { from: now.getTime() - windowDays * 86_400_000, to: now.getTime() };
    const records: LearningRecord[] = [];
    let read = 0;
    // Labelled records whose text was not kept (RECORD_PROMPTS=none) or was removed (PROMPT_RETENTION_DAYS).
    let withoutText = 0;
    if (settings.learning?.retrain)
      for await (const stored of this.records.learningSource(window)) {
        read++;
        const record = learningRecordOf(stored);
        if (record) records.push(record);
        else if (unlearnableBecause(stored) === 'no-text') withoutText++;
      }
    await progress(20);

    const version = modelVersion(now, run.runId);
    // The router in force: what the gate replays the policy's choices with, and what a warm start continues from.
    const inForce = settings.learning?.retrain ? await this.routerInForce(settings) : undefined;
    const warm = settings.learning?.warmStart ? inForce : undefined;
    const result = retrainFromRecords(document, records, {
      version,
      dims: this.config.RETRAIN_DIMS,
      maxWeight: this.config.RETRAIN_MAX_WEIGHT,
      ...(this.seed ? { seed: { rows: this.seed.rows, weight: this.seed.weight } } : {}),
      ...(warm?.artifact ? { warmStart: warm.artifact } : {}),
      ...(inForce?.artifact ? { inForceRouter: inForce.artifact } : {}),
      onProgress: (_stage, done, total) => void progress(20 + Math.round((60 * done) / Math.max(total, 1))),
    });
    run.training = {
      window,
      recordsRead: read,
      withoutText,
      ...result.training,
      ...(warm ? { warmStart: warm.artifact ? { from: warm.artifact.version } : { none: warm.none } } : {}),
    };
    if (this.seed)
      // What the seed gave this run: `used` is 0 when the run stopped before training.
      run.training['seed'] = {
        file: this.seed.file,
        fileRows: this.seed.fileRows,
        rows: this.seed.rows.length,
        used: 0,
        ...(result.training['seed'] as object | undefined),
      };
    run.reason = withoutText > 0 ? `${result.reason} (${withoutText} labelled records had no text)` : result.reason;
    if (result.outcome === 'skipped') return;
    run.modelVersion = version;
    run.evaluation = { ...result.evaluation };
    await progress(90);
    if (result.outcome === 'refused') {
      run.outcome = 'refused';
      return;
    }

    // Stored first: a policy may only name a router every replica can load.
    const stored = await this.models.save(result.artifact, {
      source: `retraining ${run.runId}`,
      status: 'candidate',
      training: run.training,
      evaluation: run.evaluation,
    });
    const learning = settings.learning as LearningSettings;
    const canary = withCanary(document, result.candidateDocument, canaryOf(learning));
    run.releasedVersion = await this.release.publish(canary, `rule-optimizer retraining ${run.runId}`);
    const announced: ModelPublished = {
      version,
      sha256: stored.sha256,
      bytes: stored.bytes,
      createdAt: stored.createdAt.getTime(),
      source: stored.source,
      status: 'candidate',
      policyVersion: run.releasedVersion,
      evaluation: run.evaluation,
    };
    this.publisher.publish(SUBJECTS.modelPublished, announced);
    run.outcome = 'released';
    run.reason = `${run.reason}; canary ${run.releasedVersion} at ${learning.canary.percent}%`;
  }
}

/** The policy's stored router (what the gate replays and a warm start continues from), or why there is none. */
type RouterInForce = { artifact: LearnedRouterArtifact; none?: undefined } | { artifact?: undefined; none: string };

function canaryOf(settings: LearningSettings) {
  return { percent: settings.canary.percent, stickyBy: settings.canary.stickyBy, auto: settings.canary.auto };
}

/** `lr-20261130-031500-1a2b3c`: sortable by time, unique per run. */
export function modelVersion(now: Date, runId: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `lr-${stamp}-${createHash('sha256').update(runId).digest('hex').slice(0, 6)}`;
}
