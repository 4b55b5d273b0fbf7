import type { ModelSpec } from '@switchyard/contracts';
import { REPLAY_ROW_METADATA } from '@switchyard/datasets';
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
    it.each([
      ['tools', { tools: [{ name: 'get_weather' }] }],
      ['responseFormat', { responseFormat: { type: 'json_object' as const } }],
      ['params.n', { params: { n: 2 } }],
      ['params.logprobs', { params: { logprobs: true } }],
    ])('refuses a call that asks for %s, which a recorded text answer cannot honour', async (field, extra) => {
      await expect(sut.complete({ ...call('big'), ...extra })).rejects.toMatchObject({
        retryable: false,
        message: expect.stringContaining(`replay cannot honour ${field} =`),
      });
    });
    it('refuses images, naming the message', async () => {
      const messages = [
        {
          role: 'user' as const,
          content: [
            { type: 'text' as const, text: 'Question: 2+2?\nA. 3\nB. 4' },
            { type: 'image' as const, url: 'https://example.com/a.png' },
          ],
        },
      ];
      await expect(sut.complete({ ...call('big'), messages })).rejects.toThrow(
        'replay cannot honour messages[0].content',
      );
    });
  });

  describe('a prompt that is in the dataset twice', () => {
    // As in MMLU-Pro: the same question recorded twice, the models' answers and costs differing.
    const twice = new ReplayAdapter([
      { id: 'q1', prompt: 'same question', outcomes: { big: { score: 1, pred: 'A', cost_usd: 0.001 } } },
      { id: 'q2', prompt: 'same question', outcomes: { big: { score: 0, pred: 'C', cost_usd: 0.003 } } },
    ]);
    const named = (rowId: string, content = 'same question') => ({
      ...call('big', content),
      metadata: { [REPLAY_ROW_METADATA]: rowId },
    });

    it('replays the row the request names in its metadata', async () => {
      expect(await twice.complete(named('q1'))).toMatchObject({ content: 'The answer is (A).', costUsd: 0.001 });
      expect(await twice.complete(named('q2'))).toMatchObject({ content: 'The answer is (C).', costUsd: 0.003 });
    });
    it('refuses a row id that is unknown or belongs to another prompt', async () => {
      await expect(twice.complete(named('q9'))).rejects.toMatchObject({
        retryable: false,
        message: expect.stringContaining('no row with id "q9"'),
      });
      await expect(twice.complete(named('q1', 'another question'))).rejects.toThrow('row "q1" is not this prompt');
    });
    it('takes the last occurrence when the request names no row', async () => {
      expect(await twice.complete(call('big', 'same question'))).toMatchObject({ costUsd: 0.003 });
    });
  });

  describe('a model name no policy may use', () => {
    const named = new ReplayAdapter([
      { prompt: 'q', outcomes: { 'claude@2024': { score: 1, pred: 'A', cost_usd: 0.004 } } },
    ]);

    it('answers under the id eval and simulate route it as, and under its own name', async () => {
      expect(await named.complete(call('claude-2024', 'q'))).toMatchObject({ costUsd: 0.004 });
      expect(await named.complete(call('claude@2024', 'q'))).toMatchObject({ costUsd: 0.004 });
    });
  });

  describe('an id that the dataset gives to several prompts', () => {
    // Ids numbered per task or per source repeat across the file: the prompt tells the rows apart.
    const reused = new ReplayAdapter([
      { id: '7', prompt: 'first question', outcomes: { big: { score: 1, pred: 'A', cost_usd: 0.001 } } },
      { id: '7', prompt: 'second question', outcomes: { big: { score: 0, pred: 'B', cost_usd: 0.002 } } },
    ]);
    const named = (content: string) => ({ ...call('big', content), metadata: { [REPLAY_ROW_METADATA]: '7' } });

    it('replays the row with that id and this prompt', async () => {
      expect(await reused.complete(named('first question'))).toMatchObject({ costUsd: 0.001 });
      expect(await reused.complete(named('second question'))).toMatchObject({ costUsd: 0.002 });
      await expect(reused.complete(named('third question'))).rejects.toThrow('row "7" is not this prompt');
    });
  });
});
