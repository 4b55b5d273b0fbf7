import { Controller } from '@nestjs/common';
import { HEADERS, RouterError, SUBJECTS, parsePayload, routeDecidedSchema } from '@switchyard/contracts';
import {
  type IncomingMessage,
  OnSubject,
  RequestFailureReporter,
  completionBaseOf,
  deadlineOf,
} from '@switchyard/messaging';
import { ExecutePlan, PlanFailedError } from './execute-plan.usecase';

@Controller()
export class ExecutionController {
  constructor(
    private readonly executePlan: ExecutePlan,
    private readonly failures: RequestFailureReporter,
  ) {}

  @OnSubject(SUBJECTS.routeDecided)
  async onRouteDecided(msg: IncomingMessage): Promise<void> {
    const replyTo = msg.header(HEADERS.replyTo);
    if (!replyTo)
      throw new RouterError('invalid_request', `${SUBJECTS.routeDecided} needs the ${HEADERS.replyTo} header`);
    const event = parsePayload(routeDecidedSchema, msg.json(), SUBJECTS.routeDecided);
    try {
      await this.executePlan.execute({ event, replyTo, deadline: deadlineOf(msg) });
    } catch (err) {
      const attempts = err instanceof PlanFailedError ? err.attempts : [];
      await this.failures.fail({ ...completionBaseOf(event, attempts), stage: 'provider' }, err, replyTo);
    }
  }
}
