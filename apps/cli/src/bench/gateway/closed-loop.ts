import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type ReportedLatency, checkCompletion } from './chat-completion';

/** Where a target takes chat completions, and the headers it needs (a key, a gateway's routing headers). */
export interface HttpTarget {
  url: string;
  headers: Record<string, string>;
}

export interface ClosedLoopOptions {
  /** Connections, each with one request in flight at a time. */
  connections: number;
  /** Load before measuring starts, not counted (connections opened, JIT and pools warm). */
  warmupMs: number;
  /** Measure for this long (replies that complete in the window count), or for exactly this many requests. */
  measure: { ms: number } | { requests: number };
  /** A request with no full reply in this long is an error. */
  timeoutMs: number;
  /** Called when the warm-up ends and measuring begins (to read CPU counters then, say). */
  onMeasureStart?: () => void;
}

/** What one closed-loop step measured. */
export interface LoadSample {
  connections: number;
  /** How long the measured window lasted. */
  elapsedMs: number;
  /** Replies that completed in the window. */
  completed: number;
  /** Of those, good answers from the upstream; their latencies, in ms. */
  ok: number;
  latenciesMs: Float64Array;
  /** Non-2xx, invalid answers, transport errors and timeouts. */
  errors: number;
  /** The first few errors' reasons. */
  errorSamples: string[];
  /** The model each good answer says served it, counted. */
  models: Record<string, number>;
  /** Where the target says the time went, for each good answer that says (Switchyard's do). */
  reported: ReportedLatency[];
}

/**
 * Closed-loop load over keep-alive connections: each connection sends its next request as soon as its
 * reply has been read, so throughput is what the target sustains with that many requests in flight and
 * latency is what each one waited. A fresh agent per step: no socket of an earlier step, closed by the
 * server while idle, is reused.
 */
export async function runClosedLoop(target: HttpTarget, body: string, opts: ClosedLoopOptions): Promise<LoadSample> {
  const url = new URL(target.url);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections, maxFreeSockets: opts.connections });
  const payload = Buffer.from(body);
  const headers = {
    ...target.headers,
    'content-type': 'application/json',
    'content-length': String(payload.length),
  };
  const capacity = 'requests' in opts.measure ? opts.measure.requests : 1 << 16;
  let latencies = new Float64Array(capacity);
  const sample: LoadSample = {
    connections: opts.connections,
    elapsedMs: 0,
    completed: 0,
    ok: 0,
    latenciesMs: latencies,
    errors: 0,
    errorSamples: [],
    models: {},
    reported: [],
  };

  const measureStart = performance.now() + opts.warmupMs;
  const measureEnd = 'ms' in opts.measure ? measureStart + opts.measure.ms : Infinity;
  const wanted = 'requests' in opts.measure ? opts.measure.requests : Infinity;
  let lastCounted = measureStart;
  const done = () => sample.completed >= wanted || performance.now() >= measureEnd;

  const startTimer = setTimeout(() => opts.onMeasureStart?.(), opts.warmupMs);

  const connection = async () => {
    while (!done()) {
      const sent = performance.now();
      const reply = await post(url, agent, headers, payload, opts.timeoutMs);
      const now = performance.now();
      if (now < measureStart || now > measureEnd || sample.completed >= wanted) continue;
      sample.completed++;
      lastCounted = now;
      const check =
        'error' in reply ? { ok: false as const, reason: reply.error } : checkCompletion(reply.status, reply.text);
      if (!check.ok) {
        sample.errors++;
        if (sample.errorSamples.length < 5) sample.errorSamples.push(check.reason);
        continue;
      }
      if (sample.ok === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[sample.ok++] = now - sent;
      sample.models[check.model] = (sample.models[check.model] ?? 0) + 1;
      if (check.reported) sample.reported.push(check.reported);
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.connections }, connection));
  } finally {
    clearTimeout(startTimer);
    agent.destroy();
  }
  sample.elapsedMs = 'ms' in opts.measure ? opts.measure.ms : lastCounted - measureStart;
  sample.latenciesMs = latencies.subarray(0, sample.ok);
  return sample;
}

type Reply = { status: number; text: string } | { error: string };

function post(
  url: URL,
  agent: Agent,
  headers: Record<string, string>,
  payload: Buffer,
  timeoutMs: number,
): Promise<Reply> {
  return new Promise((resolve) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => resolve({ error: `reply broken off: ${err.message}` }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no reply within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end(payload);
  });
}
