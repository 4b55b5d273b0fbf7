import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Msg, type NatsConnection, connect } from '@nats-io/transport-node';
import { type ChatDelta, type ChatSuccess, type FeedbackAccepted, SUBJECTS, recordKey } from '@switchyard/contracts';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { TemporaryNats, mongoUriFor, uniqueName, waitFor } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { TENANT_KEYS, e2eStack, natsUsersOf } from './stack';

// The Go example client (examples/go-client), built with the machine's Go and run as a product team runs
// it: a tenant of the committed NATS permissions (its own account, user and password), its Switchyard key
// in a header, answers and feedback on the public subjects only.
const root = findWorkspaceRoot(__dirname);
const EXAMPLE = join(root, 'examples', 'go-client');
// Go's build cache outlives the run (a stable temp path): the second run links in a second or two.
const GO_CACHE = join(tmpdir(), 'switchyard-e2e-go-build-cache');

interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The `name:   value` lines the client prints. */
  out: Record<string, string>;
}

/** The `go` on PATH, or where the machines install it; a clear failure when there is none. */
async function findGo(): Promise<string> {
  for (const go of ['go', '/usr/local/go/bin/go']) {
    const found = await promisify(execFile)(go, ['version']).then(
      () => true,
      () => false,
    );
    if (found) return go;
  }
  throw new Error(
    'Go is not installed (neither `go` on PATH nor /usr/local/go/bin/go): this suite builds examples/go-client ' +
      'with it. Install Go 1.26 or later.',
  );
}

/** `go build` of the example into `dir`, offline apart from the Go module proxy, go.mod and go.sum as committed. */
async function buildClient(dir: string): Promise<string> {
  const go = await findGo();
  const bin = join(dir, 'go-client');
  await promisify(execFile)(go, ['build', '-trimpath', '-o', bin, '.'], {
    cwd: EXAMPLE,
    timeout: 240_000,
    env: {
      ...process.env,
      GOCACHE: GO_CACHE,
      // The toolchain that is here, never one downloaded for go.mod's `go` line; -mod=readonly fails if the
      // committed go.mod or go.sum is incomplete instead of quietly rewriting them.
      GOTOOLCHAIN: 'local',
      GOFLAGS: '-mod=readonly -buildvcs=false',
    },
  }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`go build of examples/go-client failed: ${err.message}\n${err.stderr ?? ''}`);
  });
  return bin;
}

let binary: Promise<string> | undefined;
/** The client, built once for both suites of this file. */
function clientBinary(): Promise<string> {
  binary ??= buildClient(mkdtempSync(join(tmpdir(), 'go-client-')));
  return binary;
}

function lines(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdout.matchAll(/^(\w+):\s+(.*)$/gm)) out[m[1]] = m[2];
  return out;
}

