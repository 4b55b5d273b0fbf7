import { serverSentEvents } from './server-sent-events';

async function eventsOf(chunks: string[]): Promise<string[]> {
  async function* body() {
    for (const chunk of chunks) yield new TextEncoder().encode(chunk);
  }
  const events: string[] = [];
  for await (const data of serverSentEvents(body())) events.push(data);
  return events;
}

describe(serverSentEvents.name, () => {
  it('yields the data of each event as its blank line arrives, across chunk boundaries', async () => {
    expect(await eventsOf(['data: {"a":', '1}\n', '\ndata: [DONE]\n\n'])).toEqual(['{"a":1}', '[DONE]']);
  });

  it('joins multi-line data and skips comments and other fields', async () => {
    expect(await eventsOf([': keep-alive\n\nevent: x\ndata: one\ndata: two\nid: 3\n\n'])).toEqual(['one\ntwo']);
  });

  it('reads CRLF line ends, even split between chunks', async () => {
    expect(await eventsOf(['data: a\r', '\n\r', '\ndata: b\r\n\r\n'])).toEqual(['a', 'b']);
  });

  it('yields a last event the stream ended without its blank line', async () => {
    expect(await eventsOf(['data: a\n\ndata: b'])).toEqual(['a', 'b']);
  });
});
