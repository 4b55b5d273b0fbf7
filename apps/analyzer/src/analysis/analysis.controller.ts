import { Controller } from '@nestjs/common';
import { SUBJECTS } from '@switchyard/contracts';
import { type IncomingMessage, OnSubject, RequestFailureReporter } from '@switchyard/messaging';
import { AnalyzeRequest } from './analyze-request.usecase';

@Controller()
export class AnalysisController {
  constructor(
    private readonly analyzeRequest: AnalyzeRequest,
    private readonly stages: RequestFailureReporter,
  ) {}

  /** The first hop: ingress sent it as a request, so the caller's inbox is the message's own reply subject. */
  @OnSubject(SUBJECTS.requestReceived)
  async onRequestReceived(msg: IncomingMessage): Promise<void> {
    await this.stages.runStage(msg, SUBJECTS.requestReceived, 'analyzer', (event, replyTo, deadline) =>
      this.analyzeRequest.execute({ event, replyTo, deadline }),
    );
  }
}
