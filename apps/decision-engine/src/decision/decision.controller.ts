import { Controller } from '@nestjs/common';
import { SUBJECTS } from '@switchyard/contracts';
import { type IncomingMessage, OnSubject, RequestFailureReporter } from '@switchyard/messaging';
import { MakeDecision } from './make-decision.usecase';

@Controller()
export class DecisionController {
  constructor(
    private readonly makeDecision: MakeDecision,
    private readonly stages: RequestFailureReporter,
  ) {}

  @OnSubject(SUBJECTS.requestAnalyzed)
  async onRequestAnalyzed(msg: IncomingMessage): Promise<void> {
    await this.stages.runStage(msg, SUBJECTS.requestAnalyzed, 'decision', (event, replyTo, deadline) =>
      this.makeDecision.execute({ event, replyTo, deadline }),
    );
  }
}
