/**
 * The canary's verdict: the candidate policy served a share of live traffic beside the policy in force
 * (the control); each arm's sums say how good and how dear its answers were. The candidate is promoted once
 * it is shown not to be worse than the control beyond the margin, rolled back as soon as it is clearly
 * worse, or when it has had `maxRequests` requests without being shown as good.
 */

/** What one arm of a canary measured: sums and sums of squares, so arms add up and variances follow. */
export interface ArmSample {
  requests: number;
  /** Cost over the arm's requests (a failed request counts as 0). */
  costUsdSum: number;
  costUsdSq: number;
  /** Requests with a quality label. */
  labelled: number;
  /** Quality (0..1) over the labelled requests. */
  qualitySum: number;
  qualitySq: number;
}

export interface CanarySettings {
  /** Fewest candidate requests before a promotion. */
  minRequests: number;
  /** Fewest candidate labels before any verdict but the `maxRequests` one. */
  minLabels: number;
  /** Utility loss still accepted as "not worse"; a rollback needs a loss beyond it. */
  margin: number;
  costWeight: number;
  /** Cost unit of the utility (the dearest model's cost per request, as the router weighs it); > 0. */
  costScale: number;
  /** Candidate requests after which an undecided canary is rolled back. */
  maxRequests: number;
}

/** One arm's means. */
export interface ArmSummary {
  requests: number;
  labelled: number;
  /** Mean quality over the labelled requests (0 when none is labelled). */
  quality: number;
  /** Mean cost per request. */
  costUsd: number;
  /** quality − costWeight × costUsd / costScale. */
  utility: number;
}

export interface CanaryVerdictResult {
  verdict: 'promote' | 'rollback' | 'wait';
  reason: string;
  control: ArmSummary;
  candidate: ArmSummary;
  /** candidate − control; the CI is Welch's over both arms' quality and cost variances. */
  difference: { quality: number; costUsd: number; utility: number; utilityCi95: [number, number] };
}

export function canaryVerdict(control: ArmSample, candidate: ArmSample, settings: CanarySettings): CanaryVerdictResult {
  const { minRequests, minLabels, margin, maxRequests } = settings;
  if (!(settings.costScale > 0)) throw new Error(`costScale must be positive; got ${settings.costScale}`);
  const perUsd = settings.costWeight / settings.costScale;
  const a = summarize(control, perUsd);
  const b = summarize(candidate, perUsd);
  const utility = b.summary.utility - a.summary.utility;
  // Welch: the arms are independent, and within an arm quality (labelled requests) and cost (all requests)
  // are estimated from different counts; their covariance is ignored.
  const variance = a.variance + b.variance;
  const half = 1.96 * Math.sqrt(variance);
  const ci: [number, number] = [utility - half, utility + half];
  const difference = {
    quality: b.summary.quality - a.summary.quality,
    costUsd: b.summary.costUsd - a.summary.costUsd,
    utility,
    utilityCi95: ci,
  };
  const stats = `utility ${signed(utility)}, CI95 [${signed(ci[0])}, ${signed(ci[1])}]; candidate ${candidate.requests} requests, ${candidate.labelled} labels`;
  const result = (verdict: CanaryVerdictResult['verdict'], reason: string): CanaryVerdictResult => ({
    verdict,
    reason,
    control: a.summary,
    candidate: b.summary,
    difference,
  });

  if (candidate.labelled >= minLabels && ci[1] < 0 && utility < -margin)
    return result('rollback', `clearly worse: ${stats}; upper bound < 0 and utility < -margin ${margin}`);
  if (candidate.requests >= minRequests && candidate.labelled >= minLabels && ci[0] > -margin)
    return result('promote', `not worse beyond margin ${margin}: ${stats}; lower bound > -${margin}`);
  if (candidate.requests >= maxRequests)
    return result(
      'rollback',
      `not shown to be as good after ${candidate.requests} requests (maxRequests ${maxRequests}): ${stats}`,
    );
  const missing: string[] = [];
  if (candidate.requests < minRequests) missing.push(`${candidate.requests}/${minRequests} requests`);
  if (candidate.labelled < minLabels) missing.push(`${candidate.labelled}/${minLabels} labels`);
  if (missing.length === 0) missing.push(`lower bound ${signed(ci[0])} <= -margin ${margin}`);
  return result('wait', `waiting (${missing.join(', ')}): ${stats}`);
}

function summarize(arm: ArmSample, perUsd: number): { summary: ArmSummary; variance: number } {
  const quality = arm.labelled > 0 ? arm.qualitySum / arm.labelled : 0;
  const costUsd = arm.requests > 0 ? arm.costUsdSum / arm.requests : 0;
  // Without two observations a mean has no variance estimate: infinite, so no bound decides on it.
  const qualityVar =
    arm.labelled > 1 ? sampleVariance(arm.qualitySum, arm.qualitySq, arm.labelled) / arm.labelled : Infinity;
  const costVar =
    arm.requests > 1 ? sampleVariance(arm.costUsdSum, arm.costUsdSq, arm.requests) / arm.requests : Infinity;
  return {
    summary: {
      requests: arm.requests,
      labelled: arm.labelled,
      quality,
      costUsd,
      utility: quality - perUsd * costUsd,
    },
    variance: qualityVar + (perUsd === 0 ? 0 : perUsd * perUsd * costVar),
  };
}

function sampleVariance(sum: number, sq: number, n: number): number {
  // Sums of squares can round below sum²/n: a variance is never negative.
  return Math.max((sq - (sum * sum) / n) / (n - 1), 0);
}

function signed(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+inf' : '-inf';
  return `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
}
