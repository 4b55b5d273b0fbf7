import { table } from '../../demo/table';
import { ms } from '../overhead/overhead-report';
import { type LoadSummary, addedLatency, ratio } from './gateway-stats';

/** A step: the serial phase (one connection) or a closed loop at a number of connections. */
export type Step = 'serial' | number;

export interface StepResult {
  step: Step;
  summary: LoadSummary;
  /** CPU ms per good answer of each process the target runs on (and the load generator), over the step. */
  cpuMsPerRequest: Record<string, number>;
  /** The model each good answer says served it. */
  models: Record<string, number>;
  errorSamples: string[];
  /** Said after the step's line (records still being stored, say). */
  note?: string;
}

export interface TargetResult {
  id: string;
  /** The row's label in the headline table. */
  label: string;
  /** Short, for the other tables and the progress lines. */
  name: string;
  /** The upstream alone is the floor; each gateway's added latency is measured against it. */
  role: 'upstream' | 'gateway';
  /** The gateway the others are compared with (Portkey). */
  reference?: boolean;
  /** Why it was not measured; its row then says so. */
  skipped?: string;
  steps: StepResult[];
}

export const stepName = (step: Step) => (step === 'serial' ? 'serial' : `${step} conns`);

const x = (r: number) => (Number.isFinite(r) ? `${r < 1 ? r.toFixed(2) : r.toFixed(1)}x` : '-');
const stepOf = (t: TargetResult, step: Step) => t.steps.find((s) => s.step === step)?.summary;

/** One line per step, as it finishes. */
export function stepLine(target: TargetResult, result: StepResult): string {
  const s = result.summary;
  return (
    `${target.name}, ${stepName(result.step)}: ${s.ok} ok, ${s.errors} errors, ${Math.round(s.rps)} req/s, ` +
    `p50 ${ms(s.p50Ms)} ms, p99 ${ms(s.p99Ms)} ms${result.note ?? ''}`
  );
}

/** The headline: serial latency, throughput at each number of connections, errors over every step. */
export function resultsTable(targets: TargetResult[], connections: number[]): string {
  const rows = targets.map((t) => {
    const serial = stepOf(t, 'serial');
    return [
      t.label,
      serial ? ms(serial.p50Ms) : '-',
      serial ? ms(serial.p90Ms) : '-',
      serial ? ms(serial.p99Ms) : '-',
      ...connections.map((c) => {
        const s = stepOf(t, c);
        return s ? String(Math.round(s.rps)) : '-';
      }),
      t.skipped ? '-' : t.steps.reduce((n, s) => n + s.summary.errors, 0),
    ];
  });
  return table(
    [
      'target',
      'serial p50 ms',
      'serial p90 ms',
      'serial p99 ms',
      ...connections.map((c) => `req/s at ${c} conns`),
      'errors',
    ],
    rows,
  );
}

/** Latency under load: p50 and p99 at each number of connections. */
export function loadLatencyTable(targets: TargetResult[], connections: number[]): string {
  const rows = targets
    .filter((t) => !t.skipped)
    .map((t) => [
      t.name,
      ...connections.flatMap((c) => {
        const s = stepOf(t, c);
        return s ? [ms(s.p50Ms), ms(s.p99Ms)] : ['-', '-'];
      }),
    ]);
  return table(['target', ...connections.flatMap((c) => [`p50 ms at ${c}`, `p99 ms at ${c}`])], rows);
}

/**
 * What each gateway adds over calling the upstream directly (serial p50 and p99, same run), and how that and
 * its throughput compare with the reference gateway's.
 */
