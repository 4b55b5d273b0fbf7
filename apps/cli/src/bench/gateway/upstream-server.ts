import { once } from 'node:events';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { instantCompletion } from './chat-completion';

/** The line the upstream prints once it listens, followed by its port. */
export const UPSTREAM_READY = 'upstream ready on port';

/** The port in an upstream's output, once it has said it is ready. */
export function upstreamPortFrom(stdout: string): number | undefined {
  const port = new RegExp(`${UPSTREAM_READY} (\\d+)`).exec(stdout)?.[1];
  return port === undefined ? undefined : Number(port);
}

/**
 * An OpenAI-compatible provider that answers every POST /v1/chat/completions at once with the same valid
 * chat.completion (the request's model echoed): the floor each gateway is measured against, in a process
 * of its own (`switchyard bench upstream`) so it does not share the load generator's event loop. Runs
 * until SIGTERM or SIGINT.
 */
export async function runUpstreamServer(opts: { port: number }): Promise<number> {
  let served = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8'), ++served));
  });
  // Longer than any pause between benchmark steps: a gateway's pooled connection is not closed under it.
  server.keepAliveTimeout = 60_000;
  server.listen(opts.port, '127.0.0.1');
  await once(server, 'listening');
  process.stdout.write(`${UPSTREAM_READY} ${(server.address() as AddressInfo).port}\n`);
  await Promise.race([once(process, 'SIGTERM'), once(process, 'SIGINT')]);
  server.closeAllConnections();
  server.close();
  return 0;
}

function answer(req: IncomingMessage, res: ServerResponse, text: string, n: number): void {
  if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/chat/completions')
    return send(res, 404, { error: { message: `no route ${req.method ?? ''} ${req.url ?? ''}`, type: 'not_found' } });
  let model: unknown;
  try {
    model = (JSON.parse(text) as { model?: unknown }).model;
  } catch {
    return send(res, 400, { error: { message: 'the body is not JSON', type: 'invalid_request_error' } });
  }
  if (typeof model !== 'string' || model === '')
    return send(res, 400, { error: { message: 'model is required', type: 'invalid_request_error' } });
  send(res, 200, instantCompletion(model, `chatcmpl-bench-${n}`, Math.floor(Date.now() / 1000)));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
