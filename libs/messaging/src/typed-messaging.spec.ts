import { RouterError, SUBJECTS } from '@switchyard/contracts';
import type { EventPublisher } from './event-publisher';
import { IncomingMessage } from './incoming-message';

const message = (subject: string, body: unknown) =>
  new IncomingMessage(subject, new TextEncoder().encode(JSON.stringify(body)), undefined);

describe('typed messaging', () => {
  it("parses a handler's payload with its subject's schema from the one table", () => {
    const fb = message(SUBJECTS.feedbackSubmitted, {
      feedbackId: 'f-1',
      requestId: 'r-1',
      tenant: 'acme',
      submittedAt: 1,
      rating: 5,
    }).payload(SUBJECTS.feedbackSubmitted);
    // Typed as the subject carries it: a field of another subject's payload would not compile here.
    expect(fb.rating).toBe(5);
    const bad = () => message(SUBJECTS.feedbackSubmitted, { requestId: 'r-1' }).payload(SUBJECTS.feedbackSubmitted);
    expect(bad).toThrow(RouterError);
    expect(bad).toThrow(/feedbackId/);
  });

  it('refuses, at compile time, a payload that does not fit its subject (checked by tsc over the tests)', () => {
    const sent: unknown[] = [];
    const publisher = {
      publish: (_subject: string, payload: unknown) => void sent.push(payload),
    } as unknown as EventPublisher;
    // @ts-expect-error: a policy rejection's fields are not a canary verdict
    publisher.publish(SUBJECTS.canaryVerdict, { version: 'p@1', service: 'x', error: 'bad' });
    // @ts-expect-error: an inbox is not a subject of the table; answers go through reply()
    publisher.publish('_INBOX.caller', { ok: true });
    publisher.publish(SUBJECTS.policyRejected, {
      version: 'p@1',
      service: 'decision-engine',
      keptVersion: 'p@0',
      problems: [{ field: 'models', message: 'empty' }],
      rejectedAt: 1,
    });
    expect(sent).toHaveLength(3);
  });
});
