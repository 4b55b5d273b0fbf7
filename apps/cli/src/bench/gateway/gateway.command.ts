import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { SERVICE_NAMES, findWorkspaceRoot } from '@switchyard/launcher';
import { loadPolicyText, policyTrustOf } from '@switchyard/policy-store';
import { instantStack, runDatabaseWithKey, stopStack } from '../bench-stack';
import { startHelperProcess, startPrivateNats } from '../overhead/child-processes';
import { type ProcessGroup, cpuPerRequest, pidsMatching, readCpu } from '../overhead/cpu-usage';
import { ensureInfra, mongoPids, waitForRecords } from '../overhead/overhead.command';
import { BENCH_REQUEST } from './chat-completion';
import { type HttpTarget, runClosedLoop } from './closed-loop';
import { policyOnUpstream, upstreamTrustEnv } from './gateway-policy';
import {
  addedLatencyTable,
  cpuTable,
  footnotes,
  loadLatencyTable,
  reportedLatencyTable,
  resultsTable,
  type Step,
  stepLine,
  stepName,
  type StepResult,
  targetLines,
  type TargetResult,
  tracingCostLines,
} from './gateway-report';
import { summarizeLoad } from './gateway-stats';
import { PORTKEY_PACKAGE, installPortkey, portkeyHeaders, startPortkey } from './portkey';
import { OTLP_STATS_PATH, type OtlpSinkStats, upstreamPortFrom } from './upstream-server';

export interface BenchGatewayOptions {
  /** Measured seconds per closed-loop step. */
  seconds: number;
  /** Seconds of load before each step's measurement, not counted. */
  warmupSeconds: number;
  /** A closed-loop step at each of these numbers of connections. */
  connections: number[];
  /** Requests timed one at a time over one connection. */
  serialRequests: number;
  portkeyVersion: string;
  skipPortkey: boolean;
  /** Without the six-process row (co-located only, say, when profiling it). */
  skipSix?: boolean;
  /**
   * Where each Switchyard process writes a V8 CPU profile (`--cpu-prof`) when it stops: what to read before
   * cutting work from the hot path (`node tools/probes/cpu-profile-summary.cjs DIR`).
   */
  cpuProfileDir?: string;
  /** Also the six processes with tracing on, exporting OTLP/HTTP to a sink in the upstream's process. */
  tracing?: boolean;
  /** Where the raw numbers go as JSON, if anywhere. */
  json?: string;
  /** The shared NATS, used only when no nats-server binary is there to run a private one. */
  natsUrl: string;
  redisUrl: string;
  /** Server part of the MongoDB URI; the benchmark uses its own database on it. */
  mongoServer: string;
}

const DB = 'switchyard_bench_gateway';
const DURABLE = 'switchyard-bench-gateway-records';
// A reply not complete within this is an error, at the load generator and at ingress alike.
const TIMEOUT_MS = 10_000;
const LOAD_GENERATOR = 'load generator (this)';
const BODY = JSON.stringify(BENCH_REQUEST);
const out = (line = '') => process.stdout.write(`${line}\n`);

/** A target being measured: where to send, which processes serve it, what to do after each of its steps. */
interface LiveTarget {
  result: TargetResult;
  http: HttpTarget;
  processes: ProcessGroup;
  afterStep?: () => Promise<string>;
}

type Teardown = Array<() => Promise<unknown>>;

/**
 * An instant OpenAI-compatible upstream called directly, through Portkey's open-source gateway, and through
 * the six Switchyard services (HTTP door, seed rules and bands), side by side in one run: serial latency,
 * closed-loop throughput at each number of connections, and CPU per request of every process involved.
 */
export async function runBenchGateway(opts: BenchGatewayOptions): Promise<number> {
  const root = findWorkspaceRoot();
  ensureInfra(root);
  const teardown: Teardown = [];
  let exitCode = 0;
  try {
    const upstream = await startUpstream(join(root, 'bin', 'switchyard.js'));
    teardown.unshift(upstream.stop);
    out(`Instant upstream: a separate node process at ${upstream.baseUrl}`);
    const upstreamPids = upstream.pid ? [upstream.pid] : [];

    const switchyard = (mode: 'six' | 'colocated', tracing?: { otlpEndpoint: string }) =>
      switchyardTarget(
        mode,
        opts,
        root,
        upstream.baseUrl,
        upstreamPids,
        teardown,
        (code) => (exitCode = code),
        tracing,
      );
    const targets: Array<LiveTarget | TargetResult> = [
      {
        result: { id: 'upstream', label: 'upstream called directly', name: 'upstream', role: 'upstream', steps: [] },
        http: { url: `${upstream.baseUrl}/chat/completions`, headers: { authorization: 'Bearer bench-upstream-key' } },
        processes: [{ name: 'upstream', pids: upstreamPids }],
      },
      await portkeyTarget(opts, upstream.baseUrl, upstreamPids, teardown),
      ...(opts.skipSix ? [] : [await switchyard('six')]),
      ...(opts.tracing ? [await switchyard('six', { otlpEndpoint: upstream.baseUrl.replace(/\/v1$/, '') })] : []),
      await switchyard('colocated'),
    ];
    const code = await measure(opts, targets);
    if (code !== 0) exitCode = code;
    if (opts.tracing && !(await reportTracing(upstream.baseUrl, targets))) exitCode = 1;
  } catch (err) {
    process.stderr.write(`bench gateway failed: ${(err as Error).message}\n`);
    exitCode = 1;
  } finally {
    out('\nStopping the services, the gateways, the upstream and the private NATS...');
    for (const step of teardown) await step().catch((err: Error) => out(`  cleanup: ${err.message}`));
  }
  return exitCode;
}

