#!/usr/bin/env node
// Does a task predicted from the text carry what the task label gives the learned router? Splits a routing
// dataset 70/30 (seeded), trains a multinomial logistic regression (hashed word and bigram counts, AdaGrad)
// from prompt to task on the train part, and writes four files for `switchyard eval --train --test`: the
// train part with its true tasks and with out-of-fold predicted tasks (five folds), the test part with its
// true and with predicted tasks. The eval's "with the task label as a hint" row then reads as "with the
// predicted task" when given the predicted files; its "learned router" row (no label) is the reference.
//
//   node tools/probes/predicted-task-hint.cjs ../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl /tmp/tc
//   npx switchyard eval --train /tmp/tc/train-oof.jsonl --test /tmp/tc/test-pred.jsonl --out /tmp/tc/oof
//   npx switchyard eval --train /tmp/tc/train-true.jsonl --test /tmp/tc/test-true.jsonl --out /tmp/tc/true
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const [file, outDir] = process.argv.slice(2);
if (!file || !outDir) {
  process.stderr.write('usage: predicted-task-hint.cjs DATASET.jsonl OUT_DIR\n');
  process.exit(2);
}
const rows = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
if (rows.some((r) => typeof r.task !== 'string')) throw new Error(`${file}: every row needs a task label`);

let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const order = rows.map((_, i) => i);
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [order[i], order[j]] = [order[j], order[i]];
}
const cut = Math.floor(rows.length * 0.7);
const train = order.slice(0, cut).map((i) => rows[i]);
const test = order.slice(cut).map((i) => rows[i]);

const DIMS = 1 << 18;
const hash = (s) => {
  let x = 2166136261;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619);
  return (x >>> 0) % DIMS;
};
/** Hashed word and bigram counts, log-scaled and L2-normalised. */
const featuresOf = (text) => {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const counts = new Map();
  const add = (k) => counts.set(k, (counts.get(k) ?? 0) + 1);
  words.forEach((w, i) => {
    add(hash(w));
    if (i > 0) add(hash(`${words[i - 1]} ${w}`));
  });
  const keys = Int32Array.from(counts.keys());
  const values = Float64Array.from(keys, (k) => 1 + Math.log(counts.get(k)));
  const norm = Math.hypot(...values) || 1;
  return { keys, values: values.map((v) => v / norm) };
};
const tasks = [...new Set(rows.map((r) => r.task))].sort();
const K = tasks.length;
const taskIndex = new Map(tasks.map((t, i) => [t, i]));

function trainClassifier(set, epochs = 6, step = 0.5) {
  const w = new Float64Array(DIMS * K);
  const g2 = new Float64Array(DIMS * K).fill(1e-6);
  const bias = new Float64Array(K);
  const xs = set.map((r) => featuresOf(r.prompt));
  const logits = (x) => {
    const z = Float64Array.from(bias);
    for (let j = 0; j < x.keys.length; j++) for (let c = 0; c < K; c++) z[c] += w[x.keys[j] * K + c] * x.values[j];
    return z;
  };
  for (let e = 0; e < epochs; e++) {
    for (let s = 0; s < set.length; s++) {
      const x = xs[s];
      const z = logits(x);
      const max = Math.max(...z);
      let sum = 0;
      for (let c = 0; c < K; c++) sum += z[c] = Math.exp(z[c] - max);
      const y = taskIndex.get(set[s].task);
      for (let c = 0; c < K; c++) {
        const g = z[c] / sum - (c === y ? 1 : 0);
        bias[c] -= 0.05 * g;
        for (let j = 0; j < x.keys.length; j++) {
          const at = x.keys[j] * K + c;
          const gj = g * x.values[j];
          g2[at] += gj * gj;
          w[at] -= (step * gj) / Math.sqrt(g2[at]);
        }
      }
    }
    process.stderr.write(`  epoch ${e + 1}/${epochs} on ${set.length} rows\n`);
  }
  return (r) => {
    const z = logits(featuresOf(r.prompt));
    let best = 0;
    for (let c = 1; c < K; c++) if (z[c] > z[best]) best = c;
    return tasks[best];
  };
}

const accuracy = (set, predicted) => set.filter((r, i) => predicted[i] === r.task).length / set.length;
process.stderr.write(`${train.length} train rows, ${test.length} test rows, ${K} tasks\n`);
const classify = trainClassifier(train);
const testPredicted = test.map(classify);
const folds = 5;
const trainPredicted = new Array(train.length);
for (let f = 0; f < folds; f++) {
  process.stderr.write(`out-of-fold predictions, fold ${f + 1}/${folds}\n`);
  const fitted = trainClassifier(train.filter((_, i) => i % folds !== f));
  train.forEach((r, i) => {
    if (i % folds === f) trainPredicted[i] = fitted(r);
  });
}
mkdirSync(outDir, { recursive: true });
const write = (name, set) => writeFileSync(join(outDir, name), set.map((r) => JSON.stringify(r)).join('\n') + '\n');
write('train-true.jsonl', train);
write(
  'train-oof.jsonl',
  train.map((r, i) => ({ ...r, task: trainPredicted[i] })),
);
write('test-true.jsonl', test);
write(
  'test-pred.jsonl',
  test.map((r, i) => ({ ...r, task: testPredicted[i] })),
);
process.stdout.write(
  `task predicted from the text: ${(100 * accuracy(test, testPredicted)).toFixed(1)}% right on the test part, ` +
    `${(100 * accuracy(train, trainPredicted)).toFixed(1)}% out of fold on the train part; files in ${outDir}\n`,
);
