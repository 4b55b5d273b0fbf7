import type { IncomingMessage } from 'node:http';
import { RouterError, decodeJson } from '@switchyard/contracts';

/**
 * Reads a JSON request body with a size limit, answering oversized and malformed bodies with our own
 * error codes (express's body parser would answer them in its own shape).
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // discard the rest so the connection can be reused
    throw new RouterError('payload_too_large', `request is ${declared} bytes; the limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new RouterError('payload_too_large', `request is over the limit of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return decodeJson(Buffer.concat(chunks));
}
