// Measured, not adopted (docs/benchmarks.md, "A nearest-neighbour estimate"): the learned router's quality
// predictions blended with a k-nearest-neighbour estimate (cosine on the router's own TF-IDF features, the
// query's 80 heaviest features looked up in an inverted index of the training rows), APGR on the test part of
// a 70/30 split, per seed. Not part of `npm test` (about 7 minutes a seed); run it with:
//
//   DATASET=../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl SEEDS=0,1 \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/knn-blend.experiment.ts'
import { LearnedRouter, TextFeaturizer, trainLearnedRouter, heldOutCurve, hullApgr } from '@switchyard/routing';
import { splitDataset } from '../dataset';
import { experimentRows, unlabelledExamples } from './experiment-rows';

jest.setTimeout(3_600_000);

it('prints the APGR of the router, the neighbours and their blends', () => {
  const rows = experimentRows();
  for (const seed of (process.env['SEEDS'] ?? '0,1').split(',').map(Number)) {
    const { train, test } = splitDataset(rows, 0.7, seed);
    const trainEx = unlabelledExamples(train);
    const testEx = unlabelledExamples(test);
    const artifact = trainLearnedRouter(trainEx, { version: 'x' });
    const router = new LearnedRouter(artifact);
    const models = artifact.models;
    const fz = new TextFeaturizer(artifact.featurizer);
    const trainVecs = trainEx.map((e) => fz.transform(e.text));
    const testVecs = testEx.map((e) => fz.transform(e.text));
    // The training rows by feature: (row, value) per feature they have.
    const postings = new Map<number, Array<[number, number]>>();
    trainVecs.forEach((v, r) => {
      for (let n = 0; n < v.indices.length; n++) {
        let p = postings.get(v.indices[n]);
        if (!p) postings.set(v.indices[n], (p = []));
        p.push([r, v.values[n]]);
      }
    });
    const trainScores = trainEx.map((e) => models.map((m) => e.outcomes[m].score));
    const lr = testEx.map((e) => Float64Array.from(router.predictQuality(e.text).quality));
    const sims = new Float64Array(trainEx.length);
    const knnFor = (k: number, topDims: number) =>
      testVecs.map((v) => {
        sims.fill(0);
        const order = Array.from(v.indices.keys())
          .sort((a, b) => v.values[b] - v.values[a])
          .slice(0, topDims);
        for (const n of order) for (const [r, val] of postings.get(v.indices[n]) ?? []) sims[r] += val * v.values[n];
        const idx = Array.from(sims.keys())
          .sort((a, b) => sims[b] - sims[a])
          .slice(0, k);
        const out = new Float64Array(models.length);
        let wsum = 0;
        for (const r of idx) {
          const w = sims[r];
          wsum += w;
          for (let m = 0; m < models.length; m++) out[m] += w * trainScores[r][m];
        }
        for (let m = 0; m < models.length; m++) out[m] = wsum > 0 ? out[m] / wsum : 0.5;
        return out;
      });
    const meanCost: Record<string, number> = {};
    for (const m of models) meanCost[m] = testEx.reduce((a, e) => a + (e.outcomes[m].costUsd ?? 0), 0) / testEx.length;
    const singles = models.map((m) => ({
      model: m,
      quality: testEx.reduce((a, e) => a + e.outcomes[m].score, 0) / testEx.length,
      costUsd: meanCost[m],
    }));
    const cheapest = singles.reduce((a, b) => (b.costUsd < a.costUsd ? b : a));
    const best = singles.reduce((a, b) => (b.quality > a.quality ? b : a));
    const apgr = (preds: Float64Array[]) => hullApgr(heldOutCurve(models, testEx, preds, meanCost), cheapest, best);
    // The task label is left out (the router is trained without it, as `switchyard eval` does).
    const lines = [`seed ${seed}: LR alone ${apgr(lr).toFixed(3)}`];
    for (const k of [20, 50, 100]) {
      const knn = knnFor(k, 80);
      lines.push(`  k=${k}: knn alone ${apgr(knn).toFixed(3)}`);
      for (const a of [0.15, 0.3, 0.5]) {
        const blend = lr.map((p, i) => Float64Array.from(p, (q, m) => (1 - a) * q + a * knn[i][m]));
        lines.push(`    blend a=${a}: ${apgr(blend).toFixed(3)}`);
      }
    }
    process.stdout.write(lines.join('\n') + '\n');
  }
});
