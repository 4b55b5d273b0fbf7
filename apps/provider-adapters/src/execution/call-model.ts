import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  type Attempt,
  type ChatMessage,
  type GenerationParams,
  type ModelSpec,
  type RouteDecided,
  RouterError,
  type Usage,
} from '@switchyard/contracts';
import {
  type AnswerPiece,
  CannotHonourError,
  requestExtras,
  streamAnswer,
  type ProviderAdapter,
  ProviderError,
  type ProviderResult,
  type RetryPolicy,
  type TryRecord,
  costOf,
  usageOf,
  withRetries,
} from '@switchyard/providers';
import type { RoutingStateStore } from '@switchyard/routing-state';
import { ProviderMetrics } from '@switchyard/observability';
import { SPAN_ATTRIBUTES, modelCallAttributes, usageAttributes, withClientSpan } from '@switchyard/observability';
import { ADAPTERS_CONFIG, type AdaptersConfig, SERVICE } from '../config';
import { PROVIDER_ADAPTERS, PROVIDER_SECRETS, ROUTING_STATE } from './execution.constants';
import type { ProviderSecrets } from './provider-secrets';

/** A failure that ends a plan, with every try made so far (they go on the completion record). */
export class PlanFailedError extends RouterError {
  constructor(
    error: RouterError,
    readonly attempts: Attempt[],
    /** Part of the answer already reached the caller: nothing may take over from here. */
    readonly streamStarted = false,
  ) {
    super(error.code, error.message, error.field, error.retryAfterSeconds);
  }
}

/** A streamed answer that broke after pieces of it went out: never retried nor handed to another model. */
export class StreamBrokenError extends ProviderError {
  constructor(message: string) {
    super(`the stream broke after it had started: ${message}`, false);
    this.name = 'StreamBrokenError';
  }
}

/** One call of a model: a plan's (the request's messages and extras) or the judge's (its grading prompt). */
export interface ModelCall {
  requestId: string;
  /** Whose spend it is (the cost metric's tenant). */
  tenant: string;
  messages: readonly ChatMessage[];
  params: GenerationParams;
  /** The request's tools, tool choice, answer format and metadata (a plan's call only). */
  extras?: ReturnType<typeof requestExtras>;
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
 * its key from the environment, usage priced at the prices the plan carries, and a cooldown (which
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
    @Inject(ROUTING_STATE) private readonly state: Pick<RoutingStateStore, 'startCooldown'>,
    @Inject(PROVIDER_SECRETS) private readonly secrets: ProviderSecrets,
    @Optional() private readonly metrics: ProviderMetrics = ProviderMetrics.detached(),
  ) {
    this.adapters = new Map(adapters.map((a) => [a.kind, a]));
    this.retryPolicy = {
      attempts: config.PROVIDER_MAX_ATTEMPTS,
      baseDelayMs: config.PROVIDER_RETRY_BASE_MS,
      maxDelayMs: config.PROVIDER_RETRY_MAX_MS,
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
    };
  }

  /**
   * `onDelta`: stream the answer, piece by piece. Once a piece has gone out, a failure is final: no retry
   * (the caller would see the text twice), and the error says so, so that no other model takes over.
   */
  execute(model: ModelSpec, event: RouteDecided, onDelta?: (piece: AnswerPiece) => void): Promise<ModelAnswer> {
    const call: ModelCall = {
      requestId: event.requestId,
      tenant: event.tenant,
      messages: event.request.messages,
      params: event.decision.params,
      extras: requestExtras(event.request),
    };
    return this.spanned(model, call, this.retryPolicy, onDelta);
  }

  /**
   * A call outside a plan (the judge's grading): whole, not streamed, with its own tries and time limit, and
   * otherwise as a plan's call (key, pricing, cost metric, cooldown after failing every try).
   */
  ask(model: ModelSpec, call: ModelCall, retry: Pick<RetryPolicy, 'attempts' | 'timeoutMs'>): Promise<ModelAnswer> {
    return this.spanned(model, call, { ...this.retryPolicy, ...retry });
  }