/**
 * With tracing on: what the sink received (none would mean the traced row measured nothing of tracing, a
 * failed run) and what tracing cost, side by side with the untraced six processes.
 */
async function reportTracing(upstreamBaseUrl: string, targets: Array<LiveTarget | TargetResult>): Promise<boolean> {
  const stats = await fetch(`${upstreamBaseUrl.replace(/\/v1$/, '')}${OTLP_STATS_PATH}`, {
    signal: AbortSignal.timeout(5000),
  }).then(
    async (r) => (await r.json()) as OtlpSinkStats,
    () => undefined,
  );
  const results = targets.map((t) => ('http' in t ? t.result : t));
  const traced = results.find((t) => t.id === 'switchyard-traced');
  const steps = traced?.steps.map((s) => s.step) ?? [];
  out(`\n== Tracing on against off (six processes, the same run)`);
  for (const line of tracingCostLines(results, steps, SERVICE_NAMES)) out(line);
  out(
    stats
      ? `OTLP exports received by the sink: ${stats.exports} (${(stats.bytes / 1e6).toFixed(1)} MB of spans)`
      : 'The OTLP sink did not say what it received.',
  );
  return (stats?.exports ?? 0) > 0;
}

async function measure(opts: BenchGatewayOptions, targets: Array<LiveTarget | TargetResult>): Promise<number> {
  const live = targets.filter((t): t is LiveTarget => 'http' in t);
  for (const t of live) {
    const why = await probe(t);
    if (why === undefined) continue;
    // The upstream and Switchyard are what this benchmark is about; a peer gateway that will not forward is a row less.
    if (t.result.id !== 'portkey') throw new Error(`${t.result.label} did not answer a probe request: ${why}`);
    t.result.skipped = `it did not forward a probe request: ${why}`;
    out(`${t.result.label}: ${t.result.skipped}; measuring without it`);
  }
  const measured = live.filter((t) => !t.result.skipped);
  const steps: Step[] = ['serial', ...opts.connections];
  out(
    `\nEach step: ${opts.warmupSeconds} s warm-up, then ${opts.serialRequests} requests one at a time (serial) or ` +
      `${opts.seconds} s closed loop; the targets take turns at each step.`,
  );
  for (const step of steps)
    for (const t of measured) {
      const result = await runStep(t, step, opts);
      t.result.steps.push(result);
      out(`  ${stepLine(t.result, result)}`);
      await sleep(250);
    }

  const results = targets.map((t) => ('http' in t ? t.result : t));
  out(`\n== Serial latency and throughput (closed loop, keep-alive connections; errors over every step)`);
  out(resultsTable(results, opts.connections));
  out(`\n== Latency under load`);
  out(loadLatencyTable(results, opts.connections));
  out(`\n== Added by each gateway over the upstream called directly (serial), and compared with Portkey`);
  out(addedLatencyTable(results, opts.connections));
  const reported = reportedLatencyTable(results);
  if (reported) {
    out(`\n== Inside the gateway, by its own account (medians of switchyard.latency in its replies; whole ms)`);
    out(reported);
  }
  out(`\n== CPU per request, ms (from /proc over each measured step; redis and mongodb are shared servers)`);
  out(cpuTable(results, steps));
  out(`\n== Targets (issue #13: the same run, ratios to Portkey)`);
  for (const line of targetLines(results)) out(line);
  out('');
  for (const line of footnotes(results)) out(line);
  if (opts.json) {
    mkdirSync(dirname(resolve(opts.json)), { recursive: true });
    writeFileSync(resolve(opts.json), `${JSON.stringify(report(opts, results), null, 2)}\n`);
    out(`\nRaw numbers: ${opts.json}`);
  }
  const errors = results.reduce((n, t) => n + t.steps.reduce((m, s) => m + s.summary.errors, 0), 0);
  if (errors > 0) out(`\n${errors} requests were not answered well (see above).`);
  return errors > 0 ? 1 : 0;
}

