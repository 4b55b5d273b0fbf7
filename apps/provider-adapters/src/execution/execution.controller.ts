import { Controller } from '@nestjs/common';
import { SUBJECTS, routeDecidedSchema } from '@switchyard/contracts';
import { type IncomingMessage, OnSubject, RequestFailureReporter } from '@switchyard/messaging';
import { ExecutePlan, PlanFailedError } from './execute-plan.usecase';

@Controller()
export class ExecutionController {
  constructor(
    private readonly executePlan: ExecutePlan,
    private readonly stages: RequestFailureReporter,
  ) {}

  @OnSubject(SUBJECTS.routeDecided)
  async onRouteDecided(msg: IncomingMessage): Promise<void> {
    await this.stages.runStage(
      msg,
      routeDecidedSchema,
      'provider',
      (event, replyTo, deadline) => this.executePlan.execute({ event, replyTo, deadline }),
      (err) => (err instanceof PlanFailedError ? err.attempts : []),
    );
  }
}
