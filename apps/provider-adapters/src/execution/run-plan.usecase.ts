import { Inject, Injectable } from '@nestjs/common';
import { type Attempt, type PlanOutcome, type RouteDecided, type RoutePlan, RouterError } from '@switchyard/contracts';
import { PolicyStore } from '@switchyard/policy-store';
import { consensusNext, failedChecks, routingText, voteConsensus } from '@switchyard/routing';
import { type RoutingStateStore, isStoreUnreachable } from '@switchyard/routing-state';
import { CallModel, type ModelAnswer, PlanFailedError } from './call-model';
import { ADAPTERS_CONFIG, type AdaptersConfig } from '../config';
import { ROUTING_STATE } from './execution.constants';

/** The answer a plan settled on, with what the whole plan cost and every try it made. */
export interface PlanResult {
  answer: ModelAnswer;
  costUsd: number;
  attempts: Attempt[];
  outcome?: PlanOutcome;
}

/**
 * Runs a route plan: one model; a cascade (cheapest first, each later tier reserved from its quota before
 * it is called, stopping at the first answer that passes the acceptance checks or at the cost cap); or a
 * consensus (every voter in parallel, the majority when it reaches the quorum, otherwise the strongest
 * model's answer, escalated or flagged as the plan says; a plan escalating to a model outside the vote asks
 * that model then).
 */
@Injectable()
export class RunPlan {
  constructor(
    @Inject(ADAPTERS_CONFIG) private readonly config: AdaptersConfig,
    private readonly callModel: CallModel,
    private readonly policies: PolicyStore,
    @Inject(ROUTING_STATE) private readonly state: Pick<RoutingStateStore, 'reserve'>,
  ) {}

  /** `onDelta`: stream a single-model plan's answer (multi-model plans answer whole). */
  async execute(
    plan: RoutePlan,
    event: RouteDecided,
    onDelta?: (delta: string, model: string) => void,
  ): Promise<PlanResult> {
    switch (plan.kind) {
      case 'single':
        return this.single(plan.model, event, onDelta);
      case 'cascade':
        return this.cascade(plan, event);
      case 'consensus':
        return this.consensus(plan, event);
    }
  }

  /**
   * One model; when it fails every try, the next models of the policy's fallback order (after it, then
   * wrapping round), each reserved from its quota first, up to PROVIDER_MAX_FALLBACKS of them.
   */
  private async single(
    modelId: string,
    event: RouteDecided,
    onDelta?: (delta: string, model: string) => void,
  ): Promise<PlanResult> {
    const attempts: Attempt[] = [];
    const order = this.policies.current().fallbackOrder;
    const at = order.indexOf(modelId);
    const fallbacks = [...order.slice(at + 1), ...order.slice(0, Math.max(at, 0))].filter((m) => m !== modelId);
    let lastError: unknown;
    for (const candidate of [modelId, ...fallbacks.slice(0, this.config.PROVIDER_MAX_FALLBACKS)]) {
      // A fallback without quota is passed over silently: it was never a try of this request.
      if (candidate !== modelId && !(await this.reserveOrSkip(candidate, []))) continue;
      try {
        const answer = await this.callModel.execute(candidate, event, onDelta && ((d) => onDelta(d, candidate)));
        attempts.push(...answer.attempts);
        return { answer, costUsd: answer.costUsd, attempts };
      } catch (err) {
        if (!(err instanceof PlanFailedError) || err.code !== 'provider_error') throw err;
        // Fallback only before the first piece of a stream: after it, the caller already has part of an answer.
        if (err.streamStarted) throw new PlanFailedError(err, [...attempts, ...err.attempts], true);
        attempts.push(...err.attempts);
        lastError = err;
      }
    }
    throw new PlanFailedError(new RouterError('provider_error', (lastError as Error).message), attempts);
  }

  private async cascade(plan: Extract<RoutePlan, { kind: 'cascade' }>, event: RouteDecided): Promise<PlanResult> {
    const prompt = routingText(event.request.messages);
    const attempts: Attempt[] = [];
    const tried: string[] = [];
    let costUsd = 0;
    let last: ModelAnswer | undefined;
    let lastError: unknown;
    for (const [i, modelId] of plan.models.entries()) {
      // decision-engine reserved the first tier; later ones take their quota only when they are needed.
      if (i > 0 && !(await this.reserveOrSkip(modelId, attempts))) continue;
      tried.push(modelId);
      let answer: ModelAnswer;
      try {
        answer = await this.callModel.execute(modelId, event);
      } catch (err) {
        if (err instanceof PlanFailedError) attempts.push(...err.attempts);
        lastError = err;
        continue;
      }
      last = answer;
      costUsd += answer.costUsd;
      const failed = failedChecks(answer.result, plan.acceptance, prompt);
      // The try that produced the answer says why the cascade went on past it.
      attempts.push(
        ...answer.attempts.map((a, j) =>
          j === answer.attempts.length - 1 && failed.length > 0
            ? { ...a, error: `answer rejected: ${failed.join(', ')}` }
            : a,
        ),
      );
      const capped = plan.maxCostUsd !== undefined && costUsd >= plan.maxCostUsd;
      if (failed.length === 0 || capped || i === plan.models.length - 1)
        return {
          answer,
          costUsd,
          attempts,
          outcome: {
            kind: 'cascade',
            tried,
            accepted: failed.length === 0,
            ...(capped ? { stoppedAtCostCap: true } : {}),
          },
        };
    }
    if (last) return { answer: last, costUsd, attempts, outcome: { kind: 'cascade', tried, accepted: false } };
    throw new PlanFailedError(
      new RouterError(
        'provider_error',
        `every tier of the cascade failed: ${(lastError as Error | undefined)?.message ?? 'none could be reserved'}`,
      ),
      attempts,
    );
  }

