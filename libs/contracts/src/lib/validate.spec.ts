import { chatRequestSchema } from '../payloads/chat-request';
import { RouterError } from './errors';
import { decodeJson, parsePayload } from './validate';

describe(parsePayload.name, () => {
  it('names the field when a nested value is wrong', () => {
    const call = () => parsePayload(chatRequestSchema, { messages: [{ role: 'user', content: 3 }] }, 'request');
    expect(call).toThrow(RouterError);
    try {
      call();
    } catch (err) {
      expect((err as RouterError).toBody()).toMatchObject({ code: 'invalid_request', field: 'messages.0.content' });
    }
  });

  it('says the message list must not be empty', () => {
    expect(() => parsePayload(chatRequestSchema, { messages: [] }, 'request')).toThrow(
      /messages: must contain at least one message/,
    );
  });

  it('returns the parsed value when valid', () => {
    expect(
      parsePayload(chatRequestSchema, { messages: [{ role: 'user', content: 'hi' }] }, 'request').messages,
    ).toHaveLength(1);
  });
});

describe(decodeJson.name, () => {
  it('reports invalid JSON with its own code', () => {
    expect(() => decodeJson('{"messages": [')).toThrow(expect.objectContaining({ code: 'invalid_json' }) as Error);
  });
  it('reports an empty body', () => {
    expect(() => decodeJson(new Uint8Array())).toThrow(expect.objectContaining({ code: 'invalid_json' }) as Error);
  });
  it('decodes bytes', () => {
    expect(decodeJson(new TextEncoder().encode('{"a":1}'))).toEqual({ a: 1 });
  });
});
