import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { registerContextManager } from '../context-manager';
import { contextFromTraceparent, currentTraceparent } from '../trace-context';
import { traceHttpRequest } from './http-server-span';
import { withClientSpan, withSpan } from './spans';
import { startTracing } from './start-tracing';
import { tracingEnabled } from './state';

/** What an OTLP/HTTP collector received: each POST's path, content type and body. */
interface Export {
  path: string;
  contentType: string;
  body: Buffer;
}

// A collector's OTLP/HTTP receiver, reduced to what the exporter needs: POST /v1/traces, 200 with an empty
// (JSON or protobuf) ExportTraceServiceResponse.
async function collector(): Promise<{ server: Server; url: string; exports: Export[] }> {
  const exports: Export[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      exports.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: Buffer.concat(chunks),
      });
      const json = (req.headers['content-type'] ?? '').includes('json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports };
}

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

interface JsonSpan {
  status?: { code?: number };
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

function spansOf(exports: Export[]) {
  return exports.flatMap((e) =>
    (
      JSON.parse(e.body.toString()) as {
        resourceSpans: Array<{
          resource: { attributes: JsonSpan['attributes'] };
          scopeSpans: Array<{ spans: JsonSpan[] }>;
        }>;
      }
    ).resourceSpans.flatMap((r) =>
      r.scopeSpans.flatMap((s) =>
        s.spans.map((span) => ({
          ...span,
          resource: attributeMap(r.resource.attributes),
          attrs: attributeMap(span.attributes),
        })),
      ),
    ),
  );
}

function attributeMap(list: JsonSpan['attributes']): Record<string, unknown> {
  return Object.fromEntries(list.map((a) => [a.key, Object.values(a.value)[0]]));
}

describe(startTracing.name, () => {
  let receiver: Awaited<ReturnType<typeof collector>>;

  beforeAll(async () => {
    registerContextManager();
    receiver = await collector();
  });

  afterAll(() => new Promise((resolve) => receiver.server.close(resolve)));
  beforeEach(() => (receiver.exports.length = 0));

  it('loads nothing and records nothing without an endpoint', async () => {
    const stop = await startTracing('analyzer', { env: {}, logger: quiet });
    expect(tracingEnabled()).toBe(false);
    // Off, a request without a trace still gets a trace id to carry through its hops.
    expect(currentTraceparent(contextFromTraceparent(undefined))).toMatch(/^00-[0-9a-f]{32}-/);
    await stop();
    expect(receiver.exports).toEqual([]);
  });

  it('exports the spans of a continued trace as OTLP JSON, flushed when it stops', async () => {
    const stop = await startTracing('analyzer', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      logger: quiet,
    });
    expect(tracingEnabled()).toBe(true);
    // On, a request without a trace starts from the root: its first span is a real root.
    expect(contextFromTraceparent(undefined)).toBe(ROOT_CONTEXT);
    await withSpan('analyzer', 'process router.request.received.v1', contextFromTraceparent(CALLER), {}, () =>
      withClientSpan(
        'analyzer',
        'chat gpt-4o-mini',
        () => ({ 'gen_ai.request.model': 'gpt-4o-mini' }),
        async () => {
          throw Object.assign(new Error('provider down'), { code: 'provider_error' });
        },
      ).catch(() => undefined),
    );
    await stop(); // nothing waits for the 5 s batch delay: stopping flushes
    expect(tracingEnabled()).toBe(false);

    expect(receiver.exports.map((e) => [e.path, e.contentType])).toEqual([['/v1/traces', 'application/json']]);
    const spans = spansOf(receiver.exports);
    const [server, client] = ['process router.request.received.v1', 'chat gpt-4o-mini'].map((n) =>
      spans.find((s) => s.name === n),
    );
    expect(server).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentSpanId: '00f067aa0ba902b7',
      resource: { 'service.name': 'analyzer', 'service.namespace': 'switchyard' },
      attrs: { 'switchyard.service': 'analyzer' },
    });
    expect(client).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentSpanId: server?.spanId,
      kind: SpanKind.CLIENT + 1, // OTLP numbers kinds from 1 (INTERNAL), the API from 0
      attrs: { 'gen_ai.request.model': 'gpt-4o-mini', 'error.type': 'provider_error' },
      status: { code: 2 }, // ERROR
    });
    // Failed by what failed, not by the error's text (it may quote a provider's reply).
    expect(receiver.exports[0].body.toString()).not.toContain('provider down');
  });

  it('serves an HTTP request in a server span that continues the caller and answers its traceparent', async () => {
    const stop = await startTracing('ingress', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      logger: quiet,
    });
    let sent: string | undefined;
    const door = createServer((req, res) => {
      void traceHttpRequest('ingress', '/v1/chat/completions', req, res, async () => {
        sent = currentTraceparent();
        res.writeHead(502, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => door.listen(0, '127.0.0.1', resolve));
    const answered = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(
        {
          port: (door.address() as AddressInfo).port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { traceparent: CALLER },
        },
        (res) => {
          res.resume();
          resolve(res.headers.traceparent as string | undefined);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    await new Promise((resolve) => door.close(resolve));
    await stop();

    const [span] = spansOf(receiver.exports);
    expect(answered).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${span.spanId}-01`);
    expect(sent).toBe(answered);
    expect(span).toMatchObject({
      name: 'POST /v1/chat/completions',
      parentSpanId: '00f067aa0ba902b7',
      attrs: { 'http.route': '/v1/chat/completions', 'http.response.status_code': 502 },
    });
  });

  it('sends protobuf by default (the OTLP default)', async () => {
    const stop = await startTracing('analyzer', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, logger: quiet });
    await withSpan('analyzer', 'a-protobuf-span', ROOT_CONTEXT, {}, async () => undefined);
    await stop();
    expect(receiver.exports.map((e) => [e.path, e.contentType])).toEqual([['/v1/traces', 'application/x-protobuf']]);
    // Protobuf carries strings as their UTF-8 bytes.
    expect(receiver.exports[0].body.includes(Buffer.from('a-protobuf-span'))).toBe(true);
  });

  it('runs one SDK for services sharing a process, named switchyard, flushed when the last one stops', async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
    const stops = [
      await startTracing('feedback-aggregator', { env, colocated: true, logger: quiet }),
      await startTracing('ingress', { env, colocated: true, logger: quiet }),
    ];
    await withSpan('ingress', 'one', ROOT_CONTEXT, {}, async () => undefined);
    await withSpan('feedback-aggregator', 'two', ROOT_CONTEXT, {}, async () => undefined);
    await stops[1]();
    expect(tracingEnabled()).toBe(true);
    expect(receiver.exports).toEqual([]);
    await stops[0]();
    expect(tracingEnabled()).toBe(false);
    const spans = spansOf(receiver.exports);
    expect(spans.map((s) => [s.name, s.resource['service.name'], s.attrs['switchyard.service']])).toEqual([
      ['one', 'switchyard', 'ingress'],
      ['two', 'switchyard', 'feedback-aggregator'],
    ]);
  });
});
