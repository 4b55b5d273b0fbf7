import { Injectable } from '@nestjs/common';
import { type RequestAnalyzed, type RequestReceived, SUBJECTS, extend, recordKey } from '@switchyard/contracts';
import { EventPublisher } from '@switchyard/messaging';
import { extractFeatures } from '@switchyard/routing';

export interface AnalyzeRequestCommand {
  event: RequestReceived;
  replyTo: string;
  deadline?: number;
}

/** Computes the routing features of a request and hands it to decision-engine. */
@Injectable()
export class AnalyzeRequest {
  constructor(private readonly publisher: EventPublisher) {}

  execute(cmd: AnalyzeRequestCommand): RequestAnalyzed {
    const analyzed: RequestAnalyzed = extend(cmd.event, {
      features: extractFeatures(cmd.event.request.messages),
      analyzedAt: Date.now(),
    });
    this.publisher.publish(SUBJECTS.requestAnalyzed, analyzed, {
      replyTo: cmd.replyTo,
      deadline: cmd.deadline,
      messageId: recordKey(cmd.event.tenant, cmd.event.requestId),
    });
    return analyzed;
  }
}
