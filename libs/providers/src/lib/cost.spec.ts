import { costOf, usageOf } from './cost';

describe(costOf.name, () => {
  it('prices input and output tokens separately per million', () => {
    // 1,000 in at $2.50/M + 500 out at $10/M = 0.0025 + 0.005
    expect(costOf({ inputTokens: 1000, outputTokens: 500 }, { input: 2.5, output: 10 })).toBeCloseTo(0.0075, 10);
  });
});

describe(usageOf.name, () => {
  it('keeps reported usage and marks it as not estimated', () => {
    expect(usageOf({ content: 'x', finishReason: 'stop', usage: { inputTokens: 7, outputTokens: 3 } }, [])).toEqual({
      inputTokens: 7,
      outputTokens: 3,
      estimated: false,
    });
  });
  it('estimates when the provider reported nothing', () => {
    const usage = usageOf({ content: 'abcdefgh', finishReason: 'stop' }, [{ role: 'user', content: '你好' }]);
    expect(usage).toEqual({ inputTokens: 6, outputTokens: 2, estimated: true });
  });
  it('estimates the tool calls and every choice written, not only the first answer text', () => {
    const toolCalls = [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }];
    // 4 of framing + 3 for the name + 4 for the arguments
    expect(usageOf({ content: '', finishReason: 'tool_calls', toolCalls }, []).outputTokens).toBe(11);
    const choices = [
      { answer: { role: 'assistant' as const, content: 'abcdefgh' }, finishReason: 'stop' as const },
      { answer: { role: 'assistant' as const, content: 'abcd' }, finishReason: 'stop' as const },
    ];
    expect(usageOf({ content: 'abcdefgh', finishReason: 'stop', choices }, []).outputTokens).toBe(3);
  });
});
