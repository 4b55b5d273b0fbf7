import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  type Decision,
  type RequestAnalyzed,
  type RouteDecidedV2,
  type RoutePlan,
  RouterError,
  SUBJECTS,
  extend,
  recordKey,
} from '@switchyard/contracts';
import { EventPublisher } from '@switchyard/messaging';
import { DecisionMetrics, NONE } from '@switchyard/observability';
import { PolicyStore } from '@switchyard/policy-store';
import {
  type CompiledPolicy,
  type LearnedContext,
  type RouteOption,
  executionOf,
  explorationDraws,
  planOf,
  routeOptions,
  toDecision,
} from '@switchyard/routing';
import { type RoutingStateStore, isStoreUnreachable, secondsUntilUtcMidnight } from '@switchyard/routing-state';
import { ROUTING_STATE } from './decision.constants';
import { TenantAllowance } from './tenant-allowance';

export interface MakeDecisionCommand {
  event: RequestAnalyzed;
  replyTo: string;
  deadline?: number;
}

/** Seconds a caller should wait when every model is cooling down (cooldowns are short). */
const COOLDOWN_RETRY_SECONDS = 30;

/**
 * Applies the routing policy to an analyzed request: walks the planned options (rules, difficulty, learned,
 * fallback order) and takes the first model that is within its daily quota and not cooling down, reserving
 * the call atomically in Redis; then hands the plan to provider-adapters.
 */

@Injectable()
export class MakeDecision {
  private readonly logger = new Logger(MakeDecision.name);

  constructor(
    private readonly policies: PolicyStore,
    private readonly publisher: EventPublisher,
    @Inject(ROUTING_STATE) private readonly state: Pick<RoutingStateStore, 'reserve' | 'release'>,
    private readonly allowance: TenantAllowance,
    @Optional() private readonly metrics: DecisionMetrics = DecisionMetrics.detached(),
  ) {}

  async execute(cmd: MakeDecisionCommand): Promise<RouteDecidedV2> {
    const startedAt = performance.now();
    try {
      const decided = await this.decide(cmd);
      this.metrics.decided(cmd.event.tenant, decided.decision.method, 'ok', startedAt);
      return decided;
    } catch (err) {
      const outcome = err instanceof RouterError ? err.code : 'internal_error';
      this.metrics.decided(cmd.event.tenant, NONE, outcome, startedAt);
      throw err;
    }
  }

  private async decide(cmd: MakeDecisionCommand): Promise<RouteDecidedV2> {
    const { event } = cmd;
    const { policy, learned, arm } = this.policies.forRequest(event.tenant, event.request.user);
    const input = { request: event.request, tenant: event.tenant, features: event.features };
    const decision = await this.choose(
      policy,
      learned,
      routeOptions(policy, input, learned, {
        // The same request explores the same way on every replica and every retry (offline evaluation gives
        // no draws: it replays the policy's own choices).
        random: explorationDraws(event.tenant, event.requestId),
      }),
      event,
    );
    if (arm) decision.canaryArm = arm;
    // The plan travels with the specs of every model it may call: provider-adapters runs it without a policy.
    const decided: RouteDecidedV2 = extend(event, {
      decision,
      decidedAt: Date.now(),
      execution: executionOf(policy, decision.plan),
    });
    this.publisher.publish(SUBJECTS.routeDecidedV2, decided, {
      replyTo: cmd.replyTo,
      deadline: cmd.deadline,
      messageId: recordKey(event.tenant, event.requestId),
    });
    return decided;
  }