describe('the Go example client (examples/go-client) against the six services', () => {
  const nats = new TemporaryNats(join(root, 'deploy', 'k8s', 'nats', 'nats-server.conf'));
  const database = uniqueName('goclient');
  let stack: ReturnType<typeof e2eStack> | undefined;
  let bin: string;
  let db: Connection;

  beforeAll(async () => {
    // The build and the services' start overlap: the build is the slower only the first time.
    const [built] = await Promise.all([
      clientBinary(),
      (async () => {
        await nats.start();
        // Each service as its own NATS user; a fresh server, so the records' durable reads from the start.
        stack = e2eStack(database, {
          env: { NATS_URL: nats.url, CONSUMER_START: 'all' },
          serviceEnv: natsUsersOf(nats),
        });
        await stack.start();
      })(),
    ]);
    bin = built;
    db = await mongoose.createConnection(mongoUriFor(database), { serverMonitoringMode: 'poll' }).asPromise();
  }, 300_000);

  afterAll(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
    await stack?.stop();
    await nats.stop();
  }, 60_000);

  // Request ids of this run only: Redis (and its idempotency window) is shared with earlier runs.
  const id = (name: string) => `${name}-${database}`;

  /** Runs the built client as tenant acme's service would; resolves with its exit code, never rejects on one. */
  function runClient(args: string[], env: Record<string, string> = {}): Promise<ClientRun> {
    return new Promise((resolve, reject) =>
      execFile(
        bin,
        args,
        {
          timeout: 30_000,
          // Only what it is given: nothing of the test runner's own NATS settings leaks in.
          env: {
            PATH: process.env['PATH'] ?? '',
            NATS_URL: nats.url,
            NATS_USER: 'demo',
            NATS_PASSWORD: nats.passwords.demo,
            SWITCHYARD_API_KEY: TENANT_KEYS.acme,
            ...env,
          },
        },
        (err, stdout, stderr) => {
          if (err && typeof err.code !== 'number')
            return reject(new Error(`go-client did not finish (${err.signal ?? err.message}): ${stderr}`));
          resolve({ code: err ? Number(err.code) : 0, stdout, stderr, out: lines(stdout) });
        },
      ),
    );
  }

  const record = (requestId: string) =>
    db.collection('routing_records').findOne({ _id: recordKey('acme', requestId) as never });

  const PROMPT = 'Please implement a stack in Go';
  let plainAnswer = '';

  it('prints the answer, model, method and cost, sends feedback, and both are recorded', async () => {
    const requestId = id('plain');
    const run = await runClient(['-request-id', requestId, '-rating', '4', '-comment', 'from go', PROMPT]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { out } = run;
    expect(out['request']).toMatch(new RegExp(`^${requestId} \\(trace [0-9a-f]{32}\\)$`));
    expect(out['answer']).toMatch(/^\[claude-3-sonnet\] \w/);
    expect(out['model']).toBe('claude-3-sonnet (provider simulated)');
    expect(out['method']).toMatch(/^rule \(rule code_generation; policy \S+\)$/);
    expect(out['feedback']).toMatch(new RegExp(`^accepted fb-[0-9a-f]{24} for ${requestId}$`));
    plainAnswer = out['answer'];

    const stored = await waitFor(
      'the record with its feedback',
      async () => {
        const r = await record(requestId);
        return r?.['feedback'] ? r : undefined;
      },
      20_000,
      100,
    );
    expect(stored).toMatchObject({
      status: 'succeeded',
      model: 'claude-3-sonnet',
      method: 'rule',
      rule: 'code_generation',
      feedback: { rating: 4, comment: 'from go', feedbackId: out['feedback'].split(' ')[1] },
    });
    const cost = /^\$(\d+\.\d{8}) \((\d+) tokens in, (\d+) out\)$/.exec(out['cost']);
    expect(cost).not.toBeNull();
    expect(Number(cost![1])).toBeCloseTo(stored['costUsd'] as number, 8);
    expect(stored['usage']).toMatchObject({ inputTokens: Number(cost![2]), outputTokens: Number(cost![3]) });
  });

  it('takes a streamed request over NATS in pieces to its final reply: the same answer, recorded', async () => {
    const requestId = id('stream');
    const run = await runClient(['-stream', '-rating', '0', '-request-id', requestId, PROMPT]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    // The simulated provider answers a prompt alike on every call, word by word: the pieces make the answer.
    expect(run.out['answer']).toBe(plainAnswer);
    expect(Number(run.out['pieces'])).toBeGreaterThan(1);
    expect(run.out['feedback']).toBeUndefined();
    await waitFor('the streamed request recorded', async () => ((await record(requestId)) ? true : undefined), 20_000);
  });

  it("exits 1 with Switchyard's error code and message on a failure reply", async () => {
    const wrongKey = await runClient(['-request-id', id('unauth'), 'hello'], { SWITCHYARD_API_KEY: 'sy_wrong' });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/^error: unauthorized: .+/m);
    expect(wrongKey.out['answer']).toBeUndefined();

    const badId = await runClient(['-request-id', 'not a valid id', 'hello']);
    expect(badId.code).toBe(1);
    expect(badId.stderr).toMatch(/^error: invalid_request: .*\(field requestId\)/m);
  });
});

