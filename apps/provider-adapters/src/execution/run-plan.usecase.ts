import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  type Attempt,
  type LabelJudged,
  type PlanOutcome,
  type PlannedModel,
  type RouteDecidedV2,
  RouterError,
} from '@switchyard/contracts';
import type { AnswerPiece } from '@switchyard/providers';
import { type PlanAnswer, type PlanPort, PlanExhaustedError, runPlan } from '@switchyard/routing';
import { routingText } from '@switchyard/contracts';
import { type RoutingStateStore, isStoreUnreachable } from '@switchyard/routing-state';
import { CallModel, type ModelAnswer, PlanFailedError } from './call-model';
import { ADAPTERS_CONFIG, type AdaptersConfig } from '../config';
import { ROUTING_STATE } from './execution.constants';
import { JudgeAnswer } from './judge-answer.usecase';

/** The answer a plan settled on, with what the whole plan cost and every try it made. */
export interface PlanResult {
  answer: ModelAnswer;
  costUsd: number;
  attempts: Attempt[];
  outcome?: PlanOutcome;
  /** The judge's label of the answer, when a cascade's acceptance check graded it (acceptGrade). */
  judged?: LabelJudged;
}

interface LiveAnswer extends PlanAnswer {
  priced: ModelAnswer;
}

/**
 * Runs a decided plan with the plan interpreter of libs/routing (the rules offline evaluation replays too),
 * on the models, prices and quotas the plan carries: no policy is looked up, so a plan a canary's candidate
 * decided runs on the candidate's models. This class is the interpreter's port to the world: real provider
 * calls (retried, streamed for a single model), quotas taken from Redis for later tiers, fallbacks and
 * escalations, and every try recorded for the completion record.
 */
@Injectable()
export class RunPlan {
  constructor(
    @Inject(ADAPTERS_CONFIG) private readonly config: AdaptersConfig,
    private readonly callModel: CallModel,
    @Inject(ROUTING_STATE) private readonly state: Pick<RoutingStateStore, 'reserve'>,
    // A cascade's acceptance by grade (acceptGrade); the module always provides it.
    @Optional() @Inject(JudgeAnswer) private readonly judge?: Pick<JudgeAnswer, 'grade'>,
  ) {}

  /** `onDelta`: stream a single-model plan's answer (multi-model plans answer whole). */
  async execute(event: RouteDecidedV2, onDelta?: (piece: AnswerPiece, model: string) => void): Promise<PlanResult> {
    const { execution } = event;
    const specs = new Map(execution.models.map((m) => [m.id, m]));
    const specOf = (id: string): PlannedModel => {
      const spec = specs.get(id);
      // The schema refuses a plan naming a model it carries no spec for: this is a bug, not bad input.
      if (!spec) throw new PlanFailedError(new RouterError('no_route', `the plan carries no spec for "${id}"`), []);
      return spec;
    };
    const attempts: Attempt[] = [];
    // The labels of the answers the judge graded during the plan, by answering model.
    const labels = new Map<string, LabelJudged>();
    const judge = this.judge;
    const port: PlanPort<LiveAnswer> = {
      call: async (model, stream) => {
        try {
          const priced = await this.callModel.execute(
            specOf(model),
            event,
            stream && onDelta ? (d) => onDelta(d, model) : undefined,
          );
          attempts.push(...priced.attempts);
          return { model, answer: priced.result, costUsd: priced.costUsd, priced };
        } catch (err) {
          if (err instanceof PlanFailedError) attempts.push(...err.attempts);
          throw err;
        }
      },
      // A fallback without quota is passed over silently: it was never a try of this request.
      reserve: (model, role) =>
        this.reserveOrSkip(specOf(model), execution.onStoreDown, role === 'fallback' ? [] : attempts),
      // The next tier reads the same prompt and writes about as much as the tier before it.
      expectedCostUsd: (model, previous) => {
        const price = specOf(model).priceUsdPerMTok;
        const { inputTokens, outputTokens } = previous.priced.usage;
        return (inputTokens * price.input + outputTokens * price.output) / 1e6;
      },
      // Another model takes over only after a provider failure, and never once part of a stream went out.
      canFallBack: (err) => err instanceof PlanFailedError && err.code === 'provider_error' && !err.streamStarted,
      // The try that produced a rejected answer says why the cascade went on past it (the judge's try, when
      // it graded the answer, comes after it).
      rejected: (answer, failed) => {
        const at = attempts.findLastIndex((a) => a.model === answer.model && a.ok);
        if (at >= 0) attempts[at] = { ...attempts[at], error: `answer rejected: ${failed.join(', ')}` };
      },
      ...(judge
        ? {
            grade: async (answer: LiveAnswer) => {
              const grading = await judge.grade(event, answer.priced);
              attempts.push(...grading.attempts);
              if (grading.label) labels.set(answer.model, grading.label);
              return grading.grade === undefined
                ? { costUsd: grading.costUsd }
                : { grade: grading.grade, costUsd: grading.costUsd };
            },
          }
        : {}),
    };
    const fallbacks = execution.fallbacks.slice(0, this.config.PROVIDER_MAX_FALLBACKS);
    try {
      const run = await runPlan(event.decision.plan, { prompt: routingText(event.request.messages), fallbacks }, port);
      const result: PlanResult = { answer: run.answer.priced, costUsd: run.costUsd, attempts, outcome: run.outcome };
      const judged = labels.get(run.answer.model);
      if (judged) result.judged = judged;
      return result;
    } catch (err) {
      if (err instanceof PlanExhaustedError)
        throw new PlanFailedError(new RouterError('provider_error', err.message), attempts);
      if (err instanceof PlanFailedError) throw new PlanFailedError(err, attempts, err.streamStarted);
      throw err;
    }
  }

  /**
   * Takes a call of `model` from its quota; when there is none, records the skipped try and says no. With
   * Redis unreachable the deciding policy's onStoreDown decides, as in decision-engine: call it anyway, or skip it.
   */
  private async reserveOrSkip(
    model: PlannedModel,
    onStoreDown: 'open' | 'closed',
    attempts: Attempt[],
  ): Promise<boolean> {
    let why = 'skipped: out of quota or cooling down';
    try {
      if ((await this.state.reserve(model.id, model.dailyQuota)) === 'granted') return true;
    } catch (err) {
      if (!isStoreUnreachable(err)) throw err;
      if (onStoreDown === 'open') return true;
      why = `skipped: quota store unreachable and the policy says onStoreDown: closed (${(err as Error).message})`;
    }
    attempts.push({ model: model.id, provider: model.provider, ok: false, latencyMs: 0, error: why });
    return false;
  }
}