export function addedLatencyTable(targets: TargetResult[], connections: number[]): string {
  const upstream = targets.find((t) => t.role === 'upstream' && !t.skipped);
  const ref = targets.find((t) => t.reference && !t.skipped);
  const floor = upstream && stepOf(upstream, 'serial');
  const refSerial = ref && stepOf(ref, 'serial');
  const refName = ref?.name ?? 'reference';
  const rows = targets
    .filter((t) => t.role === 'gateway' && !t.skipped)
    .map((t) => {
      const serial = stepOf(t, 'serial');
      const added = serial && floor ? addedLatency(serial, floor, refSerial) : undefined;
      return [
        t.name,
        added ? ms(added.p50Ms) : '-',
        added ? ms(added.p99Ms) : '-',
        added ? x(added.p50Ratio) : '-',
        added ? x(added.p99Ratio) : '-',
        ...connections.map((c) => {
          const mine = stepOf(t, c);
          const theirs = ref && stepOf(ref, c);
          return mine && theirs ? x(ratio(mine.rps, theirs.rps)) : '-';
        }),
      ];
    });
  return table(
    [
      'gateway',
      'added p50 ms',
      'added p99 ms',
      `added p50 vs ${refName}`,
      `added p99 vs ${refName}`,
      ...connections.map((c) => `req/s vs ${refName} at ${c}`),
    ],
    rows,
  );
}

/**
 * Where the time went by the gateway's own account (medians of Switchyard's `switchyard.latency`): from its
 * door receiving the request to the answer being ready, the routing part and the provider call, next to
 * what the client saw; the rest is the HTTP door itself and the client's side.
 */
export function reportedLatencyTable(targets: TargetResult[]): string | undefined {
  const rows = targets.flatMap((t) =>
    t.steps.flatMap((s) => {
      const r = s.summary.reported;
      return r
        ? [[t.name, stepName(s.step), ms(s.summary.p50Ms), ms(r.totalMs), ms(r.routingMs), ms(r.providerMs)]]
        : [];
    }),
  );
  if (rows.length === 0) return undefined;
  return table(['target', 'step', 'client p50 ms', 'door to answer p50', 'routing p50', 'provider call p50'], rows);
}

/** CPU ms per good answer: a row per process of each target, then the target's total, a column per step. */
export function cpuTable(targets: TargetResult[], steps: Step[]): string {
  const rows: Array<Array<string | number>> = [];
  for (const t of targets.filter((t) => !t.skipped)) {
    const names = [...new Set(t.steps.flatMap((s) => Object.keys(s.cpuMsPerRequest)))];
    const cell = (step: Step, pick: (cpu: Record<string, number>) => number | undefined) => {
      const cpu = t.steps.find((s) => s.step === step)?.cpuMsPerRequest;
      const v = cpu && pick(cpu);
      return v === undefined ? '-' : v.toFixed(3);
    };
    for (const name of names) rows.push([t.name, name, ...steps.map((step) => cell(step, (cpu) => cpu[name]))]);
    rows.push([
      t.name,
      'total',
      ...steps.map((step) =>
        cell(step, (cpu) => (Object.keys(cpu).length > 0 ? Object.values(cpu).reduce((a, b) => a + b, 0) : undefined)),
      ),
    ]);
  }
  return table(['target', 'process', ...steps.map(stepName)], rows);
}

/** What the table cannot show: targets not measured and why, errors seen, which model answered. */
export function footnotes(targets: TargetResult[]): string[] {
  const lines: string[] = [];
  for (const t of targets) {
    if (t.skipped) {
      lines.push(`${t.label}: not measured (${t.skipped})`);
      continue;
    }
    const models: Record<string, number> = {};
    for (const s of t.steps) for (const [m, n] of Object.entries(s.models)) models[m] = (models[m] ?? 0) + n;
    const served = Object.entries(models)
      .sort((a, b) => b[1] - a[1])
      .map(([m, n]) => `${m} ${n}`)
      .join(', ');
    lines.push(`${t.name}: answers name the model ${served || '(none)'}`);
    const errors = t.steps.flatMap((s) => s.errorSamples.map((e) => `${stepName(s.step)}: ${e}`));
    for (const e of errors.slice(0, 5)) lines.push(`  error ${e}`);
  }
  return lines;
}

/**
 * Issue #13's targets, read off the same run: co-located, serial added p50 at or below the reference
 * gateway's and at least 1.5x its throughput at 64 connections; six processes, serial added p50 at most
 * 2.5 ms and at least 0.8x its throughput (at 64 connections). A target whose numbers are missing says so.
 */
