import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { EVENTS_STREAM, SUBJECTS } from '@switchyard/contracts';
import { SERVICE_NAMES, findWorkspaceRoot } from '@switchyard/launcher';
import { bearerHeaders } from '../../auth-headers';
import type { BenchOutcome } from '../bench-outcome';
import { instantStack, runDatabaseWithKey, stopStack } from '../bench-stack';
import { startEchoProcess, startPrivateNats } from './child-processes';
import { type ProcessGroup, cpuPerRequest, pidsMatching, readCpu } from './cpu-usage';
import { type SendOnce, runOpenLoop } from './open-loop';
import {
  type BenchOverheadResult,
  type MeasuredStep,
  type SaturationResult,
  type Target,
  addedLatencyTable,
  cpuTable,
  fixedRateTable,
  overheadResult,
  saturationTable,
  stepLine,
  targetLines,
} from './overhead-report';
import {
  DEFAULT_SEARCH,
  DEFAULT_SUSTAIN,
  ISSUE_TARGETS,
  evaluateTargets,
  highestSustained,
  nextSaturationRate,
  summarizeStep,
  targetChecks,
  unsustainedReason,
} from './overhead-stats';

export interface BenchOverheadOptions {
  /** Fixed offered rates, requests per second. */
  rates: number[];
  /** Seconds per fixed rate. */
  seconds: number;
  /** Seconds per step of the saturation search; 0 skips the search. */
  stepSeconds: number;
  /** A request with no good reply within this is lost (the stack's REQUEST_TIMEOUT_MS too). */
  timeoutMs: number;
  /** A step whose p99 is above this is not sustained. */
  maxP99Ms: number;
  /** The shared NATS, used only when no nats-server binary is there to run a private one. */
  natsUrl: string;
  redisUrl: string;
  /** Server part of the MongoDB URI; the benchmark uses its own database on it. */
  mongoServer: string;
}

const DB = 'switchyard_bench_overhead';
const DURABLE = 'switchyard-bench-overhead-records';
const ECHO_SUBJECT = 'switchyard.bench.echo';
// What a product team would send: a short question, no request id (so no idempotency round trips).
const BODY = JSON.stringify({
  messages: [{ role: 'user', content: 'What is the capital of France? Please answer briefly.' }],
});
const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * The router's overhead: all six services on a provider that answers at once, driven open-loop through the
 * public subject at fixed offered rates and then to saturation, next to a raw request-reply echo in another
 * process measured in the same run with the same load generator.
 */
export async function runBenchOverhead(opts: BenchOverheadOptions): Promise<BenchOutcome<BenchOverheadResult>> {
  const root = findWorkspaceRoot();
  ensureInfra(root);
  const teardown: Array<() => Promise<unknown>> = [];
  let exitCode = 0;
  let result: BenchOverheadResult | undefined;
  try {
    const nats: { url: string; pid?: number; stop: () => Promise<void> } = await startPrivateNats().catch(
      (err: Error) => {
        out(`No private nats-server (${err.message.split('\n')[0]}); using the shared one at ${opts.natsUrl}.`);
        return { url: opts.natsUrl, stop: () => Promise.resolve() };
      },
    );
    teardown.unshift(nats.stop);
    out(`NATS for this run: ${nats.url}`);

    const echo = await startEchoProcess(join(root, 'bin', 'switchyard.js'), nats.url, ECHO_SUBJECT);
    teardown.unshift(echo.stop);
    out(`NATS echo: a separate node process answering ${ECHO_SUBJECT}`);

    const { uri, key, drop } = await runDatabaseWithKey(opts.mongoServer, DB, String(process.pid), 'bench');
    teardown.unshift(drop);

    // noAsyncTraces: the generator's own cost per request stays small (the same for both targets).
    const nc = await connect({ servers: nats.url, name: 'switchyard-bench-overhead', noAsyncTraces: true });
    teardown.unshift(() => nc.close());
    await deleteDurable(nc);
    teardown.unshift(() => deleteDurable(nc));

    const stack = instantStack({
      root,
      natsUrl: nats.url,
      redisUrl: opts.redisUrl,
      mongoUri: uri,
      timeoutMs: opts.timeoutMs,
      run: `overhead-${process.pid}`,
      env: { DURABLE_NAME: DURABLE, CONSUMER_START: 'new' },
    });
    out('Starting the six services (default policy, simulated provider, no latency)...');
    teardown.unshift(async () => {
      if (!(await stopStack(stack, out))) exitCode = 1;
    });
    await stack.start((name) => out(`  ${name} ready`));

    const watched: ProcessGroup = [
      { name: 'load generator (this)', pids: [process.pid] },
      { name: 'NATS echo', pids: echo.pid ? [echo.pid] : [] },
      {
        name: nats.pid ? 'nats-server' : 'nats-server (shared)',
        pids: nats.pid ? [nats.pid] : pidsMatching(/^nats-server /),
      },
      ...SERVICE_NAMES.map((name) => ({ name, pids: stack.all(name).flatMap((p) => (p.pid ? [p.pid] : [])) })),
      { name: 'redis (shared)', pids: pidsMatching(/^redis-server /) },
      { name: 'mongodb (shared)', pids: mongoPids(opts.mongoServer) },
    ];
    result = await measure(nc, opts, watched, key, nats.pid !== undefined);
  } catch (err) {
    process.stderr.write(`bench overhead failed: ${(err as Error).message}\n`);
    exitCode = 1;
  } finally {
    out('\nStopping the services, the echo and the private NATS...');
    for (const step of teardown) await step().catch((err: Error) => out(`  cleanup: ${err.message}`));
  }
  return { exitCode, result };
}

