/** What one open-loop step at a fixed offered rate measured (see runOpenLoop). */
export interface StepSample {
  offeredRps: number;
  /** How long sends were scheduled over. */
  seconds: number;
  sent: number;
  /** Good replies. */
  ok: number;
  /** Replies that came back but were errors. */
  failed: number;
  /** No reply within the timeout, or the send itself failed. */
  lost: number;
  /** Per good reply, from its scheduled send time (so a late send counts against it), in ms. */
  latenciesMs: ArrayLike<number>;
  /** From the first scheduled send to the last good reply, in ms. */
  elapsedMs: number;
}

export interface StepSummary {
  offeredRps: number;
  sent: number;
  ok: number;
  failed: number;
  lost: number;
  /** Good replies per second over the step (never more than offered when nothing is lost). */
  achievedRps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of ascending values; NaN when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarizeStep(sample: StepSample): StepSummary {
  const sorted = Float64Array.from(sample.latenciesMs).sort();
  const seconds = Math.max(sample.seconds, sample.elapsedMs / 1000);
  return {
    offeredRps: sample.offeredRps,
    sent: sample.sent,
    ok: sample.ok,
    failed: sample.failed,
    lost: sample.lost,
    achievedRps: seconds > 0 ? sample.ok / seconds : 0,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
  };
}

export interface SustainCriteria {
  /** Achieved throughput must be at least this share of the offered rate (default 0.95). */
  minAchievedShare: number;
  /** Above this p99 the backlog is growing: the rate is not sustained. */
  maxP99Ms: number;
}

export const DEFAULT_SUSTAIN: SustainCriteria = { minAchievedShare: 0.95, maxP99Ms: 100 };

/** Why a step does not count as sustained, or undefined when it does (nothing lost, kept up, p99 bounded). */
export function unsustainedReason(s: StepSummary, criteria: SustainCriteria = DEFAULT_SUSTAIN): string | undefined {
  if (s.lost > 0) return `${s.lost} lost`;
  if (s.failed > 0) return `${s.failed} failed`;
  if (s.achievedRps < s.offeredRps * criteria.minAchievedShare)
    return `achieved ${s.achievedRps.toFixed(0)}/s < ${(criteria.minAchievedShare * 100).toFixed(0)}% of offered`;
  if (!(s.p99Ms <= criteria.maxP99Ms)) return `p99 ${fmtMs(s.p99Ms)} > ${criteria.maxP99Ms} ms`;
  return undefined;
}

export interface SearchSettings {
  /** First rate tried when nothing has been measured yet. */
  startRps: number;
  /** Each ramp step offers this many times the last sustained rate. */
  factor: number;
  /** Steps between the highest sustained and the lowest unsustained rate, after the ramp has failed once. */
  refineSteps: number;
  /** The ramp stops here (the answer is then "at least this"). */
  maxRps: number;
  /** The search stops when the sustained and unsustained rates are closer than this ratio. */
  resolution: number;
}

export const DEFAULT_SEARCH: SearchSettings = {
  startRps: 250,
  factor: 2,
  refineSteps: 3,
  maxRps: 100_000,
  resolution: 1.05,
};

export interface RateOutcome {
  offeredRps: number;
  sustained: boolean;
}

/**
 * The saturation search, one step at a time: ramp the offered rate geometrically from the highest sustained
 * rate until one is not sustained, then bisect (geometrically) between the two a few times. Every step
 * measured so far, fixed-rate steps included, is evidence. Undefined when the search is done.
 */
export function nextSaturationRate(
  history: RateOutcome[],
  settings: SearchSettings = DEFAULT_SEARCH,
): number | undefined {
  if (history.length === 0) return Math.round(settings.startRps);
  const failures = history.filter((h) => !h.sustained).map((h) => h.offeredRps);
  const lowestFail = failures.length > 0 ? Math.min(...failures) : undefined;
  const pass = highestSustained(history);
  if (lowestFail === undefined) {
    if (pass === undefined || pass >= settings.maxRps) return undefined;
    return Math.round(Math.min(settings.maxRps, pass * settings.factor));
  }
  const firstFailAt = history.findIndex((h) => !h.sustained);
  const refined = history.length - 1 - firstFailAt;
  if (refined >= settings.refineSteps) return undefined;
  if (pass === undefined) {
    // Nothing sustained yet: step down.
    const lower = Math.round(lowestFail / settings.factor);
    return lower >= 1 ? lower : undefined;
  }
  if (lowestFail / pass <= settings.resolution) return undefined;
  const mid = Math.round(Math.sqrt(pass * lowestFail));
  return mid > pass && mid < lowestFail ? mid : undefined;
}

/** The highest rate sustained below the lowest rate that was not (noise above a failure does not count). */
export function highestSustained(history: RateOutcome[]): number | undefined {
  const failures = history.filter((h) => !h.sustained).map((h) => h.offeredRps);
  const ceiling = failures.length > 0 ? Math.min(...failures) : Infinity;
  const passes = history.filter((h) => h.sustained && h.offeredRps < ceiling).map((h) => h.offeredRps);
  return passes.length > 0 ? Math.max(...passes) : undefined;
}

/** Evenly spaced sends: how many of `total` are due `elapsedMs` after the first one (which is due at 0). */
export function sendsDue(elapsedMs: number, intervalMs: number, total: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(total, Math.floor(elapsedMs / intervalMs) + 1);
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 100 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(0)} ms`;
}

export interface TargetCheck {
  name: string;
  met: boolean;
  detail: string;
}

export interface OverheadTargets {
  /** The offered rate the latency targets are checked at. */
  atRps: number;
  p50Ms: number;
  p99Ms: number;
  /** Pipeline saturation over echo saturation, at least. */
  throughputShare: number;
}

export const ISSUE_TARGETS: OverheadTargets = { atRps: 500, p50Ms: 1.5, p99Ms: 5, throughputShare: 0.15 };

/** The issue's targets against what was measured, as `bench overhead --json` gives them. */
export interface TargetsResult {
  /** The offered rate the latency targets are checked at. */
  atRps: number;
  /** The pipeline's p50 at that rate; measuredMs null when that rate was not measured. */
  p50: { limitMs: number; measuredMs: number | null; met: boolean };
  p99: { limitMs: number; measuredMs: number | null; met: boolean };
  /** Pipeline saturation over echo saturation; measured null without both. */
  throughputShare: { min: number; measured: number | null; met: boolean };
}

/** The issue's targets against what was measured; a target with no measurement at its rate is not met. */
export function evaluateTargets(
  pipelineAtRate: StepSummary | undefined,
  pipelineMaxRps: number | undefined,
  echoMaxRps: number | undefined,
  targets: OverheadTargets = ISSUE_TARGETS,
): TargetsResult {
  const p50 = pipelineAtRate?.p50Ms ?? NaN;
  const p99 = pipelineAtRate?.p99Ms ?? NaN;
  const share = pipelineMaxRps !== undefined && echoMaxRps ? pipelineMaxRps / echoMaxRps : NaN;
  const measured = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    atRps: targets.atRps,
    p50: { limitMs: targets.p50Ms, measuredMs: measured(p50), met: p50 < targets.p50Ms },
    p99: { limitMs: targets.p99Ms, measuredMs: measured(p99), met: p99 < targets.p99Ms },
    throughputShare: { min: targets.throughputShare, measured: measured(share), met: share >= targets.throughputShare },
  };
}

/** The targets as the report's lines say them. */
export function targetChecks(t: TargetsResult): TargetCheck[] {
  const at = `at ${t.atRps}/s offered`;
  const share = t.throughputShare;
  return [
    { name: `p50 < ${t.p50.limitMs} ms ${at}`, met: t.p50.met, detail: fmtMs(t.p50.measuredMs ?? NaN) },
    { name: `p99 < ${t.p99.limitMs} ms ${at}`, met: t.p99.met, detail: fmtMs(t.p99.measuredMs ?? NaN) },
    {
      name: `max sustained >= ${(share.min * 100).toFixed(0)}% of the NATS echo`,
      met: share.met,
      detail: share.measured === null ? '-' : `${(share.measured * 100).toFixed(1)}%`,
    },
  ];
}