  private async choose(
    policy: CompiledPolicy,
    learned: LearnedContext | undefined,
    options: Iterator<RouteOption>,
    event: RequestAnalyzed,
  ): Promise<Decision> {
    const considered: RouteOption[] = [];
    try {
      await this.allowance.takeRate(policy, event);
      const skipped: Array<{ model: string; why: string }> = [];
      for (let next = options.next(); !next.done; next = options.next()) {
        const option = next.value;
        considered.push(option);
        const plan = await this.reserve(policy, option, skipped);
        if (!plan) continue;
        // Over budget with this plan: give its models back and try the next (cheaper) option.
        const overBudget = await this.allowance.holdBudget(policy, plan, event, option.params.maxTokens);
        if (overBudget) {
          await this.releasePlan(policy, plan);
          skipped.push({ model: option.model, why: overBudget });
          continue;
        }
        const decision = toDecision(policy, option, considered, learned, plan);
        if (skipped.length > 0) decision.skipped = skipped;
        return decision;
      }
      if (considered.length === 0)
        throw new RouterError('no_route', `policy ${policy.version} names no model for this request`);
      const allCooling = skipped.every((s) => s.why === 'cooling down');
      throw new RouterError(
        'all_quotas_exhausted',
        `no model can take this request: ${skipped.map((s) => `${s.model} ${s.why}`).join(', ')}`,
        undefined,
        allCooling ? COOLDOWN_RETRY_SECONDS : secondsUntilUtcMidnight(new Date()),
      );
    } catch (err) {
      if (!isStoreUnreachable(err)) throw err;
      return this.storeDown(policy, learned, considered, options, err as Error);
    }
  }

  /**
   * Reserves what an option needs, or nothing: one model; the first available tier of a cascade (later
   * tiers are reserved when the cascade escalates to them); every voter of a consensus, given back when
   * fewer than the quorum are available. Records what was passed over in `skipped`.
   */
  private async reserve(
    policy: CompiledPolicy,
    option: RouteOption,
    skipped: Array<{ model: string; why: string }>,
  ): Promise<RoutePlan | undefined> {
    const limits = policy.document.quotas?.models ?? {};
    const tryModel = async (model: string) => {
      const reservation = await this.state.reserve(model, limits[model]);
      if (reservation !== 'granted')
        skipped.push({ model, why: reservation === 'cooling' ? 'cooling down' : 'out of quota' });
      return reservation === 'granted';
    };
    const spec = option.plan;
    if (!spec) return (await tryModel(option.model)) ? planOf(policy, option) : undefined;
    if (spec.kind === 'cascade') {
      for (const model of spec.models)
        if (await tryModel(model)) return planOf(policy, option, spec.models.slice(spec.models.indexOf(model)));
      return undefined;
    }
    const granted = (await Promise.all(spec.models.map(async (m) => ((await tryModel(m)) ? [m] : [])))).flat();
    const plan = planOf(policy, option, granted);
    if (!plan) {
      await Promise.all(granted.map((m) => this.state.release(m, limits[m])));
      skipped.push({ model: option.model, why: `consensus needs ${spec.quorum} voters, ${granted.length} available` });
    }
    return plan;
  }

  /** Gives back what reserve() took for a plan that will not run: its first tier, or its voters. */
  private async releasePlan(policy: CompiledPolicy, plan: RoutePlan): Promise<void> {
    const limits = policy.document.quotas?.models ?? {};
    const reserved = plan.kind === 'consensus' ? plan.models : [plan.model];
    await Promise.all(reserved.map((m) => this.state.release(m, limits[m])));
  }

  /** Redis unreachable: the policy chooses between routing without quotas (open) and refusing (closed). */
  private storeDown(
    policy: CompiledPolicy,
    learned: LearnedContext | undefined,
    considered: RouteOption[],
    rest: Iterator<RouteOption>,
    err: Error,
  ): Decision {
    if ((policy.document.quotas?.onStoreDown ?? 'open') === 'closed')
      throw new RouterError(
        'unavailable',
        `quota store unreachable (${err.message}); policy says quotas.onStoreDown: closed`,
        undefined,
        5,
      );
    this.logger.warn(`quota store unreachable, routing without quotas: ${err.message}`);
    // The first choice, as if every model were available.
    const first = considered[0] ?? rest.next().value;
    if (!first) throw new RouterError('no_route', `policy ${policy.version} names no model for this request`);
    const decision = toDecision(policy, first, considered.length > 0 ? considered : [first], learned);
    decision.reason += ' (quotas not checked: store unreachable)';
    return decision;
  }
}
