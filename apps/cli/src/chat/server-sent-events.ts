/**
 * The `data` of each server-sent event of a stream, as it arrives (multi-line data joined with `\n`;
 * comments and other fields skipped), per the WHATWG event-stream format ingress writes.
 */
export async function* serverSentEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  // A chunk ending in \r may be the first half of \r\n: it waits for the next chunk.
  let held = '';
  for await (const chunk of body) {
    const text = held + decoder.decode(chunk, { stream: true });
    held = text.endsWith('\r') ? '\r' : '';
    buffer += (held ? text.slice(0, -1) : text).replace(/\r\n?/g, '\n');
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const data = dataOf(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (data !== undefined) yield data;
    }
  }
  const last = dataOf((buffer + held + decoder.decode()).replace(/\r\n?/g, '\n'));
  if (last !== undefined) yield last;
}

function dataOf(event: string): string | undefined {
  const lines = event
    .split('\n')
    .filter((line) => line === 'data' || line.startsWith('data:'))
    .map((line) => line.slice(5).replace(/^ /, ''));
  return lines.length > 0 ? lines.join('\n') : undefined;
}
