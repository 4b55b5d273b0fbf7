import type { CompletionSucceeded } from '@switchyard/contracts';
import type { RoutingRecordRepository } from '@switchyard/persistence';
import { recorder, strictFake } from '@switchyard/testing';
import type { RollupCounter } from '../rollups/rollup-counter';
import { RecordCompletion } from './record-completion.usecase';

const event: CompletionSucceeded = {
  requestId: 'r-1',
  tenant: 'acme',
  receivedAt: 1,
  completedAt: 2,
  prompt: 'my account number is 1234',
  attempts: [{ model: 'cheap', provider: 'simulated', ok: true, latencyMs: 5 }],
  model: 'cheap',
  provider: 'simulated',
  answer: 'ok',
  finishReason: 'stop',
  usage: { inputTokens: 5, outputTokens: 1, estimated: false },
  costUsd: 0.0001,
  latency: { totalMs: 6, routingMs: 1, providerMs: 5 },
};

describe(RecordCompletion.name, () => {
  describe('execute', () => {
    // The repository's upsert answers as on a first delivery: the record was created.
    const setup = (recordPrompts: 'full' | 'none') => {
      const upsertCompletion = recorder(async (e: CompletionSucceeded, _options?: { keepPrompt?: boolean }) => ({
        created: true,
        record: { requestId: e.requestId, tenant: e.tenant },
      }));
      const completion = recorder(async (_record: unknown) => undefined);
      const sut = new RecordCompletion(
        strictFake<RoutingRecordRepository>('RoutingRecordRepository', { upsertCompletion }),
        strictFake<RollupCounter>('RollupCounter', { completion }),
        { RECORD_PROMPTS: recordPrompts },
      );
      return { sut, upsertCompletion, completion };
    };

    it('stores the routed text when RECORD_PROMPTS is full', async () => {
      const { sut, upsertCompletion, completion } = setup('full');
      await sut.execute(event);
      expect(upsertCompletion.calls).toEqual([[event, { keepPrompt: true }]]);
      expect(completion.calls).toHaveLength(1);
    });

    it('asks the repository not to write the routed text when RECORD_PROMPTS is none', async () => {
      const { sut, upsertCompletion, completion } = setup('none');
      await sut.execute(event);
      expect(upsertCompletion.calls).toEqual([[event, { keepPrompt: false }]]);
      // The record is counted in its rollup all the same: only the text is left out.
      expect(completion.calls).toHaveLength(1);
    });

    it('writes no text for an event its publisher withheld the text from, even when RECORD_PROMPTS is full', async () => {
      const { sut, upsertCompletion } = setup('full');
      const withheld: CompletionSucceeded = { ...event, prompt: '', answer: '', textWithheld: true };
      await sut.execute(withheld);
      expect(upsertCompletion.calls).toEqual([[withheld, { keepPrompt: false }]]);
    });
  });
});
