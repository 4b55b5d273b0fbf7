import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type ConnectionOptions, type NatsConnection, connect, headers as natsHeaders } from '@nats-io/transport-node';
import {
  DEAD_LETTER_REASONS,
  DEAD_LETTER_STREAM,
  type DeadLetter,
  HEADERS,
  deadLetterSchema,
} from '@switchyard/contracts';

export interface DeadLettersOptions {
  action: 'list' | 'replay' | 'drop';
  nats: ConnectionOptions;
  /** Sequences in the dead-letter stream to act on; all of them (matching `reason`) when empty. */
  seqs: number[];
  all: boolean;
  reason?: string;
  /** list: newest N. */
  limit: number;
  json: boolean;
  stream?: string;
  out?: (line: string) => void;
}

interface Stored {
  seq: number;
  letter: DeadLetter;
}

/**
 * `switchyard dlq list | replay | drop`: reads the events feedback-aggregator gave up on (ROUTER_DEADLETTER),
 * puts them back on their subject once the cause is fixed, or discards them. A replay publishes the original
 * bytes and headers with a new message id (the original one is still in the events stream's de-duplication
 * window and would be dropped silently), and removes the letter only after the events stream acknowledged it.
 */
export async function runDeadLetters(opts: DeadLettersOptions): Promise<number> {
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (opts.reason !== undefined && !(DEAD_LETTER_REASONS as readonly string[]).includes(opts.reason))
    throw new Error(`--reason must be one of ${DEAD_LETTER_REASONS.join(', ')}; got "${opts.reason}"`);
  if (opts.action !== 'list' && opts.seqs.length === 0 && !opts.all)
    throw new Error(`dlq ${opts.action} needs --seq N[,N...] or --all`);
  const stream = opts.stream ?? DEAD_LETTER_STREAM.name;
  const nc = await connect(opts.nats);
  try {
    const jsm = await jetstreamManager(nc);
    const letters = await readLetters(jsm, stream, opts.seqs, opts.reason);
    if (opts.action === 'list') return list(letters, opts, stream, out);
    if (opts.action === 'drop') {
      for (const { seq } of letters) await jsm.streams.deleteMessage(stream, seq);
      out(`dropped ${letters.length} dead letter${letters.length === 1 ? '' : 's'} from ${stream}`);
      return 0;
    }
    return await replay(nc, jsm, stream, letters, out);
  } finally {
    await nc.close();
  }
}

async function readLetters(jsm: JetStreamManager, stream: string, seqs: number[], reason?: string): Promise<Stored[]> {
  const info = await jsm.streams.info(stream).catch((err: Error) => {
    throw new Error(`cannot read stream ${stream}: ${err.message}`);
  });
  const wanted = seqs.length > 0 ? seqs : range(info.state.first_seq, info.state.last_seq);
  const letters: Stored[] = [];
  for (const seq of wanted) {
    if (seq < info.state.first_seq || seq > info.state.last_seq) {
      if (seqs.length > 0)
        throw new Error(`${stream} has no message ${seq} (it holds ${info.state.first_seq}-${info.state.last_seq})`);
      continue;
    }
    const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null); // deleted: a hole in the range
    if (!m) {
      if (seqs.length > 0) throw new Error(`${stream} has no message ${seq} (replayed or dropped already?)`);
      continue;
    }
    const parsed = deadLetterSchema.safeParse(m.json());
    if (!parsed.success)
      throw new Error(`${stream} message ${seq} is not a dead letter: ${parsed.error.issues[0]?.message}`);
    if (reason === undefined || parsed.data.reason === reason) letters.push({ seq, letter: parsed.data });
  }
  return letters;
}

function list(letters: Stored[], opts: DeadLettersOptions, stream: string, out: (line: string) => void): number {
  const shown = letters.slice(-opts.limit);
  if (opts.json) {
    for (const { seq, letter } of shown)
      out(JSON.stringify({ seq, ...letter, data: Buffer.from(letter.dataBase64, 'base64').toString('utf8') }));
    return 0;
  }
  out(
    `${letters.length} dead letter${letters.length === 1 ? '' : 's'} in ${stream}${shown.length < letters.length ? ` (newest ${shown.length} shown)` : ''}`,
  );
  for (const { seq, letter } of shown) {
    const when = new Date(letter.deadLetteredAt).toISOString();
    const id = letter.headers[HEADERS.messageId] ?? '-';
    out(`#${seq}  ${when}  ${letter.reason.padEnd(15)} ${letter.subject}  id=${id}  deliveries=${letter.deliveries}`);
    out(`      ${letter.error}`);
  }
  if (letters.length > 0)
    out('replay with: switchyard dlq replay --seq N (or --all); discard with: switchyard dlq drop --seq N');
  return 0;
}

async function replay(
  nc: NatsConnection,
  jsm: JetStreamManager,
  stream: string,
  letters: Stored[],
  out: (line: string) => void,
): Promise<number> {
  const js = jetstream(nc);
  let replayed = 0;
  for (const { seq, letter } of letters) {
    const h = natsHeaders();
    for (const [key, value] of Object.entries(letter.headers)) if (key !== HEADERS.messageId) h.set(key, value);
    const msgID = `replay:${stream}:${seq}:${letter.headers[HEADERS.messageId] ?? ''}`;
    try {
      const ack = await js.publish(letter.subject, Buffer.from(letter.dataBase64, 'base64'), { msgID, headers: h });
      await jsm.streams.deleteMessage(stream, seq);
      out(`#${seq} ${letter.subject} replayed (now ${ack.stream} seq ${ack.seq})`);
      replayed++;
    } catch (err) {
      out(`#${seq} ${letter.subject} not replayed: ${(err as Error).message}`);
    }
  }
  out(`replayed ${replayed} of ${letters.length}`);
  return replayed === letters.length ? 0 : 1;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to && from > 0; i++) out.push(i);
  return out;
}
