import { randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type ChatSuccess, SUBJECTS } from '@switchyard/contracts';
import type { ServiceStack } from '@switchyard/launcher';
import { testInfra, uniqueName, waitFor } from '@switchyard/testing';
import { TENANT_KEYS, authHeaders, e2eStack } from './stack';

/** One span as the OTLP/JSON export carries it, its attributes flattened. */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  /** The service that made it (`switchyard.service`). */
  service: string;
  /** Its resource's service.name: the service's, or `switchyard` for a co-located process. */
  process: string;
  attrs: Record<string, unknown>;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

// OTLP numbers span kinds from 1: INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER.
const KIND = { server: 2, client: 3, consumer: 5 } as const;
const HOPS = ['ingress', 'analyzer', 'decision-engine', 'provider-adapters', 'feedback-aggregator'] as const;

/**
 * An OpenTelemetry collector's OTLP/HTTP receiver, reduced to the part the services talk to: POST /v1/traces
 * with JSON bodies (OTEL_EXPORTER_OTLP_PROTOCOL=http/json), answered 200 `{}`. Keeps every span it is sent.
 */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** The raw bodies, to check what never goes into a span. */
  readonly bodies: string[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/traces' || !req.headers['content-type']?.includes('json')) {
          res.writeHead(404).end();
          return;
        }
        const body = Buffer.concat(chunks).toString();
        this.bodies.push(body);
        this.receive(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  inTrace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  private receive(request: {
    resourceSpans: Array<{
      resource: { attributes: OtlpAttribute[] };
      scopeSpans: Array<{
        spans: Array<Omit<ReceivedSpan, 'service' | 'process' | 'attrs'> & { attributes: OtlpAttribute[] }>;
      }>;
    }>;
  }): void {
    for (const r of request.resourceSpans) {
      const process = String(flatten(r.resource.attributes)['service.name']);
      for (const scope of r.scopeSpans)
        for (const { attributes, ...span } of scope.spans) {
          const attrs = flatten(attributes);
          this.spans.push({ ...span, service: String(attrs['switchyard.service']), process, attrs });
        }
    }
  }
}

function flatten(attributes: OtlpAttribute[]): Record<string, unknown> {
  return Object.fromEntries(
    attributes.map(({ key, value }) => {
      const [kind, v] = Object.entries(value)[0];
      // int64 may travel as a string in OTLP/JSON.
      return [key, kind === 'intValue' ? Number(v) : v];
    }),
  );
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** What the caller was told about its request, whichever door's shape it came in: what the spans must say. */
interface Answered {
  requestId: string;
  provider: string;
  model: string;
  decision: ChatSuccess['decision'];
  difficulty: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  text: string;
}

type Routed = Pick<ChatSuccess, 'requestId' | 'provider' | 'decision' | 'difficulty' | 'costUsd'>;

const fromNats = (r: ChatSuccess): Answered => ({
  ...r,
  inputTokens: r.usage.inputTokens,
  outputTokens: r.usage.outputTokens,
  text: r.answer.content,
});

const receiver = new OtlpReceiver();
beforeAll(() => receiver.start());
afterAll(() => receiver.stop());

/** The services' OTEL settings: JSON to the receiver, batches every 100 ms (the test waits for spans, not 5 s). */
const otelEnv = () => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_BSP_SCHEDULE_DELAY: '100',
});

/** Waits (bounded) until every hop of the request has sent its span, then returns them by service. */
async function hopsOf(traceId: string, ingressSpan: string): Promise<Record<(typeof HOPS)[number], ReceivedSpan>> {
  return waitFor(
    `the spans of trace ${traceId} from ${HOPS.join(', ')}`,
    () => {
      const spans = receiver.inTrace(traceId);
      const found = {
        ingress: spans.find((s) => s.service === 'ingress' && s.name === ingressSpan),
        analyzer: spans.find((s) => s.service === 'analyzer' && s.name === `process ${SUBJECTS.requestReceived}`),
        'decision-engine': spans.find(
          (s) => s.service === 'decision-engine' && s.name === `process ${SUBJECTS.requestAnalyzed}`,
        ),
        'provider-adapters': spans.find(
          (s) => s.service === 'provider-adapters' && s.name === `process ${SUBJECTS.routeDecidedV2}`,
        ),
        'feedback-aggregator': spans.find(
          (s) => s.service === 'feedback-aggregator' && s.name === `process ${SUBJECTS.completionSucceeded}`,
        ),
      };
      return Object.values(found).every(Boolean) ? (found as Record<(typeof HOPS)[number], ReceivedSpan>) : undefined;
    },
    10_000,
  );
}

