import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type Msg, type NatsConnection, connect } from '@nats-io/transport-node';
import { EVENTS_STREAM, SUBJECTS } from '@switchyard/contracts';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { TemporaryNats, type NatsUser, waitFor } from '@switchyard/testing';
import { natsConnectionOptions } from './nats-connection';
import { ensureStream } from './streams';

// A nats-server of this test's own, started with the committed deploy/k8s/nats/nats-server.conf: what the
// deployment's NATS lets each identity do. Absence is shown by order: a forged message, then a legitimate
// one on the same subject from the same side; the subscriber that gets the legitimate one first never got
// the forged one.
describe('deploy/k8s/nats/nats-server.conf', () => {
  const server = new TemporaryNats(join(findWorkspaceRoot(__dirname), 'deploy', 'k8s', 'nats', 'nats-server.conf'));
  const open: NatsConnection[] = [];

  const as = async (user: NatsUser) => {
    const nc = await connect(
      user === 'demo'
        ? { servers: server.url, user, pass: server.passwords.demo }
        : natsConnectionOptions(server.url, user === 'admin' ? 'switchyard-cli' : user, {
            NATS_USER: user,
            NATS_PASSWORD: server.passwords[user],
          }),
    );
    open.push(nc);
    return nc;
  };

  /** Errors the server sent this connection (permission violations arrive this way). */
  const violations = (nc: NatsConnection) => {
    const seen: string[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'error') seen.push(String(s.error));
    })();
    return seen;
  };

  const received = (nc: NatsConnection, subject: string) => {
    const got: string[] = [];
    nc.subscribe(subject, {
      callback: (_e, m: Msg) => {
        got.push(m.string());
      },
    });
    return got;
  };

  beforeAll(() => server.start(), 20_000);
  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => undefined);
    await server.stop();
  });

  it('refuses a client without credentials, and one with a wrong password', async () => {
    await expect(connect({ servers: server.url })).rejects.toThrow(/Authorization Violation/i);
    await expect(connect({ servers: server.url, user: 'ingress', pass: 'guess' })).rejects.toThrow(
      /Authorization Violation/i,
    );
  });

  it('lets a tenant ask ingress for a route across accounts and get the answer', async () => {
    const ingress = await as('ingress');
    ingress.subscribe(SUBJECTS.request, {
      queue: 'ingress',
      callback: (_e, m) => {
        m.respond(`answer to ${m.string()}`);
      },
    });
    await ingress.flush();
    const tenant = await as('demo');
    expect((await tenant.request(SUBJECTS.request, 'hello', { timeout: 2000 })).string()).toBe('answer to hello');
  });

  it('lets a tenant and the CLI ask feedback-aggregator for stats, and no other service answer them', async () => {
    const aggregator = await as('feedback-aggregator');
    aggregator.subscribe(SUBJECTS.statsQuery, {
      queue: 'feedback-aggregator',
      callback: (_e, m) => {
        m.respond(`stats for ${m.string()}`);
      },
    });
    await aggregator.flush();
    const tenant = await as('demo');
    expect((await tenant.request(SUBJECTS.statsQuery, 'demo', { timeout: 2000 })).string()).toBe('stats for demo');
    const admin = await as('admin');
    expect((await admin.request(SUBJECTS.statsQuery, 'all', { timeout: 2000 })).string()).toBe('stats for all');
    const analyzer = await as('analyzer');
    const seen = violations(analyzer);
    analyzer.subscribe(SUBJECTS.statsQuery, { callback: () => undefined });
    await analyzer.flush().catch(() => undefined);
    await waitFor(
      'the server refusing analyzer the stats subject',
      () => seen.find((v) => v.includes(SUBJECTS.statsQuery)),
      2000,
    );
  });

  it("never lets a tenant's forged internal message reach a service", async () => {
    const analyzer = await as('analyzer');
    const got = received(analyzer, SUBJECTS.requestReceived);
    await analyzer.flush();
    const tenant = await as('demo');
    tenant.publish(SUBJECTS.requestReceived, 'forged by a tenant');
    await tenant.flush();
    const ingress = await as('ingress');
    ingress.publish(SUBJECTS.requestReceived, 'from ingress');
    await waitFor('the legitimate message', () => (got.length > 0 ? true : undefined), 3000);
    expect(got).toEqual(['from ingress']);
  });

  it('refuses a service that publishes what another role owns, and a stage that reads ingress replies', async () => {
    const decision = await as('decision-engine');
    const got = received(decision, SUBJECTS.requestAnalyzed);
    await decision.flush();
    const adapters = await as('provider-adapters');
    const refused = violations(adapters);
    adapters.publish(SUBJECTS.requestAnalyzed, 'forged by provider-adapters');
    adapters.publish(SUBJECTS.policyUpdated, 'a policy from provider-adapters');
    await adapters.flush();
    const analyzer = await as('analyzer');
    analyzer.publish(SUBJECTS.requestAnalyzed, 'from analyzer');
    await waitFor('the legitimate message', () => (got.length > 0 ? true : undefined), 3000);
    expect(got).toEqual(['from analyzer']);
    await waitFor('both refusals', () => (refused.length >= 2 ? true : undefined), 3000);
    expect(refused.join('\n')).toMatch(/Permissions Violation for Publish to "router\.request\.analyzed\.v1"/);
    expect(refused.join('\n')).toMatch(/Permissions Violation for Publish to "router\.policy\.updated\.v1"/);

    const snooper = await as('analyzer');
    const snooped = violations(snooper);
    snooper.subscribe('_INBOX_ingress.>');
    await snooper.flush();
    await waitFor('the refusal', () => (snooped.length > 0 ? true : undefined), 3000);
    expect(snooped[0]).toMatch(/Permissions Violation for Subscription to "_INBOX_ingress\.>"/);
  });

  it('lets only the admin publish a policy, and each service use the streams its role needs', async () => {
    const admin = await as('admin');
    const jsm = await jetstreamManager(admin);
    await ensureStream(jsm, EVENTS_STREAM);
    await ensureStream(jsm, {
      name: 'ROUTER_POLICIES',
      subjects: [SUBJECTS.policyUpdated],
      duplicateWindowMs: 60_000,
      maxAgeMs: 0,
    });
    const ack = await jetstream(admin).publish(SUBJECTS.policyUpdated, '{}');
    expect(ack.stream).toBe('ROUTER_POLICIES');
    // provider-adapters records a completion (through its own inbox: the stream's acknowledgement comes back).
    const adapters = await as('provider-adapters');
    const stored = await jetstream(adapters).publish(SUBJECTS.completionSucceeded, '{}', { msgID: 'acme:r-1' });
    expect(stored.stream).toBe(EVENTS_STREAM.name);
    // ingress may not: only provider-adapters and the stages' failures write completions.
    const ingress = await as('ingress');
    await expect(
      jetstream(ingress).publish(SUBJECTS.completionSucceeded, '{}', { msgID: 'acme:r-2', timeout: 1000 }),
    ).rejects.toThrow();
    // A judge's grade is provider-adapters' to record too, into the same stream feedback-aggregator reads.
    const label = await jetstream(adapters).publish(SUBJECTS.labelJudged, '{}', { msgID: 'judge:acme:r-1@1' });
    expect(label.stream).toBe(EVENTS_STREAM.name);
    await expect(
      jetstream(ingress).publish(SUBJECTS.labelJudged, '{}', { msgID: 'judge:acme:r-2@1', timeout: 1000 }),
    ).rejects.toThrow();
  });
});
