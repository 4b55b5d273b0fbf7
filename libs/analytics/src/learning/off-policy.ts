/**
 * Off-policy evaluation of routing policies from logged bandit feedback: each logged request was answered by
 * one model, chosen with a known propensity, and labelled with the answer's quality and cost. A policy that
 * would have chosen another model is scored by the doubly robust estimator (Dudík, Langford & Li, 2011): the
 * reward model's prediction for the policy's choice, corrected by the importance-weighted residual where the
 * policy agrees with the log.
 */

/** One held-out logged request. */
export interface LoggedOutcome {
  /** The model that answered. */
  loggedModel: string;
  /** Probability with which the logging policy chose `loggedModel` (1 when it was deterministic). */
  propensity: number;
  /** Observed quality, 0..1. */
  quality: number;
  /** Observed cost of the answer. */
  costUsd: number;
}

/**
 * A reward model's prediction for record i (by index in `records`) and any model: a function, or one map
 * per record from model to value.
 */
export type RewardHat = ((record: number, model: string) => number) | ReadonlyArray<Readonly<Record<string, number>>>;

export interface PolicyValueInput {
  records: readonly LoggedOutcome[];
  /** The model the evaluated (deterministic) policy chooses on each record. */
  choices: readonly string[];
  qualityHat: RewardHat;
  costHat: RewardHat;
  /** Importance weights 1/p above this are cut to it (bias for variance); 50 by default. */
  maxWeight?: number;
}

/** A policy's estimated value over the records, with the per-record terms the comparison pairs. */
export interface PolicyValue {
  n: number;
  /** Doubly robust mean quality. */
  quality: number;
  /** Doubly robust mean cost. */
  costUsd: number;
  /** Inverse propensity (clipped weights) mean quality, for reference: no reward model, more variance. */
  ipsQuality: number;
  /** Records where the policy's choice is the logged model. */
  matchedLogged: number;
  /** Matched records whose weight was clipped at `maxWeight`. */
  clipped: number;
  /** Doubly robust quality per record. */
  perRecordQuality: Float64Array;
  /** Doubly robust cost per record. */
  perRecordCostUsd: Float64Array;
}

export const DEFAULT_MAX_IMPORTANCE_WEIGHT = 50;

/**
 * DR_i = q̂(i, π_i) + 1[π_i = a_i] · min(1/p_i, maxWeight) · (r_i − q̂(i, a_i)), for quality and likewise for
 * cost; the estimate is their mean.
 */
export function offPolicyValue(input: PolicyValueInput): PolicyValue {
  const { records, choices } = input;
  const maxWeight = input.maxWeight ?? DEFAULT_MAX_IMPORTANCE_WEIGHT;
  if (!(maxWeight >= 1)) throw new Error(`maxWeight must be at least 1; got ${maxWeight}`);
  if (choices.length !== records.length)
    throw new Error(`${records.length} records but ${choices.length} policy choices`);
  const qHat = hatOf(input.qualityHat, 'qualityHat');
  const cHat = hatOf(input.costHat, 'costHat');
  const n = records.length;
  const perRecordQuality = new Float64Array(n);
  const perRecordCostUsd = new Float64Array(n);
  let ips = 0;
  let matchedLogged = 0;
  let clipped = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    if (!(r.propensity > 0 && r.propensity <= 1))
      throw new Error(`record ${i}: propensity must be in (0, 1]; got ${r.propensity}`);
    const choice = choices[i];
    let q = qHat(i, choice);
    let c = cHat(i, choice);
    if (choice === r.loggedModel) {
      matchedLogged++;
      const raw = 1 / r.propensity;
      const weight = raw > maxWeight ? maxWeight : raw;
      if (raw > maxWeight) clipped++;
      q += weight * (r.quality - qHat(i, r.loggedModel));
      c += weight * (r.costUsd - cHat(i, r.loggedModel));
      ips += weight * r.quality;
    }
    perRecordQuality[i] = q;
    perRecordCostUsd[i] = c;
  }
  return {
    n,
    quality: meanOf(perRecordQuality),
    costUsd: meanOf(perRecordCostUsd),
    ipsQuality: n > 0 ? ips / n : 0,
    matchedLogged,
    clipped,
    perRecordQuality,
    perRecordCostUsd,
  };
}

export interface CompareOffPolicyInput {
  records: readonly LoggedOutcome[];
  /** The policy in force's choice per record. */
  current: readonly string[];
  /** The candidate's choice per record. */
  candidate: readonly string[];
  qualityHat: RewardHat;
  costHat: RewardHat;
  /** Utility = quality − costWeight × cost / costScale. */
  costWeight: number;
  /** The cost unit (the dearest model's mean cost, as the router weighs it); > 0. */
  costScale: number;
  /** Utility gain the candidate must show to pass. */
  margin: number;
  /** Fewest records a verdict may rest on. */
  minSamples: number;
  maxWeight?: number;
}

