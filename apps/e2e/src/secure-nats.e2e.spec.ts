import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsConnection, connect, headers } from '@nats-io/transport-node';
import { type ChatReply, type ChatSuccess, SUBJECTS, recordKey } from '@switchyard/contracts';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { TemporaryNats, mongoUriFor, uniqueName, waitFor } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { TENANT_KEYS, e2eStack, natsUsersOf, runCliAs } from './stack';

// The six services on a NATS of their own started with the committed deploy/k8s/nats/nats-server.conf, each
// connecting as its own user: the permissions are complete enough to run the whole pipeline, and narrow
// enough that a tenant, an anonymous client or the wrong service cannot forge what another role owns.
const root = findWorkspaceRoot(__dirname);

describe('the six services under the committed NATS permissions', () => {
  const nats = new TemporaryNats(join(root, 'deploy', 'k8s', 'nats', 'nats-server.conf'));
  const database = uniqueName('securenats');
  let stack: ReturnType<typeof e2eStack>;
  let tenant: NatsConnection;
  let db: Connection;

  beforeAll(async () => {
    await nats.start();
    stack = e2eStack(database, {
      env: { NATS_URL: nats.url, CONSUMER_START: 'all' },
      serviceEnv: natsUsersOf(nats),
    });
    await stack.start();
    // A product team's client: its own NATS account (TENANT_DEMO), and its Switchyard API key in a header.
    tenant = await connect({ servers: nats.url, user: 'demo', pass: nats.passwords.demo });
    db = await mongoose.createConnection(mongoUriFor(database), { serverMonitoringMode: 'poll' }).asPromise();
  }, 120_000);

  afterAll(async () => {
    await tenant?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
    await stack?.stop();
    await nats.stop();
  }, 60_000);

  // Ids of this run only: Redis (and its idempotency window) is shared with earlier runs.
  const id = (name: string) => `${name}-${database}`;
  const ask = async (nc: NatsConnection, body: object) => {
    const h = headers();
    h.set('Authorization', `Bearer ${TENANT_KEYS.acme}`);
    return (
      await nc.request(SUBJECTS.request, JSON.stringify(body), { timeout: 15_000, headers: h })
    ).json<ChatReply>();
  };
  const record = (requestId: string) =>
    db.collection('routing_records').findOne({ _id: recordKey('acme', requestId) as never });

  it('answers a tenant from its own NATS account, records the answer and joins its feedback', async () => {
    const reply = await ask(tenant, { requestId: id('sec-1'), messages: [{ role: 'user', content: 'hello there' }] });
    expect(reply).toMatchObject({ ok: true, requestId: id('sec-1'), tenant: 'acme' });
    const h = headers();
    h.set('Authorization', `Bearer ${TENANT_KEYS.acme}`);
    const fb = await tenant.request(SUBJECTS.feedback, JSON.stringify({ requestId: id('sec-1'), rating: 4 }), {
      timeout: 5000,
      headers: h,
    });
    expect(fb.json()).toMatchObject({ ok: true });
    await waitFor(
      'the record with its feedback',
      async () => ((await record(id('sec-1')))?.['feedback'] ? true : undefined),
      20_000,
      100,
    );
  });

  it('refuses a client without credentials', async () => {
    await expect(connect({ servers: nats.url })).rejects.toThrow(/Authorization Violation/i);
  });

  it("ignores a tenant's forged route decision: no call, no record, while real requests go on", async () => {
    const forged = {
      requestId: id('forged-1'),
      tenant: 'acme',
      receivedAt: Date.now(),
      request: { messages: [{ role: 'user', content: 'give me gpt-4o for free' }] },
      features: {
        chars: 22,
        tokenEstimate: 10,
        language: 'en',
        turns: 1,
        questionCount: 0,
        codeBlocks: 0,
        signals: {},
        difficulty: 0.9,
      },
      analyzedAt: Date.now(),
      decision: {
        plan: { kind: 'single', model: 'gpt-4o' },
        method: 'rule',
        reason: 'forged',
        params: {},
        policyVersion: 'x',
        alternatives: [],
      },
      decidedAt: Date.now(),
    };
    const h = headers();
    h.set('Switchyard-Reply-To', '_INBOX.forger');
    tenant.publish(SUBJECTS.routeDecided, JSON.stringify(forged), { headers: h });
    // A forged self-contained plan would name its own provider host and key variable: refused at the server too.
    const forgedV2 = {
      ...forged,
      requestId: id('forged-3'),
      execution: {
        models: [
          {
            id: 'gpt-4o',
            provider: 'openai-compatible',
            baseUrl: 'http://attacker.example/v1',
            apiKeyEnv: 'MONGODB_URI',
            tier: 't',
            priceUsdPerMTok: { input: 0, output: 0 },
          },
        ],
        fallbacks: [],
        onStoreDown: 'open',
      },
    };
    tenant.publish(SUBJECTS.routeDecidedV2, JSON.stringify(forgedV2), { headers: h });
    tenant.publish(
      SUBJECTS.completionSucceeded,
      JSON.stringify({ requestId: id('forged-2'), tenant: 'acme', costUsd: 12345.67 }),
    );
    await tenant.flush();
    // A real request after the forgeries: once its record is stored, a forged one would have been too.
    expect(
      await ask(tenant, { requestId: id('sec-2'), messages: [{ role: 'user', content: 'are you there?' }] }),
    ).toMatchObject({ ok: true });
    await waitFor('the real record', async () => ((await record(id('sec-2'))) ? true : undefined), 20_000, 100);
    expect(await record(id('forged-1'))).toBeNull();
    expect(await record(id('forged-2'))).toBeNull();
    expect(await record(id('forged-3'))).toBeNull();
  });

  it('takes a policy from the admin, applied by every replica; refuses one from another service', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'secure-policy-')), 'policy.yaml');
    writeFileSync(
      file,
      `version: secure@2\nmodels:\n  - { id: gpt-4o-mini, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.15, output: 0.6 } }\ndefault: { route: { model: gpt-4o-mini } }\n`,
    );
    const publish = (user: 'admin' | 'decision-engine') =>
      runCliAs(['policy', 'publish', file], { natsUrl: nats.url, user, password: nats.passwords[user], database });
    await expect(publish('decision-engine')).rejects.toMatchObject({ code: 1 });
    await publish('admin');
    await waitFor(
      'both services on secure@2',
      async () => {
        const reply = await ask(tenant, { messages: [{ role: 'user', content: 'which policy?' }] });
        return reply.ok && (reply as ChatSuccess).decision.policyVersion === 'secure@2' ? true : undefined;
      },
      15_000,
      200,
    );
  }, 60_000);

  it('ran with no permission violation but the one this suite provoked (the wrong policy publisher)', () => {
    const violations = nats
      .logs()
      .split('\n')
      .filter((l) => /Violation/i.test(l));
    // The CLI run as decision-engine: refused its inbox, then the policy subject.
    const provoked = (l: string) => /"v3\.[\d.]+:nats\.js:switchyard-cli" - .* User "decision-engine"/.test(l);
    expect(violations.filter(provoked).length).toBeGreaterThan(0);
    expect(violations.filter((l) => !provoked(l))).toEqual([]);
  });
});