  private async consensus(plan: Extract<RoutePlan, { kind: 'consensus' }>, event: RouteDecided): Promise<PlanResult> {
    const settled = await Promise.allSettled(plan.models.map((m) => this.callModel.execute(m, event)));
    const answers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const attempts = settled.flatMap((s) =>
      s.status === 'fulfilled' ? s.value.attempts : s.reason instanceof PlanFailedError ? s.reason.attempts : [],
    );
    const costUsd = answers.reduce((sum, a) => sum + a.costUsd, 0);
    if (answers.length === 0)
      throw new PlanFailedError(new RouterError('provider_error', 'every voter of the consensus failed'), attempts);
    const vote = voteConsensus(
      answers.map((a) => ({ model: a.model.id, answer: a.result.content })),
      plan.quorum,
    );
    const votes = answers.map((a) => ({ model: a.model.id, content: a.result.content }));
    const next = consensusNext(
      plan,
      vote,
      answers.map((a) => a.model.id),
    );
    // No quorum and the plan escalates to a model outside the vote (an agreement cascade: cheap voters, a
    // strong tie-breaker): it is reserved and asked now, and its answer is the plan's.
    if ('ask' in next) {
      const escalated = await this.escalate(next.ask, event, attempts);
      if (escalated)
        return {
          answer: escalated,
          costUsd: costUsd + escalated.costUsd,
          attempts,
          outcome: {
            kind: 'consensus',
            agreed: false,
            majority: [],
            votes,
            resolution: 'escalate',
            escalatedTo: next.ask,
          },
        };
      // Out of quota, cooling down or failed: the first voter's answer goes back, flagged.
      return {
        answer: answers[0],
        costUsd,
        attempts,
        outcome: { kind: 'consensus', agreed: false, majority: [], votes, resolution: 'flag' },
      };
    }
    const answer = answers.find((a) => a.model.id === next.keep) ?? answers[0];
    return {
      answer,
      costUsd,
      attempts,
      // Without a quorum the plan's strongest model answers (escalate), or its answer goes back flagged.
      outcome: vote.agreed
        ? { kind: 'consensus', agreed: true, majority: vote.majority, votes }
        : { kind: 'consensus', agreed: false, majority: [], votes, resolution: plan.onDisagreement },
    };
  }

  /**
   * Takes a call of `modelId` from its quota; when there is none, records the skipped try and says no. With
   * Redis unreachable the policy's onStoreDown decides, as in decision-engine: call it anyway, or skip it.
   */
  private async reserveOrSkip(modelId: string, attempts: Attempt[]): Promise<boolean> {
    const quotas = this.policies.current().document.quotas;
    let why = 'skipped: out of quota or cooling down';
    try {
      if ((await this.state.reserve(modelId, quotas?.models[modelId])) === 'granted') return true;
    } catch (err) {
      if (!isStoreUnreachable(err)) throw err;
      if ((quotas?.onStoreDown ?? 'open') === 'open') return true;
      why = `skipped: quota store unreachable and the policy says onStoreDown: closed (${(err as Error).message})`;
    }
    attempts.push({
      model: modelId,
      provider: this.callModel.spec(modelId).provider,
      ok: false,
      latencyMs: 0,
      error: why,
    });
    return false;
  }

  /** Reserves `modelId` and asks it; undefined (with the try recorded) when it has no quota or fails. */
  private async escalate(modelId: string, event: RouteDecided, attempts: Attempt[]): Promise<ModelAnswer | undefined> {
    if (!(await this.reserveOrSkip(modelId, attempts))) return undefined;
    try {
      const answer = await this.callModel.execute(modelId, event);
      attempts.push(...answer.attempts);
      return answer;
    } catch (err) {
      if (!(err instanceof PlanFailedError)) throw err;
      attempts.push(...err.attempts);
      return undefined;
    }
  }
}
