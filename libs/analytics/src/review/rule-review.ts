import { type RollupCounts, type RollupRow, addCounts, emptyCounts } from '../rollups/rollup';

/**
 * Rule review: the seed's `optimize_rules`, done on evidence. For each rule (and difficulty band) with
 * enough labelled requests, the model it routes to is compared with the other models seen on the same
 * traffic (exploration, fallback and canary supply them). A change is suggested only when the difference
 * is larger than its uncertainty: a 95% confidence interval on the difference in mean quality.
 */

export interface ReviewOptions {
  /** Labelled requests the rule's own model needs before the rule is judged. */
  minSamples: number;
  /** Labelled requests an alternative needs before it is compared (exploration gives each model a few). */
  minAlternativeSamples: number;
  /** Mean quality (0..1) under which the rule's model is underperforming. */
  qualityThreshold: number;
  /** Quality an alternative may lose and still count as equal (cheaper at equal quality). */
  equalQualityMargin: number;
  /** A cheaper alternative must cost at least this share less per request. */
  minCostSaving: number;
}

export const DEFAULT_REVIEW_OPTIONS: ReviewOptions = {
  minSamples: 30,
  minAlternativeSamples: 10,
  qualityThreshold: 0.75,
  equalQualityMargin: 0.02,
  minCostSaving: 0.2,
};

/** What a policy says about its rules and bands, for the review: names and the model each routes to. */
export interface PolicyOutline {
  version: string;
  /** Rule names in policy order. */
  rules: string[];
  /** Band labels as decisions record them (`band < 0.5`, `band >= 0.8`). */
  bands: string[];
}

/** One model's evidence on one rule's traffic. */
export interface ModelEvidence {
  model: string;
  requests: number;
  /** Labelled requests: the sample size of avgQuality. */
  labelled: number;
  avgQuality: number | null;
  /** 95% confidence interval of avgQuality (normal approximation; [0, 1] clipped). */
  qualityCi: [number, number] | null;
  costPerRequestUsd: number | null;
  errorRate: number | null;
}

export type SuggestionReason = 'better' | 'cheaper';

export interface Suggestion {
  /** `rule` or difficulty `band`; `name` is the rule name or the band label as decisions record it. */
  target: { kind: 'rule' | 'band'; name: string };
  reason: SuggestionReason;
  currentModel: string;
  suggestedModel: string;
  current: ModelEvidence;
  suggested: ModelEvidence;
  /** Expected change per request if the target routed to the suggested model: quality (0..1) and cost. */
  deltaQuality: number;
  /** 95% confidence interval of deltaQuality (Welch). */
  deltaQualityCi: [number, number];
  deltaCostPerRequestUsd: number;
  /** Requests the target routed in the window, and the cost change over them had it routed so. */
  targetRequests: number;
  expectedCostChangeUsd: number;
  /** One line an analyst reads first. */
  summary: string;
}

export interface TargetReview {
  target: { kind: 'rule' | 'band'; name: string };
  /** The model the target routes to: the one its own decisions (not exploration or fallback) chose most. */
  currentModel: string | null;
  requests: number;
  labelled: number;
  /** Every model seen on the target's traffic, most requests first. */
  models: ModelEvidence[];
  /** Why no suggestion was made (too few labels, no better alternative), or the suggestion's summary. */
  verdict: string;
}

export interface RuleReview {
  options: ReviewOptions;
  targets: TargetReview[];
  suggestions: Suggestion[];
  /** Rules of the policy that matched no request in the window. */
  unmatchedRules: string[];
  /** Bands of the policy that received no request in the window. */
  unusedBands: string[];
}

/** Methods whose choice is the target's own (as opposed to exploration or fallback, which try others). */
const OWN_METHODS = new Set(['rule', 'difficulty', 'cascade', 'consensus', 'learned', 'default']);

const Z95 = 1.96;

