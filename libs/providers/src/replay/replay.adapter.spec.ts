import type { ModelSpec } from '@switchyard/routing';
import { ReplayAdapter } from './replay.adapter';

const model = (id: string): ModelSpec => ({
  id,
  provider: 'replay',
  tier: 't',
  priceUsdPerMTok: { input: 1, output: 1 },
  capabilities: [],
});
const sut = new ReplayAdapter(
  [
    {
      prompt: 'Question: 2+2?\nA. 3\nB. 4',
      outcomes: {
        big: { score: 1, pred: 'B', input_tokens: 12, output_tokens: 30, cost_usd: 0.0042 },
        small: { score: 0, cost_usd: 0.0001 },
      },
    },
  ],
  'sample.jsonl',
);
const call = (id: string, content = 'Question: 2+2?\nA. 3\nB. 4') => ({
  requestId: 'r',
  model: model(id),
  messages: [{ role: 'user' as const, content }],
  params: {},
});

describe(ReplayAdapter.name, () => {
  describe('complete', () => {
    it('answers with the recorded answer, tokens and cost of that model', async () => {
      expect(await sut.complete(call('big'))).toEqual({
        content: 'The answer is (B).',
        finishReason: 'stop',
        costUsd: 0.0042,
        usage: { inputTokens: 12, outputTokens: 30 },
      });
    });
    it('says what it does not know, without retrying', async () => {
      await expect(sut.complete(call('big', 'unknown prompt'))).rejects.toMatchObject({
        retryable: false,
        message: expect.stringContaining('sample.jsonl has no record'),
      });
      await expect(sut.complete(call('other'))).rejects.toThrow('no outcome of other');
    });
    it('leaves usage out when the record has no token counts', async () => {
      expect((await sut.complete(call('small'))).usage).toBeUndefined();
    });
  });
});
