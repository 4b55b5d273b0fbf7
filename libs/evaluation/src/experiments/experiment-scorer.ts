import {
  type DecisionCost,
  LearnedRouter,
  type LearnedRouterArtifact,
  heldOutCurve,
  hullApgr,
  hullMixForQuality,
  upperHull,
  type CostQuality,
  type OutcomeExample,
} from '@switchyard/routing';

/** How the experiments in this folder score predicted qualities on rows with every model's outcome. */
export interface ExperimentScorer {
  /** APGR of the routing curve over the rows (or the subset `rows`, indices into them), normalised by all of them. */
  apgr(preds: readonly Float64Array[], rows?: readonly number[]): number;
  /** APGR and the saving at 95% and 100% of the best model's quality, off the hull. */
  summary(preds: readonly Float64Array[]): string;
}

/**
 * The cheapest and the best model of `examples` (their mean recorded cost and score) normalise APGR; the
 * curve is the cost-weight sweep of the predictions (`heldOutCurve`), and with `modelsAlone` every model
 * alone too, as `switchyard eval` reads its hull (without it, a hull that reaches the best model's quality
 * only through the sweep can read a saving below zero). Choices weigh each row's recorded cost, as if known
 * before the call, unless `decisionCost` says what a decision expects instead.
 */
export function experimentScorer(
  models: readonly string[],
  examples: readonly OutcomeExample[],
  options: { modelsAlone?: boolean; decisionCost?: DecisionCost } = {},
): ExperimentScorer {
  const meanOf = (rows: readonly OutcomeExample[], m: string) => ({
    quality: rows.reduce((a, e) => a + e.outcomes[m].score, 0) / rows.length,
    costUsd: rows.reduce((a, e) => a + (e.outcomes[m].costUsd ?? 0), 0) / rows.length,
  });
  const singles = models.map((m) => meanOf(examples, m));
  const meanCost = Object.fromEntries(models.map((m, i) => [m, singles[i].costUsd]));
  const cheapest = singles.reduce((a, b) => (b.costUsd < a.costUsd ? b : a));
  const best = singles.reduce((a, b) =>
    b.quality > a.quality || (b.quality === a.quality && b.costUsd < a.costUsd) ? b : a,
  );
  const curve = (rows: readonly OutcomeExample[], preds: readonly Float64Array[]): CostQuality[] => [
    ...heldOutCurve([...models], rows, preds, meanCost, options.decisionCost),
    ...(options.modelsAlone ? models.map((m) => meanOf(rows, m)) : []),
  ];
  const saving = (hull: readonly CostQuality[], share: number) => {
    const mix = hullMixForQuality(hull, share * best.quality);
    return mix ? `${(100 * (1 - mix.costUsd / best.costUsd)).toFixed(1)}%` : '—';
  };
  return {
    apgr: (preds, rows) => hullApgr(curve(rows ? rows.map((r) => examples[r]) : examples, preds), cheapest, best),
    summary: (preds) => {
      const c = curve(examples, preds);
      return `APGR ${hullApgr(c, cheapest, best).toFixed(3)}, @95% ${saving(upperHull(c), 0.95)}, @100% ${saving(upperHull(c), 1)}`;
    },
  };
}

/**
 * A trained router scored once on the test rows (`summary`), with the setting tuning chose and, given when
 * its training `started` (ms), the seconds since: one line of an experiment's table. `tasks` are the hints
 * the router is given per row, when it learnt from them.
 */
export function routerSummary(
  artifact: LearnedRouterArtifact,
  testEx: readonly OutcomeExample[],
  { tasks, started }: { tasks?: ReadonlyArray<string | undefined>; started?: number } = {},
): string {
  const router = new LearnedRouter(artifact);
  const scorer = experimentScorer(artifact.models, testEx, { modelsAlone: true });
  const preds = testEx.map((e, i) => Float64Array.from(router.predictQuality(e.text, tasks?.[i]).quality));
  const t = artifact.training.tuning;
  const chose = t ? `step ${t.learningRate}, L2 ${t.l2} × ${t.epochs}${t.blendWith ? ', blended' : ''}` : 'untuned';
  const took = started === undefined ? '' : `; ${((Date.now() - started) / 1000).toFixed(0)} s`;
  return `${scorer.summary(preds)} (chose ${chose}${took})`;
}