async function runStep(t: LiveTarget, step: Step, opts: BenchGatewayOptions): Promise<StepResult> {
  const group: ProcessGroup = [{ name: LOAD_GENERATOR, pids: [process.pid] }, ...t.processes];
  let before = readCpu(group);
  const sample = await runClosedLoop(t.http, BODY, {
    connections: step === 'serial' ? 1 : step,
    warmupMs: opts.warmupSeconds * 1000,
    measure: step === 'serial' ? { requests: opts.serialRequests } : { ms: opts.seconds * 1000 },
    timeoutMs: TIMEOUT_MS,
    onMeasureStart: () => (before = readCpu(group)),
  });
  // After the step's own background work (Switchyard's records stored): that is part of what a request costs.
  const note = t.afterStep ? await t.afterStep() : '';
  const summary = summarizeLoad(sample);
  return {
    step,
    summary,
    cpuMsPerRequest: Object.fromEntries(cpuPerRequest(before, readCpu(group), summary.ok)),
    models: sample.models,
    errorSamples: sample.errorSamples,
    note,
  };
}

/** One request; undefined when it was answered well, else why not. */
async function probe(t: LiveTarget): Promise<string | undefined> {
  const sample = await runClosedLoop(t.http, BODY, {
    connections: 1,
    warmupMs: 0,
    measure: { requests: 1 },
    timeoutMs: TIMEOUT_MS,
  });
  return sample.ok === 1 ? undefined : (sample.errorSamples[0] ?? 'no reply');
}

async function startUpstream(cliEntry: string): Promise<{ baseUrl: string; pid?: number; stop: () => Promise<void> }> {
  const {
    pid,
    ready: port,
    stop,
  } = await startHelperProcess(
    'instant upstream',
    process.execPath,
    [cliEntry, 'bench', 'upstream'],
    process.env,
    upstreamPortFrom,
  );
  return { baseUrl: `http://127.0.0.1:${port}/v1`, pid, stop };
}

async function portkeyTarget(
  opts: BenchGatewayOptions,
  upstreamBaseUrl: string,
  upstreamPids: number[],
  teardown: Teardown,
): Promise<LiveTarget | TargetResult> {
  const result: TargetResult = {
    id: 'portkey',
    label: `Portkey's open-source gateway (${PORTKEY_PACKAGE} ${opts.portkeyVersion}), one provider`,
    name: 'Portkey',
    role: 'gateway',
    reference: true,
    steps: [],
  };
  if (opts.skipPortkey) return { ...result, skipped: '--skip-portkey' };
  const installed = await installPortkey(opts.portkeyVersion, out);
  if ('skipped' in installed) {
    out(`Portkey gateway: ${installed.skipped}; measuring without it`);
    return { ...result, skipped: installed.skipped };
  }
  const portkey = await startPortkey(installed.entry).catch((err: Error) => err);
  if (portkey instanceof Error) {
    const why = `it did not start: ${portkey.message.split('\n')[0]}`;
    out(`Portkey gateway: ${why}; measuring without it`);
    return { ...result, skipped: why };
  }
  teardown.unshift(portkey.stop);
  out(`Portkey gateway: a separate node process at ${portkey.url}, forwarding to the upstream`);
  return {
    result,
    http: { url: `${portkey.url}/v1/chat/completions`, headers: portkeyHeaders(upstreamBaseUrl, 'bench-upstream-key') },
    processes: [
      { name: 'portkey gateway', pids: portkey.pid ? [portkey.pid] : [] },
      { name: 'upstream', pids: upstreamPids },
    ],
  };
}

/**
 * The six services, each its own process (`six`) or all in one (`colocated`, `switchyard serve --services
 * all`), on a private nats-server of their own (two stacks on one server would share their queue groups'
 * work): the seed policy (rules and difficulty bands) with every model on the upstream, requests with a
 * tenant key on ingress's OpenAI-compatible door.
 */