async function measure(
  nc: NatsConnection,
  opts: BenchOverheadOptions,
  watched: ProcessGroup,
  key: string,
  privateNats: boolean,
): Promise<BenchOverheadResult> {
  // Both targets get the same bytes: the echo receives the key header too.
  const headers = bearerHeaders(key);
  const sends: Record<Target, SendOnce> = {
    echo: async () => {
      const reply = await nc.request(ECHO_SUBJECT, BODY, { timeout: opts.timeoutMs, headers });
      return reply.json<{ messages?: unknown }>().messages !== undefined;
    },
    pipeline: async () => {
      const reply = await nc.request(SUBJECTS.request, BODY, { timeout: opts.timeoutMs, headers });
      return reply.json<{ ok?: boolean }>().ok === true;
    },
  };
  const criteria = { ...DEFAULT_SUSTAIN, maxP99Ms: opts.maxP99Ms };
  const steps: MeasuredStep[] = [];
  const run = async (target: Target, phase: MeasuredStep['phase'], rate: number, seconds: number) => {
    process.stdout.write(`  ${phase.padEnd(10)} ${target.padEnd(8)} ${String(rate).padStart(6)}/s x ${seconds} s: `);
    const cpuBefore = readCpu(watched);
    const summary = summarizeStep(await runOpenLoop(sends[target], { rateRps: rate, seconds }));
    // Read after the records are stored: writing them is part of what a request costs.
    const settled = target === 'pipeline' ? await waitForRecords(nc) : '';
    const cpuMsPerRequest = cpuPerRequest(cpuBefore, readCpu(watched), summary.sent);
    const step: MeasuredStep = {
      target,
      phase,
      summary,
      unsustained: unsustainedReason(summary, criteria),
      cpuMsPerRequest,
    };
    steps.push(step);
    out(`${stepLine(step)}${settled}`);
    await sleep(250);
    return step;
  };

  out('\nWarming up (2 s at 200/s each, not counted)...');
  for (const target of ['echo', 'pipeline'] as const) {
    const warm = summarizeStep(await runOpenLoop(sends[target], { rateRps: 200, seconds: 2 }));
    if (warm.ok === 0) throw new Error(`no good reply from the ${target} during warm-up`);
    await waitForRecords(nc);
  }

  out(`\nFixed offered rates, open loop, ${opts.seconds} s each (echo, then pipeline, at each rate):`);
  for (const rate of opts.rates)
    for (const target of ['echo', 'pipeline'] as const) await run(target, 'fixed', rate, opts.seconds);

  const saturation: Record<Target, SaturationResult> = {
    echo: { target: 'echo', maxRps: undefined, firstFailRps: undefined, failReason: undefined, searched: false },
    pipeline: {
      target: 'pipeline',
      maxRps: undefined,
      firstFailRps: undefined,
      failReason: undefined,
      searched: false,
    },
  };
  if (opts.stepSeconds > 0) {
    out(
      `\nSaturation: ramp x${DEFAULT_SEARCH.factor} from the highest sustained rate, then bisect; ${opts.stepSeconds} s per step.`,
    );
    out(
      `  Sustained = nothing lost or failed, achieved >= ${criteria.minAchievedShare * 100}% of offered, p99 <= ${criteria.maxP99Ms} ms.`,
    );
    // The two searches take turns, so both see the machine in the same state.
    for (let progressed = true; progressed;) {
      progressed = false;
      for (const target of ['echo', 'pipeline'] as const) {
        const next = nextSaturationRate(outcomes(steps, target), DEFAULT_SEARCH);
        if (next === undefined) continue;
        await run(target, 'saturation', next, opts.stepSeconds);
        progressed = true;
      }
    }
  }
  for (const target of ['echo', 'pipeline'] as const) {
    const mine = steps.filter((s) => s.target === target);
    const fails = mine.filter((s) => s.unsustained).sort((a, b) => a.summary.offeredRps - b.summary.offeredRps);
    saturation[target].maxRps = highestSustained(outcomes(steps, target));
    saturation[target].firstFailRps = fails[0]?.summary.offeredRps;
    saturation[target].failReason = fails[0]?.unsustained;
    saturation[target].searched = opts.stepSeconds > 0;
  }

  out('\n== Latency at fixed offered rates (from the scheduled send time; lost = no good reply in time)');
  out(fixedRateTable(steps));
  out('\n== Added latency: the pipeline against the raw NATS echo, same run, same load generator');
  out(addedLatencyTable(steps));
  out('\n== Maximum sustained throughput');
  out(saturationTable(saturation.echo, saturation.pipeline));
  out("\n== CPU per request, ms (from /proc, until the step's records are stored; shared servers also serve others)");
  out(
    cpuTable(
      steps,
      watched.map((w) => w.name),
    ),
  );
  const atTarget = steps.find(
    (s) => s.target === 'pipeline' && s.phase === 'fixed' && s.summary.offeredRps === ISSUE_TARGETS.atRps,
  );
  const targets = evaluateTargets(atTarget?.summary, saturation.pipeline.maxRps, saturation.echo.maxRps);
  out('\n== Targets (issue #5)');
  out(targetLines(targetChecks(targets)));
  const settings = {
    ratesRps: opts.rates,
    secondsPerRate: opts.seconds,
    stepSeconds: opts.stepSeconds,
    timeoutMs: opts.timeoutMs,
    maxP99Ms: criteria.maxP99Ms,
    minAchievedShare: criteria.minAchievedShare,
    privateNats,
  };
  return overheadResult(settings, steps, saturation, targets);
}

