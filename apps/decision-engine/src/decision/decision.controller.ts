import { Controller } from '@nestjs/common';
import { HEADERS, RouterError, SUBJECTS, parsePayload, requestAnalyzedSchema } from '@switchyard/contracts';
import {
  type IncomingMessage,
  OnSubject,
  RequestFailureReporter,
  completionBaseOf,
  deadlineOf,
} from '@switchyard/messaging';
import { MakeDecision } from './make-decision.usecase';

@Controller()
export class DecisionController {
  constructor(
    private readonly makeDecision: MakeDecision,
    private readonly failures: RequestFailureReporter,
  ) {}

  @OnSubject(SUBJECTS.requestAnalyzed)
  async onRequestAnalyzed(msg: IncomingMessage): Promise<void> {
    const replyTo = msg.header(HEADERS.replyTo);
    if (!replyTo)
      throw new RouterError('invalid_request', `${SUBJECTS.requestAnalyzed} needs the ${HEADERS.replyTo} header`);
    const event = parsePayload(requestAnalyzedSchema, msg.json(), SUBJECTS.requestAnalyzed);
    try {
      await this.makeDecision.execute({ event, replyTo, deadline: deadlineOf(msg) });
    } catch (err) {
      await this.failures.fail({ ...completionBaseOf(event), stage: 'decision' }, err, replyTo);
    }
  }
}