/** The review of every rule and band seen in the rollups (and of the policy's, when an outline is given). */
export function reviewRules(
  rows: Iterable<RollupRow>,
  outline?: PolicyOutline,
  options: ReviewOptions = DEFAULT_REVIEW_OPTIONS,
): RuleReview {
  const byTarget = new Map<string, { perModel: Map<string, RollupCounts>; own: Map<string, number> }>();
  for (const row of rows) {
    if (row.rule.startsWith('(')) continue; // no rule and no band: the learned router or the default
    let target = byTarget.get(row.rule);
    if (!target) byTarget.set(row.rule, (target = { perModel: new Map(), own: new Map() }));
    target.perModel.set(row.model, addCounts(target.perModel.get(row.model) ?? emptyCounts(), row));
    if (OWN_METHODS.has(row.method)) target.own.set(row.model, (target.own.get(row.model) ?? 0) + row.requests);
  }

  const targets: TargetReview[] = [];
  const suggestions: Suggestion[] = [];
  for (const [name, { perModel, own }] of byTarget) {
    const target = { kind: name.startsWith('band ') ? ('band' as const) : ('rule' as const), name };
    const models = [...perModel]
      .filter(([model]) => model !== '(none)')
      .map(([model, c]) => evidenceOf(model, c))
      .sort((a, b) => b.requests - a.requests);
    const currentModel = [...own].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
    const requests = [...perModel.values()].reduce((n, c) => n + c.requests, 0);
    const labelled = [...perModel.values()].reduce((n, c) => n + c.qualityCount, 0);
    const review: TargetReview = { target, currentModel, requests, labelled, models, verdict: '' };
    targets.push(review);
    const current = models.find((m) => m.model === currentModel);
    if (!currentModel || !current) {
      review.verdict = 'no request was routed by the target itself';
      continue;
    }
    if (current.labelled < options.minSamples) {
      review.verdict = `${current.labelled} labelled requests on ${currentModel}; the review needs ${options.minSamples}`;
      continue;
    }
    const ownRequests = own.get(currentModel) ?? 0;
    const suggestion = suggest(target, current, models, perModel, ownRequests, options);
    if (suggestion) {
      suggestions.push(suggestion);
      review.verdict = suggestion.summary;
    } else review.verdict = verdictWithout(current, models, options);
  }
  targets.sort((a, b) => b.requests - a.requests);
  suggestions.sort((a, b) => b.deltaQuality - a.deltaQuality || a.deltaCostPerRequestUsd - b.deltaCostPerRequestUsd);
  return {
    options,
    targets,
    suggestions,
    unmatchedRules: outline ? outline.rules.filter((r) => !byTarget.has(r)) : [],
    unusedBands: outline ? outline.bands.filter((b) => !byTarget.has(b)) : [],
  };
}

function suggest(
  target: Suggestion['target'],
  current: ModelEvidence,
  models: ModelEvidence[],
  perModel: Map<string, RollupCounts>,
  targetRequests: number,
  options: ReviewOptions,
): Suggestion | undefined {
  const cur = perModel.get(current.model) as RollupCounts;
  const candidates = models
    .filter((m) => m.model !== current.model && m.labelled >= options.minAlternativeSamples)
    .map((alt) => ({ alt, diff: differenceOf(perModel.get(alt.model) as RollupCounts, cur) }));
  const make = (alt: ModelEvidence, diff: [number, number, number], reason: SuggestionReason): Suggestion => {
    const deltaCost = (alt.costPerRequestUsd ?? 0) - (current.costPerRequestUsd ?? 0);
    const what = target.kind === 'rule' ? `rule "${target.name}"` : target.name;
    const summary =
      reason === 'better'
        ? `${what}: route to ${alt.model} instead of ${current.model}: quality ${fmt(current.avgQuality)} -> ${fmt(alt.avgQuality)} ` +
          `(+${diff[0].toFixed(3)}, 95% CI ${diff[1].toFixed(3)}..${diff[2].toFixed(3)}; n=${current.labelled} vs ${alt.labelled})`
        : `${what}: route to ${alt.model} instead of ${current.model}: same quality (${fmt(current.avgQuality)} vs ${fmt(alt.avgQuality)}, ` +
          `n=${current.labelled} vs ${alt.labelled}) at ${pct(-deltaCost / (current.costPerRequestUsd || 1))} less per request`;
    return {
      target,
      reason,
      currentModel: current.model,
      suggestedModel: alt.model,
      current,
      suggested: alt,
      deltaQuality: diff[0],
      deltaQualityCi: [diff[1], diff[2]],
      deltaCostPerRequestUsd: deltaCost,
      targetRequests,
      expectedCostChangeUsd: deltaCost * targetRequests,
      summary,
    };
  };

  // Under the threshold: the alternative whose quality is surely higher (the interval clear of 0), best first.
  if ((current.avgQuality ?? 1) < options.qualityThreshold) {
    const better = candidates.filter((c) => c.diff[1] > 0).sort((a, b) => b.diff[0] - a.diff[0])[0];
    if (better) return make(better.alt, better.diff, 'better');
  }
  // At any quality: a cheaper alternative that loses at most the margin, and whose interval rules out a real loss.
  const cheaper = candidates
    .filter(
      (c) =>
        c.alt.costPerRequestUsd !== null &&
        current.costPerRequestUsd !== null &&
        c.alt.costPerRequestUsd <= current.costPerRequestUsd * (1 - options.minCostSaving) &&
        c.diff[0] >= -options.equalQualityMargin &&
        c.diff[1] >= -3 * options.equalQualityMargin,
    )
    .sort((a, b) => (a.alt.costPerRequestUsd as number) - (b.alt.costPerRequestUsd as number))[0];
  return cheaper ? make(cheaper.alt, cheaper.diff, 'cheaper') : undefined;
}

