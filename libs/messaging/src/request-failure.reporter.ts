import { Injectable, Logger } from '@nestjs/common';
import {
  type Attempt,
  type CompletionFailed,
  type Decision,
  type Features,
  type RequestReceived,
  RouterError,
  type RouterErrorBody,
  SUBJECTS,
} from '@switchyard/contracts';
import { routingText } from '@switchyard/routing';
import { EventPublisher } from './event-publisher';

/** Longest prompt kept on a record: enough to retrain a router on, bounded so records stay small. */
export const RECORDED_PROMPT_CHARS = 4000;

/** The fields every completion event carries, from whatever stage the request reached. */
export function completionBaseOf(
  event: RequestReceived & { features?: Features; decision?: Decision },
  attempts: Attempt[] = [],
): Omit<CompletionFailed, 'error' | 'completedAt' | 'stage'> {
  const base: Omit<CompletionFailed, 'error' | 'completedAt' | 'stage'> = {
    requestId: event.requestId,
    tenant: event.tenant,
    receivedAt: event.receivedAt,
    prompt: routingText(event.request.messages).slice(0, RECORDED_PROMPT_CHARS),
    attempts,
  };
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

  constructor(private readonly publisher: EventPublisher) {}

  async fail(
    event: Omit<CompletionFailed, 'error' | 'completedAt'>,
    err: unknown,
    replyTo: string | undefined,
  ): Promise<RouterErrorBody> {
    const error = toBody(err, this.logger, event.requestId);
    if (replyTo) this.publisher.publish(replyTo, { ok: false, requestId: event.requestId, error });
    const failed: CompletionFailed = { ...event, completedAt: Date.now(), error };
    await this.publisher.publishDurable(SUBJECTS.completionFailed, failed, event.requestId);
    return error;
  }
}

function toBody(err: unknown, logger: Logger, requestId: string): RouterErrorBody {
  if (err instanceof RouterError) return err.toBody();
  logger.error(`request ${requestId} failed: ${(err as Error).stack ?? String(err)}`);
  return { code: 'internal_error', message: 'internal error; it was logged' };
}
