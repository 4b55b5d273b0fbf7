import { SUBJECTS } from '@switchyard/contracts';
import type { EventPublisher, OutgoingMeta } from '@switchyard/messaging';
import { recorder, strictFake } from '@switchyard/testing';
import { AnalyzeRequest } from './analyze-request.usecase';

describe(AnalyzeRequest.name, () => {
  describe('execute', () => {
    it('adds the features and passes the reply subject and deadline on to decision-engine', () => {
      const publish = recorder((_subject: string, _payload: unknown, _meta?: OutgoingMeta) => undefined);
      const sut = new AnalyzeRequest(strictFake<EventPublisher>('EventPublisher', { publish }));
      const event = {
        requestId: 'r-1',
        tenant: 'acme',
        receivedAt: 1,
        request: { messages: [{ role: 'user' as const, content: '请用表格分析为什么股票会下跌?' }] },
      };
      const analyzed = sut.execute({ event, replyTo: '_INBOX.x', deadline: 99 });
      expect(analyzed.features).toMatchObject({ language: 'zh', questionCount: 1, turns: 1 });
      expect(analyzed.features.difficulty).toBeGreaterThan(0);
      expect(publish.calls).toEqual([
        [SUBJECTS.requestAnalyzed, analyzed, { replyTo: '_INBOX.x', deadline: 99, messageId: 'acme:r-1' }],
      ]);
    });
  });
});