function verdictWithout(current: ModelEvidence, models: ModelEvidence[], options: ReviewOptions): string {
  const compared = models.filter((m) => m.model !== current.model && m.labelled >= options.minAlternativeSamples);
  const under = (current.avgQuality ?? 1) < options.qualityThreshold;
  if (compared.length === 0)
    return `${current.model} at quality ${fmt(current.avgQuality)} (n=${current.labelled}); no other model has ${options.minAlternativeSamples} labelled requests on this traffic (turn exploration on to gather them)`;
  return under
    ? `${current.model} is under the threshold (${fmt(current.avgQuality)} < ${options.qualityThreshold}), but no alternative is surely better (${compared.map((m) => `${m.model} ${fmt(m.avgQuality)} n=${m.labelled}`).join(', ')})`
    : `${current.model} holds (${fmt(current.avgQuality)}, n=${current.labelled}); no alternative is better, or cheaper at equal quality`;
}

export function evidenceOf(model: string, c: RollupCounts): ModelEvidence {
  const failures = Object.values(c.errors).reduce((a, b) => a + b, 0);
  return {
    model,
    requests: c.requests,
    labelled: c.qualityCount,
    avgQuality: c.qualityCount > 0 ? c.qualitySum / c.qualityCount : null,
    qualityCi: meanCi(c),
    costPerRequestUsd: c.requests > 0 ? c.costUsd / c.requests : null,
    errorRate: c.requests > 0 ? failures / c.requests : null,
  };
}

/** Sample variance of the quality labels from their sums (0 for one label). */
function varianceOf(c: RollupCounts): number {
  const n = c.qualityCount;
  if (n < 2) return 0;
  const mean = c.qualitySum / n;
  return Math.max(0, (c.qualitySqSum - n * mean * mean) / (n - 1));
}

function meanCi(c: RollupCounts): [number, number] | null {
  if (c.qualityCount === 0) return null;
  const mean = c.qualitySum / c.qualityCount;
  const half = Z95 * Math.sqrt(Math.max(varianceOf(c) / c.qualityCount, varianceFloor(c.qualityCount)));
  return [Math.max(0, mean - half), Math.min(1, mean + half)];
}

/**
 * A floor on the variance of a mean of n labels: with every label equal (the sample variance is 0), a
 * sample of 10 is still not certainty. 0.25/n² is a standard error of 0.5/n.
 */
function varianceFloor(n: number): number {
  return 0.25 / Math.max(n, 1) ** 2;
}

/** Mean of a minus mean of b, with the 95% interval of the difference (Welch's standard error). */
export function differenceOf(a: RollupCounts, b: RollupCounts): [number, number, number] {
  const diff = a.qualitySum / a.qualityCount - b.qualitySum / b.qualityCount;
  const se = Math.sqrt(
    Math.max(varianceOf(a) / a.qualityCount, varianceFloor(a.qualityCount)) +
      Math.max(varianceOf(b) / b.qualityCount, varianceFloor(b.qualityCount)),
  );
  return [diff, diff - Z95 * se, diff + Z95 * se];
}

const fmt = (q: number | null) => (q === null ? 'n/a' : q.toFixed(3));
const pct = (x: number) => `${Math.round(x * 100)}%`;
