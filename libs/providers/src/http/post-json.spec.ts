import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '@switchyard/testing';
import { ProviderError } from '../lib/provider-error';
import { IDLE_CONNECTION_MS, MAX_RESPONSE_BYTES, postJson, postSse } from './post-json';

// The HTTP client itself, against real local servers: what the adapters' fake provider does not play.
type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let handler: Handler = (_req, res) => res.end('{}');
const connections: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', (socket) => connections.push(`${socket.remotePort}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  connections.length = 0;
});

const failure = (p: Promise<unknown>): Promise<ProviderError> =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => {
      expect(err).toBeInstanceOf(ProviderError);
      return err as ProviderError;
    },
  );

describe(postJson.name, () => {
  it('sends JSON with its length and headers, reads the answer, and keeps the connection for the next call', async () => {
    const seen: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    handler = (req, res, body) => {
      seen.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"answer":"é"}');
    };
    for (let i = 0; i < 3; i++)
      expect(await postJson(`${base}/v1/x`, { authorization: 'Bearer k' }, { q: 'é' }, undefined, 'p')).toEqual({
        status: 200,
        body: { answer: 'é' },
      });
    expect(seen[0].body).toBe('{"q":"é"}');
    expect(seen[0].headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength('{"q":"é"}')),
      authorization: 'Bearer k',
    });
    expect(connections).toHaveLength(1);
  });

  it(`closes a connection idle for ${IDLE_CONNECTION_MS} ms, and opens another for the next call`, async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    await postJson(`${base}/a`, {}, {}, undefined, 'p');
    const opened = connections.length; // 0 when the last test's connection was still open
    await postJson(`${base}/b`, {}, {}, undefined, 'p');
    expect(connections).toHaveLength(opened);
    await new Promise((resolve) => setTimeout(resolve, IDLE_CONNECTION_MS + 500));
    await postJson(`${base}/c`, {}, {}, undefined, 'p');
    expect(connections).toHaveLength(opened + 1);
  }, 15_000);

  it(`refuses an answer larger than ${MAX_RESPONSE_BYTES} bytes without retrying it`, async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const block = Buffer.alloc(1024 * 1024, 'a');
      let sent = 0;
      const more = (): void => {
        while (sent <= MAX_RESPONSE_BYTES / block.length) {
          sent++;
          if (!res.write(block)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('error', () => undefined);
      more();
    };
    const err = await failure(postJson(`${base}/big`, {}, {}, undefined, 'p'));
    expect(err.message).toBe(`p answered more than ${MAX_RESPONSE_BYTES} bytes`);
    expect(err.retryable).toBe(false);
  });

  it('fails retryable when the connection closes before the answer ends', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"answer":');
      setTimeout(() => req.socket.destroy(), 10);
    };
    const err = await failure(postJson(`${base}/cut`, {}, {}, undefined, 'p'));
    expect(err.message).toMatch(/^p connection failed: /);
    expect(err.retryable).toBe(true);
  });

  it('says a timeout is one, while the answer is still coming', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"answer":');
    };
    const err = await failure(postJson(`${base}/slow`, {}, {}, AbortSignal.timeout(50), 'p'));
    expect(err.message).toBe('p call timed out');
    expect(err.retryable).toBe(true);
  });

  it('refuses a base URL that is not http or https, naming it', async () => {
    const err = await failure(postJson('ftp://example.test/v1', {}, {}, undefined, 'p'));
    expect(err.message).toBe('p base URL must be http or https: ftp://example.test/v1');
    expect(err.retryable).toBe(false);
    expect((await failure(postJson('not a url', {}, {}, undefined, 'p'))).message).toMatch(/is not a URL/);
  });

  it('speaks TLS to an https URL (and does not trust a self-signed certificate)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'post-json-tls-'));
    const { key, cert } = selfSignedCertificate(dir);
    const tls = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const port = (tls.address() as AddressInfo).port;
      const err = await failure(postJson(`https://127.0.0.1:${port}/v1`, {}, {}, undefined, 'p'));
      expect(err.message).toBe('p connection failed: DEPTH_ZERO_SELF_SIGNED_CERT');
    } finally {
      await new Promise<void>((resolve) => tls.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe(postSse.name, () => {
  const sse = (res: ServerResponse): ServerResponse =>
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });

  it('hands over each event, split across chunks and CRLF-delimited alike', async () => {
    handler = (_req, res) => {
      sse(res).write('event: a\r\ndata: {"n":1}\r\n\r\ndata: {"n"');
      setTimeout(() => res.end(':2}\n\ndata: [DONE]\n\n'), 10);
    };
    const events: Array<[string, string | undefined]> = [];
    await postSse(`${base}/s`, {}, {}, undefined, 'p', (data, event) => events.push([data, event]));
    expect(events).toEqual([
      ['{"n":1}', 'a'],
      ['{"n":2}', undefined],
      ['[DONE]', undefined],
    ]);
  });

  it('fails retryable when the stream breaks off, after the events that arrived', async () => {
    handler = (req, res) => {
      sse(res).write('data: {"n":1}\n\n');
      setTimeout(() => req.socket.destroy(), 10);
    };
    const events: string[] = [];
    const err = await failure(postSse(`${base}/s`, {}, {}, undefined, 'p', (data) => events.push(data)));
    expect(events).toEqual(['{"n":1}']);
    expect(err.message).toMatch(/^p connection failed: /);
    expect(err.retryable).toBe(true);
  });

  it('fails as postJson does on a status before the stream', async () => {
    handler = (_req, res) =>
      res
        .writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' })
        .end('{"error":{"message":"slow down"}}');
    const err = await failure(postSse(`${base}/s`, {}, {}, undefined, 'p', () => undefined));
    expect(err).toMatchObject({ message: 'p rate limited the call: slow down', status: 429, retryAfterMs: 3000 });
  });
});
