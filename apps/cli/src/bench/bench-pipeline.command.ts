import { connect } from '@nats-io/transport-node';
import { SUBJECTS } from '@switchyard/contracts';
import { bearerHeaders } from '../auth-headers';
import type { BenchOutcome } from './bench-outcome';
import { percentile } from './overhead/overhead-stats';

export interface BenchPipelineOptions {
  natsUrl: string;
  requests: number;
  /** A tenant key of the running services (SWITCHYARD_API_KEY); needed unless they run with AUTH=off. */
  apiKey?: string;
}

/** What `bench pipeline` measured (`--json`). */
export interface BenchPipelineResult {
  settings: {
    /** Timed requests to each target, one at a time. */
    requests: number;
    /** Requests sent to each target before timing, not counted. */
    warmupRequests: number;
    subject: string;
  };
  /** Through the running services, on the public subject. */
  pipeline: { p50Ms: number; p99Ms: number };
  /** A NATS request-reply echo in this process: the floor. */
  echo: { p50Ms: number; p99Ms: number };
  pipelineToEchoP50Ratio: number;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * Serial latency of one request through the running services (public subject, one at a time) next to a
 * NATS request-reply echo measured in the same run and process, so the two numbers share the machine's
 * noise. Start the services first (scripts/services.sh start).
 */
export async function runBenchPipeline(opts: BenchPipelineOptions): Promise<BenchOutcome<BenchPipelineResult>> {
  const nc = await connect({ servers: opts.natsUrl, name: 'switchyard-bench' });
  const echoSubject = `bench.echo.${process.pid}`;
  const echo = nc.subscribe(echoSubject, {
    callback: (_e, m) => {
      m.respond(m.data);
    },
  });
  const body = JSON.stringify({
    messages: [{ role: 'user', content: 'What is the capital of France? Please answer briefly.' }],
  });
  const headers = opts.apiKey ? bearerHeaders(opts.apiKey) : undefined;
  const time = async (subject: string, n: number) => {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      const reply = await nc.request(subject, body, { timeout: 10_000, ...(headers ? { headers } : {}) });
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (subject === SUBJECTS.request && !reply.json<{ ok: boolean }>().ok)
        throw new Error(`the pipeline refused the request: ${reply.string()}`);
    }
    return ms;
  };
  try {
    const warm = Math.min(300, opts.requests);
    await time(SUBJECTS.request, warm);
    await time(echoSubject, warm);
    const pipeline = await time(SUBJECTS.request, opts.requests);
    const raw = await time(echoSubject, opts.requests);
    const result = summarizePipeline(
      { requests: opts.requests, warmupRequests: warm, subject: SUBJECTS.request },
      pipeline,
      raw,
    );
    for (const line of pipelineReport(result)) out(line);
    return { exitCode: 0, result };
  } finally {
    echo.unsubscribe();
    await nc.close();
  }
}

/** Percentiles of each target's latencies (in any order), and how the two compare. */
export function summarizePipeline(
  settings: BenchPipelineResult['settings'],
  pipelineMs: readonly number[],
  echoMs: readonly number[],
): BenchPipelineResult {
  const at = (xs: readonly number[]) => {
    const sorted = Float64Array.from(xs).sort();
    return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
  };
  const [pipeline, echo] = [at(pipelineMs), at(echoMs)];
  return { settings, pipeline, echo, pipelineToEchoP50Ratio: pipeline.p50Ms / echo.p50Ms };
}

/** The report's lines: the result in words. */
export function pipelineReport(r: BenchPipelineResult): string[] {
  const { pipeline: p, echo: e } = r;
  return [
    `${r.settings.requests} serial requests after ${r.settings.warmupRequests} warm-up, same process, same run:`,
    `  pipeline (${r.settings.subject}): p50 ${p.p50Ms.toFixed(3)} ms  p99 ${p.p99Ms.toFixed(3)} ms`,
    `  NATS echo:                       p50 ${e.p50Ms.toFixed(3)} ms  p99 ${e.p99Ms.toFixed(3)} ms`,
    `  pipeline p50 / echo p50: ${r.pipelineToEchoP50Ratio.toFixed(1)}x`,
  ];
}
