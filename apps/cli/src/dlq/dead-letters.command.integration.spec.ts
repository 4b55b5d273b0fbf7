import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { DeadLetter } from '@switchyard/contracts';
import { ensureStream } from '@switchyard/messaging';
import { testInfra, uniqueName } from '@switchyard/testing';
import { runDeadLetters } from './dead-letters.command';

// Real NATS, with a dead-letter stream and an events stream of this test's own.
describe(runDeadLetters.name, () => {
  const prefix = uniqueName('dlqcli');
  const dlq = { name: `${prefix.toUpperCase()}_DLQ`, subjects: [`${prefix}.dead`], duplicateWindowMs: 60_000 };
  const events = {
    name: `${prefix.toUpperCase()}_EVENTS`,
    subjects: [`${prefix}.events.*`],
    duplicateWindowMs: 60_000,
  };
  let nc: NatsConnection;
  const lines: string[] = [];
  const run = (opts: Partial<Parameters<typeof runDeadLetters>[0]>) =>
    runDeadLetters({
      action: 'list',
      nats: { servers: testInfra.natsUrl },
      seqs: [],
      all: false,
      limit: 50,
      json: false,
      stream: dlq.name,
      out: (line) => lines.push(line),
      ...opts,
    });

  const letter = (n: number, reason: DeadLetter['reason']): DeadLetter => ({
    subject: `${prefix}.events.feedback`,
    stream: events.name,
    streamSeq: n,
    consumer: 'records',
    reason,
    error: `error ${n}`,
    deliveries: 3,
    deadLetteredAt: 1_764_000_000_000 + n,
    headers: { 'Nats-Msg-Id': `orig-${n}`, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    dataBase64: Buffer.from(JSON.stringify({ n })).toString('base64'),
  });

  beforeAll(async () => {
    nc = await connect({ servers: testInfra.natsUrl });
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, dlq);
    await ensureStream(jsm, events);
    const js = jetstream(nc);
    // The original ids are already in the events stream: a replay under them would be dropped as duplicates.
    for (const n of [1, 2, 3])
      await js.publish(`${prefix}.events.feedback`, JSON.stringify({ n }), { msgID: `orig-${n}` });
    await js.publish(dlq.subjects[0], JSON.stringify(letter(1, 'failing')));
    await js.publish(dlq.subjects[0], JSON.stringify(letter(2, 'unknown-request')));
    await js.publish(dlq.subjects[0], JSON.stringify(letter(3, 'unknown-request')));
  });

  afterAll(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(dlq.name).catch(() => undefined);
    await jsm.streams.delete(events.name).catch(() => undefined);
    await nc.close();
  });

  it('lists every letter with its reason, id and error', async () => {
    lines.length = 0;
    expect(await run({ action: 'list' })).toBe(0);
    expect(lines[0]).toBe(`3 dead letters in ${dlq.name}`);
    expect(lines.join('\n')).toMatch(/#2 .* unknown-request .* id=orig-2 {2}deliveries=3\n {6}error 2/);
  });

  it('refuses to replay or drop without saying which', async () => {
    await expect(run({ action: 'replay' })).rejects.toThrow(/needs --seq N\[,N\.\.\.\] or --all/);
    await expect(run({ action: 'list', reason: 'bored' })).rejects.toThrow(/--reason must be one of invalid, failing/);
  });

  it('replays the letters of one reason to their subject under new ids, headers kept, and removes them', async () => {
    lines.length = 0;
    expect(await run({ action: 'replay', all: true, reason: 'unknown-request' })).toBe(0);
    expect(lines.at(-1)).toBe('replayed 2 of 2');
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(events.name)).state.messages).toBe(5);
    const replayed = await jsm.streams.getMessage(events.name, { seq: 4 });
    expect(replayed?.json()).toEqual({ n: 2 });
    expect(replayed?.header.get('traceparent')).toMatch(/^00-4bf9/);
    expect(replayed?.header.get('Nats-Msg-Id')).toBe(`replay:${dlq.name}:2:orig-2`);
    expect((await jsm.streams.info(dlq.name)).state.messages).toBe(1);
  });

  it('drops a letter by its sequence, and says so when it is gone already', async () => {
    lines.length = 0;
    expect(await run({ action: 'drop', seqs: [1] })).toBe(0);
    expect(lines).toEqual([`dropped 1 dead letter from ${dlq.name}`]);
    await expect(run({ action: 'drop', seqs: [2] })).rejects.toThrow(/has no message 2/);
  });
});
