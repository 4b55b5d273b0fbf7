import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  type ChatDelta,
  type ChatFailure,
  type ChatReply,
  type ChatRequest,
  type RequestReceived,
  RouterError,
  SUBJECTS,
  chatDeltaSchema,
  chatRequestSchema,
  extend,
  parsePayload,
  recordKey,
  routingText,
} from '@switchyard/contracts';
import { EventPublisher } from '@switchyard/messaging';
import {
  type Door,
  RequestMetrics,
  annotateLogContext,
  contentForLog,
  contentLogged,
  errorForLog,
} from '@switchyard/observability';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { IdempotencyStore } from '../idempotency/idempotency.store';
import { TenantAuthenticator } from '@switchyard/tenancy';

export interface ChatRequestCommand {
  /** The request as decoded JSON (undecoded bytes are checked for size and syntax by the transport). */
  payload: unknown;
  authorization?: string;
  /** Request id and tenant given outside the payload (HTTP headers); the payload's win. */
  requestId?: string;
  tenant?: string;
  /** The call comes from an SDK that retries on its own without an id (OpenAI's, Anthropic's). */
  sdkAttempt?: SdkAttempt;
  /** Where the request came in, for the request metrics (`nats` when not given). */
  door?: Door;
}

/** One attempt of an SDK's call: its number (0 first) and the SHA-256 of the request body's bytes. */
export interface SdkAttempt {
  attempt: number;
  bodyDigest: string;
}

/**
 * The one door: validates and authenticates a chat request, de-duplicates it by request id (the caller's,
 * or for an SDK's retry its first attempt's), sends it down the pipeline and waits for the answer that
 * provider-adapters sends back to this call.
 */
@Injectable()
export class HandleChatRequest {
  private readonly logger = new Logger(HandleChatRequest.name);

  constructor(
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    private readonly publisher: EventPublisher,
    private readonly idempotency: IdempotencyStore,
    private readonly tenants: TenantAuthenticator,
    @Optional() private readonly metrics: RequestMetrics = RequestMetrics.detached(),
  ) {}

  /**
   * `onDelta`: the caller can take the answer in pieces (HTTP streaming); pieces come only when the request
   * also asks for `stream`, and only from a fresh answer (a replayed one comes whole).
   */
  async execute(cmd: ChatRequestCommand, onDelta?: (delta: ChatDelta) => void): Promise<ChatReply> {
    const startedAt = performance.now();
    const reply = await this.answer(cmd, onDelta);
    this.metrics.answered(cmd.door ?? 'nats', reply, startedAt);
    return reply;
  }

  private async answer(cmd: ChatRequestCommand, onDelta?: (delta: ChatDelta) => void): Promise<ChatReply> {
    let requestId: string | undefined;
    try {
      const request = parsePayload(chatRequestSchema, cmd.payload, 'request');
      const explicitId = request.requestId ?? cmd.requestId;
      requestId = explicitId ?? randomUUID();
      const tenant = this.tenants.authenticate(request.tenant ?? cmd.tenant, cmd.authorization);
      if (explicitId !== undefined) return await this.run(request, requestId, tenant, true, onDelta);
      if (cmd.sdkAttempt === undefined) return await this.run(request, requestId, tenant, false, onDelta);
      const derived = await this.requestOfSdkAttempt(tenant, cmd.sdkAttempt, requestId);
      requestId = derived ?? requestId;
      return await this.run(request, requestId, tenant, derived !== undefined, onDelta);
    } catch (err) {
      return failure(err, requestId, this.logger);
    }
  }

  /**
   * The request id an SDK's attempt runs under, guarded like an explicit one: a first attempt's own
   * (`fresh`), remembered by tenant and body; a retry's, the first attempt's (so it is answered from that
   * call, or waits for it, as an explicit re-send is). Only attempts numbered 1 and up are retries: the same
   * body sent again as a first attempt is a new request. Undefined when the store cannot be reached: the
   * caller asked for no guarantee, so the request runs unguarded rather than refused.
   */
  private async requestOfSdkAttempt(tenant: string, sdk: SdkAttempt, fresh: string): Promise<string | undefined> {
    const window = this.config.SDK_RETRY_WINDOW_SECONDS;
    try {
      if (sdk.attempt === 0) {
        await this.idempotency.rememberFirstAttempt(tenant, sdk.bodyDigest, fresh, window);
        return fresh;
      }
      return await this.idempotency.requestOfRetry(tenant, sdk.bodyDigest, fresh, window);
    } catch (err) {
      this.logger.warn(
        `SDK attempt ${sdk.attempt} of ${tenant} runs without retry matching: ${(err as Error).message}`,
      );
      return undefined;
    }
  }