function outcomes(steps: MeasuredStep[], target: Target) {
  return steps
    .filter((s) => s.target === target)
    .map((s) => ({ offeredRps: s.summary.offeredRps, sustained: s.unsustained === undefined }));
}

/**
 * Waits until feedback-aggregator (its durable) has stored every completion event so far, so one step's
 * backlog does not slow the next; says how long that took when it was noticeable.
 */
export async function waitForRecords(nc: NatsConnection, durable = DURABLE): Promise<string> {
  const jsm = await jetstreamManager(nc);
  const started = Date.now();
  for (;;) {
    const info = await jsm.consumers.info(EVENTS_STREAM.name, durable).catch(() => undefined);
    if (!info) return ' (no records consumer found)';
    if (info.num_pending === 0 && info.num_ack_pending === 0) break;
    if (Date.now() - started > 60_000) return ' (records still not all stored after 60 s)';
    await sleep(100);
  }
  const ms = Date.now() - started;
  return ms >= 500 ? ` (records stored ${(ms / 1000).toFixed(1)} s later)` : '';
}

/** The local MongoDB-wire server behind the URI: the FerretDB (or mongod) listening on its port. */
export function mongoPids(mongoServer: string): number[] {
  const port = /:(\d+)$/.exec(mongoServer)?.[1] ?? '27017';
  return pidsMatching(new RegExp(`(ferretdb\\S* .*:${port}( |$))|(mongod .*--port ${port}( |$))`));
}

async function deleteDurable(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.delete(EVENTS_STREAM.name, DURABLE).catch(() => undefined);
}

/**
 * Redis and the MongoDB-wire server the services need, started the way `npm run demo` does if they are down.
 * The script's output goes to stderr, all of it: with --json, stdout carries only the document.
 */
export function ensureInfra(root: string): void {
  const res = spawnSync('bash', [join(root, 'scripts', 'infra.sh'), 'up'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (res.status !== 0) throw new Error('scripts/infra.sh up failed; see its output above');
}
