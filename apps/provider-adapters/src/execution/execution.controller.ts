import { Controller } from '@nestjs/common';
import { SUBJECTS } from '@switchyard/contracts';
import { type IncomingMessage, OnSubject, RequestFailureReporter } from '@switchyard/messaging';
import { ExecutePlan, PlanFailedError } from './execute-plan.usecase';

const attemptsOf = (err: unknown) => (err instanceof PlanFailedError ? err.attempts : []);

@Controller()
export class ExecutionController {
  constructor(
    private readonly executePlan: ExecutePlan,
    private readonly stages: RequestFailureReporter,
  ) {}

  @OnSubject(SUBJECTS.routeDecidedV2)
  async onRouteDecided(msg: IncomingMessage): Promise<void> {
    await this.stages.runStage(
      msg,
      SUBJECTS.routeDecidedV2,
      'provider',
      (event, replyTo, deadline) => this.executePlan.execute({ event, replyTo, deadline }),
      attemptsOf,
    );
  }

  /** Plans of a decision-engine of the release before (no model specs): resolved in the policy that decided. */
  @OnSubject(SUBJECTS.routeDecided)
  async onRouteDecidedV1(msg: IncomingMessage): Promise<void> {
    await this.stages.runStage(
      msg,
      SUBJECTS.routeDecided,
      'provider',
      (event, replyTo, deadline) => this.executePlan.execute({ event, replyTo, deadline }),
      attemptsOf,
    );
  }
}
