import { table } from '../../demo/table';
import { type StepSummary, type TargetCheck, fmtMs } from './overhead-stats';

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

const ratio = (a: number, b: number) => (Number.isFinite(a / b) && b > 0 ? `${(a / b).toFixed(1)}x` : '-');

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

/** Added latency at each fixed rate measured for both: the pipeline's percentiles less the echo's, and their ratio. */
export function addedLatencyTable(steps: MeasuredStep[]): string {
  const fixed = steps.filter((s) => s.phase === 'fixed');
  const rows: Array<Array<string | number>> = [];
  for (const p of fixed.filter((s) => s.target === 'pipeline')) {
    const e = fixed.find((s) => s.target === 'echo' && s.summary.offeredRps === p.summary.offeredRps);
    if (!e) continue;
    const [ps, es] = [p.summary, e.summary];
    rows.push([
      ps.offeredRps,
      ms(ps.p50Ms),
      ms(es.p50Ms),
      ms(ps.p50Ms - es.p50Ms),
      ratio(ps.p50Ms, es.p50Ms),
      ms(ps.p99Ms),
      ms(es.p99Ms),
      ms(ps.p99Ms - es.p99Ms),
      ratio(ps.p99Ms, es.p99Ms),
    ]);
  }
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
  const share =
    pipeline.maxRps !== undefined && echo.maxRps ? `${((pipeline.maxRps / echo.maxRps) * 100).toFixed(1)}%` : '-';
  return [
    table(['target', 'max sustained/s', 'lowest rate not sustained'], [row(echo), row(pipeline)]),
    `pipeline / echo: ${share}`,
  ].join('\n');
}

export function targetLines(checks: TargetCheck[]): string {
  return checks.map((c) => `  ${c.met ? 'met    ' : 'NOT met'}  ${c.name}: ${c.detail}`).join('\n');
}
