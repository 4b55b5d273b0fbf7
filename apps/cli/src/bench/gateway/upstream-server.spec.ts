import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UPSTREAM_READY, createUpstreamServer, upstreamPortFrom } from './upstream-server';

describe(upstreamPortFrom.name, () => {
  it('reads the port once the upstream has said it is ready', () => {
    expect(upstreamPortFrom(`starting\n${UPSTREAM_READY} 40123\n`)).toBe(40123);
  });
  it('is undefined before that', () => {
    expect(upstreamPortFrom('starting\n')).toBeUndefined();
  });
});

describe(createUpstreamServer.name, () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createUpstreamServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('answers a chat completion naming the requested model', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model: string }).model).toBe('m1');
  });

  it('receives OTLP exports as a collector answers them, and counts what came', async () => {
    const proto = await fetch(`${base}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from([1, 2, 3]),
    });
    expect([proto.status, proto.headers.get('content-type'), (await proto.arrayBuffer()).byteLength]).toEqual([
      200,
      'application/x-protobuf',
      0,
    ]);
    const json = await fetch(`${base}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
    });
    expect([json.status, await json.json()]).toEqual([200, {}]);
    expect(await (await fetch(`${base}/otlp-stats`)).json()).toEqual({ exports: 2, bytes: 3 + 20 });
  });
});
