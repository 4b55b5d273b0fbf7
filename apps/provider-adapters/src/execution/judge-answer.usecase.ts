import { type BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  type Attempt,
  type ExecutionJudge,
  type LabelJudged,
  type PlannedModel,
  type RouteDecidedV2,
  SUBJECTS,
  judgedKey,
  qualityOfGrade,
  routingText,
} from '@switchyard/contracts';
import { DurableOutbox } from '@switchyard/messaging';
import { type JudgeOutcome, JudgeMetrics } from '@switchyard/observability';
import { gradingMessages, gradingParams, judgeSampled, parseGrade } from '@switchyard/routing';
import { type RoutingStateStore, isStoreUnreachable } from '@switchyard/routing-state';
import { ADAPTERS_CONFIG, type AdaptersConfig } from '../config';
import { CallModel, type ModelAnswer, PlanFailedError } from './call-model';
import { ROUTING_STATE } from './execution.constants';

/** What one grading came to: its counted outcome, the grade when there is one, its cost and tries. */
export interface Grading {
  outcome: JudgeOutcome;
  grade?: number;
  costUsd: number;
  /** The judge's tries (none when it was not called). */
  attempts: Attempt[];
  /** With a grade: the label of the graded answer, as router.label.judged.v1 carries it. */
  label?: LabelJudged;
}

/**
 * The policy's judge (execution.judge of a decided plan), in two roles:
 * - `offer`: after the caller has its answer, grades a sampled share of answers in the background and
 *   publishes each grade on router.label.judged.v1 for feedback-aggregator to store as the record's label.
 *   Nothing of it is on the reply path: `offer` returns at once and never throws; at most
 *   JUDGE_MAX_IN_FLIGHT gradings run at a time (beyond that a sample is skipped, never queued).
 * - `grade`: a cascade's acceptance check (plan.acceptGrade), on the plan's path: the plan waits for it and
 *   pays for it. The grade of the answer the caller finally gets is its label too, published after the reply.
 * Every grading takes a call of the judge's daily quota first, has one try of at most JUDGE_TIMEOUT_MS, and
 * ends in one counted outcome (switchyard_judge_grades_total).
 */
