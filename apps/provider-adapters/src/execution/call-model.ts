import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Attempt, type RouteDecided, RouterError, type Usage } from '@switchyard/contracts';
import { PolicyStore } from '@switchyard/policy-store';
import {
  type ProviderAdapter,
  ProviderError,
  type ProviderResult,
  type RetryPolicy,
  type TryRecord,
  costOf,
  usageOf,
  withRetries,
} from '@switchyard/providers';
import type { ModelSpec } from '@switchyard/routing';
import type { RoutingStateStore } from '@switchyard/routing-state';
import { ADAPTERS_CONFIG, type AdaptersConfig } from '../config';
import { PROVIDER_ADAPTERS, PROVIDER_SECRETS, ROUTING_STATE } from './execution.constants';
import type { ProviderSecrets } from './provider-secrets';

/** A failure that ends a plan, with every try made so far (they go on the completion record). */
export class PlanFailedError extends RouterError {
  constructor(
    error: RouterError,
    readonly attempts: Attempt[],
  ) {
    super(error.code, error.message, error.field, error.retryAfterSeconds);
  }
}

/** One model's answer, priced. */
export interface ModelAnswer {
  model: ModelSpec;
  result: ProviderResult;
  usage: Usage;
  costUsd: number;
  attempts: Attempt[];
}

/**
 * Calls one model of a plan through its provider's adapter: retries with backoff on retryable failures,
 * its key from the environment, usage priced with the policy's price table, and a cooldown (which
 * decision-engine honours) when every try failed.
 */
@Injectable()
export class CallModel {
  private readonly logger = new Logger(CallModel.name);
  private readonly adapters: Map<string, ProviderAdapter>;
  private readonly retryPolicy: RetryPolicy;

  constructor(
    @Inject(PROVIDER_ADAPTERS) adapters: ProviderAdapter[],
    @Inject(ADAPTERS_CONFIG) private readonly config: AdaptersConfig,
    private readonly policies: PolicyStore,
    @Inject(ROUTING_STATE) private readonly state: Pick<RoutingStateStore, 'startCooldown'>,
    @Inject(PROVIDER_SECRETS) private readonly secrets: ProviderSecrets,
  ) {
    this.adapters = new Map(adapters.map((a) => [a.kind, a]));
    this.retryPolicy = {
      attempts: config.PROVIDER_MAX_ATTEMPTS,
      baseDelayMs: config.PROVIDER_RETRY_BASE_MS,
      maxDelayMs: config.PROVIDER_RETRY_MAX_MS,
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
    };
  }

  /** The policy's spec of a model, or a no_route failure. */
  spec(modelId: string): ModelSpec {
    const model = this.policies.model(modelId);
    if (!model)
      throw new PlanFailedError(
        new RouterError('no_route', `model "${modelId}" is not in policy ${this.policies.current().version}`),
        [],
      );
    return model;
  }

  async execute(modelId: string, event: RouteDecided): Promise<ModelAnswer> {
    const model = this.spec(modelId);
    const adapter = this.adapters.get(model.provider);
    if (!adapter)
      throw new PlanFailedError(
        new RouterError('provider_error', `no adapter for provider kind "${model.provider}" (model ${modelId})`),
        [],
      );
    const tries: TryRecord[] = [];
    const attempts = (): Attempt[] =>
      tries.map((t) => ({
        model: model.id,
        provider: model.provider,
        ok: t.ok,
        latencyMs: t.latencyMs,
        ...(t.error ? { error: t.error } : {}),
      }));
    try {
      const result = await withRetries(
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
      const usage = usageOf(result, event.request.messages);
      return {
        model,
        result,
        usage,
        costUsd: result.costUsd ?? costOf(usage, model.priceUsdPerMTok),
        attempts: attempts(),
      };
    } catch (err) {
      // Failing every try on errors that retrying was meant to cure: let decision-engine route around the
      // model for a while instead of sending it more traffic.
      if (err instanceof ProviderError && err.retryable)
        this.state
          .startCooldown(model.id, this.config.PROVIDER_COOLDOWN_MS)
          .catch((e: Error) => this.logger.warn(`cooldown not recorded: ${e.message}`));
      throw new PlanFailedError(
        new RouterError('provider_error', `${model.provider} call for ${model.id} failed: ${(err as Error).message}`),
        attempts(),
      );
    }
  }
}
