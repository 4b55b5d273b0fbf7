import { type ConnectionOptions, connect } from '@nats-io/transport-node';
import { SUBJECTS, type StatsAnswer, type StatsQueryInput } from '@switchyard/contracts';
import { bearerHeaders } from '../auth-headers';
import { pct, table, usd } from '../demo/table';
import { requestService } from '../nats-request';

export interface StatsOptions {
  nats: ConnectionOptions;
  /** A tenant's key (its own stats) or an admin key (any tenant's). */
  key: string;
  query: StatsQueryInput;
  json: boolean;
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const n = (x: number | null, f: (x: number) => string) => (x === null ? 'n/a' : f(x));
const delta = (x: number | null | undefined, f: (x: number) => string) =>
  x === null || x === undefined ? '' : `${x > 0 ? '+' : x < 0 ? '-' : ''}${f(Math.abs(x))}`;

/** `switchyard stats`: a stats query over NATS (router.stats.query.v1), as a table or JSON. */
export async function runStats(opts: StatsOptions): Promise<number> {
  const nc = await connect(opts.nats);
  let answer: StatsAnswer | { ok: false; error: { code: string; message: string } };
  try {
    const reply = await requestService(nc, 'feedback-aggregator', SUBJECTS.statsQuery, JSON.stringify(opts.query), {
      timeout: 15_000,
      headers: bearerHeaders(opts.key),
    });
    answer = reply.json();
  } finally {
    await nc.close();
  }
  // Thrown, not returned: the CLI says it on stderr and, with --json, as a document on stdout too.
  if (!answer.ok) throw new Error(`stats refused (${answer.error.code}): ${answer.error.message}`);
  if (opts.json) {
    out(JSON.stringify(answer, null, 2));
    return 0;
  }
  out(
    `${answer.window.from.slice(0, 16)} to ${answer.window.to.slice(0, 16)} UTC, ${answer.tenant ? `tenant ${answer.tenant}` : 'every tenant'}; ` +
      `change against ${answer.previousWindow ? `${answer.previousWindow.from.slice(0, 10)} to ${answer.previousWindow.to.slice(0, 10)}` : 'nothing'}`,
  );
  const rows = [...answer.groups, { ...answer.total, key: Object.fromEntries(answer.groupBy.map((d) => [d, 'all'])) }];
  out(
    table(
      [
        ...answer.groupBy,
        'requests',
        'Δ',
        'per request',
        'Δ',
        'errors',
        'rating',
        'success',
        'quality',
        'n',
        'Δ',
        'p50 ms',
        'p95 ms',
      ],
      rows.map((g) => [
        ...answer.groupBy.map((d) => g.key[d] ?? ''),
        g.requests,
        delta(g.change?.requests, String),
        n(g.costPerRequestUsd, usd),
        delta(g.change?.costPerRequestUsd, usd),
        n(g.errorRate, pct),
        n(g.avgRating, (x) => x.toFixed(2)),
        n(g.successRate, pct),
        n(g.avgQuality, (x) => x.toFixed(3)),
        g.qualityCount,
        delta(g.change?.avgQuality, (x) => x.toFixed(3)),
        n(g.p50LatencyMs, (x) => `<=${x}`),
        n(g.p95LatencyMs, (x) => `<=${x}`),
      ]),
    ),
  );
  return 0;
}
