import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
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
  const server = createUpstreamServer();
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

/** The upstream's HTTP server, not yet listening: chat completions, and the OTLP sink. */
export function createUpstreamServer(): Server {
  let served = 0;
  const otlp: OtlpSinkStats = { exports: 0, bytes: 0 };
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url?.split('?')[0];
      if (path === OTLP_TRACES_PATH || path === OTLP_STATS_PATH) return otlpSink(req, res, body, otlp);
      answer(req, res, body.toString('utf8'), ++served);
    });
  });
}

/** What the upstream's OTLP sink has received (GET /otlp-stats), for a benchmark that traces. */
export interface OtlpSinkStats {
  exports: number;
  bytes: number;
}

export const OTLP_TRACES_PATH = '/v1/traces';
export const OTLP_STATS_PATH = '/otlp-stats';

/**
 * The upstream doubles as an OTLP/HTTP traces receiver, so a benchmark with tracing on exports real spans over
 * HTTP without a collector: POST /v1/traces is counted and answered as a collector does (200, an empty
 * ExportTraceServiceResponse in the request's encoding); GET /otlp-stats says what came.
 */
function otlpSink(req: IncomingMessage, res: ServerResponse, body: Buffer, stats: OtlpSinkStats): void {
  if (req.method === 'GET') return send(res, 200, stats);
  if (req.method !== 'POST') return send(res, 405, { error: { message: 'POST spans here', type: 'not_found' } });
  stats.exports += 1;
  stats.bytes += body.length;
  if ((req.headers['content-type'] ?? '').includes('json')) return send(res, 200, {});
  res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end();
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