@Injectable()
export class JudgeAnswer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(JudgeAnswer.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(ADAPTERS_CONFIG)
    private readonly config: Pick<AdaptersConfig, 'JUDGE_MAX_IN_FLIGHT' | 'JUDGE_TIMEOUT_MS'>,
    @Inject(CallModel) private readonly callModel: Pick<CallModel, 'ask'>,
    @Inject(ROUTING_STATE) private readonly state: Pick<RoutingStateStore, 'reserve'>,
    @Inject(DurableOutbox) private readonly outbox: Pick<DurableOutbox, 'publish'>,
    @Optional() private readonly metrics: JudgeMetrics = JudgeMetrics.detached(),
  ) {}

  /**
   * After the reply: `graded`, the label of the answer when the plan's cascade already graded it (published,
   * no second call); otherwise the answer is graded in the background when the policy's judge samples it.
   */
  offer(event: RouteDecidedV2, answer: ModelAnswer, graded?: LabelJudged): void {
    if (graded) return this.track(this.publish(event, graded));
    const judge = event.execution.judge;
    if (!judge || !judgeSampled(event.tenant, event.requestId, judge.sampleRate)) return;
    if (this.inFlight.size >= this.config.JUDGE_MAX_IN_FLIGHT) return this.count(judge.model, 'busy');
    this.track(
      this.grade(event, answer).then(async (g) => {
        if (g.label) await this.publish(event, g.label);
      }),
    );
  }

  /** Grades `answer` now with the plan's judge; never throws (a grading that cannot be had has no grade). */
  async grade(event: RouteDecidedV2, answer: ModelAnswer): Promise<Grading> {
    const judge = event.execution.judge;
    if (!judge) return { outcome: 'failed', costUsd: 0, attempts: [] };
    const grading = await this.gradeWith(event, judge, answer).catch((err: Error): Grading => {
      this.logger.warn(`judge ${judge.model} did not grade ${event.requestId}: ${err.message}`);
      return { outcome: 'failed', costUsd: 0, attempts: [] };
    });
    this.metrics.judged(judge.model, grading.outcome);
    return grading;
  }

  /** Resolves once every background grading in hand has ended (each is bounded by its time limit). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Gradings in hand finish (and publish) before the connection drains. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.idle();
  }

  private async gradeWith(event: RouteDecidedV2, judge: ExecutionJudge, answer: ModelAnswer): Promise<Grading> {
    // The contract refuses a plan whose judge has no spec; a replica of a later release might still send one.
    const spec = event.execution.models.find((m) => m.id === judge.model);
    if (!spec) throw new Error('the plan carries no spec for its judge');
    const reserved = await this.reserve(spec, event.execution.onStoreDown);
    if (reserved !== 'granted') return { outcome: reserved, costUsd: 0, attempts: [] };
    const messages = gradingMessages(
      {
        question: routingText(event.request.messages),
        answer: answer.result.content,
        ...(answer.result.toolCalls?.length ? { toolCalls: answer.result.toolCalls } : {}),
      },
      judge,
    );
    let graded: ModelAnswer;
    try {
      graded = await this.callModel.ask(
        spec,
        { requestId: event.requestId, tenant: event.tenant, messages, params: gradingParams(spec) },
        { attempts: 1, timeoutMs: this.config.JUDGE_TIMEOUT_MS },
      );
    } catch (err) {
      const attempts = err instanceof PlanFailedError ? err.attempts : [];
      const timedOut = attempts.some((a) => /timed out/.test(a.error ?? ''));
      this.logger.warn(`judge ${judge.model} did not grade ${event.requestId}: ${(err as Error).message}`);
      return { outcome: timedOut ? 'timeout' : 'failed', costUsd: 0, attempts };
    }
    const grade = parseGrade(graded.result.content);
    const paid = { costUsd: graded.costUsd, attempts: graded.attempts };
    // Paid for and counted in the cost metric either way; without a clear grade the answer stays unlabelled.
    if (grade === undefined) return { outcome: 'unparsable', ...paid };
    const label: LabelJudged = {
      requestId: event.requestId,
      tenant: event.tenant,
      answeringModel: answer.model.id,
      judgeModel: judge.model,
      grade,
      quality: qualityOfGrade(grade),
      costUsd: graded.costUsd,
      inputTokens: graded.usage.inputTokens,
      outputTokens: graded.usage.outputTokens,
      at: Date.now(),
    };
    return { outcome: 'graded', grade, label, ...paid };
  }

  /** Kept and retried by the outbox while JetStream does not take it; the id makes a re-publish one label. */
  private async publish(event: RouteDecidedV2, label: LabelJudged): Promise<void> {
    await this.outbox.publish(SUBJECTS.labelJudged, label, judgedKey(event.tenant, event.requestId, event.receivedAt));
  }

  /** A call of the judge's daily quota; with the quota store unreachable, the policy's onStoreDown decides. */
  private async reserve(
    spec: PlannedModel,
    onStoreDown: 'open' | 'closed',
  ): Promise<'granted' | 'quota' | 'cooling' | 'store_down'> {
    try {
      const reservation = await this.state.reserve(spec.id, spec.dailyQuota);
      return reservation === 'granted' ? 'granted' : reservation === 'cooling' ? 'cooling' : 'quota';
    } catch (err) {
      if (!isStoreUnreachable(err)) throw err;
      return onStoreDown === 'open' ? 'granted' : 'store_down';
    }
  }

  /** Background work, bounded in number and awaited at shutdown; a failure is logged, never thrown. */
  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work
      .catch((err: Error) => this.logger.warn(`judged label not published: ${err.message}`))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private count(model: string, outcome: JudgeOutcome): void {
    this.metrics.judged(model, outcome);
  }
}