/** What every request's trace shows, whichever door it came in by. */
function expectJoinedUp(hops: Record<(typeof HOPS)[number], ReceivedSpan>, reply: Answered, marker: string) {
  const { ingress, analyzer } = hops;
  const decisionEngine = hops['decision-engine'];
  const providerAdapters = hops['provider-adapters'];
  const feedbackAggregator = hops['feedback-aggregator'];
  // Each hop the child of the one before it: one tree, not five traces that share an id.
  expect(analyzer.parentSpanId).toBe(ingress.spanId);
  expect(decisionEngine.parentSpanId).toBe(analyzer.spanId);
  expect(providerAdapters.parentSpanId).toBe(decisionEngine.spanId);
  expect(feedbackAggregator.parentSpanId).toBe(providerAdapters.spanId);
  for (const span of Object.values(hops)) {
    expect(span.attrs).toMatchObject({
      'switchyard.request_id': reply.requestId,
      'switchyard.tenant': 'acme',
      'switchyard.service': span.service,
    });
  }
  expect(analyzer.kind).toBe(KIND.server);
  expect(feedbackAggregator.kind).toBe(KIND.consumer);
  expect(analyzer.attrs['switchyard.difficulty']).toBe(reply.difficulty);

  const decision = {
    'switchyard.decision.method': reply.decision.method,
    'switchyard.decision.rule': reply.decision.rule,
    'switchyard.decision.model': reply.decision.plan.model,
    'switchyard.decision.policy_version': reply.decision.policyVersion,
  };
  const answered = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': reply.provider,
    'gen_ai.system': reply.provider,
    'gen_ai.response.model': reply.model,
    'gen_ai.usage.input_tokens': reply.inputTokens,
    'gen_ai.usage.output_tokens': reply.outputTokens,
    'switchyard.cost_usd': reply.costUsd,
  };
  expect(decisionEngine.attrs).toMatchObject(decision);
  for (const span of [ingress, providerAdapters, feedbackAggregator])
    expect(span.attrs).toMatchObject({ ...decision, ...answered });

  // The provider call: a client span under provider-adapters' own, after the GenAI conventions.
  const call = receiver
    .inTrace(ingress.traceId)
    .find((s) => s.parentSpanId === providerAdapters.spanId && s.kind === KIND.client);
  expect(call).toMatchObject({
    name: `chat ${reply.model}`,
    service: 'provider-adapters',
    attrs: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': reply.provider,
      'gen_ai.request.model': reply.model,
      'gen_ai.response.model': reply.model,
      'gen_ai.usage.input_tokens': reply.inputTokens,
      'gen_ai.usage.output_tokens': reply.outputTokens,
      'switchyard.cost_usd': reply.costUsd,
      'switchyard.provider.attempts': 1,
    },
  });

  // Neither the prompt nor the answer goes into a span.
  const exported = receiver.bodies.join('\n');
  expect(exported).not.toContain(marker);
  expect(reply.text.length).toBeGreaterThan(0);
  expect(exported).not.toContain(reply.text);
}