export interface PolicyEstimate {
  quality: number;
  costUsd: number;
  utility: number;
}

export interface OffPolicyComparison {
  n: number;
  current: PolicyEstimate;
  candidate: PolicyEstimate;
  /** candidate − current; the CI from the per-record paired differences (mean ± 1.96 sd/√n). */
  difference: PolicyEstimate & { utilityCi95: [number, number] };
  /** Share of records where both policies choose the same model. */
  agreement: number;
  /** Records where the candidate's choice is the logged model (the ones its correction rests on). */
  matchedLogged: number;
  /** Records whose importance weight was clipped in either policy's estimate. */
  clipped: number;
  /** Inverse propensity estimates of quality, for reference. */
  ips: { current: number; candidate: number };
  /** n ≥ minSamples, utility gain ≥ margin, and the CI's lower bound > 0. */
  pass: boolean;
  reason: string;
}

/** The promotion gate: is the candidate better than the policy in force on the held-out log, by the margin? */
export function compareOffPolicy(input: CompareOffPolicyInput): OffPolicyComparison {
  const { records, costWeight, costScale, margin, minSamples } = input;
  if (!(costScale > 0)) throw new Error(`costScale must be positive; got ${costScale}`);
  const common = { records, qualityHat: input.qualityHat, costHat: input.costHat, maxWeight: input.maxWeight };
  const current = offPolicyValue({ ...common, choices: input.current });
  const candidate = offPolicyValue({ ...common, choices: input.candidate });
  const perUsd = costWeight / costScale;
  const n = records.length;

  const diffs = new Float64Array(n);
  let agree = 0;
  let clipped = 0;
  const maxWeight = input.maxWeight ?? DEFAULT_MAX_IMPORTANCE_WEIGHT;
  for (let i = 0; i < n; i++) {
    diffs[i] =
      candidate.perRecordQuality[i] -
      perUsd * candidate.perRecordCostUsd[i] -
      (current.perRecordQuality[i] - perUsd * current.perRecordCostUsd[i]);
    if (input.current[i] === input.candidate[i]) agree++;
    const r = records[i];
    const used = input.current[i] === r.loggedModel || input.candidate[i] === r.loggedModel;
    if (used && 1 / r.propensity > maxWeight) clipped++;
  }
  const estimate = (v: PolicyValue): PolicyEstimate => ({
    quality: v.quality,
    costUsd: v.costUsd,
    utility: v.quality - perUsd * v.costUsd,
  });
  const cur = estimate(current);
  const cand = estimate(candidate);
  const utility = meanOf(diffs);
  const half = n > 1 ? (1.96 * Math.sqrt(sampleVariance(diffs, utility))) / Math.sqrt(n) : Infinity;
  const ci: [number, number] = [utility - half, utility + half];

  const stats = `utility ${signed(utility)}, CI95 [${signed(ci[0])}, ${signed(ci[1])}] (n=${n})`;
  let pass = false;
  let reason: string;
  if (n < minSamples || n === 0) reason = `refused: n=${n} < minSamples ${minSamples}`;
  else if (!(utility >= margin)) reason = `refused: utility ${signed(utility)} < margin ${margin} (n=${n})`;
  else if (!(ci[0] > 0)) reason = `refused: utility CI95 lower bound ${signed(ci[0])} <= 0, ${stats}`;
  else {
    pass = true;
    reason = `passed: ${stats} >= margin ${margin}`;
  }

  return {
    n,
    current: cur,
    candidate: cand,
    difference: {
      quality: cand.quality - cur.quality,
      costUsd: cand.costUsd - cur.costUsd,
      utility,
      utilityCi95: ci,
    },
    agreement: n > 0 ? agree / n : 0,
    matchedLogged: candidate.matchedLogged,
    clipped,
    ips: { current: current.ipsQuality, candidate: candidate.ipsQuality },
    pass,
    reason,
  };
}

function hatOf(hat: RewardHat, name: string): (record: number, model: string) => number {
  const read = typeof hat === 'function' ? hat : (record: number, model: string): number => hat[record]?.[model] ?? NaN;
  return (record, model) => {
    const value = read(record, model);
    // A missing prediction would turn every mean into NaN: name the record instead.
    if (!Number.isFinite(value)) throw new Error(`${name} gives no value for record ${record}, model ${model}`);
    return value;
  };
}

function meanOf(xs: Float64Array): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return xs.length > 0 ? sum / xs.length : 0;
}

function sampleVariance(xs: Float64Array, mean: number): number {
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return ss / (xs.length - 1);
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
}
