import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type OptimizerReportBody,
  type PolicyOutline,
  type RollupRow,
  addToRecount,
  buildOptimizerReport,
} from '@switchyard/analytics';
import {
  OptimizerReportRepository,
  PolicyVersionRepository,
  RollupRepository,
  RoutingRecordRepository,
  type SuggestionEntity,
  SuggestionRepository,
} from '@switchyard/persistence';
import { statsWindows } from '@switchyard/contracts';
import { parsePolicy, policyOutline } from '@switchyard/routing';
import { readFileSync } from 'node:fs';
import { OPTIMIZER_CONFIG, type OptimizerConfig } from '../config';

export interface RunOptimizerCommand {
  /** Also the report id, so a retried job writes its report and suggestions once. */
  jobId: string;
  days: number;
  now?: number;
  /** Called as the run moves on (BullMQ job progress). */
  progress?: (percent: number, what: string) => void | Promise<void>;
}

export const OPTIMIZER_REPORT_KIND = 'optimizer';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** A line of progress every so many records recounted. */
const RECOUNT_PROGRESS_EVERY = 100_000;

/**
 * The optimizer run (the seed's optimize_rules, on evidence): recount the rollups of the last closed hours
 * from the records and correct them, review every rule and band from the rollups of the window, store the
 * suggestions and a report (spend, quality, cost against quality, canary arms).
 */
@Injectable()
export class RunOptimizer {
  private readonly logger = new Logger(RunOptimizer.name);

  constructor(
    private readonly records: RoutingRecordRepository,
    private readonly rollups: RollupRepository,
    private readonly reports: OptimizerReportRepository,
    private readonly suggestions: SuggestionRepository,
    private readonly policies: PolicyVersionRepository,
    @Inject(OPTIMIZER_CONFIG) private readonly config: OptimizerConfig,
  ) {}

  async execute(cmd: RunOptimizerCommand): Promise<{ reportId: string; body: OptimizerReportBody }> {
    const now = cmd.now ?? Date.now();
    const progress = async (percent: number, what: string) => {
      this.logger.log(`optimize ${cmd.jobId}: ${what}`);
      await cmd.progress?.(percent, what);
    };

    const reconcile = await this.reconcile(now, progress);
    const promptRetention = await this.removeOldPrompts(now, progress);
    await progress(60, 'reading the rollups of the window');
    // Calendar days, today so far included, as a stats query's `days`: what the daily rollups hold.
    const { window } = statsWindows({ days: cmd.days }, now);
    const rows: RollupRow[] = await this.rollups.find({ ...window, throughNow: true });
    const outline = await this.outline();
    const body = buildOptimizerReport({
      rows,
      window,
      outline,
      reconcile,
      review: {
        minSamples: this.config.REVIEW_MIN_SAMPLES,
        minAlternativeSamples: this.config.REVIEW_MIN_ALTERNATIVE_SAMPLES,
        qualityThreshold: this.config.REVIEW_QUALITY_THRESHOLD,
        equalQualityMargin: 0.02,
        minCostSaving: 0.2,
      },
    });

    if (promptRetention) body.promptRetention = promptRetention;

    const reportId = cmd.jobId;
    const createdAt = new Date(now);
    const suggestions: SuggestionEntity[] = body.review.suggestions.map((s, i) => ({
      ...s,
      suggestionId: `${reportId}.${i + 1}`,
      reportId,
      createdAt,
      policyVersion: outline?.version ?? null,
      status: 'open',
    }));
    // Suggestions first: a report never names suggestions that were not stored.
    await this.suggestions.saveRun(reportId, suggestions);
    await this.reports.save({ reportId, kind: OPTIMIZER_REPORT_KIND, createdAt, windowDays: cmd.days, body });
    await progress(
      100,
      `report ${reportId}: ${body.total.requests} requests over ${cmd.days} days, $${body.total.costUsd.toFixed(4)}, ` +
        `${suggestions.length} suggestions, ${body.review.unmatchedRules.length} rules never matched`,
    );
    return { reportId, body };
  }

  /** Recounts the closed hours of RECONCILE_HOURS from the records and corrects their rollups. */
  private async reconcile(now: number, progress: (percent: number, what: string) => Promise<void>) {
    if (this.config.RECONCILE_HOURS === 0) return undefined;
    const to = Math.floor(now / HOUR) * HOUR;
    const window = { from: to - this.config.RECONCILE_HOURS * HOUR, to };
    await progress(5, `recounting ${this.config.RECONCILE_HOURS} closed hours of records`);
    const recount = new Map<string, RollupRow>();
    let seen = 0;
    for await (const record of this.records.rollupSource(window)) {
      addToRecount(recount, record);
      if (++seen % RECOUNT_PROGRESS_EVERY === 0) await progress(5, `${seen} records recounted`);
    }
    const outcome = await this.rollups.reconcile(window, recount);
    // Whole days only, so a day is either in the hourly rows or read from its daily row alone.
    const keepFrom = Math.floor(now / DAY) * DAY - this.config.ROLLUP_HOURLY_DAYS * DAY;
    const pruned = await this.rollups.pruneHourly(keepFrom);
    if (pruned > 0)
      this.logger.log(`optimize: ${pruned} hourly rollup rows before ${new Date(keepFrom).toISOString()} deleted`);
    if (outcome.corrected > 0)
      this.logger.warn(
        `optimize: ${outcome.corrected} of ${outcome.rows} rollup rows differed from the records and were corrected ` +
          `(${outcome.requestsAdded} requests, ${outcome.labelsAdded} labels added)`,
      );
    return {
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
      records: seen,
      ...outcome,
    };
  }

  /**
   * Removes the routed text of records older than PROMPT_RETENTION_DAYS (0: kept). Idempotent: a retried or
   * second run that night finds nothing more to clear.
   */
  private async removeOldPrompts(now: number, progress: (percent: number, what: string) => Promise<void>) {
    const days = this.config.PROMPT_RETENTION_DAYS;
    if (days === 0) return undefined;
    const before = new Date(now - days * DAY);
    await progress(50, `removing the routed text of records completed before ${before.toISOString()}`);
    const cleared = await this.records.removePromptsBefore(before);
    this.logger.log(
      `optimize: prompt retention ${days} days: the text of ${cleared} records completed before ${before.toISOString()} removed`,
    );
    return { days, before: before.toISOString(), cleared };
  }

  /** The rules and bands of the newest published policy, or of POLICY_FILE; none when neither compiles. */
  private async outline(): Promise<PolicyOutline | undefined> {
    try {
      const [published] = await this.policies.recent(1);
      const text = published?.yaml ?? readFileSync(this.config.POLICY_FILE, 'utf8');
      return policyOutline(parsePolicy(text));
    } catch (err) {
      this.logger.warn(`optimize: no policy to compare with (${(err as Error).message}); unmatched rules not reported`);
      return undefined;
    }
  }
}
