import { randomBytes, randomUUID } from 'node:crypto';
import { headers } from '@nats-io/transport-node';
import { type ChatReply, SUBJECTS } from '@switchyard/contracts';
import type { ServiceName } from '@switchyard/launcher';
import { uniqueName, waitFor } from '@switchyard/testing';
import { TENANT_KEYS, e2eStack, useStack } from './stack';

// Words no log line has any business carrying: the prompt is content (LOG_CONTENT stays false here).
const PROMPT = 'Describe the migration of the arctic tern between Greenland and the Weddell Sea';
const PIPELINE: ServiceName[] = ['ingress', 'decision-engine', 'provider-adapters'];

describe('service logs (six services at LOG_LEVEL=debug)', () => {
  const stack = e2eStack(uniqueName('logs'), { env: { LOG_LEVEL: 'debug' } });
  const nc = useStack(stack);

  /** The JSON lines a service has written lately (the launcher keeps each process's output). */
  const linesOf = (name: ServiceName): Array<Record<string, unknown>> =>
    stack
      .get(name)
      .logs()
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });

  /** Each service's lines written for `requestId`, once every one of `services` has written some. */
  const linesFor = (requestId: string, services: ServiceName[]) =>
    waitFor(`log lines of ${requestId} in ${services.join(', ')}`, () => {
      const found = services.map((name) => linesOf(name).filter((l) => l['requestId'] === requestId));
      return found.every((lines) => lines.length > 0) ? found : undefined;
    });

  it("names a request's id, tenant and trace in each service's lines for it, and never its prompt", async () => {
    // The NATS door, with the caller's own trace: every hop's lines carry that trace id.
    const traceId = randomBytes(16).toString('hex');
    const viaNats = randomUUID();
    const h = headers();
    h.set('Authorization', `Bearer ${TENANT_KEYS.acme}`);
    h.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
    const request = { requestId: viaNats, messages: [{ role: 'user', content: PROMPT }] };
    const reply = (
      await nc().request(SUBJECTS.request, JSON.stringify(request), { timeout: 15_000, headers: h })
    ).json<ChatReply>();
    expect(reply.ok).toBe(true);
    for (const [k, lines] of (await linesFor(viaNats, PIPELINE)).entries())
      for (const line of lines)
        expect(line).toMatchObject({ service: PIPELINE[k], tenant: 'acme', traceId, level: expect.any(String) });

    // The HTTP door (its log context opened for every HTTP request). Tracing is off here, so the door starts
    // no trace: the first hop does, and every hop after it carries that one.
    const viaHttp = randomUUID();
    const res = await fetch(`${stack.get('ingress').baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TENANT_KEYS.acme}`,
        'x-request-id': viaHttp,
      },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: PROMPT }] }),
    });
    expect(res.status).toBe(200);
    const [atDoor, ...downstream] = await linesFor(viaHttp, PIPELINE);
    for (const line of atDoor) expect(line).toMatchObject({ service: 'ingress', tenant: 'acme' });
    const hopTrace = downstream[0][0]['traceId'];
    expect(hopTrace).toMatch(/^[0-9a-f]{32}$/);
    for (const line of downstream.flat()) expect(line).toMatchObject({ tenant: 'acme', traceId: hopTrace });

    for (const name of ['ingress', 'analyzer', 'decision-engine', 'provider-adapters', 'feedback-aggregator'] as const)
      expect(stack.get(name).logs()).not.toContain('arctic tern');
  });
});
