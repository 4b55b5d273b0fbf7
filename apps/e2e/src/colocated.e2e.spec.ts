import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatReply, type ChatSuccess, SUBJECTS, recordKey } from '@switchyard/contracts';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { TemporaryNats, mongoUriFor, uniqueName, waitFor } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { POLICY_FILE, TENANT_KEYS, authHeaders, e2eStack, useStack } from './stack';

// The six services in one process (`switchyard serve --services all`): the same doors, answers, records and
// failures as six processes, with the hops between them made in the process instead of over NATS.
const INTERNAL = [SUBJECTS.requestReceived, SUBJECTS.requestAnalyzed, SUBJECTS.routeDecidedV2];
// The seed policy, with no budget for tenant beta: its requests fail in decision-engine, past two hops.
const policyFile = join(mkdtempSync(join(tmpdir(), 'colocated-e2e-')), 'policy.yaml');
writeFileSync(policyFile, `${readFileSync(POLICY_FILE, 'utf8')}\nquotas:\n  tenants: { beta: 0 }\n`);

describe('the six services co-located in one process', () => {
  const database = uniqueName('colocated');
  const stack = e2eStack(database, { colocated: true, env: { POLICY_FILE: policyFile, POLICY_WATCH: 'false' } });
  const nc = useStack(stack);
  let db: Connection;
  const internal: string[] = [];

  beforeAll(async () => {
    db = await mongoose.createConnection(mongoUriFor(database), { serverMonitoringMode: 'poll' }).asPromise();
    for (const subject of INTERNAL) nc().subscribe(subject, { callback: (_e, m) => void internal.push(m.subject) });
    await nc().flush();
  });

  afterAll(async () => {
    await db?.close();
  });

  const ask = async (body: unknown, tenant: 'acme' | 'beta' = 'acme'): Promise<ChatReply> =>
    (
      await nc().request(SUBJECTS.request, JSON.stringify(body), { timeout: 15_000, headers: authHeaders(tenant) })
    ).json();

  it('answers over NATS and HTTP, stores every record once, and no hop between its services crosses NATS', async () => {
    const run = Date.now().toString(36);
    const ids = Array.from({ length: 60 }, (_, i) => `colo-${run}-${i}`);
    const replies = await Promise.all(
      ids.map((requestId, i) =>
        ask({ requestId, messages: [{ role: 'user', content: i % 2 ? 'hello there' : '请分析这家公司的财报' }] }),
      ),
    );
    for (const r of replies) expect(r).toMatchObject({ ok: true, tenant: 'acme' });
    expect((replies[1] as ChatSuccess).decision).toMatchObject({ rule: 'greeting', plan: { model: 'gpt-4o-mini' } });
    expect((replies[0] as ChatSuccess).decision).toMatchObject({ rule: 'financial_analysis' });

    const res = await fetch(`${stack.get('ingress').baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TENANT_KEYS.acme}`,
        'x-request-id': `colo-${run}-http`,
      },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      object: 'chat.completion',
      switchyard: { requestId: `colo-${run}-http` },
    });

    const keys = [...ids, `colo-${run}-http`].map((id) => recordKey('acme', id));
    await waitFor(
      'every record stored',
      async () =>
        (await db.collection('routing_records').countDocuments({ _id: { $in: keys as never[] } })) === keys.length
          ? true
          : undefined,
      20_000,
      100,
    );
    await nc().flush();
    expect(internal).toEqual([]);
  });

  it('streams an answer over HTTP piece by piece', async () => {
    const res = await fetch(`${stack.get('ingress').baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TENANT_KEYS.acme}` },
      body: JSON.stringify({ model: 'auto', stream: true, messages: [{ role: 'user', content: '你好' }] }),
    });
    expect(res.status).toBe(200);
    const events = (await res.text()).split('\n\n').filter((e) => e.startsWith('data: '));
    expect(events.length).toBeGreaterThan(2);
    expect(events[events.length - 1]).toBe('data: [DONE]');
  });

  it('answers failures as six processes do: a refused key at the door, a budget refusal from decision-engine', async () => {
    // A request id of this run's own: ingress remembers answers by tenant and id for ten minutes.
    const betaId = `colo-beta-${Date.now().toString(36)}`;
    const refused = await (
      await nc().request(SUBJECTS.request, JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }), {
        timeout: 5000,
      })
    ).json<ChatReply>();
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const overBudget = await ask({ requestId: betaId, messages: [{ role: 'user', content: 'hi' }] }, 'beta');
    expect(overBudget).toMatchObject({
      ok: false,
      requestId: betaId,
      error: { code: 'all_quotas_exhausted', message: expect.stringContaining('over the tenant budget') },
    });
    // Recorded as a failure of the decision stage, like any other.
    const failed = await waitFor(
      'the failure record',
      async () =>
        (await db.collection('routing_records').findOne({ _id: recordKey('beta', betaId) as never })) ?? undefined,
      20_000,
      100,
    );
    expect(failed).toMatchObject({ status: 'failed' });
  });

  it('stops all six gracefully on SIGTERM', async () => {
    const codes = await stack.stop();
    expect(Object.values(codes)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

// The same process under the committed deploy/k8s/nats/nats-server.conf, as its `all-in-one` user: the
// permissions are enough for the whole pipeline in one identity, and a tenant's client still reaches it
// only through the public subject.
describe('the six services co-located under the committed NATS permissions', () => {
  const nats = new TemporaryNats(join(findWorkspaceRoot(__dirname), 'deploy', 'k8s', 'nats', 'nats-server.conf'));
  const database = uniqueName('colocated-secure');
  let stack: ReturnType<typeof e2eStack>;
  let tenant: NatsConnection;
  let db: Connection;

  beforeAll(async () => {
    await nats.start();
    stack = e2eStack(database, {
      colocated: true,
      env: {
        NATS_URL: nats.url,
        CONSUMER_START: 'all',
        NATS_USER: 'all-in-one',
        NATS_PASSWORD: nats.passwords['all-in-one'],
      },
    });
    await stack.start();
    tenant = await connect({ servers: nats.url, user: 'demo', pass: nats.passwords.demo });
    db = await mongoose.createConnection(mongoUriFor(database), { serverMonitoringMode: 'poll' }).asPromise();
  }, 120_000);

  afterAll(async () => {
    await tenant?.close();
    await db?.close();
    await stack?.stop();
    await nats.stop();
  }, 60_000);

  it("answers a tenant's request and stores its record", async () => {
    const requestId = uniqueName('colo-secure');
    const reply = (
      await tenant.request(
        SUBJECTS.request,
        JSON.stringify({ requestId, messages: [{ role: 'user', content: 'hello' }] }),
        {
          timeout: 15_000,
          headers: authHeaders(),
        },
      )
    ).json<ChatReply>();
    expect(reply).toMatchObject({ ok: true, requestId });
    await waitFor(
      'the record',
      async () =>
        (await db.collection('routing_records').findOne({ _id: recordKey('acme', requestId) as never })) ?? undefined,
      20_000,
      100,
    );
    // A tenant cannot reach an internal subject even though one process serves them all.
    await expect(tenant.request(SUBJECTS.requestReceived, JSON.stringify({}), { timeout: 1000 })).rejects.toThrow();
  });
});
