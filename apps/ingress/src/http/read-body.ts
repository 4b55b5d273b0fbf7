import type { IncomingMessage } from 'node:http';
import { RouterError, decodeJson } from '@switchyard/contracts';

/**
 * Reads a JSON request body with a size limit and a time limit, answering oversized, malformed and stalled
 * bodies with our own error codes (express's body parser would answer them in its own shape, and a body
 * shorter than its Content-Length would hold the connection open for as long as the client cares to wait).
 */
export function readJsonBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // discard the rest so the connection can be reused
    return Promise.reject(new RouterError('payload_too_large', `request is ${declared} bytes; the limit is ${limit}`));
  }
  return new Promise<unknown>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err?: RouterError) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError);
      if (err) {
        req.resume(); // whatever still comes is discarded
        reject(err);
        return;
      }
      try {
        resolve(decodeJson(Buffer.concat(chunks)));
      } catch (e) {
        reject(e);
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(new RouterError('payload_too_large', `request is over the limit of ${limit} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = (err: Error) =>
      finish(new RouterError('invalid_request', `the body could not be read: ${err.message}`));
    const timer = setTimeout(
      () =>
        finish(
          new RouterError(
            'request_timeout',
            Number.isFinite(declared)
              ? `the body did not arrive within ${timeoutMs} ms: ${size} of the ${declared} bytes its Content-Length announced`
              : `the body did not arrive within ${timeoutMs} ms (${size} bytes so far)`,
          ),
        ),
      timeoutMs,
    );
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
