// Measured (docs/benchmarks.md, "A cluster of the prompt as a feature"): the prompts of the training part
// grouped by spherical k-means on the router's own TF-IDF features, and each prompt's cluster given to the
// router as its task hint (one marked word, as `--task-hint` gives the dataset's label), in training and at
// test time (the nearest centroid). A linear model cannot draw "which topic is this" from spread-out
// n-grams the way one marked word does; the task label lifts the router's APGR on MMLU-Pro by 0.05, and a
// cluster needs no label. Scored on the test part of a 70/30 split (or a held-out task, `HOLD_OUT_TASK`).
// Not part of `npm test` (a few minutes per router); run it with:
//
//   DATASET=../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl SEEDS=0 KS=8,16,32 \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/clusters.experiment.ts'
import {
  mulberry32,
  type OutcomeExample,
  type SparseVector,
  TextFeaturizer,
  trainLearnedRouter,
} from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { routerSummary } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

function dot(v: SparseVector, c: Float64Array): number {
  let s = 0;
  for (let n = 0; n < v.indices.length; n++) s += v.values[n] * c[v.indices[n]];
  return s;
}

function nearest(v: SparseVector, centroids: readonly Float64Array[]): number {
  let best = 0;
  let bestSim = -Infinity;
  for (let k = 0; k < centroids.length; k++) {
    const s = dot(v, centroids[k]);
    if (s > bestSim) {
      bestSim = s;
      best = k;
    }
  }
  return best;
}

/** Spherical k-means (cosine; the vectors are unit length): k-means++ starts, then `iterations` passes. */
function sphericalKMeans(xs: readonly SparseVector[], dims: number, k: number, seed: number, iterations = 12) {
  const random = mulberry32(seed);
  const densify = (v: SparseVector) => {
    const c = new Float64Array(dims);
    for (let n = 0; n < v.indices.length; n++) c[v.indices[n]] = v.values[n];
    return c;
  };
  const centroids: Float64Array[] = [densify(xs[Math.floor(random() * xs.length)])];
  const distance = xs.map((v) => 1 - dot(v, centroids[0]));
  while (centroids.length < k) {
    const total = distance.reduce((a, b) => a + b * b, 0);
    let r = random() * total;
    let pick = 0;
    for (; pick < xs.length - 1; pick++) {
      r -= distance[pick] * distance[pick];
      if (r <= 0) break;
    }
    const c = densify(xs[pick]);
    centroids.push(c);
    xs.forEach((v, i) => (distance[i] = Math.min(distance[i], 1 - dot(v, c))));
  }
  let assignment = xs.map((v) => nearest(v, centroids));
  for (let it = 0; it < iterations; it++) {
    for (const c of centroids) c.fill(0);
    xs.forEach((v, i) => {
      const c = centroids[assignment[i]];
      for (let n = 0; n < v.indices.length; n++) c[v.indices[n]] += v.values[n];
    });
    for (const c of centroids) {
      let norm = 0;
      for (let d = 0; d < dims; d++) norm += c[d] * c[d];
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < dims; d++) c[d] /= norm;
    }
    const next = xs.map((v) => nearest(v, centroids));
    const moved = next.reduce((a, c, i) => a + (c === assignment[i] ? 0 : 1), 0);
    assignment = next;
    if (moved === 0) break;
  }
  return { centroids, assignment };
}

it('prints the test-part curve of the router with a cluster hint at each k', () => {
  const ks = (process.env['KS'] ?? '8,16,32').split(',').map(Number);
  for (const { seed, label, trainEx, testEx } of experimentCases(experimentRows())) {
    const score = (hinted: OutcomeExample[], testTasks: Array<string | undefined>, what: string) => {
      const started = Date.now();
      const artifact = trainLearnedRouter(hinted, { version: 'x', taskHint: testTasks[0] !== undefined });
      const summary = routerSummary(artifact, testEx, { tasks: testTasks, started });
      process.stdout.write(`${label}, ${what}: ${summary}\n`);
    };
    if (process.env['SKIP_PLAIN'] !== '1')
      score(
        trainEx,
        testEx.map(() => undefined),
        'no hint',
      );
    const fz = TextFeaturizer.fit(
      trainEx.map((e) => e.text),
      1 << 18,
    );
    const trainVecs = trainEx.map((e) => fz.transform(e.text));
    const testVecs = testEx.map((e) => fz.transform(e.text));
    for (const k of ks) {
      const { centroids, assignment } = sphericalKMeans(trainVecs, fz.dims, k, seed);
      const sizes = new Array<number>(k).fill(0);
      for (const a of assignment) sizes[a]++;
      process.stdout.write(`${label}, k=${k}: cluster sizes ${sizes.sort((a, b) => b - a).join(' ')}\n`);
      const hinted = trainEx.map((e, i) => ({ ...e, task: `c${assignment[i]}` }));
      score(
        hinted,
        testVecs.map((v) => `c${nearest(v, centroids)}`),
        `cluster hint, k=${k}`,
      );
    }
  }
});