  private spanned(
    model: ModelSpec,
    call: ModelCall,
    retry: RetryPolicy,
    onDelta?: (piece: AnswerPiece) => void,
  ): Promise<ModelAnswer> {
    // One client span per model called (its retries inside), after the GenAI conventions: tokens and cost.
    const providerModel = model.deployment ?? model.id;
    return withClientSpan(
      SERVICE,
      `chat ${providerModel}`,
      () => modelCallAttributes(model.provider, providerModel, model.id),
      () => this.call(model, call, retry, onDelta),
      (answer) => ({
        ...usageAttributes(answer.usage, answer.costUsd),
        [SPAN_ATTRIBUTES.genAiResponseModel]: providerModel,
        [SPAN_ATTRIBUTES.genAiFinishReasons]: [answer.result.finishReason],
        [SPAN_ATTRIBUTES.attempts]: answer.attempts.length,
      }),
    );
  }

  private async call(
    model: ModelSpec,
    request: ModelCall,
    retry: RetryPolicy,
    onDelta?: (piece: AnswerPiece) => void,
  ): Promise<ModelAnswer> {
    const adapter = this.adapters.get(model.provider);
    if (!adapter)
      throw new PlanFailedError(
        new RouterError('provider_error', `no adapter for provider kind "${model.provider}" (model ${model.id})`),
        [],
      );
    const tries: TryRecord[] = [];
    let started = false; // a piece of the answer has gone out
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
        this.observed(model, async (signal) => {
          const call = {
            requestId: request.requestId,
            model,
            messages: request.messages,
            params: request.params,
            ...request.extras,
            signal,
            apiKey: this.secrets.apiKeyOf(model),
          };
          if (!onDelta) return adapter.complete(call);
          try {
            return await streamAnswer(adapter, call, (d) => {
              started = true;
              onDelta(d);
            });
          } catch (err) {
            if (!started || err instanceof StreamBrokenError) throw err;
            throw new StreamBrokenError((err as Error).message);
          }
        }),
        retry,
        tries,
      );
      const usage = usageOf(result, request.messages);
      const costUsd = result.costUsd ?? costOf(usage, model.priceUsdPerMTok);
      this.metrics.paid(model.id, request.tenant, costUsd, usage);
      return { model, result, usage, costUsd, attempts: attempts() };
    } catch (err) {
      // Failing every try on errors that retrying was meant to cure: let decision-engine route around the
      // model for a while instead of sending it more traffic.
      if (err instanceof StreamBrokenError)
        throw new PlanFailedError(
          new RouterError('provider_error', `${model.provider} call for ${model.id} failed: ${err.message}`),
          attempts(),
          true,
        );
      // The request asks what this provider cannot express (routing's capability check let it through: the
      // policy declares a capability its provider lacks): the caller's field is named, no other model tries.
      if (err instanceof CannotHonourError)
        throw new PlanFailedError(new RouterError('invalid_request', err.message, err.field), attempts());
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

  /** A try of a model call, timed and, when it fails, counted by status in the provider metrics. */
  private observed<T>(model: ModelSpec, run: (signal: AbortSignal) => Promise<T>): (signal: AbortSignal) => Promise<T> {
    return async (signal) => {
      const startedAt = performance.now();
      try {
        const value = await run(signal);
        this.metrics.tried(model.provider, model.id, startedAt);
        return value;
      } catch (err) {
        this.metrics.tried(model.provider, model.id, startedAt, failureStatus(err, signal));
        throw err;
      }
    };
  }
}

/**
 * A failed try's status label, from a small set: the provider's HTTP status when it answered one, else what
 * kind of failure it was (the message is free text and never a label).
 */
export function failureStatus(err: unknown, signal: AbortSignal): string {
  if (err instanceof StreamBrokenError) return 'stream_broken';
  if (err instanceof CannotHonourError) return 'cannot_honour';
  if (err instanceof ProviderError && err.status !== undefined) return String(err.status);
  if (signal.aborted) return 'timeout';
  if (err instanceof ProviderError) return err.retryable ? 'transient' : 'rejected';
  return 'internal';
}
