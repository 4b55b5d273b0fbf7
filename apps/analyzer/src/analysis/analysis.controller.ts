import { Controller } from '@nestjs/common';
import { HEADERS, RouterError, SUBJECTS, parsePayload, requestReceivedSchema } from '@switchyard/contracts';
import {
  type IncomingMessage,
  OnSubject,
  RequestFailureReporter,
  completionBaseOf,
  deadlineOf,
} from '@switchyard/messaging';
import { AnalyzeRequest } from './analyze-request.usecase';

@Controller()
export class AnalysisController {
  constructor(
    private readonly analyzeRequest: AnalyzeRequest,
    private readonly failures: RequestFailureReporter,
  ) {}

  @OnSubject(SUBJECTS.requestReceived)
  async onRequestReceived(msg: IncomingMessage): Promise<void> {
    const replyTo = msg.header(HEADERS.replyTo) ?? msg.reply;
    if (!replyTo)
      throw new RouterError(
        'invalid_request',
        `${SUBJECTS.requestReceived} needs a reply subject or ${HEADERS.replyTo} header`,
      );
    const event = parsePayload(requestReceivedSchema, msg.json(), SUBJECTS.requestReceived);
    try {
      this.analyzeRequest.execute({ event, replyTo, deadline: deadlineOf(msg) });
    } catch (err) {
      await this.failures.fail({ ...completionBaseOf(event), stage: 'analyzer' }, err, replyTo);
    }
  }
}
