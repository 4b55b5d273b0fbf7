import { type RequestAnalyzed, SUBJECTS } from '@switchyard/contracts';
import {
  type DurableOutbox,
  type EventPublisher,
  IncomingMessage,
  RequestFailureReporter,
} from '@switchyard/messaging';
import type { PolicyStore } from '@switchyard/policy-store';
import { extractFeatures, parsePolicy } from '@switchyard/routing';
import type { RoutingStateStore, TenantLimitsStore } from '@switchyard/routing-state';
import { recorder, strictFake } from '@switchyard/testing';
import { DecisionController } from './decision.controller';
import { MakeDecision } from './make-decision.usecase';
import { TenantAllowance } from './tenant-allowance';

const policy = parsePolicy(`version: text@1
models:
  - { id: small, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.1 } }
default: { route: { model: small } }
`);

function message(request: RequestAnalyzed['request']): IncomingMessage {
  const event: RequestAnalyzed = {
    requestId: 'r-1',
    tenant: 'acme',
    receivedAt: 1,
    request,
    features: extractFeatures(request.messages),
    analyzedAt: 2,
  };
  return new IncomingMessage(
    SUBJECTS.requestAnalyzed,
    new TextEncoder().encode(JSON.stringify(event)),
    undefined,
    '_INBOX.caller',
  );
}

describe(DecisionController.name, () => {
  describe('onRequestAnalyzed', () => {
    // Imitates EventPublisher.reply and DurableOutbox.publishCompletion: records what would go on the wire.
    const reply = recorder((_inbox: string, _payload: unknown) => undefined);
    const stored = recorder(async (_subject: string, _payload: unknown, _id: string) => 'stored' as const);
    const sut = new DecisionController(
      new MakeDecision(
        strictFake<PolicyStore>('PolicyStore', { forRequest: () => ({ policy }) }),
        strictFake<EventPublisher>('EventPublisher', {}),
        // No model can take the request, so nothing may be reserved.
        strictFake<RoutingStateStore>('RoutingStateStore', {}),
        new TenantAllowance(strictFake<TenantLimitsStore>('TenantLimitsStore', {}), { BUDGET_HOLD_SECONDS: 300 }),
      ),
      new RequestFailureReporter(
        strictFake<EventPublisher>('EventPublisher', { reply }),
        strictFake<DurableOutbox>('DurableOutbox', { publishCompletion: stored }),
      ),
    );

    it("answers the caller with routing's invalid_request, its field, and records the failure", async () => {
      const image = { type: 'image' as const, url: 'https://example.com/a.png' };
      await sut.onRequestAnalyzed(message({ messages: [{ role: 'user', content: [image] }] }));
      const error = {
        code: 'invalid_request',
        field: 'messages.0.content.0',
        message:
          'no model of policy text@1 can honour messages.0.content.0 (needs capability "vision"); models: small (lacks vision (messages.0.content.0 is an image))',
      };
      expect(reply.calls).toEqual([['_INBOX.caller', { ok: false, requestId: 'r-1', error }]]);
      expect(stored.calls).toEqual([
        [
          SUBJECTS.completionFailed,
          expect.objectContaining({ stage: 'decision', error }),
          expect.stringMatching(/^acme:r-1/),
        ],
      ]);
    });
  });
});
