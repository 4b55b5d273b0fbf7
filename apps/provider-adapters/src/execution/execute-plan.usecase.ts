import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type Attempt,
  type ChatSuccess,
  type CompletionSucceeded,
  RouterError,
  type RouteDecided,
  SUBJECTS,
} from '@switchyard/contracts';
import { EventPublisher, completionBaseOf } from '@switchyard/messaging';
import { PolicyStore } from '@switchyard/policy-store';
import {
  type ProviderAdapter,
  ProviderError,
  type RetryPolicy,
  type TryRecord,
  costOf,
  usageOf,
  withRetries,
} from '@switchyard/providers';
import type { RoutingStateStore } from '@switchyard/routing-state';
import { ADAPTERS_CONFIG, type AdaptersConfig } from '../config';
import { PROVIDER_ADAPTERS, PROVIDER_SECRETS, ROUTING_STATE } from './execution.constants';
import type { ProviderSecrets } from './provider-secrets';

export interface ExecutePlanCommand {
  event: RouteDecided;
  replyTo: string;
  deadline?: number;
}

export class PlanFailedError extends RouterError {
  constructor(
    error: RouterError,
    readonly attempts: Attempt[],
  ) {
    super(error.code, error.message, error.field, error.retryAfterSeconds);
  }
}

/** Runs a route plan against its provider, prices the answer, replies to the caller and records it. */
@Injectable()
export class ExecutePlan {
  private readonly logger = new Logger(ExecutePlan.name);
  private readonly adapters: Map<string, ProviderAdapter>;
  private readonly retryPolicy: RetryPolicy;

  constructor(
    @Inject(PROVIDER_ADAPTERS) adapters: ProviderAdapter[],
    @Inject(ADAPTERS_CONFIG) private readonly config: AdaptersConfig,
    private readonly policies: PolicyStore,
    private readonly publisher: EventPublisher,
    @Inject(ROUTING_STATE) private readonly state: Pick<RoutingStateStore, 'addSpend' | 'startCooldown'>,
    @Inject(PROVIDER_SECRETS) private readonly secrets: ProviderSecrets,
  ) {
    this.retryPolicy = {
      attempts: config.PROVIDER_MAX_ATTEMPTS,
      baseDelayMs: config.PROVIDER_RETRY_BASE_MS,
      maxDelayMs: config.PROVIDER_RETRY_MAX_MS,
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
    };
    this.adapters = new Map(adapters.map((a) => [a.kind, a]));
  }

  async execute(cmd: ExecutePlanCommand): Promise<ChatSuccess> {
    const { event } = cmd;
    const { plan } = event.decision;
    // TODO(#4): run cascade and consensus plans (libs/routing failedChecks and voteConsensus are ready).
    if (plan.kind !== 'single')
      throw new PlanFailedError(
        new RouterError('provider_error', `this provider-adapters version does not run ${plan.kind} plans yet`),
        [],
      );
    const modelId = plan.model;
    const model = this.policies.model(modelId);
    if (!model)
      throw new PlanFailedError(
        new RouterError('no_route', `model "${modelId}" is not in policy ${this.policies.current().version}`),
        [],
      );
    const adapter = this.adapters.get(model.provider);
    if (!adapter)
      throw new PlanFailedError(
        new RouterError('provider_error', `no adapter for provider kind "${model.provider}" (model ${modelId})`),
        [],
      );
    if (cmd.deadline !== undefined && Date.now() > cmd.deadline)
      throw new PlanFailedError(
        new RouterError('timeout', 'the caller stopped waiting before the provider was called'),
        [],
      );

    const started = Date.now();
    const tries: TryRecord[] = [];
    const toAttempts = (): Attempt[] =>
      tries.map((t) => ({
        model: model.id,
        provider: model.provider,
        ok: t.ok,
        latencyMs: t.latencyMs,
        ...(t.error ? { error: t.error } : {}),
      }));
    let result;
    try {
      result = await withRetries(
        (signal) =>
          adapter.complete({
            requestId: event.requestId,
            model,
            messages: event.request.messages,
            params: event.decision.params,
            signal,
            apiKey: this.secrets.apiKeyOf(model),
          }),
        this.retryPolicy,
        tries,
      );
    } catch (err) {
      // Failing every try on errors that retrying was meant to cure: let decision-engine route around the
      // model for a while instead of sending it more traffic.
      if (err instanceof ProviderError && err.retryable)
        this.state
          .startCooldown(model.id, this.config.PROVIDER_COOLDOWN_MS)
          .catch((e: Error) => this.logger.warn(`cooldown not recorded: ${e.message}`));
      throw new PlanFailedError(
        new RouterError('provider_error', `${model.provider} call for ${model.id} failed: ${(err as Error).message}`),
        toAttempts(),
      );
    }
    const attempts = toAttempts();
    const completedAt = Date.now();

    const usage = usageOf(result, event.request.messages);
    const costUsd = costOf(usage, model.priceUsdPerMTok);
    const latency = {
      totalMs: completedAt - event.receivedAt,
      routingMs: Math.max(0, event.decidedAt - event.receivedAt),
      providerMs: completedAt - started,
    };
    const reply: ChatSuccess = {
      ok: true,
      requestId: event.requestId,
      tenant: event.tenant,
      model: model.id,
      provider: model.provider,
      answer: { role: 'assistant', content: result.content },
      finishReason: result.finishReason,
      decision: event.decision,
      difficulty: event.features.difficulty,
      usage,
      costUsd,
      latency,
    };
    this.publisher.publish(cmd.replyTo, reply);
    // Counts against the tenant's daily budget; a Redis outage must not fail an answer already given.
    this.state
      .addSpend(event.tenant, costUsd)
      .catch((err: Error) => this.logger.warn(`tenant spend not recorded: ${err.message}`));
    const record: CompletionSucceeded = {
      ...completionBaseOf(event, attempts),
      completedAt,
      model: model.id,
      provider: model.provider,
      answer: result.content,
      finishReason: result.finishReason,
      usage,
      costUsd,
      latency,
    };
    // The caller has its answer; the record must still land, so this waits for JetStream's ack (and retries).
    await this.publisher.publishDurable(SUBJECTS.completionSucceeded, record, event.requestId);
    return reply;
  }
}
