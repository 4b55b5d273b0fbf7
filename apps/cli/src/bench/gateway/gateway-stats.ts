import { percentile } from '../overhead/overhead-stats';
import type { ReportedLatency } from './chat-completion';
import type { LoadSample } from './closed-loop';

/** One step's numbers: what was sent and answered, throughput and latency percentiles (ms). */
export interface LoadSummary {
  connections: number;
  completed: number;
  ok: number;
  errors: number;
  /** Good answers per second over the measured window. */
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** Medians of where the target says the time went, when its answers say (Switchyard's `switchyard.latency`). */
  reported?: ReportedLatency;
}

export function summarizeLoad(sample: LoadSample): LoadSummary {
  const sorted = Float64Array.from(sample.latenciesMs).sort();
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    connections: sample.connections,
    completed: sample.completed,
    ok: sample.ok,
    errors: sample.errors,
    rps: sample.elapsedMs > 0 ? (sample.ok * 1000) / sample.elapsedMs : 0,
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
    meanMs: sorted.length > 0 ? sum / sorted.length : NaN,
    ...(sample.reported.length > 0 ? { reported: reportedMedians(sample.reported) } : {}),
  };
}

/** The median of each part, taken separately (the parts' medians need not add up to the total's). */
export function reportedMedians(reported: ReportedLatency[]): ReportedLatency {
  const median = (pick: (r: ReportedLatency) => number) => percentile(Float64Array.from(reported, pick).sort(), 0.5);
  return {
    totalMs: median((r) => r.totalMs),
    routingMs: median((r) => r.routingMs),
    providerMs: median((r) => r.providerMs),
  };
}

/** A gateway's serial latency less the upstream's called directly, and how it compares with the reference gateway's. */
export interface AddedLatency {
  p50Ms: number;
  p99Ms: number;
  /** This gateway's added p50 (p99) over the reference's; NaN without a reference or when it added nothing. */
  p50Ratio: number;
  p99Ratio: number;
}

export function addedLatency(
  gateway: Pick<LoadSummary, 'p50Ms' | 'p99Ms'>,
  upstream: Pick<LoadSummary, 'p50Ms' | 'p99Ms'>,
  reference?: Pick<LoadSummary, 'p50Ms' | 'p99Ms'>,
): AddedLatency {
  const p50Ms = gateway.p50Ms - upstream.p50Ms;
  const p99Ms = gateway.p99Ms - upstream.p99Ms;
  return {
    p50Ms,
    p99Ms,
    p50Ratio: reference ? ratio(p50Ms, reference.p50Ms - upstream.p50Ms) : NaN,
    p99Ratio: reference ? ratio(p99Ms, reference.p99Ms - upstream.p99Ms) : NaN,
  };
}

/** a / b, or NaN when either is not a positive finite number (a ratio of nothing added says nothing). */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && a > 0 && b > 0 ? a / b : NaN;
}
