import { table } from '../../demo/table';
import { finiteOrNull } from '../bench-outcome';
import { type StepSummary, type TargetCheck, type TargetsResult, fmtMs } from './overhead-stats';

export type Target = 'echo' | 'pipeline';

export interface MeasuredStep {
  target: Target;
  phase: 'fixed' | 'saturation';
  summary: StepSummary;
  /** Why the step does not count as sustained; undefined when it does. */
  unsustained?: string;
  /** CPU ms per request of each process watched, over the step. */
  cpuMsPerRequest?: Map<string, number>;
}

/** Milliseconds as a bare number for a table column headed in ms. */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return '-';
  return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0);
}

/** One line per step, as it finishes. */
export function stepLine(step: MeasuredStep): string {
  const s = step.summary;
  return (
    `${s.ok}/${s.sent} ok, ${s.lost} lost, ${s.failed} failed, achieved ${Math.round(s.achievedRps)}/s, ` +
    `p50 ${fmtMs(s.p50Ms)}, p99 ${fmtMs(s.p99Ms)}${step.unsustained ? `: not sustained (${step.unsustained})` : ''}`
  );
}

/** Every fixed-rate step: the echo and the pipeline side by side at each offered rate. */
export function fixedRateTable(steps: MeasuredStep[]): string {
  const rows = steps
    .filter((s) => s.phase === 'fixed')
    .map((s) => [
      s.summary.offeredRps,
      s.target,
      s.summary.sent,
      s.summary.lost + s.summary.failed,
      Math.round(s.summary.achievedRps),
      ms(s.summary.p50Ms),
      ms(s.summary.p95Ms),
      ms(s.summary.p99Ms),
      ms(s.summary.maxMs),
    ]);
  return table(['offered/s', 'target', 'sent', 'lost', 'achieved/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], rows);
}

/**
 * At one fixed rate measured for both: the pipeline's percentiles, the echo's, the difference and the ratio;
 * null where a side had no good reply (or the echo's is 0, for a ratio).
 */
export interface AddedLatencyRow {
  offeredRps: number;
  p50Ms: number | null;
  echoP50Ms: number | null;
  addedP50Ms: number | null;
  p50Ratio: number | null;
  p99Ms: number | null;
  echoP99Ms: number | null;
  addedP99Ms: number | null;
  p99Ratio: number | null;
}

export function addedLatencyRows(steps: MeasuredStep[]): AddedLatencyRow[] {
  const fixed = steps.filter((s) => s.phase === 'fixed');
  const ratio = (a: number, b: number) => (b > 0 ? finiteOrNull(a / b) : null);
  return fixed
    .filter((s) => s.target === 'pipeline')
    .flatMap((p) => {
      const e = fixed.find((s) => s.target === 'echo' && s.summary.offeredRps === p.summary.offeredRps);
      if (!e) return [];
      const [ps, es] = [p.summary, e.summary];
      return [
        {
          offeredRps: ps.offeredRps,
          p50Ms: finiteOrNull(ps.p50Ms),
          echoP50Ms: finiteOrNull(es.p50Ms),
          addedP50Ms: finiteOrNull(ps.p50Ms - es.p50Ms),
          p50Ratio: ratio(ps.p50Ms, es.p50Ms),
          p99Ms: finiteOrNull(ps.p99Ms),
          echoP99Ms: finiteOrNull(es.p99Ms),
          addedP99Ms: finiteOrNull(ps.p99Ms - es.p99Ms),
          p99Ratio: ratio(ps.p99Ms, es.p99Ms),
        },
      ];
    });
}

/** Added latency at each fixed rate measured for both: the pipeline's percentiles less the echo's, and their ratio. */
export function addedLatencyTable(steps: MeasuredStep[]): string {
  const num = (x: number | null) => ms(x ?? NaN);
  const ratio = (x: number | null) => (x === null ? '-' : `${x.toFixed(1)}x`);
  const rows = addedLatencyRows(steps).map((r) => [
    r.offeredRps,
    num(r.p50Ms),
    num(r.echoP50Ms),
    num(r.addedP50Ms),
    ratio(r.p50Ratio),
    num(r.p99Ms),
    num(r.echoP99Ms),
    num(r.addedP99Ms),
    ratio(r.p99Ratio),
  ]);
  return table(['offered/s', 'p50 ms', 'echo p50', 'added', 'ratio', 'p99 ms', 'echo p99', 'added', 'ratio'], rows);
}

/** CPU ms per request of each watched process, one column per fixed-rate step. */
export function cpuTable(steps: MeasuredStep[], processes: string[]): string {
  const fixed = steps.filter((s) => s.phase === 'fixed' && s.cpuMsPerRequest);
  const cell = (s: MeasuredStep, name: string) => {
    const v = s.cpuMsPerRequest?.get(name);
    return v === undefined ? '-' : v.toFixed(3);
  };
  const rows = processes.map((name) => [name, ...fixed.map((s) => cell(s, name))]);
  rows.push([
    'total',
    ...fixed.map((s) => [...(s.cpuMsPerRequest?.values() ?? [])].reduce((a, b) => a + b, 0).toFixed(3)),
  ]);
  return table(['process', ...fixed.map((s) => `${s.target} ${s.summary.offeredRps}/s`)], rows);
}

export interface SaturationResult {
  target: Target;
  /** Highest offered rate sustained (nothing lost, kept up, p99 bounded); undefined if none was. */
  maxRps: number | undefined;
  /** Lowest offered rate that was not sustained; undefined if none failed. */
  firstFailRps: number | undefined;
  /** Its reason. */
  failReason: string | undefined;
  /** False when the search was skipped (only the fixed rates count then). */
  searched: boolean;
}

/** The pipeline's highest sustained rate over the echo's; undefined without both. */
export function pipelineShare(echo: SaturationResult, pipeline: SaturationResult): number | undefined {
  return pipeline.maxRps !== undefined && echo.maxRps ? pipeline.maxRps / echo.maxRps : undefined;
}

export function saturationTable(echo: SaturationResult, pipeline: SaturationResult): string {
  const row = (r: SaturationResult) => [
    r.target,
    r.maxRps === undefined ? '-' : r.maxRps,
    r.firstFailRps !== undefined
      ? `${r.firstFailRps}/s: ${r.failReason ?? ''}`
      : r.searched
        ? 'none (the search stopped at its ceiling)'
        : 'none (no search: fixed rates only)',
  ];
  const measured = pipelineShare(echo, pipeline);
  const share = measured === undefined ? '-' : `${(measured * 100).toFixed(1)}%`;
  return [
    table(['target', 'max sustained/s', 'lowest rate not sustained'], [row(echo), row(pipeline)]),
    `pipeline / echo: ${share}`,
  ].join('\n');
}

export function targetLines(checks: TargetCheck[]): string {
  return checks.map((c) => `  ${c.met ? 'met    ' : 'NOT met'}  ${c.name}: ${c.detail}`).join('\n');
}

/** What `bench overhead` measured (`--json`): the numbers of every table of its report. */
export interface BenchOverheadResult {
  settings: {
    ratesRps: number[];
    secondsPerRate: number;
    /** 0 when the saturation search was skipped. */
    stepSeconds: number;
    timeoutMs: number;
    /** What a step must do to count as sustained. */
    maxP99Ms: number;
    minAchievedShare: number;
    /** A nats-server of the run's own; false when none could start and the shared one served. */
    privateNats: boolean;
  };
  /** Every step measured, in order: the fixed rates, then the saturation search. */
  steps: StepResult[];
  addedLatency: AddedLatencyRow[];
  saturation: { echo: SaturationJson; pipeline: SaturationJson; pipelineToEchoShare: number | null };
  targets: TargetsResult;
}

export interface StepResult {
  target: Target;
  phase: MeasuredStep['phase'];
  offeredRps: number;
  sent: number;
  ok: number;
  failed: number;
  lost: number;
  achievedRps: number;
  /** From the scheduled send time; null when no good reply came back. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  sustained: boolean;
  unsustainedReason: string | null;
  /** CPU ms per request of each process watched (until the step's records are stored), and their sum. */
  cpuMsPerRequest: Record<string, number>;
  cpuMsPerRequestTotal: number;
}

export interface SaturationJson {
  maxSustainedRps: number | null;
  lowestUnsustainedRps: number | null;
  unsustainedReason: string | null;
  /** False when the search was skipped: only the fixed rates count. */
  searched: boolean;
}

/** The result of a run from its steps, saturation and targets (the same numbers as the tables). */
export function overheadResult(
  settings: BenchOverheadResult['settings'],
  steps: MeasuredStep[],
  saturation: Record<Target, SaturationResult>,
  targets: TargetsResult,
): BenchOverheadResult {
  const step = (m: MeasuredStep): StepResult => {
    const cpu = Object.fromEntries(m.cpuMsPerRequest ?? []);
    return {
      target: m.target,
      phase: m.phase,
      offeredRps: m.summary.offeredRps,
      sent: m.summary.sent,
      ok: m.summary.ok,
      failed: m.summary.failed,
      lost: m.summary.lost,
      achievedRps: m.summary.achievedRps,
      p50Ms: finiteOrNull(m.summary.p50Ms),
      p95Ms: finiteOrNull(m.summary.p95Ms),
      p99Ms: finiteOrNull(m.summary.p99Ms),
      maxMs: finiteOrNull(m.summary.maxMs),
      sustained: m.unsustained === undefined,
      unsustainedReason: m.unsustained ?? null,
      cpuMsPerRequest: cpu,
      cpuMsPerRequestTotal: Object.values(cpu).reduce((a, b) => a + b, 0),
    };
  };
  const saturated = (r: SaturationResult): SaturationJson => ({
    maxSustainedRps: r.maxRps ?? null,
    lowestUnsustainedRps: r.firstFailRps ?? null,
    unsustainedReason: r.failReason ?? null,
    searched: r.searched,
  });
  return {
    settings,
    steps: steps.map(step),
    addedLatency: addedLatencyRows(steps),
    saturation: {
      echo: saturated(saturation.echo),
      pipeline: saturated(saturation.pipeline),
      pipelineToEchoShare: pipelineShare(saturation.echo, saturation.pipeline) ?? null,
    },
    targets,
  };
}
