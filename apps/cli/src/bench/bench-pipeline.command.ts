import { connect } from '@nats-io/transport-node';
import { SUBJECTS } from '@switchyard/contracts';
import { bearerHeaders } from '../auth-headers';

export interface BenchPipelineOptions {
  natsUrl: string;
  requests: number;
  /** A tenant key of the running services (SWITCHYARD_API_KEY); needed unless they run with AUTH=off. */
  apiKey?: string;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * Serial latency of one request through the running services (public subject, one at a time) next to a
 * NATS request-reply echo measured in the same run and process, so the two numbers share the machine's
 * noise. Start the services first (scripts/services.sh start).
 */
export async function runBenchPipeline(opts: BenchPipelineOptions): Promise<number> {
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
    return ms.sort((a, b) => a - b);
  };
  try {
    const warm = Math.min(300, opts.requests);
    await time(SUBJECTS.request, warm);
    await time(echoSubject, warm);
    const pipeline = await time(SUBJECTS.request, opts.requests);
    const raw = await time(echoSubject, opts.requests);
    const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))].toFixed(3);
    out(`${opts.requests} serial requests after ${warm} warm-up, same process, same run:`);
    out(`  pipeline (${SUBJECTS.request}): p50 ${q(pipeline, 0.5)} ms  p99 ${q(pipeline, 0.99)} ms`);
    out(`  NATS echo:                       p50 ${q(raw, 0.5)} ms  p99 ${q(raw, 0.99)} ms`);
    out(`  pipeline p50 / echo p50: ${(Number(q(pipeline, 0.5)) / Number(q(raw, 0.5))).toFixed(1)}x`);
    return 0;
  } finally {
    echo.unsubscribe();
    await nc.close();
  }
}