  private async run(
    request: ChatRequest,
    requestId: string,
    tenant: string,
    idempotent: boolean,
    onDelta: ((delta: ChatDelta) => void) | undefined,
  ): Promise<ChatReply> {
    // From here on this request's log lines name it (the doors opened its log context).
    annotateLogContext({ requestId, tenant });
    this.logger.debug(
      `request received, messages: ${request.messages.length}` +
        (contentLogged() ? `: ${contentForLog(routingText(request.messages))}` : ''),
    );
    const receivedAt = Date.now();
    const deadline = receivedAt + this.config.REQUEST_TIMEOUT_MS;
    const window = this.config.IDEMPOTENCY_WINDOW_SECONDS;
    if (idempotent) {
      // A claim lives as long as the call may take: one left behind (Redis away when it should have been
      // released, a replica that died) stops blocking retries once the call would have timed out anyway.
      const claim = await this.idempotency.claim(
        tenant,
        requestId,
        Math.ceil(this.config.REQUEST_TIMEOUT_MS / 1000) + 5,
      );
      if (claim.kind === 'done') return { ...claim.reply, replayed: true };
      if (claim.kind === 'pending') {
        const answer = await this.idempotency.waitForAnswer(tenant, requestId, deadline);
        if (answer) return { ...answer, replayed: true };
        // field `requestId` tells the HTTP door that a retry is safe (x-should-retry, http/should-retry.ts).
        throw new RouterError(
          'timeout',
          `request ${requestId} is still being answered by an earlier call; retry later`,
          'requestId',
          1,
        );
      }
    }
    // Pieces go only to a caller that can take them: a plain NATS request ends at the first message.
    const stream = onDelta !== undefined && request.stream === true;
    const event: RequestReceived = {
      requestId,
      tenant,
      receivedAt,
      request: extend(request, { requestId, tenant, stream }),
    };
    const meta = { deadline, messageId: recordKey(tenant, requestId) };
    let reply: ChatReply;
    try {
      reply = (
        stream
          ? await this.publisher.requestStream(
              SUBJECTS.requestReceived,
              event,
              this.config.REQUEST_TIMEOUT_MS,
              meta,
              (part) => onDelta?.(parsePayload(chatDeltaSchema, part, 'stream part')),
            )
          : await this.publisher.request(SUBJECTS.requestReceived, event, this.config.REQUEST_TIMEOUT_MS, meta)
      ) as ChatReply;
    } catch (err) {
      if (idempotent) await this.forget(tenant, requestId);
      throw err;
    }
    if (idempotent) {
      // Only answers are kept: a failed call (quota, provider down) may succeed when retried.
      if (reply.ok)
        await this.idempotency
          .complete(tenant, requestId, reply, window)
          // The answer exists and was paid for: the caller gets it even if Redis went away meanwhile. A
          // retry within the window is then called again (the claim expires with the window).
          .catch((err: Error) =>
            this.logger.warn(`answer to ${tenant}/${requestId} not kept for replays: ${err.message}`),
          );
      else await this.forget(tenant, requestId);
    }
    return reply;
  }

  /** Releases a claim; with Redis away the claim expires at the end of the window instead. */
  private async forget(tenant: string, requestId: string): Promise<void> {
    await this.idempotency
      .release(tenant, requestId)
      .catch((err: Error) => this.logger.warn(`claim on ${tenant}/${requestId} not released: ${err.message}`));
  }
}

export function failure(err: unknown, requestId: string | undefined, logger: Logger): ChatFailure {
  if (err instanceof RouterError)
    return requestId ? { ok: false, requestId, error: err.toBody() } : { ok: false, error: err.toBody() };
  logger.error(`request ${requestId ?? '(no id)'} failed: ${errorForLog(err)}`);
  const error = { code: 'internal_error' as const, message: 'internal error; it was logged' };
  return requestId ? { ok: false, requestId, error } : { ok: false, error };
}
