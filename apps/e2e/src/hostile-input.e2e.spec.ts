import { type NatsConnection, headers } from '@nats-io/transport-node';
import { HTTP_STATUS_BY_CODE, SUBJECTS, chatReplySchema, routerErrorSchema } from '@switchyard/contracts';
import { uniqueName } from '@switchyard/testing';
import fc from 'fast-check';
import { TENANT_KEYS, e2eStack, useStack } from './stack';

// Generated hostile input at both doors, 10,000 each: every answer is a well-formed reply, an error is a
// clear 4xx (never a 5xx, never a hang), and the services are still up and serving afterwards.
const PER_DOOR = 10_000;
const IN_FLIGHT = 32;
const SEED = 20261130;

/** A chat request with every field sometimes right, sometimes wrong, sometimes absent. */
const chatLike = fc.record(
  {
    requestId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/), fc.string(), fc.integer()),
    tenant: fc.oneof(fc.constant('acme'), fc.string({ maxLength: 80 }), fc.constant('租户'), fc.constant('acme:x')),
    user: fc.oneof(fc.string({ maxLength: 200 }), fc.constant(null)),
    messages: fc.oneof(
      fc.array(
        fc.record(
          {
            role: fc.oneof(fc.constantFrom('system', 'user', 'assistant', 'tool'), fc.string()),
            content: fc.oneof(
              fc.string({ maxLength: 300 }),
              fc.string({ unit: 'binary', maxLength: 100 }),
              fc.integer(),
              fc.constant(null),
            ),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 5 },
      ),
      fc.jsonValue(),
    ),
    params: fc.record(
      { temperature: fc.double(), maxTokens: fc.oneof(fc.integer(), fc.double()), topP: fc.double() },
      { requiredKeys: [] },
    ),
    hints: fc.record({ task: fc.string(), tier: fc.string() }, { requiredKeys: [] }),
    stream: fc.oneof(fc.boolean(), fc.string()),
    metadata: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
    model: fc.oneof(fc.constant('auto'), fc.string()),
    rating: fc.oneof(fc.integer({ min: -2, max: 8 }), fc.string()),
    success: fc.oneof(fc.boolean(), fc.string()),
  },
  { requiredKeys: [] },
);

/** A request that passes validation with strange content: it goes all the way through the pipeline. */
const wellFormed = fc.record(
  {
    model: fc.constant('auto'),
    messages: fc.array(
      fc.record({
        role: fc.constantFrom('system', 'user', 'assistant'),
        content: fc.oneof(
          fc.string({ unit: 'binary', maxLength: 2000 }),
          fc.string({ unit: fc.constantFrom('a', '(', ')', '+', '*', '?', '\\', '\n', '你', '`'), maxLength: 5000 }),
        ),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    params: fc.record(
      { temperature: fc.double({ min: 0, max: 2, noNaN: true }), maxTokens: fc.integer({ min: 1, max: 4096 }) },
      { requiredKeys: [] },
    ),
    metadata: fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 50 }), { maxKeys: 5 }),
    requestId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/),
    rating: fc.integer({ min: 1, max: 5 }),
  },
  { requiredKeys: ['messages'] },
);

/** Raw bytes, any JSON, a mostly-right request or a right one: what a broken or hostile client can send. */
const payload = fc.oneof(
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
  { weight: 3, arbitrary: chatLike.map((v) => Buffer.from(JSON.stringify(v))) },
  { weight: 2, arbitrary: wellFormed.map((v) => Buffer.from(JSON.stringify(v))) },
);