async function switchyardTarget(
  mode: 'six' | 'colocated',
  opts: BenchGatewayOptions,
  root: string,
  upstreamBaseUrl: string,
  upstreamPids: number[],
  teardown: Teardown,
  setExitCode: (code: number) => void,
  tracing?: { otlpEndpoint: string },
): Promise<LiveTarget> {
  const nats: { url: string; pid?: number; stop: () => Promise<void> } = await startPrivateNats().catch(
    (err: Error) => {
      out(`No private nats-server (${err.message.split('\n')[0]}); using the shared one at ${opts.natsUrl}.`);
      return { url: opts.natsUrl, stop: () => Promise.resolve() };
    },
  );
  teardown.unshift(nats.stop);
  out(`NATS for Switchyard: ${nats.url}`);

  const policyDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-gateway-'));
  teardown.unshift(() => Promise.resolve(rmSync(policyDir, { recursive: true, force: true })));
  const policyFile = join(policyDir, 'policy.yaml');
  const policyText = policyOnUpstream(readFileSync(join(root, 'policies', 'default.yaml'), 'utf8'), upstreamBaseUrl);
  writeFileSync(policyFile, policyText);
  const trustEnv = upstreamTrustEnv(upstreamBaseUrl);
  // Checked here as decision-engine and provider-adapters will, so a refusal names the field instead of a failed start.
  loadPolicyText(
    policyText,
    policyDir,
    policyFile,
    policyTrustOf({
      POLICY_KEY_ENV_PREFIX: trustEnv['POLICY_KEY_ENV_PREFIX'],
      POLICY_ALLOWED_HOSTS: trustEnv['POLICY_ALLOWED_HOSTS'],
    }),
  );

  const { uri, key, drop } = await runDatabaseWithKey(
    opts.mongoServer,
    DB,
    `${process.pid}_${mode}${tracing ? '_traced' : ''}`,
    'bench',
  );
  teardown.unshift(drop);
  const nc: NatsConnection = await connect({ servers: nats.url, name: 'switchyard-bench-gateway' });
  teardown.unshift(() => nc.close());

  const stack = instantStack({
    root,
    natsUrl: nats.url,
    redisUrl: opts.redisUrl,
    mongoUri: uri,
    timeoutMs: TIMEOUT_MS,
    run: `gateway-${process.pid}-${mode}${tracing ? '-traced' : ''}`,
    env: {
      DURABLE_NAME: DURABLE,
      CONSUMER_START: 'new',
      POLICY_FILE: policyFile,
      ...trustEnv,
      // Every span sampled and exported (OTLP http/protobuf, the SDK's default batching): the worst case.
      ...(tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: tracing.otlpEndpoint, OTEL_TRACES_SAMPLER: 'always_on' } : {}),
    },
    colocated: mode === 'colocated',
    nodeArgs: opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(opts.cpuProfileDir, mode)}`] : [],
  });
  out(
    `Starting the six services ${mode === 'six' ? 'as six processes' : 'in one process'} (seed rules and bands, every model on the upstream, openai-compatible)${tracing ? `, tracing to ${tracing.otlpEndpoint}` : ''}...`,
  );
  teardown.unshift(async () => {
    if (!(await stopStack(stack, out))) setExitCode(1);
  });
  await stack.start((name) => out(`  ${name} ready`));

  return {
    result: tracing
      ? {
          id: 'switchyard-traced',
          label: 'Switchyard, six services as above, tracing on (every span, OTLP/HTTP protobuf to a local sink)',
          name: 'Switchyard (6, traced)',
          role: 'gateway',
          steps: [],
        }
      : mode === 'six'
        ? {
            id: 'switchyard',
            label: 'Switchyard, six services, HTTP door, seed rules + bands, openai-compatible adapter',
            name: 'Switchyard (6 processes)',
            role: 'gateway',
            steps: [],
          }
        : {
            id: 'switchyard-colocated',
            label: 'Switchyard co-located (one process, switchyard serve --services all), same policy and door',
            name: 'Switchyard (1 process)',
            role: 'gateway',
            steps: [],
          },
    http: { url: `${stack.get('ingress').baseUrl}/v1/chat/completions`, headers: { authorization: `Bearer ${key}` } },
    processes: [
      ...(mode === 'six'
        ? SERVICE_NAMES.map((name) => ({ name, pids: stack.all(name).flatMap((p) => (p.pid ? [p.pid] : [])) }))
        : [
            {
              name: 'switchyard (all six)',
              pids: stack.get('ingress').pid ? [stack.get('ingress').pid as number] : [],
            },
          ]),
      {
        name: nats.pid ? 'nats-server' : 'nats-server (shared)',
        pids: nats.pid ? [nats.pid] : pidsMatching(/^nats-server /),
      },
      { name: 'redis (shared)', pids: pidsMatching(/^redis-server /) },
      { name: 'mongodb (shared)', pids: mongoPids(opts.mongoServer) },
      { name: 'upstream', pids: upstreamPids },
    ],
    afterStep: () => waitForRecords(nc, DURABLE),
  };
}

function report(opts: BenchGatewayOptions, targets: TargetResult[]) {
  return {
    benchmark: 'switchyard bench gateway',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
    options: {
      seconds: opts.seconds,
      warmupSeconds: opts.warmupSeconds,
      connections: opts.connections,
      serialRequests: opts.serialRequests,
      portkeyVersion: opts.skipPortkey ? undefined : opts.portkeyVersion,
    },
    request: BENCH_REQUEST,
    targets: targets.map((t) => ({ ...t, steps: t.steps.map((s) => ({ ...s, name: stepName(s.step) })) })),
  };
}
