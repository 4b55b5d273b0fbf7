import { join } from 'node:path';
import { SUBJECTS } from '@switchyard/contracts';
import type { EventPublisher, OutgoingMeta } from '@switchyard/messaging';
import { type PolicyStore, readPolicyFile } from '@switchyard/policy-store';
import { extractFeatures } from '@switchyard/routing';
import { recorder, strictFake } from '@switchyard/testing';
import { MakeDecision } from './make-decision.usecase';

const policy = readPolicyFile(join(__dirname, '../../../../policies/default.yaml'));

describe(MakeDecision.name, () => {
  describe('execute', () => {
    it('decides with the current policy and hands the plan to provider-adapters', () => {
      const publish = recorder((_subject: string, _payload: unknown, _meta?: OutgoingMeta) => undefined);
      const sut = new MakeDecision(
        strictFake<PolicyStore>('PolicyStore', { current: () => policy }),
        strictFake<EventPublisher>('EventPublisher', { publish }),
      );
      const messages = [{ role: 'user' as const, content: 'Please implement a binary search function' }];
      const event = {
        requestId: 'r-1',
        tenant: 'acme',
        receivedAt: 1,
        request: { messages },
        features: extractFeatures(messages),
        analyzedAt: 2,
      };
      const decided = sut.execute({ event, replyTo: '_INBOX.y' });
      expect(decided.decision).toMatchObject({
        method: 'rule',
        rule: 'code_generation',
        plan: { kind: 'single', model: 'claude-3-sonnet' },
        policyVersion: 'default@1',
      });
      expect(publish.calls).toEqual([
        [SUBJECTS.routeDecided, decided, { replyTo: '_INBOX.y', deadline: undefined, messageId: 'r-1' }],
      ]);
    });
  });
});
