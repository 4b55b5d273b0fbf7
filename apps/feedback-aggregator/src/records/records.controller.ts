import { Controller } from '@nestjs/common';
import { SUBJECTS } from '@switchyard/contracts';
import { type IncomingMessage, OnStreamEvent } from '@switchyard/messaging';
import { RecordCompletion } from './record-completion.usecase';
import { RecordFeedback } from './record-feedback.usecase';
import { RecordJudgedLabel } from './record-judged-label.usecase';

/** Durable JetStream handlers: a message is acked only after its write to MongoDB succeeded. */
@Controller()
export class RecordsController {
  constructor(
    private readonly recordCompletion: RecordCompletion,
    private readonly recordFeedback: RecordFeedback,
    private readonly recordJudgedLabel: RecordJudgedLabel,
  ) {}

  @OnStreamEvent(SUBJECTS.completionSucceeded)
  async onCompletionSucceeded(msg: IncomingMessage): Promise<void> {
    await this.recordCompletion.execute(msg.payload(SUBJECTS.completionSucceeded));
  }

  @OnStreamEvent(SUBJECTS.completionFailed)
  async onCompletionFailed(msg: IncomingMessage): Promise<void> {
    await this.recordCompletion.execute(msg.payload(SUBJECTS.completionFailed));
  }

  @OnStreamEvent(SUBJECTS.feedbackSubmitted)
  async onFeedbackSubmitted(msg: IncomingMessage): Promise<void> {
    await this.recordFeedback.execute(msg.payload(SUBJECTS.feedbackSubmitted));
  }

  @OnStreamEvent(SUBJECTS.labelJudged)
  async onLabelJudged(msg: IncomingMessage): Promise<void> {
    await this.recordJudgedLabel.execute(msg.payload(SUBJECTS.labelJudged));
  }
}