// The six services exporting spans to a collector: a request keeps one trace id across every hop (HTTP in,
// NATS hops, the JetStream record), each hop's span the child of the one before, whichever door it came by.
describe('tracing across the six services (OTLP to a collector)', () => {
  let stack: ServiceStack;
  let nc: NatsConnection;

  beforeAll(async () => {
    stack = e2eStack(uniqueName('tracing'), { env: otelEnv() });
    await stack.start();
    nc = await connect({ servers: testInfra.natsUrl });
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
  }, 60_000);

  it('continues the trace of an HTTP caller on the OpenAI door, through every hop, and answers its traceparent', async () => {
    const [traceId, callerSpan] = [hex(16), hex(8)];
    const marker = uniqueName('secret-prompt');
    const res = await fetch(`${stack.get('ingress').baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TENANT_KEYS.acme}`,
        traceparent: `00-${traceId}-${callerSpan}-01`,
      },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: `hello there ${marker}` }] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      model: string;
      usage: { prompt_tokens: number; completion_tokens: number };
      choices: Array<{ message: { content: string } }>;
      switchyard: Routed;
    };
    const reply: Answered = {
      ...body.switchyard,
      model: body.model,
      inputTokens: body.usage.prompt_tokens,
      outputTokens: body.usage.completion_tokens,
      text: body.choices[0].message.content,
    };
    const hops = await hopsOf(traceId, 'POST /v1/chat/completions');
    expect(hops.ingress).toMatchObject({ parentSpanId: callerSpan, kind: KIND.server });
    expect(hops.ingress.attrs).toMatchObject({
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
    });
    expect(res.headers.get('traceparent')).toBe(`00-${traceId}-${hops.ingress.spanId}-01`);
    expect(reply.decision.rule).toBe('greeting');
    expectJoinedUp(hops, reply, marker);
  });

  it('starts a trace for a request on the Anthropic door and tells the caller its id', async () => {
    const marker = uniqueName('secret-prompt');
    const res = await fetch(`${stack.get('ingress').baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TENANT_KEYS.acme, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'auto',
        max_tokens: 256,
        messages: [{ role: 'user', content: `Please implement a stack in Go ${marker}` }],
      }),
    });
    expect(res.status).toBe(200);
    const traceparent = res.headers.get('traceparent') ?? '';
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = traceparent.split('-')[1];
    const body = (await res.json()) as {
      model: string;
      usage: { input_tokens: number; output_tokens: number };
      content: Array<{ type: string; text: string }>;
      switchyard: Routed;
    };
    const reply: Answered = {
      ...body.switchyard,
      model: body.model,
      inputTokens: body.usage.input_tokens,
      outputTokens: body.usage.output_tokens,
      text: body.content[0].text,
    };
    const hops = await hopsOf(traceId, 'POST /v1/messages');
    expect(hops.ingress.parentSpanId).toBeUndefined(); // the root: no caller's trace to continue
    expect(reply.decision.rule).toBe('code_generation');
    expectJoinedUp(hops, reply, marker);
  });

  it('continues the trace of a NATS caller on router.request.v1', async () => {
    const [traceId, callerSpan] = [hex(16), hex(8)];
    const marker = uniqueName('secret-prompt');
    const h = authHeaders('acme');
    h.set('traceparent', `00-${traceId}-${callerSpan}-01`);
    const msg = await nc.request(
      SUBJECTS.request,
      JSON.stringify({ messages: [{ role: 'user', content: `请分析这家公司的财报 ${marker}` }] }),
      { timeout: 15_000, headers: h },
    );
    const reply = msg.json<ChatSuccess>();
    expect(reply).toMatchObject({ ok: true });
    const hops = await hopsOf(traceId, `process ${SUBJECTS.request}`);
    expect(hops.ingress).toMatchObject({ parentSpanId: callerSpan, kind: KIND.server });
    expectJoinedUp(hops, fromNats(reply), marker);
  });
});

// `switchyard serve --services all`: one process, one SDK. Its spans name the process `switchyard` and each span
// the service that made it; the hops between its services are local calls, and still one tree.
describe('tracing the six services co-located in one process', () => {
  it('keeps one trace across the services of the process, exported when the process stops', async () => {
    // Batches every minute: the spans can only arrive through the flush at shutdown.
    const env = { ...otelEnv(), OTEL_BSP_SCHEDULE_DELAY: '60000' };
    const stack = e2eStack(uniqueName('tracing-colocated'), { colocated: true, env });
    await stack.start();
    const traceId = hex(16);
    let codes: Awaited<ReturnType<ServiceStack['stop']>>;
    try {
      const res = await fetch(`${stack.get('ingress').baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${TENANT_KEYS.acme}`,
          traceparent: `00-${traceId}-${hex(8)}-01`,
        },
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hello there' }] }),
      });
      expect(res.status).toBe(200);
      expect(receiver.inTrace(traceId)).toEqual([]);
    } finally {
      codes = await stack.stop();
    }
    expect(Object.values(codes)).toEqual(HOPS.map(() => 0).concat(0)); // six services, all drained cleanly
    const hops = await hopsOf(traceId, 'POST /v1/chat/completions');
    expect(Object.values(hops).map((s) => [s.service, s.process])).toEqual(HOPS.map((h) => [h, 'switchyard']));
    expect(hops.analyzer.parentSpanId).toBe(hops.ingress.spanId);
    expect(hops['decision-engine'].parentSpanId).toBe(hops.analyzer.spanId);
    expect(hops['provider-adapters'].parentSpanId).toBe(hops['decision-engine'].spanId);
    expect(hops['feedback-aggregator'].parentSpanId).toBe(hops['provider-adapters'].spanId);
  }, 120_000);
});
