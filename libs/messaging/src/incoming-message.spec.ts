import { SUBJECTS } from '@switchyard/contracts';
import { currentLogScope, withRequestLogContext, withServiceLogContext } from '@switchyard/observability';
import { IncomingMessage } from './incoming-message';

const feedback = new TextEncoder().encode(
  JSON.stringify({ feedbackId: 'f-1', requestId: 'r-1', tenant: 'acme', submittedAt: 1, rating: 5 }),
);

describe(IncomingMessage.name, () => {
  describe('payload', () => {
    it("names the message's request and tenant in the log context its handling runs in", () => {
      const scope = withRequestLogContext({ service: 'feedback-aggregator' }, () => {
        new IncomingMessage(SUBJECTS.feedbackSubmitted, feedback, undefined).payload(SUBJECTS.feedbackSubmitted);
        return currentLogScope();
      });
      expect(scope).toMatchObject({ service: 'feedback-aggregator', requestId: 'r-1', tenant: 'acme' });
    });

    it("leaves a service's own log context alone (no request is being handled there)", () => {
      const scope = withServiceLogContext('feedback-aggregator', () => {
        new IncomingMessage(SUBJECTS.feedbackSubmitted, feedback, undefined).payload(SUBJECTS.feedbackSubmitted);
        return currentLogScope();
      });
      expect(scope).not.toHaveProperty('requestId');
    });
  });
});