// The client's side of the streaming protocol, proven against a stand-in for ingress on a NATS of its own.
// It imitates what ingress's callers receive on their reply inbox when an answer is streamed (provider-
// adapters' ChatDelta pieces, then the final ChatReply: EventPublisher.requestStream reads the same), and
// records the headers the client sent.
describe('the Go example client against a stand-in ingress that streams', () => {
  const dir = mkdtempSync(join(tmpdir(), 'go-client-fake-'));
  const conf = join(dir, 'nats.conf');
  writeFileSync(conf, '# no accounts, no users: the stand-in ingress and the client only\n');
  const nats = new TemporaryNats(conf);
  let nc: NatsConnection;
  let bin: string;
  const received: Msg[] = [];
  const feedback: Msg[] = [];
  /** What the stand-in does with the request it gets: its index among those received. */
  let behave: (msg: Msg, index: number) => void = () => undefined;

  const PIECES = ['[gpt-4o-mini] ', 'first ', 'step.'];
  const final = (requestId: string): ChatSuccess => ({
    ok: true,
    requestId,
    tenant: 'acme',
    model: 'gpt-4o-mini',
    provider: 'simulated',
    answer: { role: 'assistant', content: PIECES.join('') },
    finishReason: 'stop',
    decision: {
      plan: { kind: 'single', model: 'gpt-4o-mini' },
      method: 'difficulty',
      reason: 'difficulty 0.1 in band < 0.5',
      params: {},
      policyVersion: 'fake@1',
      alternatives: ['gpt-4o-mini'],
    },
    difficulty: 0.1,
    usage: { inputTokens: 7, outputTokens: 5, estimated: false },
    costUsd: 0.0000041,
    latency: { totalMs: 1, routingMs: 0, providerMs: 1 },
  });
  const stream = (msg: Msg) => {
    const { requestId } = msg.json<{ requestId: string }>();
    for (const delta of PIECES) {
      const piece: ChatDelta = { requestId, model: 'gpt-4o-mini', delta };
      nc.publish(msg.reply!, JSON.stringify(piece));
    }
    nc.publish(msg.reply!, JSON.stringify(final(requestId)));
  };

  beforeAll(async () => {
    const [built] = await Promise.all([clientBinary(), nats.start()]);
    bin = built;
    nc = await connect({ servers: nats.url });
    nc.subscribe(SUBJECTS.request, {
      callback: (_err, msg) => {
        received.push(msg);
        behave(msg, received.length - 1);
      },
    });
    nc.subscribe(SUBJECTS.feedback, {
      callback: (_err, msg) => {
        feedback.push(msg);
        const { requestId, feedbackId } = msg.json<{ requestId: string; feedbackId: string }>();
        const ack: FeedbackAccepted = { ok: true, feedbackId, requestId };
        msg.respond(JSON.stringify(ack));
      },
    });
    await nc.flush();
  }, 300_000);

  afterAll(async () => {
    await nc?.close();
    await nats.stop();
  }, 30_000);

  beforeEach(() => {
    received.length = 0;
    feedback.length = 0;
  });

  const runClient = (args: string[]) =>
    promisify(execFile)(bin, args, {
      timeout: 20_000,
      env: { PATH: process.env['PATH'] ?? '', NATS_URL: nats.url, SWITCHYARD_API_KEY: 'sy_test_key' },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr, out: lines(stdout) }),
      (err: Error & { code?: number; stdout: string; stderr: string }) => {
        if (typeof err.code !== 'number') throw err;
        return { code: err.code, stdout: err.stdout, stderr: err.stderr, out: lines(err.stdout) };
      },
    );

  it('prints the pieces as they arrive, ends at the final reply, and sends the documented headers', async () => {
    behave = stream;
    const started = Date.now();
    const run = await runClient(['-stream', '-request-id', 'fake-1', '-timeout', '10s', 'hi']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.out['answer']).toBe(PIECES.join(''));
    expect(run.out['pieces']).toBe(String(PIECES.length));
    expect(run.out['cost']).toBe('$0.00000410 (7 tokens in, 5 out)');
    expect(run.out['method']).toBe('difficulty (policy fake@1)');

    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req.json()).toEqual({
      requestId: 'fake-1',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    expect(req.headers?.get('Authorization')).toBe('Bearer sy_test_key');
    const traceId = /\(trace ([0-9a-f]{32})\)/.exec(run.out['request'])?.[1];
    expect(req.headers?.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const deadline = Number(req.headers?.get('Switchyard-Deadline'));
    expect(deadline).toBeGreaterThanOrEqual(started + 10_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 10_000);

    // Feedback in the same trace, with the key, on the request it answers.
    expect(feedback).toHaveLength(1);
    expect(feedback[0].json()).toMatchObject({ requestId: 'fake-1', rating: 5 });
    expect(feedback[0].headers?.get('Authorization')).toBe('Bearer sy_test_key');
    expect(feedback[0].headers?.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-`));
  });

  it('retries a request that got no answer with the same request id', async () => {
    // The first try is lost (as with an ingress replica that died), the second answered.
    behave = (msg, index) => (index === 0 ? undefined : stream(msg));
    const run = await runClient(['-request-id', 'fake-2', '-timeout', '1s', '-rating', '0', 'hi']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/no answer from router\.request\.v1 within 1s; retrying fake-2/);
    expect(received.map((m) => m.json<{ requestId: string }>().requestId)).toEqual(['fake-2', 'fake-2']);
  });

  it('gives up on a stream that stalls before its final reply: bounded by -timeout, exit 3', async () => {
    behave = (msg) => nc.publish(msg.reply!, JSON.stringify({ requestId: 'fake-3', model: 'm', delta: 'half ' }));
    const started = Date.now();
    const run = await runClient(['-stream', '-request-id', 'fake-3', '-timeout', '1s', '-retries', '0', 'hi']);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('answer:   half ');
    expect(run.stderr).toMatch(/no answer from router\.request\.v1 within 1s/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
