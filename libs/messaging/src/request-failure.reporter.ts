import { Injectable, Logger } from '@nestjs/common';
import {
  type Attempt,
  type CompletionFailed,
  type Decision,
  type Features,
  HEADERS,
  type PayloadOf,
  type RequestReceived,
  RouterError,
  type RouterErrorBody,
  SUBJECTS,
  attemptKey,
  contextText,
  routingText,
} from '@switchyard/contracts';
import { annotateActiveSpan, attributesOfMessage, errorForLog, failActiveSpan } from '@switchyard/observability';
import { DurableOutbox } from './durable-outbox';
import { EventPublisher } from './event-publisher';
import { type IncomingMessage, deadlineOf } from './incoming-message';

type PipelineEvent = RequestReceived & { features?: Features; decision?: Decision };

/** The hops of a request between ingress and provider-adapters: each a stage that may end it. */
export type StageSubject =
  | typeof SUBJECTS.requestReceived
  | typeof SUBJECTS.requestAnalyzed
  | typeof SUBJECTS.routeDecided
  | typeof SUBJECTS.routeDecidedV2;

/** Longest prompt kept on a record: enough to retrain a router on, bounded so records stay small. */
export const RECORDED_PROMPT_CHARS = 4000;

/**
 * The fields every completion event carries, from whatever stage the request reached. The conversation
 * before the routed message (`contextText`, already cut to CONTEXT_MAX_CHARS) is built here once per event,
 * for every request, whatever the router in force reads: the next router retrained on the record may read it.
 */
export function completionBaseOf(
  event: PipelineEvent,
  attempts: Attempt[] = [],
): Omit<CompletionFailed, 'error' | 'completedAt' | 'stage'> {
  const base: Omit<CompletionFailed, 'error' | 'completedAt' | 'stage'> = {
    requestId: event.requestId,
    tenant: event.tenant,
    receivedAt: event.receivedAt,
    prompt: routingText(event.request.messages).slice(0, RECORDED_PROMPT_CHARS),
    attempts,
  };
  const context = contextText(event.request.messages);
  if (context !== '') base.context = context;
  if (event.request.user !== undefined) base.user = event.request.user;
  if (event.request.hints?.task !== undefined) base.taskHint = event.request.hints.task;
  if (event.features) base.features = event.features;
  if (event.decision) base.decision = event.decision;
  return base;
}

/**
 * What every pipeline stage does when it cannot go on with a request: answer the waiting caller with the
 * error, and record the failure durably so it shows in the records and stats.
 */
@Injectable()
export class RequestFailureReporter {
  private readonly logger = new Logger(RequestFailureReporter.name);

  constructor(
    private readonly publisher: EventPublisher,
    private readonly outbox: DurableOutbox,
  ) {}

  /**
   * One pipeline stage's handling of a message: the caller's reply subject (the header, or the request's
   * own inbox on the first hop), the payload parsed with `subject`'s schema, then `run` with it typed; when
   * `run` throws, the caller gets the error and the failure is recorded, with the attempts `attemptsOf`
   * finds on it.
   */
  async runStage<S extends StageSubject>(
    msg: IncomingMessage,
    subject: S,
    stage: CompletionFailed['stage'],
    run: (event: PayloadOf<S>, replyTo: string, deadline: number | undefined) => unknown,
    attemptsOf: (err: unknown) => Attempt[] = () => [],
  ): Promise<void> {
    const replyTo = msg.header(HEADERS.replyTo) ?? msg.reply;
    if (!replyTo)
      throw new RouterError('invalid_request', `${msg.subject} needs the ${HEADERS.replyTo} header or a reply subject`);
    const event: PipelineEvent = msg.payload(subject);
    try {
      const outcome = await run(event as PayloadOf<S>, replyTo, deadlineOf(msg));
      // What the stage made (features, a decision, a priced answer) describes its span.
      annotateActiveSpan(() => attributesOfMessage(outcome));
    } catch (err) {
      const error = await this.fail({ ...completionBaseOf(event, attemptsOf(err)), stage }, err, replyTo);
      failActiveSpan(error.code);
    }
  }

  async fail(
    event: Omit<CompletionFailed, 'error' | 'completedAt'>,
    err: unknown,
    replyTo: string | undefined,
  ): Promise<RouterErrorBody> {
    const error = toBody(err, this.logger, event.requestId);
    const failed: CompletionFailed = { ...event, completedAt: Date.now(), error };
    // The record goes on the wire before the reply, as for answers: a crash after replying cannot lose it.
    const stored = this.outbox.publishCompletion(
      SUBJECTS.completionFailed,
      failed,
      attemptKey(event.tenant, event.requestId, event.receivedAt),
    );
    if (replyTo) this.publisher.reply(replyTo, { ok: false, requestId: event.requestId, error });
    await stored;
    return error;
  }
}

function toBody(err: unknown, logger: Logger, requestId: string): RouterErrorBody {
  if (err instanceof RouterError) return err.toBody();
  logger.error(`request ${requestId} failed: ${errorForLog(err)}`);
  return { code: 'internal_error', message: 'internal error; it was logged' };
}