export function targetLines(targets: TargetResult[]): string[] {
  const upstream = targets.find((t) => t.role === 'upstream' && !t.skipped);
  const ref = targets.find((t) => t.reference && !t.skipped);
  const floor = upstream && stepOf(upstream, 'serial');
  const refSerial = ref && stepOf(ref, 'serial');
  const refAdded = floor && refSerial ? refSerial.p50Ms - floor.p50Ms : undefined;
  const line = (ok: boolean | undefined, what: string, got: string) =>
    `  ${ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met'}  ${what}: ${got}`;
  const lines: string[] = [];
  for (const [id, what, maxAdded, minShare] of [
    ['switchyard-colocated', 'co-located', undefined, 1.5],
    ['switchyard', 'six processes', 2.5, 0.8],
  ] as const) {
    const t = targets.find((x) => x.id === id && !x.skipped);
    const serial = t && stepOf(t, 'serial');
    const added = serial && floor ? serial.p50Ms - floor.p50Ms : undefined;
    const bound = maxAdded ?? refAdded;
    const boundName =
      maxAdded === undefined
        ? `${ref?.name ?? 'the reference'}'s ${refAdded === undefined ? '?' : ms(refAdded)} ms`
        : `${maxAdded} ms`;
    lines.push(
      line(
        added === undefined || bound === undefined ? undefined : added <= bound,
        `${what}: serial added p50 <= ${boundName}`,
        added === undefined ? '-' : `${ms(added)} ms`,
      ),
    );
    const mine = t && stepOf(t, 64);
    const theirs = ref && stepOf(ref, 64);
    const share = mine && theirs ? ratio(mine.rps, theirs.rps) : undefined;
    lines.push(
      line(
        share === undefined || Number.isNaN(share) ? undefined : share >= minShare,
        `${what}: req/s at 64 connections >= ${minShare}x ${ref?.name ?? 'the reference'}'s`,
        share === undefined || Number.isNaN(share) ? '-' : x(share),
      ),
    );
  }
  return lines;
}

/**
 * What tracing costs, from the same run: the six processes traced (OTLP/HTTP to a local sink) against the
 * same six untraced, at each step: serial added p50 and CPU per request of the services' own processes
 * (`services`), closed-loop req/s. Nothing when either row is missing.
 */
export function tracingCostLines(targets: TargetResult[], steps: Step[], services: readonly string[]): string[] {
  const off = targets.find((t) => t.id === 'switchyard' && !t.skipped);
  const on = targets.find((t) => t.id === 'switchyard-traced' && !t.skipped);
  const floor = targets.find((t) => t.role === 'upstream' && !t.skipped);
  if (!off || !on) return [];
  const cpuOf = (t: TargetResult, step: Step) => {
    const cpu = t.steps.find((s) => s.step === step)?.cpuMsPerRequest;
    const values = services.flatMap((name) => (cpu && cpu[name] !== undefined ? [cpu[name]] : []));
    return values.length > 0 ? values.reduce((a, b) => a + b, 0) : undefined;
  };
  const rows = steps.map((step) => {
    const a = stepOf(off, step);
    const b = stepOf(on, step);
    const base = floor && stepOf(floor, step);
    const cpuOff = cpuOf(off, step);
    const cpuOn = cpuOf(on, step);
    const latency =
      step === 'serial'
        ? a && b && base
          ? `added p50 ${ms(a.p50Ms - base.p50Ms)} -> ${ms(b.p50Ms - base.p50Ms)} ms`
          : 'added p50 -'
        : a && b
          ? `req/s ${Math.round(a.rps)} -> ${Math.round(b.rps)} (${x(ratio(b.rps, a.rps))})`
          : 'req/s -';
    const cpu =
      cpuOff !== undefined && cpuOn !== undefined
        ? `services' CPU/req ${ms(cpuOff)} -> ${ms(cpuOn)} ms (${x(ratio(cpuOn, cpuOff))})`
        : "services' CPU/req -";
    return [stepName(step), latency, cpu];
  });
  return table(['step', 'latency or throughput, off -> on', 'CPU, off -> on'], rows).split('\n');
}
