import type { ModelSpec } from '@switchyard/contracts';
import { SimulatedAdapter } from './simulated.adapter';

const model: ModelSpec = {
  id: 'm-1',
  provider: 'simulated',
  tier: 'cheap',
  priceUsdPerMTok: { input: 1, output: 2 },
  capabilities: [],
};

describe(SimulatedAdapter.name, () => {
  const sut = new SimulatedAdapter();
  describe('complete', () => {
    it('answers the same prompt the same way', async () => {
      const call = {
        requestId: 'r',
        model,
        messages: [{ role: 'user' as const, content: 'Explain TCP slow start' }],
        params: {},
      };
      const a = await sut.complete(call);
      const b = await sut.complete({ ...call, requestId: 'other' });
      expect(a).toEqual(b);
      expect(a.content.startsWith('[m-1] ')).toBe(true);
    });
    it('reports more output for a longer prompt', async () => {
      const short = await sut.complete({
        requestId: 'r',
        model,
        messages: [{ role: 'user', content: 'hi' }],
        params: {},
      });
      const long = await sut.complete({
        requestId: 'r',
        model,
        messages: [{ role: 'user', content: 'word '.repeat(2000) }],
        params: {},
      });
      expect(long.usage!.inputTokens).toBeGreaterThan(short.usage!.inputTokens);
      expect(long.usage!.outputTokens).toBeGreaterThan(short.usage!.outputTokens);
    });
    it('stops at maxTokens and says so', async () => {
      const r = await sut.complete({
        requestId: 'r',
        model,
        messages: [{ role: 'user', content: 'word '.repeat(500) }],
        params: { maxTokens: 10 },
      });
      expect(r.usage!.outputTokens).toBe(10);
      expect(r.finishReason).toBe('length');
    });
  });
});