const authorization = fc.oneof(
  { weight: 6, arbitrary: fc.constant('acme') },
  { weight: 1, arbitrary: fc.constant('none') },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`) },
);

/** Runs `send` over the cases with a bounded number in flight; the first case whose answer is wrong fails. */
async function storm<T>(cases: T[], send: (c: T) => Promise<string | undefined>): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const outcome = await send(cases[i]);
      if (outcome === undefined) continue;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return outcomes;
}

const clientError = (code: string) => HTTP_STATUS_BY_CODE[code as keyof typeof HTTP_STATUS_BY_CODE] < 500;

describe('hostile input at both doors', () => {
  const stack = e2eStack(uniqueName('hostile'), { env: { LOG_LEVEL: 'error' } });
  const nc: () => NatsConnection = useStack(stack);
  const keyFor = (auth: string) =>
    auth === 'acme' ? `Bearer ${TENANT_KEYS.acme}` : auth === 'none' ? undefined : auth;

  it(`answers ${PER_DOOR} generated requests on the NATS door, each with a well-formed reply and no 5xx`, async () => {
    const cases = fc.sample(fc.tuple(fc.constantFrom(SUBJECTS.request, SUBJECTS.feedback), payload, authorization), {
      numRuns: PER_DOOR,
      seed: SEED,
    });
    const outcomes = await storm(cases, async ([subject, body, auth]) => {
      const h = headers();
      const key = keyFor(auth);
      if (key !== undefined) h.set('Authorization', key);
      const reply = (await nc().request(subject, body, { timeout: 20_000, headers: h })).json<
        Record<string, unknown>
      >();
      if (reply['ok'] === true) {
        if (subject === SUBJECTS.request && !chatReplySchema.safeParse(reply).success)
          throw new Error(
            `malformed answer to ${body.toString('utf8').slice(0, 200)}: ${JSON.stringify(reply).slice(0, 300)}`,
          );
        return 'ok';
      }
      const error = routerErrorSchema.safeParse(reply['error']);
      if (!error.success || !clientError(error.data.code))
        throw new Error(
          `not a clear 4xx for ${body.toString('utf8').slice(0, 200)}: ${JSON.stringify(reply).slice(0, 300)}`,
        );
      return error.data.code;
    });
    console.log(`NATS door, ${PER_DOOR} generated requests: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(PER_DOOR);
    expect(outcomes.get('ok')).toBeGreaterThan(0);
  }, 300_000);

  it(`answers ${PER_DOOR} generated requests on the HTTP door, each with a status below 500 and the error shape`, async () => {
    const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', '');
    const path = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('/v1/chat/completions', '/v1/feedback') },
      { weight: 1, arbitrary: fc.webPath().map((p) => `/v1/${p.replace(/^\//, '')}`) },
    );
    const cases = fc.sample(
      fc.tuple(path, payload, authorization, contentType, fc.option(fc.string({ maxLength: 40 }))),
      { numRuns: PER_DOOR, seed: SEED + 1 },
    );
    const base = stack.get('ingress').baseUrl;
    const outcomes = await storm(cases, async ([p, body, auth, type, requestId]) => {
      const h: Record<string, string> = {};
      if (type) h['content-type'] = type;
      const key = keyFor(auth);
      if (key !== undefined) h['authorization'] = key.replace(/[^\t\x20-\x7e]/g, '');
      if (requestId) h['x-request-id'] = requestId.replace(/[^\t\x20-\x7e]/g, '');
      const res = await fetch(`${base}${p}`, { method: 'POST', headers: h, body, signal: AbortSignal.timeout(20_000) });
      const text = await res.text();
      if (res.status >= 500)
        throw new Error(`${res.status} for POST ${p} ${body.toString('utf8').slice(0, 200)}: ${text.slice(0, 300)}`);
      if (res.status === 200 || res.status === 202) return String(res.status);
      const parsed = JSON.parse(text) as { error?: { code?: string } };
      if (!parsed.error?.code) throw new Error(`no error shape in ${res.status}: ${text.slice(0, 300)}`);
      return `${res.status} ${parsed.error.code}`;
    });
    console.log(`HTTP door, ${PER_DOOR} generated requests: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(PER_DOOR);
  }, 300_000);

  it('is still up and serving afterwards, every service', async () => {
    const h = headers();
    h.set('Authorization', `Bearer ${TENANT_KEYS.acme}`);
    const reply = (
      await nc().request(SUBJECTS.request, JSON.stringify({ messages: [{ role: 'user', content: 'still there?' }] }), {
        timeout: 10_000,
        headers: h,
      })
    ).json<{ ok: boolean }>();
    expect(reply.ok).toBe(true);
    for (const name of ['ingress', 'analyzer', 'decision-engine', 'provider-adapters', 'feedback-aggregator'] as const)
      expect(stack.get(name).exitCode).toBeNull();
  });
});
