import { chatSuccess } from '../testing/chat-success.fixture';
import type { ChatSuccess } from '@switchyard/contracts';
import { AnthropicMessageStream, toAnthropicStream } from './anthropic-messages.stream';

const success = (answer: ChatSuccess['answer'], finishReason: ChatSuccess['finishReason'] = 'stop') =>
  chatSuccess({ answer, finishReason, difficulty: 0 });

/** Server-sent events as `[event name, data]`, checking that each event's name is its data's type. */
function parse(events: string[]): Array<[string, Record<string, any>]> {
  return events.map((e) => {
    const match = /^event: (\w+)\ndata: (.*)\n\n$/s.exec(e);
    if (!match) throw new Error(`not one server-sent event: ${JSON.stringify(e)}`);
    const data = JSON.parse(match[2]) as Record<string, any>;
    expect(data['type']).toBe(match[1]);
    return [match[1], data];
  });
}

describe(AnthropicMessageStream.name, () => {
  describe('start, delta and end', () => {
    it('streams text pieces into one text block, then stop reason, usage and routing metadata', () => {
      const sut = new AnthropicMessageStream();
      const events = parse([
        ...sut.start('r-9', 'm'),
        ...sut.delta({ delta: '' }),
        ...sut.delta({ delta: 'Hel' }),
        ...sut.delta({ delta: 'lo.' }),
        ...sut.end(success({ role: 'assistant', content: 'Hello.' })),
      ]);
      expect(events.map(([name]) => name)).toEqual([
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      expect(events[0][1]['message']).toEqual({
        id: 'msg_r-9',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      });
      expect(events[1][1]).toEqual({
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      });
      expect(events[3][1]).toEqual({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: 'lo.' },
      });
      expect(events[4][1]).toEqual({ type: 'content_block_stop', index: 0 });
      expect(events[5][1]).toMatchObject({
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { input_tokens: 3, output_tokens: 4 },
        switchyard: { requestId: 'r-9', costUsd: 0.001 },
      });
    });

    it('sends each tool call whole after the text, as a tool_use block with its input as JSON', () => {
      const sut = new AnthropicMessageStream();
      const answer = {
        role: 'assistant' as const,
        content: 'Let me look.',
        toolCalls: [
          { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 'call_2', name: 'get_weather', arguments: '{"city": "Ro' },
        ],
      };
      const events = parse([
        ...sut.start('r-9', 'm'),
        ...sut.delta({ delta: 'Let me look.' }),
        ...sut.end(success(answer, 'tool_calls')),
      ]);
      expect(events.slice(3, 10).map(([, data]) => data)).toEqual([
        { type: 'content_block_stop', index: 0 },
        {
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} },
        },
        {
          type: 'content_block_delta',
          index: 1,
          delta: { type: 'input_json_delta', partial_json: '{"city":"Paris"}' },
        },
        { type: 'content_block_stop', index: 1 },
        {
          type: 'content_block_start',
          index: 2,
          content_block: { type: 'tool_use', id: 'call_2', name: 'get_weather', input: {} },
        },
        // Arguments that do not parse: {} as in the whole answer, the text under switchyard.
        { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } },
        { type: 'content_block_stop', index: 2 },
      ]);
      expect(events[10][1]).toMatchObject({
        delta: { stop_reason: 'tool_use' },
        switchyard: { unparsedToolInputs: { call_2: '{"city": "Ro' } },
      });
      expect(events[11][0]).toBe('message_stop');
    });

    it('opens no text block for an answer that only calls tools', () => {
      const sut = new AnthropicMessageStream();
      const answer = { role: 'assistant' as const, content: '', toolCalls: [{ id: 'c', name: 'f', arguments: '{}' }] };
      const events = parse([...sut.start('r', 'm'), ...sut.delta({ delta: '' }), ...sut.end(success(answer))]);
      expect(events.map(([name]) => name)).toEqual([
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      expect(events[1][1]).toMatchObject({ index: 0, content_block: { type: 'tool_use', id: 'c' } });
    });
  });

  describe('error', () => {
    it("ends a stream with Anthropic's error event", () => {
      const [[name, data]] = parse([
        new AnthropicMessageStream().error({ code: 'provider_error', message: 'upstream broke' }, 'r-1'),
      ]);
      expect(name).toBe('error');
      expect(data).toMatchObject({ error: { type: 'api_error', message: 'upstream broke' }, request_id: 'r-1' });
    });
  });
});

describe(toAnthropicStream.name, () => {
  it('streams a whole answer in word-sized pieces that make the text', () => {
    const events = parse(toAnthropicStream(success({ role: 'assistant', content: 'Hello there, world.' }, 'length')));
    const text = events
      .filter(([name, data]) => name === 'content_block_delta' && data['delta'].type === 'text_delta')
      .map(([, data]) => data['delta'].text as string);
    expect(text).toEqual(['Hello ', 'there, ', 'world.']);
    expect(events[0][0]).toBe('message_start');
    expect(events[events.length - 2][1]).toMatchObject({ delta: { stop_reason: 'max_tokens' } });
    expect(events[events.length - 1][0]).toBe('message_stop');
  });
});
